#include "nic/t5/t5_nic.h"

#include <algorithm>
#include <stdexcept>

namespace nicsim::nic {

using host::ring::RecvWqe;
using host::ring::WcStatus;
using host::ring::WrOpcode;
using proto::Bytes;
using proto::ByteView;
using timing::now_ps;
using timing::Ps;

namespace {

uint32_t ld32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }
uint16_t ld16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }

std::optional<proto::WorkOpcode> work_opcode(uint8_t op) {
    switch (WrOpcode(op)) {
    case WrOpcode::RdmaWrite: return proto::WorkOpcode::Write;
    case WrOpcode::RdmaRead: return proto::WorkOpcode::Read;
    case WrOpcode::Send: return proto::WorkOpcode::Send;
    case WrOpcode::SendInv: return proto::WorkOpcode::SendInvalidate;
    case WrOpcode::SendSe: return proto::WorkOpcode::SendSolicited;
    case WrOpcode::SendSeInv: return proto::WorkOpcode::SendSolicitedInvalidate;
    }
    return std::nullopt;
}

uint8_t rtr_types(host::P2pRtr r) {
    switch (r) {
    case host::P2pRtr::ZeroLengthSend: return proto::kRtrZeroLengthSend;
    case host::P2pRtr::ZeroLengthWrite: return proto::kRtrZeroLengthWrite;
    case host::P2pRtr::ZeroLengthRead: return proto::kRtrZeroLengthRead;
    default: return proto::kRtrNone;
    }
}

bool protection_error(const proto::TermCause& c) {
    return (c.layer == proto::TermLayer::Ddp && c.etype == 1) ||  // DDP tagged buffer errors
           (c.layer == proto::TermLayer::Rdmap && c.etype == 1);  // RDMAP remote protection
}

// The status of the WR a peer's Terminate blamed.
WcStatus remote_status(const proto::TermCause& c) {
    return protection_error(c) ? WcStatus::RemAccessErr : WcStatus::RemOpErr;
}

}  // namespace

T5Nic::T5Nic(sc_core::sc_module_name name, sge::Sge& sge, const T5NicParams& p, HostPeek peek)
    : sc_core::sc_module(name),
      bar("bar"),
      sge_bar("sge_bar"),
      sge_(sge),
      p_(p),
      peek_(std::move(peek)),
      eq_("eq"),
      tx_chain_(make_pipeline_chain(p.pipeline.mode, p.pipeline.tx)),
      rx_chain_(make_pipeline_chain(p.pipeline.mode, p.pipeline.rx)),
      tcb_cache_(p.blocks.tcb_cache_entries),
      mpa_check_(std::make_unique<MpaRtlCheck>(p.islands, p.pipeline.tx, p.pipeline.rx,
                                               [this](std::string m) { error(std::move(m)); })) {
    for (size_t s = 0; s < p.pipeline.tx.size(); ++s)
        if (p.pipeline.tx[s].name == "tp") tx_tp_ = s;
    for (size_t s = 0; s < p.pipeline.rx.size(); ++s) {
        if (p.pipeline.rx[s].name == "tp") rx_tp_ = s;
        if (p.pipeline.rx[s].name == "mps") rx_mps_ = s;
    }
    next_frame_id_ = std::max<uint64_t>(1, p.first_frame_id);  // 0 means "no frame" in the trace
    bar.register_b_transport(this, &T5Nic::bar_transport);
    sge_.set_client(this);
}

void T5Nic::error(std::string msg) { errors_.push_back(std::string(name()) + ": " + std::move(msg)); }

T5Nic::Qp* T5Nic::qp(uint32_t qpn) {
    auto it = qps_.find(qpn);
    return it == qps_.end() ? nullptr : &it->second;
}

const proto::IwarpEndpoint* T5Nic::endpoint(uint32_t qpn) const {
    auto it = qps_.find(qpn);
    return it == qps_.end() ? nullptr : it->second.ep.get();
}

// ---------------------------------------------------------------- control path

