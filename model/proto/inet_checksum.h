// The Internet checksum (RFC 1071): the 16-bit one's-complement of the one's-complement sum
// of the data taken as big-endian 16-bit words, an odd final byte padded with zero.
//
// InetChecksum accumulates in pieces of any length (odd lengths included: a dangling byte is
// carried into the next piece), so a TCP checksum can be summed over the pseudo-header, the
// header and a payload that live in different buffers. Because one's-complement addition is
// commutative, a field may also be summed while it still holds zero and patched later.
#pragma once

#include "bytes.h"

namespace nicsim::proto {

class InetChecksum {
public:
    void add(ByteView data);
    void add_be16(uint16_t v);
    void add_be32(uint32_t v);

    // The folded one's-complement sum (not complemented). 0xFFFF and 0 are distinct here.
    uint16_t sum() const;
    // The value for the checksum field: ~sum(). A receiver summing data that includes a
    // correct checksum field gets sum() == 0xFFFF, i.e. finish() == 0.
    uint16_t finish() const { return uint16_t(~sum()); }

private:
    uint64_t sum_ = 0;   // unfolded; 2^31 32-bit words (8 GiB) before it could overflow
    bool odd_ = false;   // an odd number of bytes has been added so far
};

// Checksum field value over one contiguous buffer.
uint16_t inet_checksum(ByteView data);

// One's-complement sum of the TCP/UDP IPv4 pseudo-header (RFC 793 §3.1): source and
// destination address, zero, protocol, and the TCP length (header + payload).
void add_ipv4_pseudo_header(InetChecksum& c, uint32_t src_ip, uint32_t dst_ip, uint8_t protocol,
                            uint16_t length);

// RFC 1624 eqn. 3: the new checksum field after one 16-bit word of the covered data changed
// from `old_word` to `new_word`, without re-summing (what a NIC does when it rewrites a field).
uint16_t inet_checksum_update(uint16_t old_checksum, uint16_t old_word, uint16_t new_word);

}  // namespace nicsim::proto
