// Whole Ethernet II / IPv4 / TCP frames (without FCS), as the golden capture writes them and
// the timed model's MAC sends them: build one from a small description, or parse one back.
#pragma once

#include "bytes.h"
#include "ethernet.h"
#include "ipv4.h"
#include "tcp_header.h"

namespace nicsim::proto {

// One side of a TCP connection as seen on the wire.
struct TcpEndpoint {
    MacAddress mac;
    Ipv4Address ip;
    uint16_t port = 0;
};

struct FlowTuple {
    TcpEndpoint src;
    TcpEndpoint dst;
    FlowTuple reversed() const { return FlowTuple{dst, src}; }
};

struct TcpFrameSpec {
    FlowTuple flow;
    uint32_t seq = 0;
    uint32_t ack = 0;
    uint8_t flags = kTcpAck;  // kTcp* bits
    uint16_t window = 0xFFFF;  // as sent, before scaling
    TcpOptions options;
    ByteView payload;  // must outlive the build call only
    // IP fields a capture may want to vary; the defaults are what Linux sends.
    uint16_t ip_id = 0;
    uint8_t ttl = 64;
    uint8_t dscp = 0;
    uint8_t ecn = 0;
    bool pad_to_minimum = true;  // zero-pad to 60 bytes like a transmitting MAC
};

// The FCS-less frame with correct IPv4 and TCP checksums. Throws std::invalid_argument if
// the IP packet would exceed 65535 bytes.
Bytes build_tcp_frame(const TcpFrameSpec& spec);

// Length of that frame before padding: 14 + 20 + TCP header with options + payload.
size_t tcp_frame_length(const TcpOptions& options, size_t payload_length);

struct ParsedTcpFrame {
    enum class Status {
        Ok,
        BadEthernet,  // shorter than an Ethernet header
        NotIpv4,      // EtherType is not IPv4 (after one optional VLAN tag)
        BadIpv4,      // see ip_status
        NotTcp,       // protocol is not 6
        Fragment,     // an IP fragment: no TCP header to decode here
        BadTcp,       // see tcp_status
    } status = Status::BadEthernet;
    EthernetHeader eth;
    Ipv4Header ip;
    TcpHeader tcp;
    Ipv4Decode::Status ip_status = Ipv4Decode::Status::Ok;
    TcpDecode::Status tcp_status = TcpDecode::Status::Ok;
    TcpOptionsDecode::Status tcp_options_status = TcpOptionsDecode::Status::Ok;
    bool ip_checksum_ok = false;
    bool tcp_checksum_ok = false;
    ByteView payload;  // TCP payload; points into the parsed frame

    FlowTuple flow() const {
        return FlowTuple{{eth.src, ip.src, tcp.src_port}, {eth.dst, ip.dst, tcp.dst_port}};
    }
};

// Parses an FCS-less frame (untrusted). Ethernet padding after the IP packet is ignored.
// Wrong checksums do not fail the parse; they are reported in *_checksum_ok.
ParsedTcpFrame parse_tcp_frame(ByteView frame);
const char* to_string(ParsedTcpFrame::Status s);

}  // namespace nicsim::proto
