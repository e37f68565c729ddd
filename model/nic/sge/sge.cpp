#include "nic/sge/sge.h"

#include <algorithm>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace nicsim::nic::sge {

using host::ring::Cqe;
using host::ring::RecvWqe;
using host::ring::SendWqe;
using host::ring::WcOpcode;
using host::ring::WcStatus;
using host::ring::WrOpcode;
using timing::now_ps;
using timing::Ps;
namespace ring = host::ring;

namespace {
uint32_t ld32(const uint8_t* p) { return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24; }
uint16_t ld16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
bool pow2(uint32_t v) { return v && !(v & (v - 1)); }
WcOpcode wc_opcode(uint8_t op) {
    if (op == uint8_t(WrOpcode::RdmaWrite)) return WcOpcode::RdmaWrite;
    if (op == uint8_t(WrOpcode::RdmaRead)) return WcOpcode::RdmaRead;
    return WcOpcode::Send;
}
std::string hex(uint64_t v) {
    std::ostringstream os;
    os << "0x" << std::hex << v;
    return os.str();
}
}  // namespace

Sge::Sge(sc_core::sc_module_name name, const SgeParams& p, uint64_t msix_base)
    : sc_core::sc_module(name),
      mmio("mmio"),
      dma("dma"),
      p_(p),
      clk_(timing::ClockDomain::from_mhz(p.clock_mhz, "sge")),
      eq_("eq"),
      msix_base_(msix_base) {
    if (p_.beat_bytes == 0 || p_.fetch_max_slots == 0 || p_.dma_chunk == 0 || p_.gather_window < p_.dma_chunk)
        throw std::invalid_argument("nic.sge: beat_bytes, fetch_max_slots and dma_chunk must be > 0 and "
                                    "gather_window >= dma_chunk");
    mmio.register_b_transport(this, &Sge::b_transport);
}

void Sge::bad(std::string msg) {
    ++stats_.bad_doorbells;
    errors_.push_back(std::string(name()) + ": " + msg);
}

Sge::Qp* Sge::qp(uint32_t qpn) {
    auto it = qps_.find(qpn);
    return it == qps_.end() ? nullptr : &it->second;
}

bool Sge::qp_in_error(uint32_t qpn) const {
    auto it = qps_.find(qpn);
    return it != qps_.end() && it->second.error;
}

const host::MrConfig* Sge::mr(uint32_t stag) const {
    auto it = mrs_.find(stag);
    return it == mrs_.end() ? nullptr : &it->second;
}

// ---------------------------------------------------------------- control path

void Sge::create_cq(const host::CqConfig& c) {
    if (c.cqn >= p_.max_cqs) throw std::invalid_argument("CQ number " + std::to_string(c.cqn) + " above nic.sge.max_cqs");
    if (cqs_.count(c.cqn)) throw std::invalid_argument("CQ " + std::to_string(c.cqn) + " exists");
    if (!pow2(c.depth)) throw std::invalid_argument("CQ depth must be a power of two");
    if (c.holdoff_index >= p_.holdoff.size()) throw std::invalid_argument("holdoff timer index must be 0..5");
    cqs_[c.cqn].cfg = c;
}

void Sge::create_qp(const host::QpConfig& c) {
    if (c.qpn >= p_.max_qps) throw std::invalid_argument("QP number " + std::to_string(c.qpn) + " above nic.sge.max_qps");
    if (qps_.count(c.qpn)) throw std::invalid_argument("QP " + std::to_string(c.qpn) + " exists");
    if (!cqs_.count(c.send_cqn) || !cqs_.count(c.recv_cqn)) throw std::invalid_argument("QP names an unknown CQ");
    if (!pow2(c.sq_slots) || !pow2(c.rq_slots)) throw std::invalid_argument("queue sizes must be powers of two");
    qps_[c.qpn].cfg = c;
}

void Sge::write_mr(const host::MrConfig& m) {
    if (m.length == 0 || m.addr + m.length < m.addr) throw std::invalid_argument("memory region is empty or wraps");
    mrs_[m.stag] = m;
}

void Sge::connect(uint32_t qpn, const host::ConnParams& p, bool active) {
    Qp* q = qp(qpn);
    if (!q) throw std::invalid_argument("connect: unknown QP " + std::to_string(qpn));
    if (client_) client_->on_connect(qpn, p, active);
    q->connected = true;
}

