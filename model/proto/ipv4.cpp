#include "ipv4.h"

#include <cstdio>
#include <stdexcept>

#include "inet_checksum.h"

namespace nicsim::proto {

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view dotted) {
    uint32_t value = 0;
    size_t pos = 0;
    for (int part = 0; part < 4; ++part) {
        if (part > 0) {
            if (pos >= dotted.size() || dotted[pos] != '.') return std::nullopt;
            ++pos;
        }
        size_t digits = 0;
        uint32_t octet = 0;
        while (pos < dotted.size() && dotted[pos] >= '0' && dotted[pos] <= '9' && digits < 4) {
            octet = octet * 10 + uint32_t(dotted[pos] - '0');
            ++pos;
            ++digits;
        }
        if (digits == 0 || digits > 3 || octet > 255) return std::nullopt;
        value = value << 8 | octet;
    }
    if (pos != dotted.size()) return std::nullopt;
    return Ipv4Address{value};
}

std::string Ipv4Address::to_string() const {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", value >> 24, (value >> 16) & 0xFF,
                  (value >> 8) & 0xFF, value & 0xFF);
    return buf;
}

void encode_ipv4_header(Bytes& out, const Ipv4Header& h, size_t payload_length) {
    if (payload_length > 0xFFFF - kIpv4MinHeaderSize)
        throw std::invalid_argument("IPv4 payload longer than 65515 bytes");
    const size_t start = out.size();
    put_u8(out, 0x45);  // version 4, IHL 5
    put_u8(out, uint8_t((h.dscp & 0x3F) << 2 | (h.ecn & 3)));
    put_be16(out, uint16_t(kIpv4MinHeaderSize + payload_length));
    put_be16(out, h.identification);
    put_be16(out, uint16_t((h.dont_fragment ? 0x4000 : 0) | (h.more_fragments ? 0x2000 : 0) |
                           (h.fragment_offset & 0x1FFF)));
    put_u8(out, h.ttl);
    put_u8(out, h.protocol);
    put_be16(out, 0);  // checksum, patched below
    put_be32(out, h.src.value);
    put_be32(out, h.dst.value);
    store_be16(&out[start + 10], inet_checksum(ByteView(out.data() + start, kIpv4MinHeaderSize)));
}

Ipv4Decode decode_ipv4(ByteView packet) {
    Ipv4Decode d;
    ByteReader r(packet);
    uint8_t ver_ihl = r.u8();
    uint8_t tos = r.u8();
    Ipv4Header& h = d.header;
    h.total_length = r.be16();
    h.identification = r.be16();
    uint16_t frag = r.be16();
    h.ttl = r.u8();
    h.protocol = r.u8();
    h.checksum = r.be16();
    h.src.value = r.be32();
    h.dst.value = r.be32();
    if (!r.ok()) return d;  // Truncated
    h.dscp = tos >> 2;
    h.ecn = tos & 3;
    h.dont_fragment = (frag & 0x4000) != 0;
    h.more_fragments = (frag & 0x2000) != 0;
    h.fragment_offset = frag & 0x1FFF;

    if (ver_ihl >> 4 != 4) {
        d.status = Ipv4Decode::Status::BadVersion;
        return d;
    }
    d.header_length = size_t(ver_ihl & 0xF) * 4;
    if (d.header_length < kIpv4MinHeaderSize) {
        d.status = Ipv4Decode::Status::BadHeaderLength;
        return d;
    }
    d.options = r.bytes(d.header_length - kIpv4MinHeaderSize);
    if (!r.ok()) return d;  // Truncated
    if (h.total_length < d.header_length || h.total_length > packet.size) {
        d.status = Ipv4Decode::Status::BadTotalLength;
        return d;
    }
    d.checksum_ok = inet_checksum(packet.sub(0, d.header_length)) == 0;
    d.payload = packet.sub(d.header_length, h.total_length - d.header_length);
    d.status = Ipv4Decode::Status::Ok;
    return d;
}

const char* to_string(Ipv4Decode::Status s) {
    switch (s) {
        case Ipv4Decode::Status::Ok: return "ok";
        case Ipv4Decode::Status::Truncated: return "truncated IPv4 header";
        case Ipv4Decode::Status::BadVersion: return "IP version is not 4";
        case Ipv4Decode::Status::BadHeaderLength: return "IPv4 IHL below 5";
        case Ipv4Decode::Status::BadTotalLength: return "IPv4 total length inconsistent";
    }
    return "?";
}

}  // namespace nicsim::proto
