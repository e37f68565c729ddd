#include "ddp.h"

namespace nicsim::proto {
namespace {
constexpr uint8_t kT = 0x80, kL = 0x40, kDvMask = 0x03;
}

void encode_ddp_header(const DdpHeader& h, Bytes& out) {
    put_u8(out, uint8_t((h.tagged ? kT : 0) | (h.last ? kL : 0) | (h.version & kDvMask)));
    put_u8(out, h.ulp_control);
    if (h.tagged) {
        put_be32(out, h.stag);
        put_be64(out, h.to);
    } else {
        put_be32(out, h.ulp_word);
        put_be32(out, h.qn);
        put_be32(out, h.msn);
        put_be32(out, h.mo);
    }
}

DdpDecode decode_ddp_segment(ByteView ulpdu) {
    DdpDecode r;
    ByteReader rd(ulpdu);
    DdpHeader h;
    uint8_t b0 = rd.u8();
    h.tagged = b0 & kT;
    h.last = b0 & kL;
    h.version = b0 & kDvMask;
    h.ulp_control = rd.u8();
    if (h.tagged) {
        h.stag = rd.be32();
        h.to = rd.be64();
    } else {
        h.ulp_word = rd.be32();
        h.qn = rd.be32();
        h.msn = rd.be32();
        h.mo = rd.be32();
    }
    if (!rd.ok()) {
        r.error = term::kMpaMarkerMismatch;  // ULPDU_Length underflow
        return r;
    }
    r.header = h;
    if (h.version != kDdpVersion) {
        r.error = h.tagged ? term::kDdpTaggedInvalidVersion : term::kDdpUntaggedInvalidVersion;
        return r;
    }
    r.segment = DdpSegmentView{h, rd.rest()};
    return r;
}

}  // namespace nicsim::proto
