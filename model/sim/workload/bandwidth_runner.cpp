// ib_write_bw, ib_read_bw and ib_send_bw: the initiators stream `iterations` messages per
// size in all, spread round-robin over `qps` connected QPs per flow with at most tx_depth
// outstanding per QP, every WR signaled; the targets keep receives posted for Sends. With
// several flows (e.g. incast) the table gives the aggregate over all of them. Bandwidth is perftest's: bytes over the
// time from the first post to the last completion, peak from the best per-message time over
// runs of consecutive messages (perftest_report.h), reported in Gb/s (--report_gbits).
#include <algorithm>
#include <stdexcept>

#include "sim/workload/qp_mesh.h"
#include "sim/workload/workload_runner.h"

namespace nicsim::sim {

namespace {

using timing::Ps;

OpKind op_of(WorkloadKind k) {
    return k == WorkloadKind::ReadBw ? OpKind::Read : k == WorkloadKind::SendBw ? OpKind::Send : OpKind::Write;
}

}  // namespace

WorkloadResult run_bandwidth(RunContext& ctx, const WorkloadSpec& w) {
    Testbed& sys = ctx.sys;
    const OpKind kind = op_of(w.kind);
    uint64_t region = 4096;
    for (uint32_t s : w.sizes) region = std::max<uint64_t>(region, (uint64_t(s) + 4095) / 4096 * 4096);
    const uint32_t rx_depth = kind == OpKind::Send ? std::max<uint32_t>(w.tx_depth * 2, 16) : 0;
    std::vector<MeshConnection> mesh =
        connect_mesh(sys, ctx.conn, {region, w.tx_depth, rx_depth}, connections_along(w.flows, w.qps));
    const uint32_t conns = uint32_t(mesh.size());
    Poller poller(Ps(w.poll_ns) * timing::kNs, ctx.patience);
    uint64_t recv_id = 1ull << 62;

    auto post_recv = [&](const MeshConnection& c) {
        HostNode& target = sys.host(c.flow.to);
        const MeshEnd& e = c.end[1];
        if (target.dev.post_recv(e.qp, {{++recv_id, {{e.sink(), uint32_t(region), e.mr->lkey}}}}) != 0)
            throw std::runtime_error("post_recv: " + target.dev.last_error());
    };
    if (kind == OpKind::Send)
        for (const MeshConnection& c : mesh)
            for (uint32_t k = 0; k < rx_depth; ++k) post_recv(c);
    // Receive credits (as SMB Direct grants them): an initiator sends on a QP only into a
    // receive the target's NIC has already fetched, since an iWARP Send finding no receive
    // terminates the connection. The NIC fetches receive WQEs one DMA round trip at a time, so
    // this can pace small Sends. A NIC counts fetches over all its QPs; they proceed in parallel
    // per QP, so each of the target's QPs is granted an equal share, less one for the fetch that
    // may be uneven. (Fetches still running for an earlier workload's QPs would be counted too:
    // a Send workload after a trace replay with Sends could overrun; none of the bundled
    // scenarios does that.)
    std::vector<uint64_t> fetched_before(size_t(sys.host_count()), 0), qps_into(size_t(sys.host_count()), 0);
    for (int h = 0; h < sys.host_count(); ++h) fetched_before[size_t(h)] = sys.host(h).nic.stats().recv_prefetches;
    for (const MeshConnection& c : mesh) ++qps_into[size_t(c.flow.to)];
    std::vector<uint64_t> sends_on(conns, 0);
    auto receive_credits = [&](int target) {
        const size_t t = size_t(target);
        return (sys.host(target).nic.stats().recv_prefetches - fetched_before[t]) / qps_into[t];
    };

    std::vector<BandwidthReport> rows;
    uint64_t wr_base = 0;
    for (uint32_t size : w.sizes) {
        const uint64_t total = w.iterations;
        std::vector<uint32_t> outstanding(conns, 0);
        std::vector<size_t> record_of(total);  // wr index -> ctx.ops index
        std::vector<double> posted_us, done_us;  // in post order, in completion order (as perftest)
        posted_us.reserve(total);
        done_us.reserve(total);
        uint64_t posted = 0, completed = 0, reported = 0;
        uint32_t next_qp = 0;
        while (completed < total) {
            // Post while some QP has room (round-robin, one WR per post as perftest does).
            for (uint32_t tried = 0; posted < total && tried < conns; ++tried) {
                const uint32_t q = next_qp;
                const MeshConnection& c = mesh[q];
                const MeshEnd& a = c.end[0];
                HostNode& initiator = sys.host(c.flow.from);
                if (outstanding[q] >= w.tx_depth || initiator.dev.sq_free(a.qp) < host::ring::kMaxSlots ||
                    (kind == OpKind::Send && sends_on[q] + 1 >= receive_credits(c.flow.to))) {
                    next_qp = (next_qp + 1) % conns;
                    continue;
                }
                const uint64_t id = wr_base + posted;
                const verbs::SendWr wr = make_wr(kind, id, a, c.end[1], region, size, w.inline_max);
                OpRecord r{kind,     size, c.flow.from, c.flow.to, a.qp->qpn, id, kind != OpKind::Read && size <= w.inline_max,
                           timing::now_ps(), 0};
                posted_us.push_back(double(r.posted) / 1e6);
                if (initiator.dev.post_send(a.qp, {wr}) != 0)
                    throw std::runtime_error("post_send: " + initiator.dev.last_error());
                record_of[posted] = ctx.ops.size();
                ctx.ops.push_back(r);
                ++outstanding[q];
                ++sends_on[q];
                ++posted;
                next_qp = (next_qp + 1) % conns;
                tried = 0;  // keep filling until every QP is full
                // Posting costs CPU time (the driver's post_cpu_ps delays the doorbell, not us).
            }
            // Completions: the initiators' send CQs; for Sends, the targets' receives are
            // consumed and re-posted.
            for (uint32_t q = 0; q < conns; ++q) {
                for (const verbs::WorkCompletion& wc : drain_cq(sys.host(mesh[q].flow.from), mesh[q].end[0].send_cq)) {
                    const uint64_t idx = wc.wr_id - wr_base;
                    if (idx >= posted) throw std::runtime_error("unexpected completion " + std::to_string(wc.wr_id));
                    ctx.ops[record_of[idx]].done = timing::now_ps();
                    done_us.push_back(double(timing::now_ps()) / 1e6);
                    --outstanding[q];
                    ++completed;
                }
                if (kind == OpKind::Send)
                    for (size_t n = drain_cq(sys.host(mesh[q].flow.to), mesh[q].end[1].recv_cq).size(); n > 0; --n)
                        post_recv(mesh[q]);
            }
            if (completed > reported) {
                ctx.advance(completed - reported);
                reported = completed;
                poller.progress();
            }
            if (completed < total) {
                if (poller.expired())
                    throw std::runtime_error("size " + std::to_string(size) + ": " + std::to_string(total - completed) +
                                             " of " + std::to_string(total) + " messages never completed");
                poller.wait();
            }
        }
        wr_base += total;
        rows.push_back(perftest_bandwidth(size, posted_us, done_us, true));
    }

    PerftestBanner banner;
    banner.title = kind == OpKind::Write ? "RDMA_Write BW Test" : kind == OpKind::Read ? "RDMA_Read BW Test" : "Send BW Test";
    banner.mtu = ctx.mtu;
    banner.qps = conns;
    banner.flows = flows_label(w.flows);
    banner.tx_depth = w.tx_depth;
    WorkloadResult out;
    out.kind = workload_kind_name(w.kind);
    out.table = format_banner(banner) + format_bandwidth_header(true);
    for (const BandwidthReport& r : rows) {
        out.table += format_bandwidth_row(r);
        SummaryRow s;
        s.workload = out.kind;
        s.size = r.bytes;
        s.iterations = r.iterations;
        s.bw_avg_gbps = r.bw_average;
        s.bw_peak_gbps = r.bw_peak;
        s.msg_rate_mpps = r.msg_rate_mpps;
        out.summary.push_back(s);
    }
    out.json = bandwidth_json(banner, rows);
    return out;
}

}  // namespace nicsim::sim