// ---------------------------------------------------------------- doorbells

void Sge::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time&) {
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    uint64_t a = gp.get_address();
    uint32_t len = gp.get_data_length();
    const uint8_t* d = gp.get_data_ptr();
    if (!gp.is_write()) {
        bad("BAR read at " + hex(a) + " is not supported");
        return;
    }
    Ps t = clk_.after(now_ps(), p_.doorbell_cycles);  // decode in the SGE clock domain
    ++stats_.doorbells;
    if (len == 8 && (a == ring::bar::kSqDoorbell || a == ring::bar::kRqDoorbell || a == ring::bar::kCqDoorbell)) {
        uint32_t id = ld32(d);
        uint16_t inc = ld16(d + 4);
        uint8_t arm = d[6];
        eq_.schedule(t, [this, a, id, inc, arm] {
            if (a == ring::bar::kSqDoorbell) sq_doorbell(id, inc);
            else if (a == ring::bar::kRqDoorbell) rq_doorbell(id, inc);
            else cq_doorbell(id, inc, arm);
        });
    } else if (a >= ring::bar::kWcPushBase && a < ring::bar::kWcPushEnd && len == ring::kSlot &&
               (a - ring::bar::kWcPushBase) % ring::kSlot == 0) {
        uint32_t qpn = uint32_t((a - ring::bar::kWcPushBase) / ring::kSlot);
        auto slot = std::make_shared<std::vector<uint8_t>>(d, d + len);
        eq_.schedule(t, [this, qpn, slot] { push(qpn, slot->data()); });
    } else {
        bad("BAR write of " + std::to_string(len) + " B at " + hex(a) + " matches no register");
    }
}

void Sge::sq_doorbell(uint32_t qpn, uint32_t inc) {
    Qp* q = qp(qpn);
    if (!q) return bad("SQ doorbell for QP " + std::to_string(qpn) + ", which does not exist");
    if (inc == 0 || q->sq_pidx + inc - q->sq_fetch > q->cfg.sq_slots) {
        q->error = true;
        return bad("SQ doorbell of +" + std::to_string(inc) + " overflows the " + std::to_string(q->cfg.sq_slots) +
                   "-slot ring of QP " + std::to_string(qpn));
    }
    q->sq_pidx += inc;
    start_fetch(qpn, now_ps());
}

void Sge::rq_doorbell(uint32_t qpn, uint32_t inc) {
    Qp* q = qp(qpn);
    if (!q) return bad("RQ doorbell for QP " + std::to_string(qpn) + ", which does not exist");
    if (inc == 0 || q->rq_pidx + inc - q->rq_cidx > q->cfg.rq_slots) {
        q->error = true;
        return bad("RQ doorbell of +" + std::to_string(inc) + " overflows the receive ring of QP " + std::to_string(qpn));
    }
    q->rq_pidx += inc;
}

void Sge::cq_doorbell(uint32_t cqn, uint32_t inc, uint8_t arm) {
    auto it = cqs_.find(cqn);
    if (it == cqs_.end()) return bad("CQ doorbell for CQ " + std::to_string(cqn) + ", which does not exist");
    Cq& c = it->second;
    if (inc > c.pidx - c.cidx) {
        bad("CQ doorbell returns " + std::to_string(inc) + " entries but only " + std::to_string(c.pidx - c.cidx) +
            " are outstanding on CQ " + std::to_string(cqn));
        inc = c.pidx - c.cidx;
    }
    c.cidx += inc;
    if (arm == 1 || arm == 2) {
        c.armed = arm;
        c.armed_at = now_ps();
    }
}

