#include "sim/report/critical_path.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "host/ring_format.h"
#include "pcie/pcie_analytic.h"
#include "proto/ethernet.h"

namespace nicsim::sim {

using timing::Ps;

Ps OpPath::floor_sum() const {
    Ps sum = 0;
    for (const PathRow& r : rows)
        if (r.has_floor) sum += r.floor;
    return sum;
}

// The rows' floors, or, when larger: the same path with the payload DMA charged one round trip
// (the first frame's data) plus the wire time of the frames ahead of the last one (the link
// sends them in order, so the last frame's first byte leaves no earlier).
Ps OpPath::floor_total() const {
    const Ps sum = floor_sum();
    return std::max(sum, sum - stream_floor_excess + wire_before_last);
}

namespace {

bool is_mac(const std::string& stage) { return stage.rfind("mac_", 0) == 0; }

// Does a frame starting at `seq` with `payload` bytes carry sequence number `s`? (mod 2^32)
bool covers(uint32_t seq, uint32_t payload, uint32_t s) { return uint32_t(s - seq) < payload; }

// A TX stage's configured minimum from the stage above's first beat out (`up`: that stage, or
// the stage itself for the first one, whose beats are offered one per its cycle) to its own
// first beat out: the beats it must see first (the header when cut-through, the whole frame
// when store-and-forward) arrive at most one per upstream cycle, then its latency.
Ps tx_stage_floor(const nic::StageConfig& s, const nic::StageConfig& up, uint32_t frame_bytes) {
    const uint64_t need = s.cut_through ? std::min<uint64_t>(s.header_bytes, frame_bytes) : frame_bytes;
    return Ps(s.latency_cycles) * s.clock.period() + Ps(nic::beats_for(need, up.width_bytes) - 1) * up.clock.period();
}

// An RX stage's minimum from the stage above's last beat out to its own: its latency, plus the
// frame's beats when it stores and forwards (it starts only after the last beat is in).
Ps rx_stage_floor(const nic::StageConfig& s, uint32_t frame_bytes) {
    Ps t = Ps(s.latency_cycles) * s.clock.period();
    if (!s.cut_through) t += Ps(nic::beats_for(frame_bytes, s.width_bytes) - 1) * s.clock.period();
    return t;
}

// The least a DMA read of a message's bytes (from host address `addr`) can take until a
// frame's bytes are available at ULP_TX: one read round trip (MRd, root complex, memory, the
// first CplD, which carries at least the bytes up to the first RCB boundary), and no earlier
// than the bytes before that frame have crossed the link.
Ps read_dma_floor(const HostSideParams& h, uint64_t addr, uint32_t size, uint32_t frame_payload) {
    const pcie::PcieParams& pc = h.pcie;
    const Ps trip = pcie::analytic::serialize_ps(pc, pcie::analytic::mrd_overhead(pc)) + 2 * pc.link_latency +
                    pc.rc_read_latency.min() + h.mem.read_latency;
    const uint32_t rcb = std::max<uint32_t>(pc.rcb, 1);
    const uint32_t first = std::min<uint32_t>(size, rcb - uint32_t(addr % rcb));
    const uint32_t before = size > frame_payload ? size - frame_payload : 0;
    const Ps first_cpl = pcie::analytic::serialize_ps(pc, pcie::analytic::cpld_overhead(pc) + first);
    const Ps stream = before ? pcie::analytic::serialize_ps(pc, before) : 0;
    return trip + std::max(first_cpl, stream);
}

// Posted DMA write of `bytes` (split at MPS) until the root complex has it.
Ps write_dma_floor(const pcie::PcieParams& pc, uint32_t bytes) {
    const uint64_t tlps = std::max<uint64_t>(1, (uint64_t(bytes) + pc.mps - 1) / pc.mps);
    return pcie::analytic::serialize_ps(pc, bytes + tlps * pcie::analytic::mwr_overhead(pc)) + pc.link_latency +
           pc.rc_write_latency;
}

class PathBuilder {
public:
    PathBuilder(const TraceIndex& index, const OpRecord& op) : ix_(index), sys_(index.system()), path_() {
        path_.op = op;
        at_ = op.posted;
    }