void T5Nic::create_qp(const host::QpConfig& c) {
    sge_.create_qp(c);  // throws if the SGE refuses
    Qp& q = qps_[c.qpn];
    q.qpn = c.qpn;
    q.pdn = c.pdn;
    q.send_cqn = c.send_cqn;
    q.recv_cqn = c.recv_cqn;
    const uint32_t qpn = c.qpn;
    NicMemoryAdapter::Hooks h;
    h.place = [this](uint64_t addr, Bytes data) { place(addr, std::move(data)); };
    h.peek = peek_;
    h.source_read = [this, qpn](uint64_t addr, uint32_t len) {
        if (Qp* qq = qp(qpn)) source_read(*qq, addr, len);
    };
    q.mem = std::make_unique<NicMemoryAdapter>(tpt_, std::move(h));
}

void T5Nic::write_mr(const host::MrConfig& m) {
    sge_.write_mr(m);
    uint32_t access = proto::kAccessLocalRead;
    if (m.access & host::kLocalWrite) access |= proto::kAccessLocalWrite;
    if (m.access & host::kRemoteWrite) access |= proto::kAccessRemoteWrite;
    if (m.access & host::kRemoteRead) access |= proto::kAccessRemoteRead;
    // Tagged offsets are virtual addresses: base_to == host address.
    tpt_.add({m.stag, m.pdn, m.addr, m.length, access, true, m.addr});
}

void T5Nic::on_connect(uint32_t qpn, const host::ConnParams& cp, bool active) {
    Qp* q = qp(qpn);
    if (!q) throw std::invalid_argument("T5Nic: connect on unknown QP " + std::to_string(qpn));
    if (q->ep) throw std::invalid_argument("T5Nic: QP " + std::to_string(qpn) + " is already connected");
    auto f = flows_.find(qpn);
    if (f == flows_.end()) throw std::invalid_argument("T5Nic: no flow (ports/peer) set for QP " + std::to_string(qpn));
    if (by_ports_.count(ports_key(f->second.local_port, f->second.remote.port)))
        throw std::invalid_argument("T5Nic: TCP ports already used by another QP");
    // The LE holds one entry per offloaded connection: a full LE refuses the connection (the
    // verbs layer reports ECONNREFUSED; a T5 would answer the SYN with an RST).
    if (by_ports_.size() >= p_.blocks.le_connections) {
        ++stats_.le_refused;
        throw std::invalid_argument("T5Nic: connection refused: the LE holds " + std::to_string(p_.blocks.le_connections) +
                                    " connections, all in use");
    }
    q->flow = f->second;
    proto::IwarpEndpointConfig cfg;
    cfg.tcp = p_.tcp;
    cfg.pd = q->pdn;
    cfg.max_ulpdu_rx = p_.max_ulpdu_rx;
    cfg.mpa.markers_rx = cp.mpa.markers;
    cfg.mpa.crc = cp.mpa.crc;
    cfg.mpa.revision = cp.mpa.rev;
    cfg.mpa.peer_to_peer = cp.mpa.rev == 2 && cp.mpa.p2p != host::P2pRtr::None;
    cfg.mpa.rtr_types = cfg.mpa.peer_to_peer ? rtr_types(cp.mpa.p2p) : uint8_t(proto::kRtrNone);
    cfg.mpa.ird = cp.ird;
    cfg.mpa.ord = cp.ord;
    cfg.mpa.private_data = cp.private_data;
    uint32_t iss = p_.iss_base + uint32_t(q->flow.local_port) * 0x9E3779B1u + qpn * 0x01000193u;
    q->ep = std::make_unique<proto::IwarpEndpoint>(cfg, q->flow.local_port, q->flow.remote.port, iss, tpt_, *q->mem);
    by_ports_[ports_key(q->flow.local_port, q->flow.remote.port)] = qpn;
    for (const proto::PostedReceive& r : q->recv_unposted) q->ep->post_recv(r);
    q->recv_unposted.clear();
    if (active) q->ep->connect(now_ps());
    else q->ep->listen();
    pump(*q, now_ps());
}

