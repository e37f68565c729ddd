// IPv4 header (RFC 791). The model sends option-less headers (IHL 5); the decoder accepts
// options (IHL 6..15) and skips them.
//
// Decoding never throws: structural problems make the status an error; a wrong header
// checksum is only reported (checksum_ok), as a capture tool or a NIC's statistics would.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "bytes.h"

namespace nicsim::proto {

constexpr uint8_t kIpProtoTcp = 6;
constexpr uint8_t kIpProtoUdp = 17;
constexpr size_t kIpv4MinHeaderSize = 20;
constexpr size_t kIpv4MaxHeaderSize = 60;

struct Ipv4Address {
    uint32_t value = 0;  // host order: 10.0.0.1 == 0x0A000001

    static std::optional<Ipv4Address> parse(std::string_view dotted);  // "10.0.0.1"
    std::string to_string() const;
    bool operator==(const Ipv4Address& o) const { return value == o.value; }
    bool operator!=(const Ipv4Address& o) const { return value != o.value; }
};

struct Ipv4Header {
    uint8_t dscp = 0;  // 6 bits
    uint8_t ecn = 0;   // 2 bits
    uint16_t total_length = 0;  // header + payload; encode derives it from the payload length
    uint16_t identification = 0;
    bool dont_fragment = true;
    bool more_fragments = false;
    uint16_t fragment_offset = 0;  // in 8-byte units, 13 bits
    uint8_t ttl = 64;
    uint8_t protocol = kIpProtoTcp;
    uint16_t checksum = 0;  // as decoded; computed on encode
    Ipv4Address src;
    Ipv4Address dst;

    bool is_fragment() const { return more_fragments || fragment_offset != 0; }
};

// Appends a 20-byte header with a correct checksum. `payload_length` sets total_length
// (20 + payload_length); it must be at most 65515 (std::invalid_argument otherwise).
void encode_ipv4_header(Bytes& out, const Ipv4Header& h, size_t payload_length);

struct Ipv4Decode {
    enum class Status {
        Ok,
        Truncated,       // fewer than 20 bytes, or fewer than IHL*4
        BadVersion,      // version != 4
        BadHeaderLength, // IHL < 5
        BadTotalLength,  // total_length < IHL*4 or > the bytes available
    } status = Status::Truncated;
    Ipv4Header header;
    size_t header_length = 0;  // IHL * 4
    bool checksum_ok = false;
    ByteView options;  // raw option bytes (IHL > 5)
    ByteView payload;  // exactly total_length - header_length bytes; link padding excluded
};

Ipv4Decode decode_ipv4(ByteView packet);
const char* to_string(Ipv4Decode::Status s);

}  // namespace nicsim::proto
