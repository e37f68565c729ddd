#include "inet_checksum.h"

namespace nicsim::proto {

void InetChecksum::add(ByteView data) {
    size_t i = 0;
    if (odd_ && data.size > 0) {
        sum_ += data[0];  // low half of the word whose high half came last time
        i = 1;
        odd_ = false;
    }
    // Eight bytes at a time: a big-endian 32-bit word is hi * 2^16 + lo, and 2^16 = 1 in
    // one's-complement arithmetic (mod 0xFFFF), so adding it adds both halves; sum() folds.
    for (; i + 8 <= data.size; i += 8) sum_ += uint64_t(load_be32(data.data + i)) + load_be32(data.data + i + 4);
    for (; i + 1 < data.size; i += 2) sum_ += load_be16(data.data + i);
    if (i < data.size) {
        sum_ += uint32_t(data[i]) << 8;  // high half; the low half is the next byte, or zero
        odd_ = true;
    }
}

void InetChecksum::add_be16(uint16_t v) {
    uint8_t b[2];
    store_be16(b, v);
    add(ByteView(b, 2));
}

void InetChecksum::add_be32(uint32_t v) {
    uint8_t b[4];
    store_be32(b, v);
    add(ByteView(b, 4));
}

uint16_t InetChecksum::sum() const {
    uint64_t s = sum_;
    while (s >> 16) s = (s & 0xFFFF) + (s >> 16);  // end-around carry
    return uint16_t(s);
}

uint16_t inet_checksum(ByteView data) {
    InetChecksum c;
    c.add(data);
    return c.finish();
}

void add_ipv4_pseudo_header(InetChecksum& c, uint32_t src_ip, uint32_t dst_ip, uint8_t protocol,
                            uint16_t length) {
    c.add_be32(src_ip);
    c.add_be32(dst_ip);
    c.add_be16(protocol);  // zero byte, then the protocol
    c.add_be16(length);
}

uint16_t inet_checksum_update(uint16_t old_checksum, uint16_t old_word, uint16_t new_word) {
    // HC' = ~(~HC + ~m + m')
    uint32_t s = uint16_t(~old_checksum) + uint32_t(uint16_t(~old_word)) + new_word;
    while (s >> 16) s = (s & 0xFFFF) + (s >> 16);
    return uint16_t(~s);
}

}  // namespace nicsim::proto
