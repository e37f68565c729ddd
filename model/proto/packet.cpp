#include "packet.h"

#include <stdexcept>

namespace nicsim::proto {

size_t tcp_frame_length(const TcpOptions& options, size_t payload_length) {
    return kEthernetHeaderSize + kIpv4MinHeaderSize + kTcpMinHeaderSize +
           encoded_tcp_options_size(options) + payload_length;
}

Bytes build_tcp_frame(const TcpFrameSpec& spec) {
    const size_t tcp_len =
        kTcpMinHeaderSize + encoded_tcp_options_size(spec.options) + spec.payload.size;
    if (kIpv4MinHeaderSize + tcp_len > 0xFFFF)
        throw std::invalid_argument("TCP frame: IP packet longer than 65535 bytes");
    Bytes out;
    out.reserve(kEthernetHeaderSize + kIpv4MinHeaderSize + tcp_len);

    EthernetHeader eth;
    eth.dst = spec.flow.dst.mac;
    eth.src = spec.flow.src.mac;
    eth.ether_type = kEtherTypeIpv4;
    encode_ethernet_header(out, eth);

    Ipv4Header ip;
    ip.dscp = spec.dscp;
    ip.ecn = spec.ecn;
    ip.identification = spec.ip_id;
    ip.ttl = spec.ttl;
    ip.protocol = kIpProtoTcp;
    ip.src = spec.flow.src.ip;
    ip.dst = spec.flow.dst.ip;
    encode_ipv4_header(out, ip, tcp_len);

    TcpHeader tcp;
    tcp.src_port = spec.flow.src.port;
    tcp.dst_port = spec.flow.dst.port;
    tcp.seq = spec.seq;
    tcp.ack = spec.ack;
    tcp.flags = spec.flags;
    tcp.window = spec.window;
    tcp.options = spec.options;
    encode_tcp_segment(out, tcp, spec.payload, ip.src, ip.dst);

    if (spec.pad_to_minimum) pad_ethernet_frame(out);
    return out;
}

ParsedTcpFrame parse_tcp_frame(ByteView frame) {
    using Status = ParsedTcpFrame::Status;
    ParsedTcpFrame p;
    EthernetDecode e = decode_ethernet(frame);
    if (e.status != EthernetDecode::Status::Ok) return p;  // BadEthernet
    p.eth = e.header;
    if (p.eth.ether_type != kEtherTypeIpv4) {
        p.status = Status::NotIpv4;
        return p;
    }
    Ipv4Decode ipd = decode_ipv4(e.payload);  // trims Ethernet padding via total_length
    p.ip = ipd.header;
    p.ip_status = ipd.status;
    if (ipd.status != Ipv4Decode::Status::Ok) {
        p.status = Status::BadIpv4;
        return p;
    }
    p.ip_checksum_ok = ipd.checksum_ok;
    if (p.ip.protocol != kIpProtoTcp) {
        p.status = Status::NotTcp;
        return p;
    }
    if (p.ip.is_fragment()) {
        p.status = Status::Fragment;
        return p;
    }
    TcpDecode td = decode_tcp(ipd.payload);
    p.tcp = std::move(td.header);
    p.tcp_status = td.status;
    if (td.status != TcpDecode::Status::Ok) {
        p.status = Status::BadTcp;
        return p;
    }
    p.tcp_options_status = td.options_status;
    p.tcp_checksum_ok = tcp_checksum_ok(ipd.payload, p.ip.src, p.ip.dst);
    p.payload = td.payload;
    p.status = Status::Ok;
    return p;
}

const char* to_string(ParsedTcpFrame::Status s) {
    switch (s) {
        case ParsedTcpFrame::Status::Ok: return "ok";
        case ParsedTcpFrame::Status::BadEthernet: return "truncated Ethernet header";
        case ParsedTcpFrame::Status::NotIpv4: return "not IPv4";
        case ParsedTcpFrame::Status::BadIpv4: return "bad IPv4 header";
        case ParsedTcpFrame::Status::NotTcp: return "not TCP";
        case ParsedTcpFrame::Status::Fragment: return "IP fragment";
        case ParsedTcpFrame::Status::BadTcp: return "bad TCP header";
    }
    return "?";
}

}  // namespace nicsim::proto