void Sge::push(uint32_t qpn, const uint8_t* slot) {
    Qp* q = qp(qpn);
    if (!q) return bad("WC push for QP " + std::to_string(qpn) + ", which does not exist");
    ++stats_.pushes;
    if (q->sq_pidx + 1 - q->sq_fetch > q->cfg.sq_slots) {
        q->error = true;
        return bad("WC push overflows the send ring of QP " + std::to_string(qpn));
    }
    // The pushed copy is usable only if it is the next WR and nothing older is still in flight;
    // otherwise the SGE fetches it from the ring like any other (the host wrote it there too).
    bool direct = !q->fetching && q->sq_fetch == q->sq_pidx && q->desc.empty() && ring::peek_nslots(slot) == 1;
    q->sq_pidx += 1;
    if (!direct) {
        ++stats_.push_fallbacks;
        return start_fetch(qpn, now_ps());
    }
    q->sq_fetch += 1;
    q->desc.assign(slot, slot + ring::kSlot);
    parse(qpn, now_ps(), true);
}

// ---------------------------------------------------------------- WR fetch and parse

void Sge::start_fetch(uint32_t qpn, Ps at) {
    Qp* q = qp(qpn);
    if (!q || q->fetching || q->sq_fetch == q->sq_pidx) return;
    uint32_t pos = q->sq_fetch % q->cfg.sq_slots;
    uint32_t n = std::min({q->sq_pidx - q->sq_fetch, p_.fetch_max_slots, q->cfg.sq_slots - pos});
    q->fetching = true;
    q->sq_fetch += n;
    uint64_t addr = q->cfg.sq_base + uint64_t(pos) * ring::kSlot;
    eq_.schedule(std::max(at, now_ps()), [this, qpn, addr, n] {
        ++stats_.wr_fetches;
        dma.read(addr, n * ring::kSlot, nullptr, [this, qpn](bool, const std::vector<uint8_t>& d) {
            Qp* fq = qp(qpn);
            fq->fetching = false;
            fq->desc.insert(fq->desc.end(), d.begin(), d.end());
            parse(qpn, now_ps(), false);
            start_fetch(qpn, clk_.after(now_ps(), 1));
        });
    });
}

void Sge::parse(uint32_t qpn, Ps arrival, bool pushed) {
    Qp* q = qp(qpn);
    while (q->desc.size() >= ring::kSlot) {
        uint8_t n = ring::peek_nslots(q->desc.data());
        SendWqe w;
        std::string err;
        uint32_t used = n;
        if (n < 1 || n > ring::kMaxSlots) {
            used = 1;  // garbage: consume one slot and fail it
            err = ring::decode_send(q->desc.data(), ring::kSlot, w);
        } else if (q->desc.size() < size_t(n) * ring::kSlot) {
            break;  // rest of the WR comes with the next fetch
        } else {
            err = ring::decode_send(q->desc.data(), size_t(n) * ring::kSlot, w);
        }
        q->desc.erase(q->desc.begin(), q->desc.begin() + size_t(used) * ring::kSlot);
        q->desc_slot += used;
        Ps t = std::max(clk_.next_edge(arrival), parse_busy_) + clk_.cycles(p_.wr_parse_cycles);
        parse_busy_ = t;
        uint16_t cidx_after = uint16_t(q->desc_slot);
        eq_.schedule(t, [this, qpn, w, cidx_after, t, pushed, err] { process_wr(qpn, w, cidx_after, t, pushed, err); });
    }
}

WcStatus Sge::check_wr(const Qp& q, const SendWqe& w, std::string& why) const {
    if (!ring::valid_opcode(w.opcode)) {
        why = "invalid opcode " + hex(w.opcode);
        return WcStatus::LocQpOpErr;
    }
    if (w.is_inline() && w.opcode == uint8_t(WrOpcode::RdmaRead)) {
        why = "inline RDMA Read";
        return WcStatus::LocQpOpErr;
    }
    if (w.length > 0x7fffffffu) {
        why = "message length above 2^31-1";
        return WcStatus::LocLenErr;
    }
    for (const auto& s : w.sgl) {
        const host::MrConfig* m = mr(s.lkey);
        if (!m) {
            why = "lkey " + hex(s.lkey) + " is not registered";
            return WcStatus::LocProtErr;
        }
        if (m->pdn != q.cfg.pdn) {
            why = "lkey " + hex(s.lkey) + " belongs to another protection domain";
            return WcStatus::LocProtErr;
        }
        if (s.addr < m->addr || s.addr + s.length > m->addr + m->length || s.addr + s.length < s.addr) {
            why = "SGE [" + hex(s.addr) + ", +" + std::to_string(s.length) + ") lies outside MR [" + hex(m->addr) +
                  ", +" + std::to_string(m->length) + ")";
            return WcStatus::LocProtErr;
        }
        if (w.opcode == uint8_t(WrOpcode::RdmaRead) && !(m->access & host::kLocalWrite)) {
            why = "RDMA Read sink MR lacks local write access";
            return WcStatus::LocProtErr;
        }
    }
    return WcStatus::Success;
}