    OpPath build();

private:
    // Appends a row ending at `until` (never before the previous row's end: rows telescope).
    void row(const std::string& stage, Ps until, bool has_floor = false, Ps floor = 0) {
        const Ps end = std::max(at_, until);
        path_.rows.push_back({stage, at_, end, has_floor, floor, false, 0});
        at_ = end;
    }
    // A pipeline stage's row: `pop` -> `out` is the stage's own processing of the beat.
    void stage_row(const std::string& stage, Ps pop, Ps out, Ps floor) {
        row(stage, out, true, floor);
        path_.rows.back().pipeline = true;
        path_.rows.back().processing = std::min(path_.rows.back().span(), out - std::min(out, pop));
    }
    bool fail(std::string why) {
        path_.why = std::move(why);
        return false;
    }
    const HostSideParams& side(int host) const { return ix_.side(host); }

    // One message's trip from host `from` to host `to`: its bytes are [seq_first, seq_end) of
    // `qpn`'s send stream; tx/rx are the frame carrying its last byte.
    struct Leg {
        uint32_t qpn = 0, seq_first = 0, seq_end = 0;
        Ps since = 0;
        const nic::TxFrameRecord* tx = nullptr;
        const nic::RxFrameRecord* rx = nullptr;
    };
    // The first transmission of the frame carrying the message's last byte that `to` received,
    // emitted at or after `since`.
    bool find_leg(int from, int to, Leg& leg);
    // Wire occupancy (preamble, frame, FCS, IFG) of the message's frames before the last one.
    Ps wire_before_last(int from, const Leg& leg) const;
    // Rows from `at_` to the frame's last beat out of the receiver's RX chain.
    // `data_floor`: the payload came by DMA from `src_addr` (msg_bytes long).
    void leg_rows(int from, int to, const Leg& leg, const std::string& prefix, const std::string& data_stage,
                  bool data_floor, uint64_t src_addr, uint32_t msg_bytes);
    bool host_and_sge_rows(const nic::WorkRecord*& work);
    bool finish_rows(int at_host, const Leg& leg, bool recv_cqe, uint32_t msg_bytes);