// BAR2: forward everything to the SGE; watch RQ doorbells to prefetch receive WQEs and note
// SQ doorbell arrivals for latency breakdowns.
void T5Nic::bar_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& d) {
    sge_bar->b_transport(gp, d);
    if (!gp.is_write() || gp.get_response_status() != tlm::TLM_OK_RESPONSE) return;
    const uint64_t a = gp.get_address();
    const uint32_t len = gp.get_data_length();
    const uint8_t* data = gp.get_data_ptr();
    if (p_.trace && (a == host::ring::bar::kSqDoorbell ||
                     (a >= host::ring::bar::kWcPushBase && a < host::ring::bar::kWcPushEnd))) {
        trace_.sq_doorbells.push_back(now_ps());
        if (a == host::ring::bar::kSqDoorbell && len == 8 && data)
            trace_.doorbells.push_back({ld32(data), ld16(data + 4), now_ps()});
        else if (a != host::ring::bar::kSqDoorbell)
            trace_.doorbells.push_back({uint32_t((a - host::ring::bar::kWcPushBase) / host::ring::kSlot), 1, now_ps()});
    }
    if (a != host::ring::bar::kRqDoorbell || len != 8 || !data) return;
    uint32_t qpn = ld32(data);
    uint16_t inc = ld16(data + 4);
    // One cycle after the SGE has decoded the same doorbell (its own event queue), so the
    // new WQEs are visible to fetch_recv.
    Ps t = sge_.clock().after(now_ps(), sge_.params().doorbell_cycles + 1);
    eq_.schedule(t, [this, qpn, inc] {
        Qp* q = qp(qpn);
        if (!q) return;
        q->rq_pending += inc;
        prefetch_recv(qpn);
    });
}

void T5Nic::prefetch_recv(uint32_t qpn) {
    Qp* q = qp(qpn);
    if (!q || q->rq_fetching || q->rq_pending == 0) return;
    q->rq_fetching = true;
    sge_.fetch_recv(qpn, [this, qpn](bool ok, const RecvWqe& w) {
        Qp* fq = qp(qpn);
        if (!fq) return;
        fq->rq_fetching = false;
        if (!ok) {  // nothing posted after all (or a garbage WQE): stop until the next doorbell
            fq->rq_pending = 0;
            return;
        }
        --fq->rq_pending;
        ++stats_.recv_prefetches;
        uint64_t len = 0;
        for (const auto& s : w.sgl) len += s.length;
        proto::PostedReceive r{fq->next_recv_tag++, uint32_t(std::min<uint64_t>(len, UINT32_MAX))};
        fq->mem->add_receive(r.wr_id, w);
        if (fq->ep) {
            fq->ep->post_recv(r);
            proto::WorkCompletion wc;  // a dead connection flushes the receive at once
            while (fq->ep->poll_completion(wc)) complete(*fq, wc);
        } else {
            fq->recv_unposted.push_back(r);
        }
        prefetch_recv(qpn);
    });
}

// ---------------------------------------------------------------- TX

void T5Nic::on_tx_work(const sge::TxWork& w) {
    Qp* q = qp(w.qpn);
    if (!q) return error("TX work for unknown QP " + std::to_string(w.qpn));
    if (p_.trace) {
        trace_.works.push_back({w.qpn, w.wr.wr_id, w.pushed, now_ps(), 0, 0});
        trace_.works.back().sq_cidx_after = w.sq_cidx_after;
        if (!w.wr.is_inline() && !w.wr.sgl.empty()) trace_.works.back().payload_addr = w.wr.sgl[0].addr;
    }
    HeldWork h;
    h.w = w;
    auto op = work_opcode(w.wr.opcode);
    const bool has_payload = op && *op != proto::WorkOpcode::Read;
    proto::WorkRequest& wr = h.wr;
    wr.wr_id = q->next_work_id++;
    if (has_payload) {
        // DECOUPLING: the endpoint gets the bytes now; the segments wait for the SGE's beats.
        if (w.wr.is_inline()) wr.payload = w.wr.inline_data;
        else
            for (const auto& s : w.wr.sgl) {
                if (!s.length) continue;
                Bytes part = peek_ ? peek_(s.addr, s.length) : Bytes(s.length, 0);
                if (wr.payload.empty()) wr.payload = std::move(part);  // one SGE: no copy
                else wr.payload.insert(wr.payload.end(), part.begin(), part.end());
            }
        h.timeline = std::make_shared<PayloadTimeline>(w.qpn, w.wr.wr_id, uint32_t(wr.payload.size()),
                                                       sge_.params().beat_bytes);
        q->expect.push_back(h.timeline);
        q->sent_bytes[h.timeline.get()] = wr.payload;
    }
    if (!op) return sge_.complete_tx(w, WcStatus::LocQpOpErr);  // the SGE checked opcodes: defensive
    wr.opcode = *op;
    wr.remote_stag = w.wr.rkey_or_inv;
    wr.remote_to = w.wr.remote_addr;
    if (*op == proto::WorkOpcode::SendInvalidate || *op == proto::WorkOpcode::SendSolicitedInvalidate) {
        wr.invalidate_stag = w.wr.rkey_or_inv;
        wr.remote_stag = 0;
    }
    if (*op == proto::WorkOpcode::Read) {
        if (w.wr.sgl.size() > 1) {
            error("RDMA Read with " + std::to_string(w.wr.sgl.size()) + " SGEs: one sink buffer supported");
            return sge_.complete_tx(w, WcStatus::LocQpOpErr);
        }
        if (!w.wr.sgl.empty()) {
            wr.local_stag = w.wr.sgl[0].lkey;
            wr.local_to = w.wr.sgl[0].addr;
        }
        wr.read_length = w.wr.length;
    }
    if (!q->ep) {
        error("TX work on QP " + std::to_string(w.qpn) + " before connect");
        return sge_.complete_tx(w, WcStatus::LocQpOpErr);
    }
    q->held.push_back(std::move(h));
    pump(*q, now_ps());
}