void Sge::fail_wr(uint32_t qpn, const SendWqe& w, uint16_t cidx_after, WcStatus st, const std::string& why) {
    Qp* q = qp(qpn);
    q->error = true;
    ++stats_.error_wrs;
    if (st != WcStatus::WrFlushErr)
        errors_.push_back(std::string(name()) + ": QP " + std::to_string(qpn) + " WR " + hex(w.wr_id) + ": " + why +
                          " -> " + ring::status_name(st));
    Cqe c;
    c.wr_id = w.wr_id;
    c.qpn = qpn;
    c.opcode = wc_opcode(w.opcode);
    c.status = st;
    c.sq_cidx = cidx_after;
    write_cqe(q->cfg.send_cqn, c, false);
}

void Sge::process_wr(uint32_t qpn, SendWqe w, uint16_t cidx_after, Ps ready, bool pushed, std::string decode_error) {
    Qp* q = qp(qpn);
    if (q->error) return fail_wr(qpn, w, cidx_after, WcStatus::WrFlushErr, "flushed");
    if (!decode_error.empty()) return fail_wr(qpn, w, cidx_after, WcStatus::LocQpOpErr, "malformed WR: " + decode_error);
    std::string why;
    if (WcStatus st = check_wr(*q, w, why); st != WcStatus::Success) return fail_wr(qpn, w, cidx_after, st, why);
    if (!client_) return fail_wr(qpn, w, cidx_after, WcStatus::GeneralErr, "no pipeline attached to the SGE");
    ++stats_.wrs;
    TxWork tw{qpn, w, cidx_after, ready, pushed};
    client_->on_tx_work(tw);
    if (w.opcode == uint8_t(WrOpcode::RdmaRead)) return;  // data comes back from the peer
    if (w.is_inline()) {
        start_gather(qpn, w.wr_id, {}, uint32_t(w.inline_data.size()), &w.inline_data);
    } else {
        std::vector<std::pair<uint64_t, uint32_t>> segs;
        for (auto& s : w.sgl)
            if (s.length) segs.emplace_back(s.addr, s.length);
        start_gather(qpn, w.wr_id, std::move(segs), w.length, nullptr);
    }
}

// ---------------------------------------------------------------- payload gather -> beats

void Sge::start_gather(uint32_t qpn, uint64_t wr_id, std::vector<std::pair<uint64_t, uint32_t>> segs, uint32_t total,
                       const std::vector<uint8_t>* inline_data) {
    Qp* q = qp(qpn);
    auto g = std::make_shared<Gather>();
    g->qpn = qpn;
    g->wr_id = wr_id;
    g->total = total;
    g->segs = std::move(segs);
    q->gathers.push_back(g);
    if (inline_data) {  // already here: nothing to fetch
        g->issued = g->contiguous = total;
        g->staged = *inline_data;
        q->in_flight += total;
    }
    gather_issue(qpn);
    gather_progress(qpn);
}

// Issues payload reads for the QP's gathers in WR order while the window allows.
void Sge::gather_issue(uint32_t qpn) {
    Qp* q = qp(qpn);
    for (auto& g : q->gathers) {
        while (g->issued < g->total) {
            if (q->in_flight + std::min(p_.dma_chunk, g->total - g->issued) > p_.gather_window) return;
            auto [addr, len] = g->segs[g->seg];
            uint32_t n = std::min(p_.dma_chunk, len - g->seg_off);
            uint32_t base = g->issued;
            uint64_t a = addr + g->seg_off;
            g->issued += n;
            q->in_flight += n;
            stats_.gather_bytes += n;
            if ((g->seg_off += n) == len) ++g->seg, g->seg_off = 0;
            std::weak_ptr<Gather> wg = g;
            bool ok = dma.read(
                a, n,
                [this, wg, base, qpn](const uint8_t* data, uint32_t off, uint32_t len2, Ps) {
                    if (auto job = wg.lock()) gather_arrive(qpn, job, base + off, data, len2);
                },
                nullptr);
            if (!ok) errors_.push_back(std::string(name()) + ": gather DMA rejected at " + hex(a));
        }
    }
}

