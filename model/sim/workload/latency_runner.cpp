// ib_write_lat, ib_send_lat and ib_read_lat over one connected QP (ecosystem.md §6), along
// the workload's one flow: A below is its initiator, B its target.
//
// write_lat: A writes `size` bytes into B's buffer; B's CPU polls the buffer's last byte every
//   poll_ns and, on seeing the new value, writes back; A polls likewise and posts the next
//   iteration. Latency = A's consecutive post times / 2.
// send_lat: the same ping-pong with Sends into receives each side keeps posted; each side
//   polls its receive CQ. Latency = A's consecutive post times / 2.
// read_lat: A reads `size` bytes of B's buffer and polls its CQ for the completion, then
//   posts the next Read. Latency = A's consecutive post times (the full round trip).
// WRs up to inline_max bytes are posted inline, as perftest does.
#include <algorithm>
#include <stdexcept>

#include "sim/workload/qp_mesh.h"
#include "sim/workload/workload_runner.h"

namespace nicsim::sim {

namespace {

using timing::Ps;

uint64_t region_for(const WorkloadSpec& w) {
    uint64_t r = 4096;
    for (uint32_t s : w.sizes) r = std::max<uint64_t>(r, (uint64_t(s) + 4095) / 4096 * 4096);
    return r;
}

// Waits until host i's send queue has room for another WR, consuming its send completions.
void wait_for_sq_room(Testbed& sys, int i, const MeshEnd& e, Poller& poller) {
    if (!poller.until([&] {
            drain_cq(sys.host(i), e.send_cq);
            return sys.host(i).dev.sq_free(e.qp) >= host::ring::kMaxSlots;
        }))
        throw std::runtime_error("the send queue never drained (no completions)");
}

void post(Testbed& sys, int i, const MeshEnd& e, const verbs::SendWr& wr) {
    if (sys.host(i).dev.post_send(e.qp, {wr}) != 0)
        throw std::runtime_error("post_send: " + sys.host(i).dev.last_error());
}

void post_recv(Testbed& sys, int i, const MeshEnd& e, uint64_t wr_id, uint32_t len) {
    if (sys.host(i).dev.post_recv(e.qp, {{wr_id, {{e.sink(), len, e.mr->lkey}}}}) != 0)
        throw std::runtime_error("post_recv: " + sys.host(i).dev.last_error());
}

std::string op_failure(const char* what, uint32_t size, uint32_t it) {
    return "size " + std::to_string(size) + ": " + what + " " + std::to_string(it) + " never completed";
}

}  // namespace

WorkloadResult run_latency(RunContext& ctx, const WorkloadSpec& w) {
    Testbed& sys = ctx.sys;
    const uint64_t region = region_for(w);
    const bool recvs = w.kind == WorkloadKind::SendLat;
    std::vector<MeshConnection> mesh = connect_mesh(sys, ctx.conn, {region, 16, recvs ? 4u : 0u}, {w.flows.at(0)});
    const MeshEnd* end[2] = {&mesh[0].end[0], &mesh[0].end[1]};
    const int host[2] = {mesh[0].host(0), mesh[0].host(1)};  // side -> host index
    Poller poller(Ps(w.poll_ns) * timing::kNs, ctx.patience);
    uint64_t wr_id = 0;
    uint8_t value = 0;
    std::vector<LatencyReport> rows;

    if (recvs) {
        uint64_t before[2];
        for (int i = 0; i < 2; ++i) {
            before[i] = sys.host(host[i]).nic.stats().recv_prefetches;
            for (int k = 0; k < 4; ++k) post_recv(sys, host[i], *end[i], ++wr_id, uint32_t(region));
        }
        for (int i = 0; i < 2; ++i) wait_receives_fetched(sys, host[i], before[i], 4, ctx.patience);
    }

    for (uint32_t size : w.sizes) {
        std::vector<double> posts;
        for (uint32_t it = 0; it < w.iterations; ++it) {
            if (w.kind == WorkloadKind::ReadLat) {
                wait_for_sq_room(sys, host[0], *end[0], poller);
                OpRecord r{OpKind::Read, size, host[0], host[1], end[0]->qp->qpn, ++wr_id, false, timing::now_ps(), 0};
                posts.push_back(double(r.posted) / 1e6);
                post(sys, host[0], *end[0], make_wr(OpKind::Read, r.wr_id, *end[0], *end[1], region, size, w.inline_max));
                bool seen = false;
                if (!poller.until([&] {
                        for (const auto& wc : drain_cq(sys.host(host[0]), end[0]->send_cq)) seen |= wc.wr_id == r.wr_id;
                        return seen;
                    }))
                    throw std::runtime_error(op_failure("read", size, it));
                r.done = timing::now_ps();
                ctx.ops.push_back(r);
                ctx.advance(1);
                continue;
            }
            for (int side = 0; side < 2; ++side) {
                const MeshEnd& src = *end[side];
                const MeshEnd& dst = *end[1 - side];
                const OpKind kind = recvs ? OpKind::Send : OpKind::Write;
                if (!recvs) {
                    value = uint8_t(value % 255 + 1);  // never 0, never the previous value
                    sys.host(host[side]).mem.write(src.source(region) + size - 1, &value, 1);
                }
                wait_for_sq_room(sys, host[side], src, poller);
                verbs::SendWr wr = make_wr(kind, ++wr_id, src, dst, region, size, w.inline_max);
                OpRecord r{kind, size, host[side], host[1 - side], src.qp->qpn, wr.wr_id, size <= w.inline_max,
                           timing::now_ps(), 0};
                if (side == 0) posts.push_back(double(r.posted) / 1e6);
                post(sys, host[side], src, wr);
                HostNode& peer = sys.host(host[1 - side]);
                bool arrived;
                if (recvs) {
                    // The peer polls its receive CQ, then re-posts the receive it consumed.
                    arrived = poller.until([&] { return !drain_cq(peer, dst.recv_cq).empty(); });
                    if (arrived) post_recv(sys, host[1 - side], dst, ++wr_id, uint32_t(region));
                } else {
                    // The peer's CPU polls the last byte of its buffer.
                    const uint64_t flag = dst.sink() + size - 1;
                    arrived = poller.until([&] { return peer.mem.read(flag, 1)[0] == value; });
                }
                if (!arrived) throw std::runtime_error(op_failure(recvs ? "send" : "write", size, it));
                r.done = timing::now_ps();
                ctx.ops.push_back(r);
                ctx.advance(1);
            }
        }
        rows.push_back(perftest_latency(size, posts, w.kind == WorkloadKind::ReadLat ? 1 : 2));
    }

    PerftestBanner banner;
    banner.title = w.kind == WorkloadKind::WriteLat ? "RDMA_Write Latency Test"
                   : w.kind == WorkloadKind::ReadLat ? "RDMA_Read Latency Test"
                                                    : "Send Latency Test";
    banner.mtu = ctx.mtu;
    banner.flows = flows_label(w.flows);
    WorkloadResult out;
    out.kind = workload_kind_name(w.kind);
    out.table = format_banner(banner) + format_latency_header();
    for (const LatencyReport& r : rows) {
        out.table += format_latency_row(r);
        out.summary.push_back(latency_summary_row(out.kind, r));
    }
    out.json = latency_json(banner, rows);
    return out;
}

}  // namespace nicsim::sim