void T5Nic::on_tx_payload(const sge::PayloadBurst& b) {
    Qp* q = qp(b.qpn);
    if (!q || q->expect.empty()) {
        ++stats_.burst_mismatches;
        return;
    }
    std::shared_ptr<PayloadTimeline> tl = q->expect.front();
    if (tl->wr_id() != b.wr_id || !tl->add(b)) {
        ++stats_.burst_mismatches;
        error("unexpected payload burst for wr_id " + std::to_string(b.wr_id));
        return;
    }
    auto sent = q->sent_bytes.find(tl.get());
    if (sent != q->sent_bytes.end() &&
        (b.offset + b.data.size() > sent->second.size() ||
         !std::equal(b.data.begin(), b.data.end(), sent->second.begin() + b.offset)))
        ++stats_.payload_mismatches;
    if (tl->complete()) {
        if (p_.trace)  // the latest work record of this WR (read_host tags are not WRs)
            for (auto it = trace_.works.rbegin(); it != trace_.works.rend(); ++it)
                if (it->qpn == b.qpn && it->wr_id == b.wr_id && it->payload_last == 0) {
                    it->payload_first = tl->first_time();
                    it->payload_last = tl->end_time().value_or(0);
                    break;
                }
        q->expect.pop_front();
        q->sent_bytes.erase(tl.get());
    }
    release_tx();
}

// The head WR goes to the endpoint only when it would transmit at once (the ORD may hold a
// Read and everything behind it), or to be flushed.
bool T5Nic::ready_to_post(const Qp& q) const {
    using S = proto::EndpointState;
    S s = q.ep->state();
    return s == S::Terminated || s == S::Closed || (!q.held.empty() && q.ep->transmits_now(q.held.front().wr));
}

// Posting only once the connection is ready means the WR's FPDUs are queued at once, so the
// stream range they occupy is known (the endpoint would otherwise queue them internally).
void T5Nic::post(Qp& q, HeldWork h, Ps now) {
    uint64_t s0 = stream_end(q);
    q.works[h.wr.wr_id] = h.w;
    q.ep->post_send(now, h.wr);
    uint64_t s1 = stream_end(q);
    if (h.timeline && s1 > s0) q.msgs.push_back({s0, s1, false, h.timeline});
    if (p_.trace) trace_stream_range(q, h.w.wr.wr_id, s0, s1);
}

uint64_t T5Nic::unwrap(Qp& q, uint32_t off32) {
    int64_t v = int64_t(q.stream_hint) + int32_t(off32 - uint32_t(q.stream_hint));
    uint64_t r = v < 0 ? 0 : uint64_t(v);
    q.stream_hint = std::max(q.stream_hint, r);
    return r;
}

// Send-stream bytes queued so far (sent + unsent), from the TCP engine's sequence state.
uint64_t T5Nic::stream_end(Qp& q) {
    const proto::TcpConnection& t = q.ep->tcp();
    using S = proto::TcpState;
    if (t.state() == S::Closed || t.state() == S::Listen || t.state() == S::SynSent || t.state() == S::SynReceived)
        return q.stream_hint;
    return unwrap(q, t.snd_max() - (t.iss() + 1) + uint32_t(t.unsent_bytes()));
}