void Sge::gather_arrive(uint32_t qpn, const std::shared_ptr<Gather>& g, uint32_t off, const uint8_t* data, uint32_t n) {
    if (off == g->contiguous) {
        g->staged.insert(g->staged.end(), data, data + n);
        g->contiguous += n;
        // Earlier out-of-order pieces may now continue the prefix.
        for (auto it = g->arrived.begin(); it != g->arrived.end() && it->first == g->contiguous;
             it = g->arrived.erase(it)) {
            g->staged.insert(g->staged.end(), it->second.begin(), it->second.end());
            g->contiguous += uint32_t(it->second.size());
        }
    } else {
        g->arrived.emplace(off, std::vector<uint8_t>(data, data + n));
    }
    gather_progress(qpn);
}

// Hands the head gather's newly complete beats to the client; beats leave one per SGE cycle,
// starting at the first edge after the data arrived and after the previous beat.
void Sge::gather_progress(uint32_t qpn) {
    Qp* q = qp(qpn);
    const uint32_t B = p_.beat_bytes;
    bool freed = false;
    while (!q->gathers.empty()) {
        auto g = q->gathers.front();
        bool complete = g->contiguous == g->total;
        uint32_t upto = complete ? g->total : g->contiguous / B * B;
        if (upto <= g->emitted && !(complete && !g->sent_any)) break;
        PayloadBurst b;
        b.qpn = qpn;
        b.wr_id = g->wr_id;
        b.offset = g->emitted;
        uint32_t n = upto - g->emitted;
        b.data.assign(g->staged.begin(), g->staged.begin() + n);
        g->staged.erase(g->staged.begin(), g->staged.begin() + n);
        b.beats = (n + B - 1) / B;
        b.beat_period = clk_.period();
        b.first_beat = std::max(clk_.next_edge(now_ps()), beat_busy_);
        b.last = complete;
        beat_busy_ = b.first_beat + clk_.cycles(std::max<uint32_t>(b.beats, 1));
        g->emitted = upto;
        g->sent_any = true;
        q->in_flight -= n;
        freed = freed || n > 0;
        if (client_) eq_.schedule(b.first_beat, [this, b] { client_->on_tx_payload(b); });
        if (!complete) break;
        q->gathers.pop_front();
    }
    if (freed) gather_issue(qpn);
}

void Sge::read_host(uint32_t qpn, uint64_t tag, uint64_t addr, uint32_t len) {
    if (!qp(qpn)) return bad("read_host for QP " + std::to_string(qpn) + ", which does not exist");
    start_gather(qpn, tag, {{addr, len}}, len, nullptr);
}

// ---------------------------------------------------------------- receive, placement, CQEs

void Sge::fetch_recv(uint32_t qpn, std::function<void(bool, const RecvWqe&)> cb) {
    Qp* q = qp(qpn);
    if (!q || q->rq_cidx == q->rq_pidx) {
        eq_.schedule(now_ps(), [cb] { cb(false, RecvWqe{}); });
        return;
    }
    uint64_t addr = q->cfg.rq_base + uint64_t(q->rq_cidx % q->cfg.rq_slots) * ring::kSlot;
    ++q->rq_cidx;
    dma.read(addr, ring::kSlot, nullptr, [cb](bool ok, const std::vector<uint8_t>& d) {
        RecvWqe r;
        std::string err = ring::decode_recv(d.data(), d.size(), r);
        cb(ok && err.empty(), r);
    });
}

void Sge::place(uint64_t addr, std::vector<uint8_t> data, std::function<void()> done) {
    stats_.place_bytes += data.size();
    if (data.empty()) {
        if (done) eq_.schedule(now_ps(), done);
        return;
    }
    if (!dma.write(addr, std::move(data), [done](bool) {
            if (done) done();
        }))
        errors_.push_back(std::string(name()) + ": placement DMA rejected at " + hex(addr));
}

