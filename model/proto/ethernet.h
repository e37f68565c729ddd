// Ethernet II framing (IEEE 802.3 with an EtherType): destination MAC, source MAC, optional
// 802.1Q tag, EtherType, payload, and the 4-byte FCS that the MAC appends on the wire.
//
// Frames passed around the model exclude the FCS (as pcap LINKTYPE_ETHERNET captures do);
// the timed model adds its bytes, and the preamble and inter-frame gap, when it counts wire
// time (ethernet_wire_bytes).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "bytes.h"

namespace nicsim::proto {

constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeArp = 0x0806;
constexpr uint16_t kEtherTypeVlan = 0x8100;  // 802.1Q tag protocol identifier
constexpr uint16_t kEtherTypeIpv6 = 0x86DD;

constexpr size_t kEthernetHeaderSize = 14;
constexpr size_t kVlanTagSize = 4;
constexpr size_t kEthernetFcsSize = 4;
constexpr size_t kEthernetMinFrameSize = 60;  // 64 bytes on the wire, less the FCS
constexpr size_t kEthernetPreambleSize = 8;   // preamble + start-of-frame delimiter
constexpr size_t kEthernetMinIfgSize = 12;    // minimum inter-frame gap, in byte times

struct MacAddress {
    std::array<uint8_t, 6> octets{};

    // "02:00:00:00:00:01" (also accepts '-' separators, either case); nullopt if malformed.
    static std::optional<MacAddress> parse(std::string_view text);
    std::string to_string() const;  // lower-case, ':'-separated
    bool operator==(const MacAddress& o) const { return octets == o.octets; }
    bool operator!=(const MacAddress& o) const { return octets != o.octets; }
};

struct VlanTag {
    uint8_t pcp = 0;   // priority code point, 3 bits
    bool dei = false;  // drop eligible
    uint16_t vid = 0;  // VLAN id, 12 bits
};

struct EthernetHeader {
    MacAddress dst;
    MacAddress src;
    std::optional<VlanTag> vlan;
    uint16_t ether_type = kEtherTypeIpv4;  // of the payload (inside the tag, if tagged)

    size_t size() const { return kEthernetHeaderSize + (vlan ? kVlanTagSize : 0); }
};

// Appends the header (14 or 18 bytes).
void encode_ethernet_header(Bytes& out, const EthernetHeader& h);

struct EthernetDecode {
    enum class Status { Ok, Truncated } status = Status::Truncated;
    EthernetHeader header;
    ByteView payload;  // everything after the header (may include padding)
};

// Decodes the header at the start of an FCS-less frame (untrusted). One 802.1Q tag is decoded;
// a second (QinQ) tag is left in the payload with ether_type 0x8100.
EthernetDecode decode_ethernet(ByteView frame);

// CRC-32 of IEEE 802.3 (reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF;
// "123456789" -> 0xCBF43926). The FCS is this value over the frame, sent least-significant
// byte first (put_le32).
uint32_t ethernet_crc32(ByteView data, uint32_t crc = 0);  // chains like crc32c()
void append_ethernet_fcs(Bytes& frame);
// True if the last 4 bytes of `frame_with_fcs` are the correct FCS of the bytes before them.
bool ethernet_fcs_ok(ByteView frame_with_fcs);

// Pads an FCS-less frame with zeros to the 60-byte minimum, as a transmitting MAC does.
void pad_ethernet_frame(Bytes& frame);

// Byte times one FCS-less frame occupies on the wire: padding to the minimum, FCS, preamble
// and SFD, and the minimum inter-frame gap.
inline size_t ethernet_wire_bytes(size_t frame_len_without_fcs) {
    size_t f = frame_len_without_fcs < kEthernetMinFrameSize ? kEthernetMinFrameSize
                                                              : frame_len_without_fcs;
    return kEthernetPreambleSize + f + kEthernetFcsSize + kEthernetMinIfgSize;
}

}  // namespace nicsim::proto