void T5Nic::source_read(Qp& q, uint64_t addr, uint32_t len) {
    uint64_t tag = q.next_read_tag++;
    auto tl = std::make_shared<PayloadTimeline>(q.qpn, tag, len, sge_.params().beat_bytes);
    q.expect.push_back(tl);
    if (peek_) q.sent_bytes[tl.get()] = peek_(addr, len);
    q.msgs.push_back({stream_end(q), 0, true, tl});
    ++q.open_reads;
    if (p_.trace)
        trace_.read_sources.push_back({q.qpn, tag, addr, len, delivering_frame_, now_ps(), false,
                                       uint32_t(q.ep->tcp().iss() + 1 + q.msgs.back().s0), 0});
    sge_.read_host(q.qpn, tag, addr, len);
}

void T5Nic::finish_open_reads(Qp& q) {
    if (!q.open_reads) return;
    uint64_t end = stream_end(q);
    for (size_t i = q.msgs.size(); i-- > q.msgs.size() - q.open_reads;) {
        q.msgs[i].s1 = end;
        q.msgs[i].open = false;
        if (p_.trace)
            for (auto it = trace_.read_sources.rbegin(); it != trace_.read_sources.rend(); ++it)
                if (it->qpn == q.qpn && it->tag == q.msgs[i].timeline->wr_id()) {
                    it->on_stream = true;
                    it->seq_end = uint32_t(q.ep->tcp().iss() + 1 + end);
                    break;
                }
        end = q.msgs[i].s0;
    }
    q.open_reads = 0;
}

void T5Nic::pump(Qp& q, Ps now) {
    if (!q.ep) return;
    for (;;) {
        while (!q.held.empty() && ready_to_post(q)) {
            HeldWork h = std::move(q.held.front());
            q.held.pop_front();
            post(q, std::move(h), now);
        }
        proto::TcpSegment seg;
        while (q.ep->poll_segment(now, seg)) enqueue_segment(q, seg, now);
        finish_open_reads(q);
        if (q.held.empty() || !ready_to_post(q)) break;
    }
    // We sent a Terminate: the host learns it as an asynchronous error, before the flushes.
    if (q.ep->terminate_sent() && !q.async_error_reported) {
        q.async_error_reported = true;
        sge_.report_async_error(q.qpn, protection_error(*q.ep->terminate_sent()) ? WcStatus::LocAccessErr
                                                                                 : WcStatus::FatalErr);
    }
    proto::WorkCompletion wc;
    while (q.ep->poll_completion(wc)) complete(q, wc);
    arm_timer(q);
    release_tx();
}

void T5Nic::enqueue_segment(Qp& q, const proto::TcpSegment& seg, Ps now) {
    proto::TcpFrameSpec spec;
    spec.flow = {{p_.mac, p_.ip, seg.header.src_port}, q.flow.remote};
    spec.seq = seg.header.seq;
    spec.ack = seg.header.ack;
    spec.flags = seg.header.flags;
    spec.window = seg.header.window;
    spec.options = seg.header.options;
    spec.payload = ByteView(seg.payload);
    spec.ip_id = ++ip_id_;
    TxEntry e;
    e.qpn = q.qpn;
    e.frame = std::make_shared<const Bytes>(proto::build_tcp_frame(spec));
    e.seq = seg.header.seq;
    e.payload = uint32_t(seg.payload.size());
    e.data = !seg.payload.empty() && !seg.header.has(proto::kTcpSyn);
    if (e.data) {
        e.x0 = unwrap(q, seg.header.seq - (q.ep->tcp().iss() + 1));
        e.x1 = e.x0 + seg.payload.size();
    }
    e.emitted = now;
    txq_.push_back(std::move(e));
}

// When the payload a data segment carries is available at ULP_TX, such that its frame,
// offered one beat per cycle, never overtakes the beats: nullopt while some beat is unknown.
std::optional<Ps> T5Nic::data_ready(const TxEntry& e, uint64_t frame_beats) {
    Ps ready = 0;
    if (!e.data) return ready;
    Qp* q = qp(e.qpn);
    if (!q) return ready;
    const Ps interval = tx_chain_->layout().stage(0).clock.period();
    for (const StreamMsg& m : q->msgs) {
        if (m.open) return std::nullopt;
        if (m.s1 <= e.x0 || m.s0 >= e.x1) continue;  // also skips retransmissions of released msgs
        const PayloadTimeline& tl = *m.timeline;
        std::optional<Ps> t_first, t_last;
        if (tl.length() == 0) {
            t_first = t_last = tl.end_time();
        } else {
            // Linear interpolation of payload bytes over the message's stream range.
            const uint64_t span = m.s1 - m.s0, len = tl.length();
            uint64_t a = std::max(e.x0, m.s0) - m.s0, b = std::min(e.x1, m.s1) - m.s0;
            uint64_t p0 = std::min(len - 1, a * len / span);
            uint64_t p1 = std::clamp<uint64_t>((b * len + span - 1) / span, p0 + 1, len);
            t_first = tl.byte_time(uint32_t(p0));
            t_last = tl.byte_time(uint32_t(p1 - 1));
        }
        if (!t_first || !t_last) return std::nullopt;
        Ps lead = Ps(frame_beats - 1) * interval;
        ready = std::max({ready, *t_first, *t_last > lead ? *t_last - lead : 0});
    }
    return ready;
}

