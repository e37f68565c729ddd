#include "iwarp_endpoint.h"

#include <algorithm>

namespace nicsim::proto {

const char* to_string(WorkOpcode op) {
    switch (op) {
    case WorkOpcode::Write: return "write";
    case WorkOpcode::Read: return "read";
    case WorkOpcode::Send: return "send";
    case WorkOpcode::SendInvalidate: return "send_inv";
    case WorkOpcode::SendSolicited: return "send_se";
    case WorkOpcode::SendSolicitedInvalidate: return "send_se_inv";
    case WorkOpcode::Recv: return "recv";
    }
    return "?";
}

const char* to_string(EndpointState s) {
    switch (s) {
    case EndpointState::Idle: return "idle";
    case EndpointState::Connecting: return "connecting";
    case EndpointState::MpaExchange: return "mpa-exchange";
    case EndpointState::AwaitFirstFpdu: return "await-first-fpdu";
    case EndpointState::Ready: return "ready";
    case EndpointState::Terminated: return "terminated";
    case EndpointState::Closed: return "closed";
    }
    return "?";
}

namespace {

RdmapOpcode rdmap_opcode(WorkOpcode op) {
    switch (op) {
    case WorkOpcode::Write: return RdmapOpcode::RdmaWrite;
    case WorkOpcode::Read: return RdmapOpcode::ReadRequest;
    case WorkOpcode::SendInvalidate: return RdmapOpcode::SendInvalidate;
    case WorkOpcode::SendSolicited: return RdmapOpcode::SendSolicited;
    case WorkOpcode::SendSolicitedInvalidate: return RdmapOpcode::SendSolicitedInvalidate;
    default: return RdmapOpcode::Send;
    }
}

}  // namespace

IwarpEndpoint::IwarpEndpoint(const IwarpEndpointConfig& cfg, uint16_t local_port, uint16_t remote_port, uint32_t iss,
                             Tpt& tpt, EndpointMemory& memory)
    : cfg_(cfg),
      tpt_(tpt),
      mem_(memory),
      tcp_(cfg.tcp, local_port, remote_port, iss),
      receiver_(tpt, {cfg.pd, cfg.mpa.ird}) {}

void IwarpEndpoint::connect(uint64_t now) {
    initiator_ = true;
    state_ = EndpointState::Connecting;
    tcp_.open_active(now);
}

void IwarpEndpoint::listen() {
    initiator_ = false;
    state_ = EndpointState::Connecting;
    tcp_.open_passive();
}

void IwarpEndpoint::close(uint64_t now) {
    tcp_.close(now);
    if (state_ != EndpointState::Terminated) state_ = EndpointState::Closed;
    flush_all();
}

void IwarpEndpoint::post_send(uint64_t now, const WorkRequest& wr) {
    if (state_ == EndpointState::Terminated || state_ == EndpointState::Closed) {
        completions_.push_back({wr.wr_id, wr.opcode, CompletionStatus::Flushed, 0, std::nullopt, false});
        return;
    }
    SqEntry e;
    e.seq = next_seq_++;
    e.wr = wr;
    sq_.push_back(std::move(e));
    ++untransmitted_;
    transmit_pending(now);
    report();
}

void IwarpEndpoint::post_recv(const PostedReceive& r) {
    if (state_ == EndpointState::Terminated || state_ == EndpointState::Closed) {
        completions_.push_back({r.wr_id, WorkOpcode::Recv, CompletionStatus::Flushed, 0, std::nullopt, false});
        return;
    }
    receiver_.post_receive(r);
}

bool IwarpEndpoint::transmits_now(const WorkRequest& wr) const {
    return state_ == EndpointState::Ready && untransmitted_ == 0 && !(wr.opcode == WorkOpcode::Read && read_blocked());
}

IwarpEndpoint::SqEntry* IwarpEndpoint::entry(uint64_t seq) {
    if (sq_.empty() || seq < sq_.front().seq || seq - sq_.front().seq >= sq_.size()) return nullptr;
    return &sq_[size_t(seq - sq_.front().seq)];
}

// Puts queued WRs on the wire in order while the connection is ready and the ORD allows.
void IwarpEndpoint::transmit_pending(uint64_t now) {
    while (untransmitted_ && state_ == EndpointState::Ready) {
        SqEntry& e = sq_[sq_.size() - untransmitted_];
        if (e.wr.opcode == WorkOpcode::Read && read_blocked()) return;
        --untransmitted_;
        transmit(now, e);
    }
}

// Completions leave in posting order: the head's first, once it is done.
void IwarpEndpoint::report() {
    while (!sq_.empty() && sq_.front().done) {
        const SqEntry& e = sq_.front();
        completions_.push_back({e.wr.wr_id, e.wr.opcode, e.status, e.byte_len, std::nullopt, false});
        sq_.pop_front();
    }
}

void IwarpEndpoint::on_segment(uint64_t now, const TcpHeader& h, ByteView payload) { tcp_.on_segment(now, h, payload); }

void IwarpEndpoint::on_timer(uint64_t now) { tcp_.on_timer(now); }

bool IwarpEndpoint::poll_segment(uint64_t now, TcpSegment& out) {
    // Events first, so data they queue (an MPA Reply, a Read Response) and the window they
    // open ride on the segment polled now.
    for (;;) {
        drain_tcp(now);
        if (tcp_.poll_segment(now, out)) return true;
        drain_tcp(now);
        if (!events_seen_) return false;
    }
}

bool IwarpEndpoint::poll_completion(WorkCompletion& out) {
    if (completions_.empty()) return false;
    out = completions_.front();
    completions_.pop_front();
    return true;
}

void IwarpEndpoint::drain_tcp(uint64_t now) {
    events_seen_ = false;
    // Reported after all events: a Terminate riding on the segment whose ACK completed the
    // WR it blames still turns that completion into the error.
    struct ReportAtEnd {
        IwarpEndpoint* ep;
        ~ReportAtEnd() { ep->report(); }
    } at_end{this};
    TcpEvent ev;
    while (tcp_.poll_event(ev)) {
        events_seen_ = true;
        switch (ev.kind) {
        case TcpEventKind::Established:
            state_ = EndpointState::MpaExchange;
            if (initiator_) {
                request_ = make_mpa_request(cfg_.mpa);
                tcp_.send_stream(encode_mpa_startup(request_));
            }
            break;
        case TcpEventKind::DataReadable: on_readable(now); break;
        case TcpEventKind::Acked:
            acked_ = ev.offset;
            complete_acked();
            break;
        case TcpEventKind::Reset:
        case TcpEventKind::TimedOut:
        case TcpEventKind::Closed:
            if (state_ != EndpointState::Terminated) state_ = EndpointState::Closed;
            flush_all();
            break;
        default: break;
        }
    }
}

void IwarpEndpoint::complete_acked() {
    for (SqEntry& e : sq_) {
        if (!e.transmitted) break;
        if (e.done || e.wr.opcode == WorkOpcode::Read) continue;
        if (e.acked_at > acked_) break;  // later messages end later in the stream
        e.done = true;
        e.byte_len = e.wr.payload.size();
    }
}

// An inbound Read Request holds its IRD slot until its Response has left (TCP sent it): a
// requester keeping to its ORD only asks again after receiving a Response, i.e. after that.
void IwarpEndpoint::release_ird() {
    const uint64_t sent = tcp_.next_send_offset() - tcp_.unsent_bytes();
    while (!responses_.empty() && responses_.front() <= sent) {
        responses_.pop_front();
        receiver_.read_response_sent();
    }
}

void IwarpEndpoint::on_readable(uint64_t now) {
    if (state_ == EndpointState::MpaExchange) {
        auto kind = initiator_ ? MpaFrameKind::Reply : MpaFrameKind::Request;
        MpaStartupParse p = parse_mpa_startup(tcp_.readable(), kind);
        if (p.status == MpaStartupParse::Status::NeedMore) return;
        if (p.status == MpaStartupParse::Status::Invalid) {
            term_sent_ = term::kMpaInvalidReqRep;  // no FPDU mode yet: just reset the connection
            state_ = EndpointState::Closed;
            tcp_.abort(now);
            flush_all();
            return;
        }
        tcp_.consume(p.consumed);
        if (initiator_) {
            MpaReplyCheck c = accept_mpa_reply(cfg_.mpa, request_, p.frame);
            if (!c.session) {
                session_.reset();
                term_sent_ = c.error;
                state_ = EndpointState::Closed;
                tcp_.abort(now);
                flush_all();
                return;
            }
            session_ = c.session;
            start_fpdus(now);
            if (session_->rtr != kRtrNone) {  // RFC 6581: the initiator's RTR goes first
                RdmapMessage rtr = make_rtr_message(session_->rtr);
                if (rtr.opcode == RdmapOpcode::ReadRequest) {
                    receiver_.expect_read_response(rtr.read);
                    reads_.push_back(kRtrRead);
                    max_reads_outstanding_ = std::max(max_reads_outstanding_, reads_.size());
                }
                send_message(rtr);
            }
            become_ready(now);
        } else {
            MpaResponse r = respond_to_mpa_request(cfg_.mpa, p.frame);
            tcp_.send_stream(encode_mpa_startup(r.reply));
            if (!r.session) {
                term_sent_ = r.error;
                state_ = EndpointState::Closed;
                tcp_.close(now);
                flush_all();
                return;
            }
            session_ = r.session;
            start_fpdus(now);
            state_ = EndpointState::AwaitFirstFpdu;  // RFC 5044: the initiator speaks first
        }
    }
    if (!deframer_ || state_ == EndpointState::Terminated || state_ == EndpointState::Closed) return;

    release_ird();
    std::vector<ReceivedFpdu> fpdus;
    ByteView in = tcp_.readable();
    deframer_->feed(in, fpdus);
    tcp_.consume(in.size);
    for (const ReceivedFpdu& f : fpdus) {
        if (state_ == EndpointState::AwaitFirstFpdu) become_ready(now);
        handle(now, receiver_.on_ulpdu(f.ulpdu));
        if (state_ == EndpointState::Terminated || state_ == EndpointState::Closed) return;
    }
    if (deframer_->error()) terminate(now, make_terminate(*deframer_->error(), ByteView(), nullptr));
}

void IwarpEndpoint::start_fpdus(uint64_t) {
    bool tx_markers = initiator_ ? session_->markers_initiator_to_responder : session_->markers_responder_to_initiator;
    bool rx_markers = initiator_ ? session_->markers_responder_to_initiator : session_->markers_initiator_to_responder;
    tx_framing_ = {tx_markers, session_->crc};
    MpaReceiveOptions rx{rx_markers, session_->crc};
    rx.max_ulpdu = cfg_.max_ulpdu_rx;
    deframer_.emplace(rx);
    // RFC 6581 negotiated the Read limits; an RFC 5044 (rev 1) connection uses the configured ones.
    ord_ = cfg_.mpa.ord;
    ird_ = cfg_.mpa.ird;
    if (session_->enhanced) {
        ord_ = initiator_ ? session_->initiator_ord : session_->responder_ord;
        ird_ = initiator_ ? session_->initiator_ird : session_->responder_ird;
    }
    receiver_.set_ird(ird_);
}

void IwarpEndpoint::become_ready(uint64_t now) {
    state_ = EndpointState::Ready;
    transmit_pending(now);
}

uint64_t IwarpEndpoint::send_message(const RdmapMessage& m) {
    size_t mulpdu = mpa_mulpdu(tcp_.emss(), tx_framing_.markers);
    uint64_t end = 0;
    for (const Bytes& ulpdu : segmenter_.segment(m, mulpdu)) {
        Bytes fpdu = mpa_frame_fpdu(ulpdu, tx_framing_, tx_stream_offset_);
        tx_stream_offset_ += fpdu.size();
        auto at = tcp_.send_record(fpdu);
        if (!at) return 0;
        end = *at + fpdu.size();
        ++fpdus_sent_;
    }
    return end;
}

void IwarpEndpoint::transmit(uint64_t, SqEntry& e) {
    const WorkRequest& wr = e.wr;
    e.transmitted = true;
    RdmapMessage m;
    m.opcode = rdmap_opcode(wr.opcode);
    if (wr.opcode == WorkOpcode::Read) {
        m.read = {wr.local_stag, wr.local_to, wr.read_length, wr.remote_stag, wr.remote_to};
        receiver_.expect_read_response(m.read);
        reads_.push_back(e.seq);
        max_reads_outstanding_ = std::max(max_reads_outstanding_, reads_.size());
        e.msn = segmenter_.next_msn(kQnReadRequest);
        send_message(m);
        return;
    }
    m.stag = wr.remote_stag;
    m.to = wr.remote_to;
    m.invalidate_stag = wr.invalidate_stag;
    m.payload = wr.payload;
    if (wr.opcode != WorkOpcode::Write) e.msn = segmenter_.next_msn(kQnSend);
    e.acked_at = send_message(m);
    complete_acked();
}

void IwarpEndpoint::handle(uint64_t now, const ReceiveOutcome& o) {
    for (const Placement& p : o.placements) {
        if (p.tagged) mem_.write_tagged(p.stag, p.to, p.data);
        else mem_.write_receive(p.wr_id, p.offset, p.data);
    }
    if (o.terminate) {
        terminate(now, *o.terminate);
        return;
    }
    if (!o.delivered) return;
    const DeliveredMessage& d = *o.delivered;
    switch (d.opcode) {
    case RdmapOpcode::Send:
    case RdmapOpcode::SendInvalidate:
    case RdmapOpcode::SendSolicited:
    case RdmapOpcode::SendSolicitedInvalidate:
        completions_.push_back({d.wr_id, WorkOpcode::Recv, CompletionStatus::Success, d.length, d.invalidated_stag,
                                d.solicited});
        break;
    case RdmapOpcode::ReadRequest: {
        RdmapMessage resp;
        resp.opcode = RdmapOpcode::ReadResponse;
        resp.stag = d.read.sink_stag;
        resp.to = d.read.sink_to;
        if (d.read.size) resp.payload = mem_.read_tagged(d.read.src_stag, d.read.src_to, d.read.size);
        responses_.push_back(send_message(resp));
        release_ird();
        break;
    }
    case RdmapOpcode::ReadResponse:
        if (!reads_.empty()) {
            uint64_t seq = reads_.front();
            reads_.pop_front();
            if (SqEntry* e = seq == kRtrRead ? nullptr : entry(seq)) {
                e->done = true;
                e->byte_len = d.length;
            }
            transmit_pending(now);  // a free ORD slot may release a held Read
        }
        break;
    case RdmapOpcode::Terminate:
        term_received_ = d.terminate.cause;
        blame(d.terminate);
        state_ = EndpointState::Terminated;
        tcp_.close(now);
        flush_all();
        break;
    default: break;
    }
}

void IwarpEndpoint::terminate(uint64_t now, const TerminateMessage& t) {
    term_sent_ = t.cause;
    if (session_ && state_ != EndpointState::Terminated && state_ != EndpointState::Closed) {
        RdmapMessage m;
        m.opcode = RdmapOpcode::Terminate;
        m.terminate = t;
        send_message(m);
    }
    state_ = EndpointState::Terminated;
    tcp_.close(now);
    flush_all();
}

// The peer's Terminate copies the header of the segment it rejected: find the WR that sent it
// (a Write by STag and TO, a Send by its QN 0 MSN, a Read by its QN 1 MSN), else blame the
// oldest WR not yet reported. Everything after the blamed WR flushes, even if already ACKed:
// the peer dropped it.
void IwarpEndpoint::blame(const TerminateMessage& t) {
    SqEntry* hit = nullptr;
    if (!t.ddp_header.empty()) {
        DdpDecode d = decode_ddp_segment(ByteView(t.ddp_header));
        if (d.header) {
            const DdpHeader& h = *d.header;
            uint8_t op = h.ulp_control & 0x0F;
            for (SqEntry& e : sq_) {
                if (!e.transmitted) break;
                const WorkRequest& w = e.wr;
                bool match = false;
                if (h.tagged && op == uint8_t(RdmapOpcode::RdmaWrite))
                    match = w.opcode == WorkOpcode::Write && w.remote_stag == h.stag && h.to >= w.remote_to &&
                            h.to - w.remote_to <= w.payload.size();
                else if (!h.tagged && h.qn == kQnSend)
                    match = w.opcode != WorkOpcode::Write && w.opcode != WorkOpcode::Read && e.msn == h.msn;
                else if (!h.tagged && h.qn == kQnReadRequest)
                    match = w.opcode == WorkOpcode::Read && e.msn == h.msn;
                if (match) {
                    hit = &e;
                    break;
                }
            }
        }
    }
    if (!hit)
        for (SqEntry& e : sq_)
            if (!e.done) {
                hit = &e;
                break;
            }
    if (!hit) return;
    hit->done = true;
    hit->status = CompletionStatus::RemoteError;
    hit->byte_len = 0;
    for (SqEntry& e : sq_)
        if (e.seq > hit->seq) {
            e.done = true;
            e.status = CompletionStatus::Flushed;
            e.byte_len = 0;
        }
}

// The stream is dead: every WR not done yet, and every posted receive, completes as flushed.
void IwarpEndpoint::flush_all() {
    for (SqEntry& e : sq_)
        if (!e.done) {
            e.done = true;
            e.status = CompletionStatus::Flushed;
            e.byte_len = 0;
        }
    untransmitted_ = 0;
    reads_.clear();
    report();
    for (const PostedReceive& r : receiver_.take_receives())
        completions_.push_back({r.wr_id, WorkOpcode::Recv, CompletionStatus::Flushed, 0, std::nullopt, false});
}

}  // namespace nicsim::proto
