#include "mpa_startup.h"

#include <cstring>
#include <stdexcept>

namespace nicsim::proto {
namespace {

const char kRequestKey[] = "MPA ID Req Frame";
const char kReplyKey[] = "MPA ID Rep Frame";
constexpr uint8_t kFlagMarkers = 0x80, kFlagCrc = 0x40, kFlagReject = 0x20, kFlagEnhanced = 0x10;
constexpr uint16_t kIrdPeerToPeer = 0x8000, kIrdSendRtr = 0x4000;
constexpr uint16_t kOrdWriteRtr = 0x8000, kOrdReadRtr = 0x4000, kIrdOrdMask = 0x3FFF;

}  // namespace

Bytes encode_mpa_startup(const MpaStartupFrame& f) {
    size_t pd_len = f.private_data.size() + (f.enhanced ? 4 : 0);
    if (pd_len > kMpaMaxPrivateData) throw std::length_error("MPA private data longer than 512 bytes");
    const char* key = f.kind == MpaFrameKind::Request ? kRequestKey : kReplyKey;
    Bytes out(key, key + 16);
    out.reserve(kMpaStartupHeaderSize + pd_len);
    uint8_t flags = (f.markers ? kFlagMarkers : 0) | (f.crc ? kFlagCrc : 0) |
                    (f.reject && f.kind == MpaFrameKind::Reply ? kFlagReject : 0) |
                    (f.enhanced ? kFlagEnhanced : 0);
    put_u8(out, flags);
    put_u8(out, f.revision);
    put_be16(out, uint16_t(pd_len));
    if (f.enhanced) {
        const MpaEnhancedParams& e = *f.enhanced;
        uint16_t ird = uint16_t((e.ird & kIrdOrdMask) | (e.peer_to_peer ? kIrdPeerToPeer : 0) |
                                (e.rtr_types & kRtrZeroLengthSend ? kIrdSendRtr : 0));
        uint16_t ord = uint16_t((e.ord & kIrdOrdMask) | (e.rtr_types & kRtrZeroLengthWrite ? kOrdWriteRtr : 0) |
                                (e.rtr_types & kRtrZeroLengthRead ? kOrdReadRtr : 0));
        put_be16(out, ird);
        put_be16(out, ord);
    }
    put_bytes(out, f.private_data);
    return out;
}

MpaStartupParse parse_mpa_startup(ByteView bytes, MpaFrameKind expected) {
    MpaStartupParse r;
    if (bytes.size < kMpaStartupHeaderSize) return r;  // NeedMore
    auto invalid = [&r](const char* why) {
        r.status = MpaStartupParse::Status::Invalid;
        r.error = why;
        return r;
    };
    const char* key = expected == MpaFrameKind::Request ? kRequestKey : kReplyKey;
    if (std::memcmp(bytes.data, key, 16) != 0) return invalid("wrong MPA key");
    ByteReader rd(bytes.sub(16));
    uint8_t flags = rd.u8();
    uint8_t rev = rd.u8();
    uint16_t pd_len = rd.be16();
    if (rev > 2) return invalid("unsupported MPA revision");
    if (pd_len > kMpaMaxPrivateData) return invalid("PD_Length above 512");
    if (bytes.size < kMpaStartupHeaderSize + pd_len) return r;  // NeedMore

    MpaStartupFrame& f = r.frame;
    f.kind = expected;
    f.markers = flags & kFlagMarkers;
    f.crc = flags & kFlagCrc;
    f.reject = flags & kFlagReject;
    f.revision = rev;
    ByteView pd = bytes.sub(kMpaStartupHeaderSize, pd_len);
    if (rev == 2 && (flags & kFlagEnhanced)) {
        if (pd_len < 4) return invalid("enhanced MPA frame without IRD/ORD");
        uint16_t ird = load_be16(pd.data), ord = load_be16(pd.data + 2);
        MpaEnhancedParams e;
        e.peer_to_peer = ird & kIrdPeerToPeer;
        e.rtr_types = uint8_t((ird & kIrdSendRtr ? kRtrZeroLengthSend : 0) |
                              (ord & kOrdWriteRtr ? kRtrZeroLengthWrite : 0) |
                              (ord & kOrdReadRtr ? kRtrZeroLengthRead : 0));
        e.ird = ird & kIrdOrdMask;
        e.ord = ord & kIrdOrdMask;
        f.enhanced = e;
        pd = pd.sub(4);
    }
    f.private_data = pd.to_bytes();
    r.status = MpaStartupParse::Status::Ok;
    r.consumed = kMpaStartupHeaderSize + pd_len;
    return r;
}

}  // namespace nicsim::proto
