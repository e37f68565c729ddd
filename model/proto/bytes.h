// Byte buffers and bounds-checked big-endian access, shared by every wire codec.
//
// Receive-side parsers take untrusted bytes: ByteReader never reads past its end. A read
// beyond the end returns zero and latches ok() == false, so a parser can read a whole header
// and check once, without a length test before every field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nicsim::proto {

using Bytes = std::vector<uint8_t>;

// A non-owning view of contiguous bytes (C++17 has no std::span).
struct ByteView {
    const uint8_t* data = nullptr;
    size_t size = 0;

    ByteView() = default;
    ByteView(const uint8_t* d, size_t n) : data(d), size(n) {}
    ByteView(const Bytes& b) : data(b.data()), size(b.size()) {}  // NOLINT: implicit by design

    bool empty() const { return size == 0; }
    uint8_t operator[](size_t i) const { return data[i]; }
    // Sub-view clamped to the bounds of this view.
    ByteView sub(size_t offset, size_t length = SIZE_MAX) const {
        if (offset > size) offset = size;
        if (length > size - offset) length = size - offset;
        return ByteView(data + offset, length);
    }
    Bytes to_bytes() const { return Bytes(data, data + size); }
};

inline void put_u8(Bytes& out, uint8_t v) { out.push_back(v); }
inline void put_be16(Bytes& out, uint16_t v) {
    out.push_back(uint8_t(v >> 8));
    out.push_back(uint8_t(v));
}
inline void put_be32(Bytes& out, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(uint8_t(v >> s));
}
inline void put_be64(Bytes& out, uint64_t v) {
    for (int s = 56; s >= 0; s -= 8) out.push_back(uint8_t(v >> s));
}
inline void put_le32(Bytes& out, uint32_t v) {
    for (int s = 0; s <= 24; s += 8) out.push_back(uint8_t(v >> s));
}
inline void put_bytes(Bytes& out, ByteView v) { out.insert(out.end(), v.data, v.data + v.size); }

inline void store_be16(uint8_t* p, uint16_t v) {
    p[0] = uint8_t(v >> 8);
    p[1] = uint8_t(v);
}
inline void store_be32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (24 - 8 * i));
}
inline uint16_t load_be16(const uint8_t* p) { return uint16_t((p[0] << 8) | p[1]); }
inline uint32_t load_be32(const uint8_t* p) {
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}
inline uint64_t load_be64(const uint8_t* p) {
    return (uint64_t(load_be32(p)) << 32) | load_be32(p + 4);
}
inline uint32_t load_le32(const uint8_t* p) {
    return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}

class ByteReader {
public:
    explicit ByteReader(ByteView v) : view_(v) {}

    bool ok() const { return ok_; }
    size_t position() const { return pos_; }
    size_t remaining() const { return view_.size - pos_; }

    uint8_t u8() { return take(1) ? view_.data[pos_ - 1] : 0; }
    uint16_t be16() { return take(2) ? load_be16(view_.data + pos_ - 2) : 0; }
    uint32_t be32() { return take(4) ? load_be32(view_.data + pos_ - 4) : 0; }
    uint64_t be64() { return take(8) ? load_be64(view_.data + pos_ - 8) : 0; }
    uint32_t le32() { return take(4) ? load_le32(view_.data + pos_ - 4) : 0; }
    ByteView bytes(size_t n) {
        if (!take(n)) return ByteView();
        return ByteView(view_.data + pos_ - n, n);
    }
    void skip(size_t n) { take(n); }
    ByteView rest() { return bytes(remaining()); }

private:
    bool take(size_t n) {
        if (!ok_ || n > view_.size - pos_) {
            ok_ = false;
            return false;
        }
        pos_ += n;
        return true;
    }
    ByteView view_;
    size_t pos_ = 0;
    bool ok_ = true;
};

// "de ad be ef" style dump for test diagnostics.
std::string to_hex(ByteView v, size_t group = 0);
Bytes from_hex(const std::string& hex);  // ignores whitespace; throws std::invalid_argument

}  // namespace nicsim::proto
