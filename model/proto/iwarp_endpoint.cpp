#include "iwarp_endpoint.h"

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
    if (state_ == EndpointState::Ready) {
        transmit(now, wr);
    } else if (state_ == EndpointState::Terminated || state_ == EndpointState::Closed) {
        completions_.push_back({wr.wr_id, wr.opcode, CompletionStatus::Flushed, 0, std::nullopt, false});
    } else {
        waiting_.push_back(wr);
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
    while (!unacked_.empty() && unacked_.front().sent && unacked_.front().acked_at <= acked_) {
        const WorkRequest& wr = unacked_.front().wr;
        completions_.push_back({wr.wr_id, wr.opcode, CompletionStatus::Success, wr.payload.size(), std::nullopt, false});
        unacked_.pop_front();
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
                    reads_.push_back({WorkRequest{}, true});
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
}

void IwarpEndpoint::become_ready(uint64_t now) {
    state_ = EndpointState::Ready;
    while (!waiting_.empty() && state_ == EndpointState::Ready) {
        WorkRequest wr = std::move(waiting_.front());
        waiting_.pop_front();
        transmit(now, wr);
    }
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

void IwarpEndpoint::transmit(uint64_t, const WorkRequest& wr) {
    RdmapMessage m;
    m.opcode = rdmap_opcode(wr.opcode);
    if (wr.opcode == WorkOpcode::Read) {
        m.read = {wr.local_stag, wr.local_to, wr.read_length, wr.remote_stag, wr.remote_to};
        receiver_.expect_read_response(m.read);
        reads_.push_back({wr, false});
        send_message(m);
        return;
    }
    m.stag = wr.remote_stag;
    m.to = wr.remote_to;
    m.invalidate_stag = wr.invalidate_stag;
    m.payload = wr.payload;
    uint64_t end = send_message(m);
    unacked_.push_back({wr, end, true});
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
        send_message(resp);
        receiver_.read_response_sent();
        break;
    }
    case RdmapOpcode::ReadResponse:
        if (!reads_.empty()) {
            PendingRead r = std::move(reads_.front());
            reads_.pop_front();
            if (!r.rtr) completions_.push_back({r.wr.wr_id, WorkOpcode::Read, CompletionStatus::Success, d.length,
                                                std::nullopt, false});
        }
        break;
    case RdmapOpcode::Terminate:
        term_received_ = d.terminate.cause;
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

void IwarpEndpoint::flush_all() {
    auto flush = [this](const WorkRequest& wr) {
        completions_.push_back({wr.wr_id, wr.opcode, CompletionStatus::Flushed, 0, std::nullopt, false});
    };
    for (const PendingSend& p : unacked_) flush(p.wr);
    for (const PendingRead& r : reads_)
        if (!r.rtr) flush(r.wr);
    for (const WorkRequest& w : waiting_) flush(w);
    unacked_.clear();
    reads_.clear();
    waiting_.clear();
}

}  // namespace nicsim::proto
