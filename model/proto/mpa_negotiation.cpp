#include "mpa_negotiation.h"

#include <algorithm>

namespace nicsim::proto {
namespace {

// Responder's choice among offered RTR types: a Read RTR first (the cxgb4 default), then Write,
// then Send.
uint8_t pick_rtr(uint8_t offered, uint8_t acceptable) {
    uint8_t both = offered & acceptable;
    for (uint8_t t : {kRtrZeroLengthRead, kRtrZeroLengthWrite, kRtrZeroLengthSend})
        if (both & t) return t;
    return kRtrNone;
}

bool single_bit(uint8_t v) { return v && !(v & (v - 1)); }

}  // namespace

MpaStartupFrame make_mpa_request(const MpaPeerConfig& c) {
    MpaStartupFrame f;
    f.kind = MpaFrameKind::Request;
    f.markers = c.markers_rx;
    f.crc = c.crc;
    f.revision = c.revision;
    if (c.revision == 2) {
        MpaEnhancedParams e;
        e.peer_to_peer = c.peer_to_peer;
        e.rtr_types = c.peer_to_peer ? c.rtr_types : uint8_t(kRtrNone);
        e.ird = c.ird;
        e.ord = c.ord;
        f.enhanced = e;
    }
    f.private_data = c.private_data;
    return f;
}

MpaResponse respond_to_mpa_request(const MpaPeerConfig& c, const MpaStartupFrame& req) {
    MpaResponse r;
    r.reply.kind = MpaFrameKind::Reply;
    r.reply.markers = c.markers_rx;
    r.reply.crc = c.crc || req.crc;
    r.reply.revision = req.revision == 2 && c.revision == 2 ? 2 : 1;
    r.reply.private_data = c.private_data;
    auto reject = [&r](TermCause why) {
        r.reply.reject = true;
        r.error = why;
        return r;
    };
    if (req.revision == 0) return reject(term::kMpaInvalidReqRep);  // pre-IETF framing unsupported

    MpaSession s;
    s.crc = r.reply.crc;
    s.markers_initiator_to_responder = c.markers_rx;
    s.markers_responder_to_initiator = req.markers;
    if (r.reply.revision == 2 && req.enhanced) {
        const MpaEnhancedParams& in = *req.enhanced;
        MpaEnhancedParams out;
        // Serve no more reads than the initiator will issue; issue no more than it serves.
        out.ird = std::min(c.ird, in.ord);
        out.ord = std::min(c.ord, in.ird);
        if (in.peer_to_peer && c.peer_to_peer) {
            out.peer_to_peer = true;  // RFC 6581: the responder MUST echo A
            out.rtr_types = pick_rtr(in.rtr_types, c.rtr_types);
            if (out.rtr_types == kRtrNone) {
                r.reply.enhanced = out;
                return reject(term::kMpaNoMatchingRtr);
            }
        }
        r.reply.enhanced = out;
        s.enhanced = true;
        s.rtr = out.rtr_types;
        s.initiator_ird = in.ird;
        s.initiator_ord = std::min(in.ord, out.ird);
        s.responder_ird = out.ird;
        s.responder_ord = out.ord;
    } else if (r.reply.revision == 2) {
        r.reply.revision = 1;  // a rev-2 responder answering a plain RFC 5044 initiator
    }
    r.session = s;
    return r;
}

MpaReplyCheck accept_mpa_reply(const MpaPeerConfig& c, const MpaStartupFrame& req, const MpaStartupFrame& rep) {
    MpaReplyCheck r;
    if (rep.reject) {
        r.error = term::kMpaConnectionLost;  // the responder closes; nothing to negotiate
        return r;
    }
    if (rep.revision > req.revision || rep.revision == 0) {
        r.error = term::kMpaInvalidReqRep;
        return r;
    }
    MpaSession s;
    s.crc = req.crc || rep.crc;
    s.markers_initiator_to_responder = rep.markers;
    s.markers_responder_to_initiator = req.markers;
    if (req.enhanced && rep.enhanced) {
        const MpaEnhancedParams& out = *req.enhanced;
        const MpaEnhancedParams& in = *rep.enhanced;
        if (in.ord > c.ird) {  // the responder would issue more reads than we can serve
            r.error = term::kMpaInsufficientIrd;
            return r;
        }
        if (out.peer_to_peer) {
            bool echoed = in.peer_to_peer && single_bit(in.rtr_types) && (in.rtr_types & out.rtr_types);
            if (!echoed) {
                r.error = term::kMpaNoMatchingRtr;
                return r;
            }
            s.rtr = in.rtr_types;
        }
        s.enhanced = true;
        s.initiator_ird = out.ird;
        s.initiator_ord = std::min(out.ord, in.ird);
        s.responder_ird = in.ird;
        s.responder_ord = in.ord;
    }
    // A rev-1 answer to an enhanced request carries no RTR: RFC 5044's rule applies (the
    // initiator sends the first FPDU), which the initiator meets anyway.
    r.session = s;
    return r;
}

}  // namespace nicsim::proto