void T5Nic::release_tx() {
    const Ps now = now_ps();
    const StageConfig& s0 = tx_chain_->layout().stage(0);
    while (!txq_.empty()) {
        TxEntry& e = txq_.front();
        const uint64_t beats = beats_for(e.frame->size(), s0.width_bytes);
        std::optional<Ps> r = data_ready(e, beats);
        if (!r) return;  // head-of-line: the TX pipeline is in order
        Ps offer = std::max(now, *r);
        FrameTiming ft = tx_chain_->add({e.frame->size(), offer, s0.clock.period(), tcb_stalls(*tx_chain_, tx_tp_, e.qpn)});
        Ps mac_out = ft.stages.back().first_out;
        std::shared_ptr<const Bytes> bytes = e.frame;
        if (mpa_check_->active() && e.data)  // the RTL islands of MPA_TX (mpa_rtl_check.h)
            if (const proto::IwarpEndpoint* ep = endpoint(e.qpn)) bytes = mpa_check_->on_tx(e.qpn, *ep, e.frame, ft);
        net::EthFrame f{bytes, next_frame_id_++};
        Ps wire = tx_link_ ? tx_link_->transmit(f, mac_out) : mac_out;
        ++stats_.tx_frames;
        stats_.tx_data_frames += e.data;
        if (p_.trace) trace_.tx.push_back({f.id, e.qpn, e.seq, e.payload, uint32_t(e.frame->size()), e.emitted,
                                           std::max(e.emitted, *r), offer, ft, wire});
        if (Qp* q = qp(e.qpn); q && e.data) {
            q->released_upto = std::max(q->released_upto, e.x1);
            while (!q->msgs.empty() && !q->msgs.front().open && q->msgs.front().timeline->complete() &&
                   q->msgs.front().s1 <= q->released_upto)
                q->msgs.pop_front();
        }
        txq_.pop_front();
    }
}

// ---------------------------------------------------------------- RX

void T5Nic::receive(const net::FrameArrival& a) {
    if (!a.frame.bytes) return;
    const StageConfig& s0 = rx_chain_->layout().stage(0);
    const uint64_t n = a.frame.size();
    // Beat k is complete once its last byte has arrived; the MAC delivers at line rate.
    const Ps beat = Ps(s0.width_bytes) * a.byte_time;
    const Ps first = a.first_byte + Ps(std::min<uint64_t>(n ? n : 1, s0.width_bytes)) * a.byte_time;
    // MPS buffer: the frames that arrived before this one and that MPS has not wholly passed on
    // by the time this one starts arriving, plus this one, must fit (docs/pipeline_timing.md).
    while (!mps_held_.empty() && mps_held_.front().mps_done <= a.first_byte) {
        mps_held_bytes_ -= mps_held_.front().bytes;
        mps_held_.pop_front();
    }
    if (mps_held_bytes_ + n > p_.blocks.mps_buffer_bytes) {
        ++stats_.rx_mps_drops;  // TCP recovers (the peer retransmits)
        return;
    }
    std::vector<uint32_t> stalls;
    if (rx_tp_ != SIZE_MAX)
        if (std::optional<uint32_t> qpn = rx_qpn(*a.frame.bytes)) stalls = tcb_stalls(*rx_chain_, rx_tp_, *qpn);
    FrameTiming ft = rx_chain_->add({n, first, beat, std::move(stalls)});
    if (rx_mps_ != SIZE_MAX) {
        mps_held_.push_back({ft.stages[rx_mps_].last_pop, n});
        mps_held_bytes_ += n;
    }
    Ps out = ft.stages.back().last_out;
    ++stats_.rx_frames;
    size_t idx = SIZE_MAX;
    if (p_.trace) {
        idx = trace_.rx.size();
        trace_.rx.push_back({a.frame.id, 0, 0, a.first_byte, a.last_byte, ft, out});
        trace_.rx.back().frame_bytes = uint32_t(n);
    }
    std::shared_ptr<const Bytes> bytes = a.frame.bytes;
    MpaRtlCheck::StageWindow mpa = mpa_check_->active() ? mpa_check_->rx_stage_window(ft) : MpaRtlCheck::StageWindow{};
    eq_.schedule(std::max(out, now_ps()), [this, bytes, idx, mpa] { deliver(bytes, idx, mpa); });
}

