// MPA Request / Reply frames (RFC 5044 §7.1, enhanced by RFC 6581):
//   Key (16) | flags M C R Res (1) | Rev (1) | PD_Length (2) | private data
// Rev 2 frames set the "enhanced" flag 0x10 and carry IRD/ORD (and the peer-to-peer RTR
// control bits) in the first four bytes of the private data, counted in PD_Length.
#pragma once

#include <optional>
#include <string>

#include "bytes.h"

namespace nicsim::proto {

enum class MpaFrameKind { Request, Reply };

constexpr size_t kMpaStartupHeaderSize = 20;
constexpr size_t kMpaMaxPrivateData = 512;  // RFC 5044 limit on PD_Length

// RTR message types of RFC 6581 §9 (a bit set, offered by the initiator, one chosen).
enum RtrType : uint8_t {
    kRtrNone = 0,
    kRtrZeroLengthSend = 1,   // IRD bit 14 ("B")
    kRtrZeroLengthWrite = 2,  // ORD bit 15 ("C")
    kRtrZeroLengthRead = 4,   // ORD bit 14 ("D")
};

struct MpaEnhancedParams {
    bool peer_to_peer = false;  // IRD bit 15, "Control Flag A"
    uint8_t rtr_types = kRtrNone;
    uint16_t ird = 0;  // 14 bits
    uint16_t ord = 0;  // 14 bits
};

struct MpaStartupFrame {
    MpaFrameKind kind = MpaFrameKind::Request;
    bool markers = false;  // sender wants to *receive* markers
    bool crc = true;
    bool reject = false;   // Reply only
    uint8_t revision = 2;
    std::optional<MpaEnhancedParams> enhanced;  // present iff revision 2 with flag 0x10
    Bytes private_data;  // ULP private data (after the 4 IRD/ORD bytes when enhanced)
};

Bytes encode_mpa_startup(const MpaStartupFrame& f);

struct MpaStartupParse {
    enum class Status { Ok, NeedMore, Invalid } status = Status::NeedMore;
    MpaStartupFrame frame;
    size_t consumed = 0;  // bytes of the frame when Ok
    std::string error;    // why Invalid (Terminate LLP/MPA 0x04)
};

// Parses the frame at the start of `bytes` (untrusted). `expected` selects the key.
MpaStartupParse parse_mpa_startup(ByteView bytes, MpaFrameKind expected);

}  // namespace nicsim::proto
