// Terminate error causes: the (Layer, Error Type, Error Code) triples of RFC 5040 §4.8,
// RFC 5041 §7.2 and RFC 5044 §8 / RFC 6581. Every receive-side check in the golden model
// reports its failure as one of these, so the caller can send the RFC's Terminate.
#pragma once

#include <cstdint>
#include <string>

namespace nicsim::proto {

enum class TermLayer : uint8_t { Rdmap = 0, Ddp = 1, Llp = 2 };

struct TermCause {
    TermLayer layer;
    uint8_t etype;
    uint8_t code;
    bool operator==(const TermCause& o) const {
        return layer == o.layer && etype == o.etype && code == o.code;
    }
    bool operator!=(const TermCause& o) const { return !(*this == o); }
};

std::string describe(const TermCause& c);  // e.g. "DDP/tagged/0x00 invalid STag"

namespace term {
// RDMAP (layer 0). EType 0 local catastrophic, 1 remote protection, 2 remote operation.
constexpr TermCause kRdmapInvalidStag{TermLayer::Rdmap, 1, 0x00};
constexpr TermCause kRdmapBaseBounds{TermLayer::Rdmap, 1, 0x01};
constexpr TermCause kRdmapAccessRights{TermLayer::Rdmap, 1, 0x02};
constexpr TermCause kRdmapStagNotAssociated{TermLayer::Rdmap, 1, 0x03};
constexpr TermCause kRdmapToWrap{TermLayer::Rdmap, 1, 0x04};
constexpr TermCause kRdmapCannotInvalidate{TermLayer::Rdmap, 1, 0x09};
constexpr TermCause kRdmapInvalidVersion{TermLayer::Rdmap, 2, 0x05};
constexpr TermCause kRdmapUnexpectedOpcode{TermLayer::Rdmap, 2, 0x06};
constexpr TermCause kRdmapCatastrophicStream{TermLayer::Rdmap, 2, 0x07};
constexpr TermCause kRdmapCatastrophicGlobal{TermLayer::Rdmap, 2, 0x08};
constexpr TermCause kRdmapLocalCatastrophic{TermLayer::Rdmap, 0, 0xFF};

// DDP (layer 1). EType 0 local catastrophic, 1 tagged buffer, 2 untagged buffer.
constexpr TermCause kDdpLocalCatastrophic{TermLayer::Ddp, 0, 0x00};
constexpr TermCause kDdpInvalidStag{TermLayer::Ddp, 1, 0x00};
constexpr TermCause kDdpBaseBounds{TermLayer::Ddp, 1, 0x01};
constexpr TermCause kDdpStagNotAssociated{TermLayer::Ddp, 1, 0x02};
constexpr TermCause kDdpToWrap{TermLayer::Ddp, 1, 0x03};
constexpr TermCause kDdpTaggedInvalidVersion{TermLayer::Ddp, 1, 0x04};
constexpr TermCause kDdpInvalidQn{TermLayer::Ddp, 2, 0x01};
constexpr TermCause kDdpNoBuffer{TermLayer::Ddp, 2, 0x02};        // invalid MSN: no buffer
constexpr TermCause kDdpMsnRange{TermLayer::Ddp, 2, 0x03};        // invalid MSN: out of range
constexpr TermCause kDdpInvalidMo{TermLayer::Ddp, 2, 0x04};
constexpr TermCause kDdpMessageTooLong{TermLayer::Ddp, 2, 0x05};
constexpr TermCause kDdpUntaggedInvalidVersion{TermLayer::Ddp, 2, 0x06};

// LLP = MPA (layer 2, EType 0).
constexpr TermCause kMpaConnectionLost{TermLayer::Llp, 0, 0x01};
constexpr TermCause kMpaCrcError{TermLayer::Llp, 0, 0x02};
constexpr TermCause kMpaMarkerMismatch{TermLayer::Llp, 0, 0x03};  // also ULPDU_Length invalid
constexpr TermCause kMpaInvalidReqRep{TermLayer::Llp, 0, 0x04};
constexpr TermCause kMpaLocalCatastrophic{TermLayer::Llp, 0, 0x05};
constexpr TermCause kMpaInsufficientIrd{TermLayer::Llp, 0, 0x06};
constexpr TermCause kMpaNoMatchingRtr{TermLayer::Llp, 0, 0x07};
}  // namespace term

}  // namespace nicsim::proto