// TP's stall for a frame of connection `qpn`: none on a TCB cache hit, the miss cycles at TP
// on a miss.
std::vector<uint32_t> T5Nic::tcb_stalls(const PipelineChain& chain, size_t tp, uint32_t qpn) {
    if (tp == SIZE_MAX) return {};
    if (tcb_cache_.access(qpn)) {
        ++stats_.tcb_hits;
        return {};
    }
    ++stats_.tcb_misses;
    if (p_.blocks.tcb_miss_cycles == 0) return {};
    std::vector<uint32_t> v(chain.layout().stage_count(), 0);
    v[tp] = p_.blocks.tcb_miss_cycles;
    return v;
}

// The QP an arriving frame belongs to, by its TCP ports (what the LE looks up); nullopt for
// anything that is not IPv4/TCP to a connection here.
std::optional<uint32_t> T5Nic::rx_qpn(const Bytes& frame) const {
    constexpr size_t kEth = 14;
    if (frame.size() < kEth + 20 || frame[12] != 0x08 || frame[13] != 0x00) return std::nullopt;
    const size_t ihl = size_t(frame[kEth] & 0x0F) * 4;
    if (frame[kEth + 9] != 6 || ihl < 20 || frame.size() < kEth + ihl + 4) return std::nullopt;
    const uint8_t* tcp = frame.data() + kEth + ihl;
    const uint16_t src = uint16_t(tcp[0] << 8 | tcp[1]), dst = uint16_t(tcp[2] << 8 | tcp[3]);
    auto it = by_ports_.find(ports_key(dst, src));
    if (it == by_ports_.end()) return std::nullopt;
    return it->second;
}

void T5Nic::deliver(const std::shared_ptr<const Bytes>& frame, size_t rx_index, MpaRtlCheck::StageWindow mpa_rx) {
    proto::ParsedTcpFrame f = proto::parse_tcp_frame(ByteView(*frame));
    if (f.status != proto::ParsedTcpFrame::Status::Ok || !f.ip_checksum_ok || !f.tcp_checksum_ok ||
        f.ip.dst != p_.ip) {
        ++stats_.rx_bad_frames;
        return;
    }
    if (rx_index != SIZE_MAX && rx_index < trace_.rx.size()) {
        trace_.rx[rx_index].payload = uint32_t(f.payload.size);
        trace_.rx[rx_index].seq = f.tcp.seq;
    }
    auto it = by_ports_.find(ports_key(f.tcp.dst_port, f.tcp.src_port));
    Qp* q = it == by_ports_.end() ? nullptr : qp(it->second);
    if (!q || !q->ep) {
        ++stats_.rx_no_connection;  // no listener: dropped (a T5 would answer with an RST)
        return;
    }
    // Trace: placements, completions and read sources this frame causes name it.
    if (rx_index != SIZE_MAX && rx_index < trace_.rx.size()) delivering_frame_ = trace_.rx[rx_index].frame_id;
    q->ep->on_segment(now_ps(), f.tcp, f.payload);
    if (mpa_check_->active()) mpa_check_->on_rx(q->qpn, *q->ep, *frame, f, mpa_rx);  // after: the session may start here
    pump(*q, now_ps());
    delivering_frame_ = 0;
}

void T5Nic::place(uint64_t addr, Bytes data) {
    ++stats_.placements;
    stats_.place_bytes += data.size();
    if (!p_.trace) return sge_.place(addr, std::move(data));
    size_t idx = trace_.placements.size();
    trace_.placements.push_back({addr, uint32_t(data.size()), now_ps(), 0, delivering_frame_});
    sge_.place(addr, std::move(data), [this, idx] { trace_.placements[idx].done = now_ps(); });
}

