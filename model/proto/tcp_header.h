// TCP header (RFC 9293) and the options a modern stack negotiates: MSS (RFC 9293), window
// scale and timestamps (RFC 7323), SACK-permitted and SACK blocks (RFC 2018).
//
// The option decoder takes untrusted bytes. Every step consumes at least one byte, so it
// terminates; a length below 2 or past the end stops it with an error status (a naive parser
// would loop forever on length 0 or 1); unknown kinds are skipped by their length.
#pragma once

#include <optional>
#include <vector>

#include "bytes.h"
#include "ipv4.h"

namespace nicsim::proto {

constexpr uint8_t kTcpFin = 0x01;
constexpr uint8_t kTcpSyn = 0x02;
constexpr uint8_t kTcpRst = 0x04;
constexpr uint8_t kTcpPsh = 0x08;
constexpr uint8_t kTcpAck = 0x10;
constexpr uint8_t kTcpUrg = 0x20;
constexpr uint8_t kTcpEce = 0x40;
constexpr uint8_t kTcpCwr = 0x80;

constexpr uint8_t kTcpOptEol = 0;
constexpr uint8_t kTcpOptNop = 1;
constexpr uint8_t kTcpOptMss = 2;
constexpr uint8_t kTcpOptWindowScale = 3;
constexpr uint8_t kTcpOptSackPermitted = 4;
constexpr uint8_t kTcpOptSack = 5;
constexpr uint8_t kTcpOptTimestamps = 8;

constexpr size_t kTcpMinHeaderSize = 20;
constexpr size_t kTcpMaxOptionsSize = 40;

struct TcpTimestamps {
    uint32_t value = 0;       // TSval
    uint32_t echo_reply = 0;  // TSecr
};

struct TcpSackBlock {
    uint32_t left = 0;   // first sequence number of the block
    uint32_t right = 0;  // sequence number just past it
    bool operator==(const TcpSackBlock& o) const { return left == o.left && right == o.right; }
};

struct TcpOptions {
    std::optional<uint16_t> mss;
    std::optional<uint8_t> window_scale;  // shift count as sent (RFC 7323 caps use at 14)
    bool sack_permitted = false;
    std::optional<TcpTimestamps> timestamps;
    // Encoding keeps only the first blocks that fit in the 40 option bytes (4, or 3 beside
    // timestamps), as a TCP sender must.
    std::vector<TcpSackBlock> sack_blocks;
};

// Appends the options in Linux's order and alignment (MSS; SACK-permitted + timestamps, or
// NOP-padded either; NOP + window scale; NOP NOP + SACK blocks), a multiple of 4 bytes long.
void encode_tcp_options(Bytes& out, const TcpOptions& o);
size_t encoded_tcp_options_size(const TcpOptions& o);

struct TcpOptionsDecode {
    enum class Status {
        Ok,
        Truncated,        // an option's kind, length or body runs past the option space
        BadLength,        // length byte 0 or 1: cannot be skipped, parsing stops
        BadLengthForKind  // known kind with a wrong length: ignored, parsing continues
    } status = Status::Ok;  // the first problem met
    TcpOptions options;     // everything decoded before parsing stopped
    unsigned unknown_options = 0;  // skipped by length
};

TcpOptionsDecode decode_tcp_options(ByteView option_bytes);

struct TcpHeader {
    uint16_t src_port = 0;
    uint16_t dst_port = 0;
    uint32_t seq = 0;
    uint32_t ack = 0;
    uint8_t flags = 0;  // kTcp* bits; the reserved bits and NS/AE are sent as zero
    uint16_t window = 0;  // as sent, before scaling
    uint16_t checksum = 0;  // as decoded; computed on encode
    uint16_t urgent_pointer = 0;
    TcpOptions options;

    bool has(uint8_t flag) const { return (flags & flag) != 0; }
};

// Appends header, options and payload, with the checksum over the IPv4 pseudo-header
// (src, dst, protocol 6, TCP length), the header and the payload.
void encode_tcp_segment(Bytes& out, const TcpHeader& h, ByteView payload, Ipv4Address src,
                        Ipv4Address dst);

struct TcpDecode {
    enum class Status {
        Ok,
        Truncated,      // fewer than 20 bytes, or data offset beyond the segment
        BadDataOffset,  // data offset below 5
    } status = Status::Truncated;
    TcpHeader header;
    size_t header_length = 0;  // data offset * 4
    TcpOptionsDecode::Status options_status = TcpOptionsDecode::Status::Ok;
    unsigned unknown_options = 0;
    ByteView payload;
};

// Decodes a TCP segment (the IPv4 payload, untrusted). Option problems do not fail the
// decode; they are reported in options_status.
TcpDecode decode_tcp(ByteView segment);
const char* to_string(TcpDecode::Status s);
const char* to_string(TcpOptionsDecode::Status s);

// True if the segment's checksum field is correct for this pseudo-header.
bool tcp_checksum_ok(ByteView segment, Ipv4Address src, Ipv4Address dst);

}  // namespace nicsim::proto
