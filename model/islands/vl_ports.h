// Byte-level access to Verilated stream ports, whatever C++ type Verilator chose for them
// (CData/SData/IData/QData up to 64 bits, VlWide<N> above). Lane i = bits [8i+7:8i].
// Private to .cpp files that include Verilated model headers.
#pragma once

#include <verilated.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace nicsim::islands::vl {

template <class T>
typename std::enable_if<std::is_integral<T>::value>::type put_bytes(T& port, const uint8_t* b, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n && i < sizeof(T); ++i) v |= uint64_t(b[i]) << (8 * i);
    port = T(v);
}
template <std::size_t N>
void put_bytes(VlWide<N>& port, const uint8_t* b, size_t n) {
    for (size_t w = 0; w < N; ++w) {
        uint32_t v = 0;
        for (size_t k = 0; k < 4; ++k)
            if (4 * w + k < n) v |= uint32_t(b[4 * w + k]) << (8 * k);
        port[w] = v;
    }
}
template <class T>
typename std::enable_if<std::is_integral<T>::value>::type get_bytes(const T& port, uint8_t* b, size_t n) {
    for (size_t i = 0; i < n; ++i) b[i] = uint8_t(uint64_t(port) >> (8 * i));
}
template <std::size_t N>
void get_bytes(const VlWide<N>& port, uint8_t* b, size_t n) {
    for (size_t i = 0; i < n; ++i) b[i] = uint8_t(port[i / 4] >> (8 * (i % 4)));
}
// Lane mask with the n low lanes set (keep ports are at most 64 bits wide).
template <class T>
void put_keep(T& port, size_t n) {
    port = T(n >= 64 ? ~uint64_t(0) : ((uint64_t(1) << n) - 1));
}
// Number of low lanes set; `contiguous` is false if a higher lane is set too.
template <class T>
size_t keep_count(const T& port, bool& contiguous) {
    uint64_t k = uint64_t(port);
    size_t n = 0;
    while (n < 64 && ((k >> n) & 1)) ++n;
    contiguous = n == 64 || (k >> n) == 0;
    return n;
}

}  // namespace nicsim::islands::vl
