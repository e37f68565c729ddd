// Replays a message trace (trace_file.h): each operation is posted at its time after the
// replay starts, on its QP, or as soon after as the QP's send queue has room. The trace's QP k
// runs along flow k mod (number of flows): its initiator posts, its target keeps a receive
// posted for every Send still to come on that QP. Latency of an operation: from its post to
// the poll that found its completion (the initiator's CQ for Writes and Reads, the target's
// receive CQ for Sends). Reported per (op, size) and overall.
#include <algorithm>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "sim/workload/qp_mesh.h"
#include "sim/workload/workload_runner.h"

namespace nicsim::sim {

namespace {
using timing::Ps;
}  // namespace

WorkloadResult run_trace_replay(RunContext& ctx, const WorkloadSpec& w) {
    Testbed& sys = ctx.sys;
    const Trace& t = w.trace;
    uint64_t region = 4096;
    std::vector<uint32_t> sends_on(t.qps, 0);
    for (const TraceEntry& e : t.entries) {
        region = std::max<uint64_t>(region, (uint64_t(e.size) + 4095) / 4096 * 4096);
        if (e.op == OpKind::Send) ++sends_on[e.qp];
    }
    constexpr uint32_t kRecvWindow = 64;  // receives kept posted per QP
    std::vector<Flow> conns;
    for (uint32_t q = 0; q < t.qps; ++q) conns.push_back(w.flows[q % w.flows.size()]);
    std::vector<MeshConnection> mesh = connect_mesh(sys, ctx.conn, {region, 64, kRecvWindow}, conns);
    Poller poller(Ps(w.poll_ns) * timing::kNs, ctx.patience);
    std::vector<uint32_t> recvs_left = sends_on;
    auto post_recv = [&](uint32_t q) {
        const MeshEnd& b = mesh[q].end[1];
        HostNode& target = sys.host(mesh[q].flow.to);
        if (recvs_left[q] == 0) return;
        --recvs_left[q];
        if (target.dev.post_recv(b.qp, {{0, {{b.sink(), uint32_t(region), b.mr->lkey}}}}) != 0)
            throw std::runtime_error("post_recv: " + target.dev.last_error());
    };
    // Every target's NIC must have fetched its first window of receives before the first Send.
    std::vector<uint64_t> fetched_before(size_t(sys.host_count())), first_window(size_t(sys.host_count()), 0);
    for (int h = 0; h < sys.host_count(); ++h) fetched_before[size_t(h)] = sys.host(h).nic.stats().recv_prefetches;
    for (uint32_t q = 0; q < t.qps; ++q) {
        first_window[size_t(mesh[q].flow.to)] += std::min(kRecvWindow, sends_on[q]);
        for (uint32_t k = 0; k < kRecvWindow; ++k) post_recv(q);
    }
    for (int h = 0; h < sys.host_count(); ++h)
        if (first_window[size_t(h)])
            wait_receives_fetched(sys, h, fetched_before[size_t(h)], first_window[size_t(h)], ctx.patience);

    const size_t first = ctx.ops.size();
    // Sends complete at the target's receive CQ, in order per QP: the oldest unfinished Send of the QP.
    std::vector<std::vector<size_t>> pending_sends(t.qps);
    std::vector<size_t> send_head(t.qps, 0);
    const Ps start = timing::now_ps();
    size_t next = 0, completed = 0;
    while (completed < t.entries.size()) {
        while (next < t.entries.size() && start + Ps(t.entries[next].time_ns) * timing::kNs <= timing::now_ps()) {
            const TraceEntry& e = t.entries[next];
            const MeshConnection& c = mesh[e.qp];
            const MeshEnd& a = c.end[0];
            HostNode& initiator = sys.host(c.flow.from);
            if (initiator.dev.sq_free(a.qp) < host::ring::kMaxSlots) break;  // late: posted when there is room
            OpRecord r{e.op, e.size, c.flow.from, c.flow.to, a.qp->qpn, next, e.op != OpKind::Read && e.size <= w.inline_max,
                       timing::now_ps(), 0};
            if (initiator.dev.post_send(a.qp, {make_wr(e.op, next, a, c.end[1], region, e.size, w.inline_max)}) != 0)
                throw std::runtime_error("post_send: " + initiator.dev.last_error());
            if (e.op == OpKind::Send) pending_sends[e.qp].push_back(ctx.ops.size());
            ctx.ops.push_back(r);
            ++next;
        }
        size_t now_done = 0;
        for (uint32_t q = 0; q < t.qps; ++q) {
            for (const verbs::WorkCompletion& wc : drain_cq(sys.host(mesh[q].flow.from), mesh[q].end[0].send_cq)) {
                OpRecord& r = ctx.ops[first + wc.wr_id];
                if (r.kind != OpKind::Send) {
                    r.done = timing::now_ps();
                    ++now_done;
                }
            }
            for (size_t n = drain_cq(sys.host(mesh[q].flow.to), mesh[q].end[1].recv_cq).size(); n > 0; --n) {
                if (send_head[q] >= pending_sends[q].size()) throw std::runtime_error("a receive completed with no Send");
                ctx.ops[pending_sends[q][send_head[q]++]].done = timing::now_ps();
                ++now_done;
                post_recv(q);
            }
        }
        if (now_done) {
            completed += now_done;
            ctx.advance(now_done);
            poller.progress();
        }
        if (completed < t.entries.size()) {
            if (poller.expired() && completed == next)
                throw std::runtime_error(std::to_string(t.entries.size() - completed) + " trace operations never completed");
            // Sleep until the next poll or the next operation's time, whichever comes first.
            Ps step = poller.period();
            if (next < t.entries.size()) {
                const Ps due = start + Ps(t.entries[next].time_ns) * timing::kNs;
                if (due > timing::now_ps() && completed == next) {
                    step = due - timing::now_ps();
                    poller.progress();  // idle by design, not stuck
                }
            }
            sc_core::wait(timing::to_sc(step));
        }
    }
    const double total_s = double(timing::now_ps() - start) / 1e12;

    // One row per (op, size), in the order of op then size.
    std::map<std::pair<int, uint32_t>, std::vector<double>> groups;
    for (size_t i = first; i < ctx.ops.size(); ++i) {
        const OpRecord& r = ctx.ops[i];
        groups[{int(r.kind), r.size}].push_back(double(r.done - r.posted) / 1e6);
    }
    WorkloadResult out;
    out.kind = workload_kind_name(w.kind);
    char head[512];
    std::snprintf(head, sizeof head,
                  "%s\n                                 Trace replay\n"
                  " Trace           : %s\n Operations      : %zu\t\tNumber of qps  : %u\n Mtu             : %u[B]\n",
                  std::string(87, '-').c_str(), w.trace_path.c_str(), t.entries.size(), t.qps, ctx.mtu);
    out.table = head + flows_line(w.flows) + std::string(87, '-') + "\n";
    out.table += " op     #bytes    #ops     BW[Gb/s]  lat_min  lat_avg  p50      p99      p99.9    lat_max [usec]\n";
    std::string json = "{\"test_info\": {\"test\": \"Trace replay\", \"trace\": \"" + w.trace_path +
                       "\", \"operations\": " + std::to_string(t.entries.size()) +
                       ", \"number_of_qps\": " + std::to_string(t.qps) + ", \"flows\": \"" + flows_summary(w.flows) +
                       "\", \"mtu\": " + std::to_string(ctx.mtu) +
                       "}, \"results\": [";
    for (const auto& [key, lat] : groups) {
        const OpKind op = OpKind(key.first);
        const uint32_t size = key.second;
        const LatencyReport l = latency_from_samples(size, lat);
        const double gbps = double(size) * double(lat.size()) * 8 / total_s / 1e9;
        char row[256];
        std::snprintf(row, sizeof row, " %-6s %-9u %-8zu %-9.3f %-8.2f %-8.2f %-8.2f %-8.2f %-8.2f %-8.2f\n", op_kind_name(op),
                      size, lat.size(), gbps, l.t_min, l.t_avg, l.t_typical, l.p99, l.p99_9, l.t_max);
        out.table += row;
        char j[512];
        std::snprintf(j, sizeof j,
                      "%s{\"op\": \"%s\", \"MsgSize\": %u, \"n_ops\": %zu, \"BW_average\": %.3f, \"unit\": \"Gb/sec\", "
                      "\"t_min\": %.3f, \"t_avg\": %.3f, \"t_typical\": %.3f, \"percentile_99\": %.3f, "
                      "\"percentile_99.9\": %.3f, \"t_max\": %.3f}",
                      json.back() == '[' ? "" : ", ", op_kind_name(op), size, lat.size(), gbps, l.t_min, l.t_avg,
                      l.t_typical, l.p99, l.p99_9, l.t_max);
        json += j;
        // One row per (op, size).
        SummaryRow s = latency_summary_row(out.kind + std::string("_") + op_kind_name(op), l);
        s.bw_avg_gbps = gbps;
        s.msg_rate_mpps = double(lat.size()) / total_s / 1e6;
        out.summary.push_back(s);
    }
    out.json = json + "]}\n";
    return out;
}

}  // namespace nicsim::sim
