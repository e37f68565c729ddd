#include "ethernet.h"

#include <cstdio>

namespace nicsim::proto {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Table for the reflected CRC-32, built once.
struct Crc32Table {
    uint32_t t[256];
    Crc32Table() {
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
            t[i] = c;
        }
    }
};

}  // namespace

std::optional<MacAddress> MacAddress::parse(std::string_view text) {
    // Exactly six two-digit groups separated by one consistent separator.
    if (text.size() != 17) return std::nullopt;
    const char sep = text[2];
    if (sep != ':' && sep != '-') return std::nullopt;
    MacAddress m;
    for (size_t i = 0; i < 6; ++i) {
        int hi = hex_value(text[3 * i]);
        int lo = hex_value(text[3 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        if (i < 5 && text[3 * i + 2] != sep) return std::nullopt;
        m.octets[i] = uint8_t(hi * 16 + lo);
    }
    return m;
}

std::string MacAddress::to_string() const {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", octets[0], octets[1],
                  octets[2], octets[3], octets[4], octets[5]);
    return buf;
}

void encode_ethernet_header(Bytes& out, const EthernetHeader& h) {
    out.insert(out.end(), h.dst.octets.begin(), h.dst.octets.end());
    out.insert(out.end(), h.src.octets.begin(), h.src.octets.end());
    if (h.vlan) {
        put_be16(out, kEtherTypeVlan);
        put_be16(out, uint16_t((h.vlan->pcp & 7u) << 13 | (h.vlan->dei ? 1u << 12 : 0u) |
                               (h.vlan->vid & 0xFFFu)));
    }
    put_be16(out, h.ether_type);
}

EthernetDecode decode_ethernet(ByteView frame) {
    EthernetDecode d;
    ByteReader r(frame);
    ByteView dst = r.bytes(6);
    ByteView src = r.bytes(6);
    uint16_t type = r.be16();
    if (!r.ok()) return d;
    for (size_t i = 0; i < 6; ++i) {
        d.header.dst.octets[i] = dst[i];
        d.header.src.octets[i] = src[i];
    }
    if (type == kEtherTypeVlan) {
        uint16_t tci = r.be16();
        type = r.be16();
        if (!r.ok()) return d;
        d.header.vlan = VlanTag{uint8_t(tci >> 13), (tci & 0x1000) != 0, uint16_t(tci & 0xFFF)};
    }
    d.header.ether_type = type;
    d.payload = r.rest();
    d.status = EthernetDecode::Status::Ok;
    return d;
}

uint32_t ethernet_crc32(ByteView data, uint32_t crc) {
    static const Crc32Table table;
    uint32_t c = ~crc;
    for (size_t i = 0; i < data.size; ++i) c = table.t[(c ^ data[i]) & 0xFF] ^ (c >> 8);
    return ~c;
}

void append_ethernet_fcs(Bytes& frame) { put_le32(frame, ethernet_crc32(frame)); }

bool ethernet_fcs_ok(ByteView frame_with_fcs) {
    if (frame_with_fcs.size < kEthernetFcsSize) return false;
    size_t n = frame_with_fcs.size - kEthernetFcsSize;
    return ethernet_crc32(frame_with_fcs.sub(0, n)) == load_le32(frame_with_fcs.data + n);
}

void pad_ethernet_frame(Bytes& frame) {
    if (frame.size() < kEthernetMinFrameSize) frame.resize(kEthernetMinFrameSize, 0);
}

}  // namespace nicsim::proto
