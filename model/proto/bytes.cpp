#include "bytes.h"

#include <cctype>
#include <stdexcept>

namespace nicsim::proto {

std::string to_hex(ByteView v, size_t group) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    s.reserve(v.size * 3);
    for (size_t i = 0; i < v.size; ++i) {
        if (group && i && i % group == 0) s.push_back(' ');
        s.push_back(digits[v[i] >> 4]);
        s.push_back(digits[v[i] & 15]);
    }
    return s;
}

Bytes from_hex(const std::string& hex) {
    Bytes out;
    int nibble = -1;
    for (char c : hex) {
        if (std::isspace(static_cast<unsigned char>(c))) continue;
        if (!std::isxdigit(static_cast<unsigned char>(c)))
            throw std::invalid_argument("from_hex: not a hex digit: " + std::string(1, c));
        int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10);
        if (nibble < 0) {
            nibble = v;
        } else {
            out.push_back(uint8_t(nibble << 4 | v));
            nibble = -1;
        }
    }
    if (nibble >= 0) throw std::invalid_argument("from_hex: odd number of digits");
    return out;
}

}  // namespace nicsim::proto