void Sge::complete_tx(const TxWork& w, WcStatus status, std::function<void()> cqe_written) {
    Qp* q = qp(w.qpn);
    if (!q) return bad("complete_tx for QP " + std::to_string(w.qpn) + ", which does not exist");
    if (status != WcStatus::Success) q->error = true;
    if (!w.wr.signaled() && status == WcStatus::Success) return;
    Cqe c;
    c.wr_id = w.wr.wr_id;
    c.byte_len = w.wr.length;
    c.qpn = w.qpn;
    c.opcode = wc_opcode(w.wr.opcode);
    c.status = status;
    c.sq_cidx = w.sq_cidx_after;
    write_cqe(q->cfg.send_cqn, c, false, std::move(cqe_written));
}

void Sge::complete_recv(uint32_t qpn, const RecvWqe& r, uint32_t byte_len, WcStatus status, uint8_t wc_flags,
                        uint32_t inv_rkey, std::function<void()> cqe_written) {
    Qp* q = qp(qpn);
    if (!q) return bad("complete_recv for QP " + std::to_string(qpn) + ", which does not exist");
    Cqe c;
    c.wr_id = r.wr_id;
    c.byte_len = byte_len;
    c.qpn = qpn;
    c.opcode = WcOpcode::Recv;
    c.status = status;
    c.flags = wc_flags;
    c.inv_rkey = inv_rkey;
    write_cqe(q->cfg.recv_cqn, c, wc_flags & ring::kWcSolicited, std::move(cqe_written));
}

void Sge::report_async_error(uint32_t qpn, WcStatus status) {
    Qp* q = qp(qpn);
    if (!q) return bad("async error for QP " + std::to_string(qpn) + ", which does not exist");
    q->error = true;
    Cqe c;
    c.qpn = qpn;
    c.opcode = WcOpcode::Recv;
    c.status = status;
    c.flags = ring::kCqeAsyncError;
    write_cqe(q->cfg.recv_cqn, c, false);
}

void Sge::write_cqe(uint32_t cqn, Cqe c, bool solicited, std::function<void()> written) {
    auto it = cqs_.find(cqn);
    if (it == cqs_.end()) return bad("CQE for CQ " + std::to_string(cqn) + ", which does not exist");
    Cq& cq = it->second;
    if (cq.overflow) return;
    if (cq.pidx - cq.cidx >= cq.cfg.depth) {
        cq.overflow = true;  // IBV_EVENT_CQ_ERR: the CQ is unusable from now on
        return bad("CQ " + std::to_string(cqn) + " overflow: " + std::to_string(cq.cfg.depth) +
                   " entries outstanding; further completions are dropped");
    }
    c.gen = ((cq.pidx / cq.cfg.depth) & 1) ? 0 : 1;
    uint64_t addr = cq.cfg.base + uint64_t(cq.pidx % cq.cfg.depth) * ring::kCqe;
    ++cq.pidx;
    Ps t = std::max(clk_.after(now_ps(), p_.cqe_cycles), cqe_busy_);
    cqe_busy_ = t + clk_.period();
    bool wake = solicited || c.status != WcStatus::Success;
    eq_.schedule(t, [this, cqn, addr, c, wake, written] {
        ++stats_.cqes;
        dma.write(addr, ring::encode_cqe(c), written ? pcie::DmaInitiator::WriteDoneFn([written](bool) { written(); })
                                                     : pcie::DmaInitiator::WriteDoneFn());
        Cq& q = cqs_.at(cqn);
        if (!q.cfg.interrupts || q.armed == 0 || (q.armed == 2 && !wake)) return;
        q.armed = 0;
        // Holdoff: no interrupt earlier than the timer after the CQ was (re-)armed (GTS write).
        Ps t_irq = std::max(now_ps(), q.armed_at + p_.holdoff[q.cfg.holdoff_index]);
        uint32_t vec = q.cfg.msix_vector;
        eq_.schedule(t_irq, [this, vec] {
            ++stats_.interrupts;
            std::vector<uint8_t> v(4);
            for (int i = 0; i < 4; ++i) v[i] = uint8_t(vec >> (8 * i));
            dma.write(msix_base_, std::move(v), nullptr);
        });
    });
}

}  // namespace nicsim::nic::sge