    const TraceIndex& ix_;
    const Testbed& sys_;
    OpPath path_;
    Ps at_ = 0;
};

bool PathBuilder::find_leg(int from, int to, Leg& leg) {
    // Even a zero-length message occupies stream bytes (MPA header, DDP header, CRC), so the
    // range is never empty for a message that went out.
    if (leg.seq_end == leg.seq_first) return false;
    const uint32_t last = leg.seq_end - 1;
    const auto& frames = ix_.data_frames(from, leg.qpn);
    for (size_t k = ix_.first_emitted_at(from, leg.qpn, leg.since); k < frames.size(); ++k) {
        const nic::TxFrameRecord& f = *frames[k];
        if (!covers(f.seq, f.payload, last)) continue;
        if (const nic::RxFrameRecord* r = ix_.received(to, f.frame_id)) {
            leg.tx = &f;
            leg.rx = r;
            return true;
        }
    }
    return false;
}

Ps PathBuilder::wire_before_last(int from, const Leg& leg) const {
    const Ps bt = net::byte_time_ps(sys_.params().link.rate_gbps);
    std::set<uint32_t> seen;  // first transmissions only
    Ps sum = 0;
    const auto& frames = ix_.data_frames(from, leg.qpn);
    for (size_t k = ix_.first_emitted_at(from, leg.qpn, leg.since); k < frames.size(); ++k) {
        const nic::TxFrameRecord& f = *frames[k];
        if (&f == leg.tx) break;  // frames after the last one are not ahead of it
        if (!covers(leg.seq_first, leg.seq_end - leg.seq_first, f.seq) || !seen.insert(f.seq).second) continue;
        if (f.wire_first_byte > leg.tx->wire_first_byte) continue;
        sum += Ps(proto::ethernet_wire_bytes(f.frame_bytes)) * bt;
    }
    return sum;
}

void PathBuilder::leg_rows(int from, int to, const Leg& leg, const std::string& prefix, const std::string& data_stage,
                           bool data_floor, uint64_t src_addr, uint32_t msg_bytes) {
    const nic::TxFrameRecord& tx = *leg.tx;
    const nic::RxFrameRecord& rx = *leg.rx;
    const HostSideParams& hs = side(from);
    const HostSideParams& hr = side(to);
    // Whichever came last decides when the frame could go: its payload bytes at ULP_TX, or
    // the TCP engine emitting the segment (send window, the WR reaching the endpoint).
    path_.wire_before_last += wire_before_last(from, leg);
    if (tx.data_ready > tx.emitted) {
        const Ps floor = data_floor ? read_dma_floor(hs, src_addr, msg_bytes, tx.payload) : 0;
        row(prefix + data_stage, tx.data_ready, data_floor, floor);
        if (data_floor) path_.stream_floor_excess += floor - read_dma_floor(hs, src_addr, msg_bytes, msg_bytes);
    } else
        row(prefix + "NIC: TCP emits the segment", tx.emitted);
    row(prefix + "NIC: TX queue -> offered to ULP_TX", tx.offered);
    const auto& txs = hs.nic.pipeline.tx;
    for (size_t s = 0; s < txs.size() && s < tx.chain.stages.size(); ++s)
        stage_row(prefix + "TX " + txs[s].name + " (first beat out)", tx.chain.stages[s].first_pop,
                  tx.chain.stages[s].first_out, tx_stage_floor(txs[s], txs[s ? s - 1 : 0], tx.frame_bytes));
    const net::LinkParams& link = sys_.params().link;
    const Ps bt = net::byte_time_ps(link.rate_gbps);
    row(prefix + "MAC TX -> first byte on the wire (preamble)", tx.wire_first_byte, true,
        Ps(proto::kEthernetPreambleSize) * bt);
    if (sys_.params().use_switch) {
        row(prefix + "wire: propagation to the switch", tx.wire_first_byte + link.propagation, true, link.propagation);
        row(prefix + "switch: port to port (first byte)", rx.first_byte - std::min(rx.first_byte, link.propagation),
            true, sys_.params().sw.latency);
        row(prefix + "wire: propagation switch -> peer", rx.first_byte, true, link.propagation);
    } else {
        row(prefix + "wire: propagation", rx.first_byte, true, link.propagation);
    }
    const size_t data_bytes =
        proto::ethernet_wire_bytes(tx.frame_bytes) - proto::kEthernetPreambleSize - proto::kEthernetMinIfgSize;
    row(prefix + "wire: serialization (frame + FCS, last byte in)", rx.last_byte, true, Ps(data_bytes) * bt);
    const auto& rxs = hr.nic.pipeline.rx;
    for (size_t s = 0; s < rxs.size() && s < rx.chain.stages.size(); ++s) {
        Ps floor = rx_stage_floor(rxs[s], tx.frame_bytes);
        // The MAC strips the FCS: its last beat may be offered before the FCS is in.
        if (s == 0) floor -= std::min(floor, Ps(proto::kEthernetFcsSize) * bt);
        stage_row(prefix + "RX " + rxs[s].name + " (last beat out)", rx.chain.stages[s].last_pop,
                  rx.chain.stages[s].last_out, floor);
    }
    FrameProcessing fp;
    for (size_t s = 0; s < txs.size() && s < tx.chain.stages.size(); ++s)
        (is_mac(txs[s].name) ? fp.tx_mac : fp.tx_offload) += tx.chain.stages[s].first_out - tx.chain.stages[s].first_pop;
    for (size_t s = 0; s < rxs.size() && s < rx.chain.stages.size(); ++s)
        (is_mac(rxs[s].name) ? fp.rx_mac : fp.rx_offload) += rx.chain.stages[s].last_out - rx.chain.stages[s].last_pop;
    path_.frames.push_back(fp);
}

// posted -> doorbell at the NIC -> WR handed to the pipeline.
bool PathBuilder::host_and_sge_rows(const nic::WorkRecord*& work) {
    const OpRecord& op = path_.op;
    const int i = op.initiator;
    work = ix_.work(i, op.qpn, op.wr_id, op.posted);
    if (!work) return fail("no work record for wr_id " + std::to_string(op.wr_id) + " (tracing off?)");
    if (!work->on_stream) return fail("the WR never reached the endpoint");
    // The doorbell (or push) whose slots cover the WR: the first at or after the post that
    // brings the QP's announced slots (free-running, as the SGE counts them) up to the WR's end.
    Ps doorbell = 0;
    const auto& bells = ix_.doorbells(i, op.qpn);
    auto d = std::lower_bound(bells.begin(), bells.end(), op.posted,
                              [](const TraceIndex::Doorbell& b, Ps t) { return b.at < t; });
    for (; d != bells.end(); ++d)
        if (int16_t(uint16_t(d->announced) - work->sq_cidx_after) >= 0) {
            doorbell = d->at;
            break;
        }
    if (!doorbell || doorbell > work->ready) return fail("no doorbell between post and WR ready");
    const HostSideParams& h = side(i);
    const pcie::PcieParams& pc = h.pcie;
    const uint32_t slots =
        work->pushed ? 1u : std::max(1u, host::ring::slots_needed(op.inline_data, op.inline_data ? op.size : 0, 1));
    const Ps mmio = pcie::analytic::serialize_ps(pc, pcie::analytic::mwr_overhead(pc) + (work->pushed ? 64 : 8));
    row(work->pushed ? "host: write WR + push MMIO (WC doorbell)" : "host: write WR + doorbell MMIO", doorbell, true,
        h.driver.post_cpu_ps * slots + pc.mmio_latency + pc.link_latency + mmio);
    const Ps T = sys_.host(i).sge.clock().period();
    const Ps decode_parse = Ps(h.sge.doorbell_cycles + h.sge.wr_parse_cycles) * T;
    if (work->pushed) {
        row("SGE: decode pushed WR + parse", work->ready, true, decode_parse);
    } else {
        const Ps fetch = pcie::analytic::serialize_ps(pc, pcie::analytic::mrd_overhead(pc)) + 2 * pc.link_latency +
                         pc.rc_read_latency.min() + h.mem.read_latency +
                         pcie::analytic::serialize_ps(pc, pcie::analytic::cpld_overhead(pc) + 64 * slots);
        row("SGE: decode doorbell, WR fetch (DMA) + parse", work->ready, true, decode_parse + fetch);
    }
    return true;
}

// Placement at `at_host` caused by the leg's frame (none for a zero-length message of
// `msg_bytes` == 0), the CQE when the op ends on one, the poll.
bool PathBuilder::finish_rows(int at_host, const Leg& leg, bool recv_cqe, uint32_t msg_bytes) {
    const OpRecord& op = path_.op;
    // The frame's latest placement the application could have seen by `done` (a frame may
    // also carry the start of the next message), else its latest.
    const nic::PlacementRecord* pl = nullptr;
    const nic::PlacementRecord* latest = nullptr;
    for (const nic::PlacementRecord* p : ix_.placements(at_host, leg.rx->frame_id)) {
        if (!p->done) continue;
        if (!latest || p->done > latest->done) latest = p;
        if (p->done <= op.done && (!pl || p->done > pl->done)) pl = p;
    }
    if (!pl) pl = latest;
    if (pl) {
        row("RX: TPT -> endpoint -> placement DMA issued", pl->issued);
        row("SGE: placement DMA write visible (PCIe MWr)", pl->done, true,
            write_dma_floor(side(at_host).pcie, pl->bytes));
    } else if (msg_bytes == 0) {
        // A zero-length message places nothing: its frame's empty DDP segment ends at the
        // endpoint (which completes a Send's receive WQE from there).
        row("RX: TPT -> endpoint (zero-length: nothing to place)", leg.rx->delivered);
    } else {
        return fail("no placement from the frame carrying the last byte");
    }
    // The CQE the poll saw: the frame's latest one written by `done` (a frame carrying several
    // messages completes several; a Read's is its own wr_id's).
    const nic::CompletionRecord* cqe = nullptr;
    for (const nic::CompletionRecord* c : ix_.completions(at_host, leg.rx->frame_id)) {
        if (c->recv != recv_cqe || !c->cqe_written || c->cqe_written > op.done) continue;
        if (!recv_cqe && c->wr_id != op.wr_id) continue;
        if (!cqe || c->cqe_written > cqe->cqe_written) cqe = c;
    }
    if (cqe) {
        const pcie::PcieParams& pc = side(at_host).pcie;
        row("SGE: CQE DMA write visible", cqe->cqe_written, true,
            pcie::analytic::serialize_ps(pc, pcie::analytic::mwr_overhead(pc) + host::ring::kCqe));
    }
    if (at_ > op.done) return fail("the data became visible after done");
    row("host: CPU poll sees the result", op.done);
    return true;
}

OpPath PathBuilder::build() {
    const OpRecord& op = path_.op;
    const int i = op.initiator, j = op.target, n = sys_.host_count();
    auto unmatched = [&] {
        path_.matched = false;
        return path_;
    };
    if (i < 0 || i >= n || j < 0 || j >= n || i == j || op.done < op.posted) {
        path_.why = "bad record (initiator, target or done < posted)";
        return unmatched();
    }
    const nic::WorkRecord* work = nullptr;
    if (!host_and_sge_rows(work)) return unmatched();
    Leg leg;
    leg.qpn = op.qpn;
    leg.seq_first = work->seq_first;
    leg.seq_end = work->seq_end;
    leg.since = work->ready;
    if (!find_leg(i, j, leg)) {
        path_.why = "the frame carrying the message's last byte was not received";
        return unmatched();
    }
    if (op.kind != OpKind::Read) {
        const bool inl = op.inline_data || work->payload_first == 0 || op.size == 0;
        leg_rows(i, j, leg, "", inl ? "SGE: inline payload beats" : "SGE: payload DMA (gather)", !inl,
                 work->payload_addr, op.size);
        if (!finish_rows(j, leg, op.kind == OpKind::Send, op.size)) return unmatched();
    } else {
        leg_rows(i, j, leg, "request: ", "", false, 0, 0);
        const nic::ReadSourceRecord* rs = nullptr;
        for (const nic::ReadSourceRecord* r : ix_.read_sources(j, leg.rx->frame_id))
            if (r->on_stream) {
                rs = r;
                break;
            }
        if (!rs) {
            path_.why = "the responder sourced no read response from the request frame";
            return unmatched();
        }
        row("responder: TPT -> endpoint -> read DMA issued", rs->issued);
        Leg back;
        back.qpn = rs->qpn;
        back.seq_first = rs->seq_first;
        back.seq_end = rs->seq_end;
        back.since = rs->issued;
        if (!find_leg(j, i, back)) {
            path_.why = "the frame carrying the response's last byte was not received";
            return unmatched();
        }
        leg_rows(j, i, back, "response: ", "read DMA at the responder (source data at ULP_TX)", true, rs->addr,
                 rs->bytes);
        if (!finish_rows(i, back, false, rs->bytes)) return unmatched();
    }
    path_.matched = true;
    return path_;
}

}  // namespace

OpPath critical_path(const TraceIndex& index, const OpRecord& op) { return PathBuilder(index, op).build(); }

OpPath critical_path(const Testbed& sys, const OpRecord& op) { return critical_path(TraceIndex(sys), op); }

std::string format_path(const OpPath& p) {
    if (!p.matched) return "  (unmatched: " + p.why + ")\n";
    std::string out;
    char line[200];
    for (const PathRow& r : p.rows) {
        if (r.has_floor)
            std::snprintf(line, sizeof line, "  %-58s %9.1f ns  (floor %.1f)\n", r.stage.c_str(), double(r.span()) / 1000.0,
                          double(r.floor) / 1000.0);
        else
            std::snprintf(line, sizeof line, "  %-58s %9.1f ns\n", r.stage.c_str(), double(r.span()) / 1000.0);
        out += line;
    }
    std::snprintf(line, sizeof line, "  %-58s %9.1f ns  (floor %.1f)\n", "TOTAL post -> done", double(p.total()) / 1000.0,
                  double(p.floor_total()) / 1000.0);
    return out + line;
}

}  // namespace nicsim::sim
