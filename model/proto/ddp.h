// DDP segment headers (RFC 5041 §4). Byte 0: T(0x80) L(0x40) Rsvd DV(0x03); byte 1 is
// RsvdULP[0:7], which RDMAP uses as its control byte.
//   tagged   (14 B): ctl ctl STag(4) TO(8)
//   untagged (18 B): ctl ctl RsvdULP[8:39](4) QN(4) MSN(4) MO(4)
#pragma once

#include <optional>

#include "bytes.h"
#include "terminate_codes.h"

namespace nicsim::proto {

constexpr uint8_t kDdpVersion = 1;
constexpr size_t kDdpTaggedHeaderSize = 14;
constexpr size_t kDdpUntaggedHeaderSize = 18;

struct DdpHeader {
    bool tagged = false;
    bool last = true;
    uint8_t version = kDdpVersion;
    uint8_t ulp_control = 0;  // RsvdULP[0:7]: the RDMAP control byte
    // tagged
    uint32_t stag = 0;
    uint64_t to = 0;
    // untagged
    uint32_t ulp_word = 0;  // RsvdULP[8:39]: RDMAP's Invalidate STag
    uint32_t qn = 0;
    uint32_t msn = 0;
    uint32_t mo = 0;

    size_t size() const { return tagged ? kDdpTaggedHeaderSize : kDdpUntaggedHeaderSize; }
};

void encode_ddp_header(const DdpHeader& h, Bytes& out);

struct DdpSegmentView {
    DdpHeader header;
    ByteView payload;
};

struct DdpDecode {
    std::optional<DdpSegmentView> segment;
    std::optional<TermCause> error;
    std::optional<DdpHeader> header;  // also set when only the version is wrong
};

// Decodes an untrusted ULPDU. A ULPDU too short for the header its T bit announces is an
// MPA-level length error (LLP 0x03, as siw reports it); a wrong DV is DDP's "invalid version".
DdpDecode decode_ddp_segment(ByteView ulpdu);

}  // namespace nicsim::proto
