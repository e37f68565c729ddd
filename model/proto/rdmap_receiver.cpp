#include "rdmap_receiver.h"

namespace nicsim::proto {

TerminateMessage make_terminate(TermCause cause, ByteView ulpdu, const DdpHeader* h) {
    TerminateMessage t;
    t.cause = cause;
    if (!h || cause.layer == TermLayer::Llp) return t;
    t.ddp_segment_length = uint16_t(ulpdu.size);
    t.ddp_header = ulpdu.sub(0, h->size()).to_bytes();
    bool read_request = !h->tagged && h->qn == kQnReadRequest &&
                        (h->ulp_control & 0x0F) == uint8_t(RdmapOpcode::ReadRequest);
    if (read_request && cause.layer == TermLayer::Rdmap && ulpdu.size >= h->size() + kReadRequestHeaderSize)
        t.rdmap_header = ulpdu.sub(h->size(), kReadRequestHeaderSize).to_bytes();
    return t;
}

ReceiveOutcome RdmapReceiver::fail(ReceiveOutcome& out, TermCause cause, ByteView ulpdu, const DdpHeader* h) {
    failed_ = true;
    out.placements.clear();
    out.delivered.reset();
    out.terminate = make_terminate(cause, ulpdu, h);
    return out;
}

ReceiveOutcome RdmapReceiver::on_ulpdu(ByteView ulpdu) {
    ReceiveOutcome out;
    if (failed_) return out;  // a dead stream ignores everything
    DdpDecode d = decode_ddp_segment(ulpdu);
    if (!d.segment) return fail(out, *d.error, ulpdu, d.header ? &*d.header : nullptr);
    const DdpSegmentView& s = *d.segment;
    const DdpHeader& h = s.header;

    uint8_t ctl = h.ulp_control;
    if ((ctl >> 6) != kRdmapVersion) return fail(out, term::kRdmapInvalidVersion, ulpdu, &h);
    uint8_t code = ctl & 0x0F;
    if (code > uint8_t(RdmapOpcode::Terminate)) return fail(out, term::kRdmapUnexpectedOpcode, ulpdu, &h);
    RdmapOpcode op = RdmapOpcode(code);
    if (is_tagged(op) != h.tagged) return fail(out, term::kRdmapUnexpectedOpcode, ulpdu, &h);
    return h.tagged ? on_tagged(out, s, op, ulpdu) : on_untagged(out, s, op, ulpdu);
}

ReceiveOutcome RdmapReceiver::on_tagged(ReceiveOutcome& out, const DdpSegmentView& s, RdmapOpcode op,
                                        ByteView ulpdu) {
    const DdpHeader& h = s.header;
    uint64_t n = s.payload.size;
    if (op == RdmapOpcode::ReadResponse) {
        if (outstanding_reads_.empty()) return fail(out, term::kRdmapUnexpectedOpcode, ulpdu, &h);
        OutstandingRead& rd = outstanding_reads_.front();
        // Responses come back in order, tagged to the requester's sink buffer.
        if (h.stag != rd.req.sink_stag) return fail(out, term::kDdpInvalidStag, ulpdu, &h);
        if (h.to != rd.req.sink_to + rd.received || rd.received + n > rd.req.size)
            return fail(out, term::kDdpBaseBounds, ulpdu, &h);
        if (n) {
            if (auto e = tpt_.check(h.stag, h.to, n, TaggedUse::PlaceReadResponse, cfg_.pd))
                return fail(out, *e, ulpdu, &h);
        }
        rd.received += n;
        if (n) out.placements.push_back({true, h.stag, h.to, 0, 0, s.payload});
        if (h.last) {
            if (rd.received != rd.req.size) return fail(out, term::kDdpBaseBounds, ulpdu, &h);
            DeliveredMessage m;
            m.opcode = op;
            m.length = rd.received;
            m.read = rd.req;
            out.delivered = m;
            outstanding_reads_.pop_front();
        }
        return out;
    }
    // RDMA Write. A zero-length Write places nothing and is not checked (it may be an RTR
    // with an unregistered STag, as siw and Chelsio do).
    if (n) {
        if (auto e = tpt_.check(h.stag, h.to, n, TaggedUse::PlaceRemoteWrite, cfg_.pd))
            return fail(out, *e, ulpdu, &h);
        out.placements.push_back({true, h.stag, h.to, 0, 0, s.payload});
    }
    write_received_ += n;
    if (h.last) {
        DeliveredMessage m;
        m.opcode = op;
        m.length = write_received_;
        out.delivered = m;
        write_received_ = 0;
    }
    return out;
}

ReceiveOutcome RdmapReceiver::on_untagged(ReceiveOutcome& out, const DdpSegmentView& s, RdmapOpcode op,
                                          ByteView ulpdu) {
    const DdpHeader& h = s.header;
    if (h.qn > kQnTerminate || h.qn != queue_of(op)) return fail(out, term::kDdpInvalidQn, ulpdu, &h);
    uint32_t qn = h.qn;
    if (h.msn != expected_msn_[qn]) return fail(out, term::kDdpMsnRange, ulpdu, &h);
    UntaggedProgress& p = progress_[qn];
    if (h.mo != p.received) return fail(out, term::kDdpInvalidMo, ulpdu, &h);

    DeliveredMessage m;
    m.opcode = op;
    m.msn = h.msn;
    if (qn == kQnSend) {
        if (!p.active) {
            if (receives_.empty()) return fail(out, term::kDdpNoBuffer, ulpdu, &h);
            p.buffer = receives_.front();
            p.active = true;
        }
        if (p.received + s.payload.size > p.buffer.length) return fail(out, term::kDdpMessageTooLong, ulpdu, &h);
        if (s.payload.size)
            out.placements.push_back({false, 0, 0, p.buffer.wr_id, uint32_t(p.received), s.payload});
        p.received += s.payload.size;
        if (!h.last) return out;
        if (carries_invalidate(op)) {
            if (auto e = tpt_.remote_invalidate(h.ulp_word, cfg_.pd)) return fail(out, *e, ulpdu, &h);
            m.invalidated_stag = h.ulp_word;
        }
        receives_.pop_front();
        m.wr_id = p.buffer.wr_id;
        m.length = p.received;
        m.solicited = op == RdmapOpcode::SendSolicited || op == RdmapOpcode::SendSolicitedInvalidate;
    } else {
        // Read Requests and Terminates are single-segment messages (RFC 5040 §4.4, §4.8).
        if (!h.last) return fail(out, term::kRdmapCatastrophicStream, ulpdu, &h);
        if (qn == kQnReadRequest) {
            auto rr = decode_read_request(s.payload);
            if (!rr || s.payload.size != kReadRequestHeaderSize) return fail(out, term::kMpaMarkerMismatch, ulpdu, &h);
            if (inbound_reads_ >= cfg_.ird) return fail(out, term::kRdmapCatastrophicStream, ulpdu, &h);
            if (rr->size) {
                if (auto e = tpt_.check(rr->src_stag, rr->src_to, rr->size, TaggedUse::ReadSource, cfg_.pd))
                    return fail(out, *e, ulpdu, &h);
            }
            ++inbound_reads_;
            m.read = *rr;
            m.length = rr->size;
        } else {
            auto t = decode_terminate(s.payload);
            if (!t) return fail(out, term::kRdmapCatastrophicStream, ulpdu, &h);
            m.terminate = *t;
            failed_ = true;  // the peer closes after its Terminate
        }
    }
    p = UntaggedProgress{};
    ++expected_msn_[qn];
    out.delivered = m;
    return out;
}

}  // namespace nicsim::proto