// ---------------------------------------------------------------- completions and timers

void T5Nic::complete(Qp& q, const proto::WorkCompletion& wc) {
    WcStatus st = WcStatus::Success;
    if (wc.status == proto::CompletionStatus::RemoteError) {
        // The WR the peer's Terminate blamed (the endpoint picks it).
        st = q.ep->terminate_received() ? remote_status(*q.ep->terminate_received()) : WcStatus::RemOpErr;
    } else if (wc.status == proto::CompletionStatus::Flushed) {
        st = WcStatus::WrFlushErr;
    }
    if (p_.trace)
        trace_.completions.push_back({q.qpn, 0, wc.opcode == proto::WorkOpcode::Recv, now_ps(), delivering_frame_, 0});
    if (wc.opcode == proto::WorkOpcode::Recv) {
        const RecvWqe* w = q.mem->receive(wc.wr_id);
        if (!w) return error("completion for unknown receive tag " + std::to_string(wc.wr_id));
        RecvWqe r = *w;
        q.mem->drop_receive(wc.wr_id);
        uint8_t flags = 0;
        uint32_t inv = 0;
        if (wc.solicited) flags |= host::ring::kWcSolicited;
        if (wc.invalidated_stag) {
            flags |= host::ring::kWcWithInv;
            inv = *wc.invalidated_stag;
        }
        if (p_.trace) trace_.completions.back().wr_id = r.wr_id;
        sge_.complete_recv(q.qpn, r, uint32_t(wc.byte_len), st, flags, inv, trace_cqe_written());
        return;
    }
    auto it = q.works.find(wc.wr_id);
    if (it == q.works.end()) return error("completion for unknown work " + std::to_string(wc.wr_id));
    if (p_.trace) trace_.completions.back().wr_id = it->second.wr.wr_id;
    sge_.complete_tx(it->second, st, trace_cqe_written());
    q.works.erase(it);
}

// ---------------------------------------------------------------- tracing only

// Marks the host WR's latest work record with the message's TCP sequence range.
void T5Nic::trace_stream_range(Qp& q, uint64_t host_wr_id, uint64_t s0, uint64_t s1) {
    const uint32_t base = q.ep->tcp().iss() + 1;
    for (auto it = trace_.works.rbegin(); it != trace_.works.rend(); ++it)
        if (it->qpn == q.qpn && it->wr_id == host_wr_id && !it->on_stream) {
            it->on_stream = true;
            it->seq_first = uint32_t(base + s0);
            it->seq_end = uint32_t(base + s1);
            return;
        }
}

std::function<void()> T5Nic::trace_cqe_written() {
    if (!p_.trace || trace_.completions.empty()) return nullptr;
    const size_t idx = trace_.completions.size() - 1;
    return [this, idx] { trace_.completions[idx].cqe_written = now_ps(); };
}

// Re-armed after every interaction. At most one wake-up per QP is pending, at or before the
// deadline: a later deadline leaves it in place, and it re-arms for the deadline when it finds
// it has moved (the TCP engine pushes its retransmission deadline on with every ACK, and a
// wake-up per push would pile up, one per frame, until the RTO). Only a deadline that moves
// earlier adds a wake-up, and the superseded one then does nothing.
void T5Nic::arm_timer(Qp& q) {
    uint64_t t = q.ep->next_timer();
    if (t == q.timer_at) return;
    q.timer_at = t;
    if (t == proto::kTcpNoTimer || q.timer_wake <= t) return;
    schedule_timer_wake(q, std::max<Ps>(t, now_ps()));
}

void T5Nic::schedule_timer_wake(Qp& q, Ps at) {
    q.timer_wake = at;
    const uint32_t qpn = q.qpn;
    eq_.schedule(at, [this, qpn, at] {
        Qp* qq = qp(qpn);
        if (!qq || qq->timer_wake != at) return;  // superseded by an earlier wake-up
        qq->timer_wake = kNoWake;
        if (qq->timer_at == proto::kTcpNoTimer) return;
        if (qq->timer_at > now_ps()) return schedule_timer_wake(*qq, qq->timer_at);
        qq->timer_at = proto::kTcpNoTimer;
        ++stats_.timer_wakeups;
        qq->ep->on_timer(now_ps());
        pump(*qq, now_ps());
    });
}

}  // namespace nicsim::nic
