// An SMB-Direct-like file I/O mix: each flow's initiator (a client) keeps queue_depth
// operations outstanding to its target (a file server), spread round-robin over the flow's
// `qps` QPs; `ops` operations in all, over every flow. Each is an RDMA Read (with probability
// read_fraction) or an RDMA Write of a size drawn from the weighted size list, from a random
// stream seeded by sim.seed. An operation's latency runs from its post to the poll that
// found its completion. Reported: IOPS, Gb/s and latency percentiles, per size and overall.
#include <algorithm>
#include <cstdio>
#include <random>
#include <stdexcept>

#include "sim/workload/qp_mesh.h"
#include "sim/workload/workload_runner.h"

namespace nicsim::sim {

namespace {

using timing::Ps;

std::string fmt_row(const char* label, uint64_t ops, uint64_t reads, double iops, double gbps, const LatencyReport& l) {
    char buf[256];
    std::snprintf(buf, sizeof buf, " %-9s %-8llu %-8llu %-10.0f %-9.3f %-8.2f %-8.2f %-8.2f %-8.2f %-8.2f %-8.2f\n", label,
                  static_cast<unsigned long long>(ops), static_cast<unsigned long long>(reads), iops, gbps, l.t_min,
                  l.t_avg, l.t_typical, l.p99, l.p99_9, l.t_max);
    return buf;
}

}  // namespace

WorkloadResult run_smb_mix(RunContext& ctx, const WorkloadSpec& w) {
    Testbed& sys = ctx.sys;
    uint64_t region = 4096;
    for (const WeightedSize& m : w.mix) region = std::max<uint64_t>(region, (uint64_t(m.size) + 4095) / 4096 * 4096);
    const uint32_t per_qp = (w.queue_depth + w.qps - 1) / w.qps;
    std::vector<MeshConnection> mesh =
        connect_mesh(sys, ctx.conn, {region, per_qp, 0}, connections_along(w.flows, w.qps));
    const uint32_t conns = uint32_t(mesh.size());
    Poller poller(Ps(w.poll_ns) * timing::kNs, ctx.patience);

    std::mt19937_64 rng(ctx.seed);
    std::vector<double> weights;
    for (const WeightedSize& m : w.mix) weights.push_back(m.weight);
    std::discrete_distribution<size_t> pick_size(weights.begin(), weights.end());
    std::uniform_real_distribution<double> coin(0, 1);

    const size_t first = ctx.ops.size();
    // Connection q belongs to flow q / qps (connections_along); each flow its own queue depth.
    std::vector<uint32_t> inflight(w.flows.size(), 0);
    uint64_t posted = 0, completed = 0;
    uint32_t next_qp = 0;
    const Ps start = timing::now_ps();
    while (completed < w.ops) {
        for (uint32_t tried = 0; posted < w.ops && tried < conns; ++tried) {
            const uint32_t q = next_qp;
            next_qp = (next_qp + 1) % conns;
            const MeshConnection& c = mesh[q];
            const MeshEnd& a = c.end[0];
            HostNode& client = sys.host(c.flow.from);
            if (inflight[q / w.qps] >= w.queue_depth || client.dev.sq_free(a.qp) < host::ring::kMaxSlots) continue;
            const OpKind kind = coin(rng) < w.read_fraction ? OpKind::Read : OpKind::Write;
            const uint32_t size = w.mix[pick_size(rng)].size;
            OpRecord r{kind, size, c.flow.from, c.flow.to, a.qp->qpn, posted, false, timing::now_ps(), 0};
            if (client.dev.post_send(a.qp, {make_wr(kind, r.wr_id, a, c.end[1], region, size, 0)}) != 0)
                throw std::runtime_error("post_send: " + client.dev.last_error());
            ctx.ops.push_back(r);
            ++posted;
            ++inflight[q / w.qps];
            tried = 0;  // keep filling until every flow is at its queue depth
        }
        uint64_t now_done = 0;
        for (uint32_t q = 0; q < conns; ++q) {
            for (const verbs::WorkCompletion& wc : drain_cq(sys.host(mesh[q].flow.from), mesh[q].end[0].send_cq)) {
                if (wc.wr_id >= posted) throw std::runtime_error("unexpected completion " + std::to_string(wc.wr_id));
                ctx.ops[first + wc.wr_id].done = timing::now_ps();
                --inflight[q / w.qps];
                ++now_done;
            }
        }
        if (now_done) {
            completed += now_done;
            ctx.advance(now_done);
            poller.progress();
        }
        if (completed < w.ops) {
            if (poller.expired())
                throw std::runtime_error(std::to_string(w.ops - completed) + " operations never completed");
            poller.wait();
        }
    }
    const double total_s = double(timing::now_ps() - start) / 1e12;

    // Per size, then overall.
    std::vector<uint32_t> sizes;
    for (const WeightedSize& m : w.mix)
        if (std::find(sizes.begin(), sizes.end(), m.size) == sizes.end()) sizes.push_back(m.size);
    std::sort(sizes.begin(), sizes.end());
    WorkloadResult out;
    out.kind = workload_kind_name(w.kind);
    char head[512];
    std::snprintf(head, sizeof head,
                  "%s\n                           SMB-Direct-like I/O mix (RDMA Read/Write)\n"
                  " Operations      : %u\t\tRead fraction  : %.2f\n"
                  " Queue depth     : %u\t\tNumber of qps  : %u\n"
                  " Seed            : %llu\t\tMtu            : %u[B]\n",
                  std::string(87, '-').c_str(), w.ops, w.read_fraction, w.queue_depth, conns,
                  static_cast<unsigned long long>(ctx.seed), ctx.mtu);
    out.table = head + flows_line(w.flows) + std::string(87, '-') + "\n";
    out.table += " #bytes    #ops     #reads   IOPS       BW[Gb/s]  lat_min  lat_avg  p50      p99      p99.9    lat_max [usec]\n";
    std::string json = "{\"test_info\": {\"test\": \"SMB-Direct-like mix\", \"operations\": " + std::to_string(w.ops) +
                       ", \"read_fraction\": " + std::to_string(w.read_fraction) + ", \"queue_depth\": " +
                       std::to_string(w.queue_depth) + ", \"number_of_qps\": " + std::to_string(conns) +
                       ", \"flows\": \"" + flows_summary(w.flows) + "\"" +
                       ", \"seed\": " + std::to_string(ctx.seed) + ", \"mtu\": " + std::to_string(ctx.mtu) +
                       "}, \"results\": [";
    auto entry = [&](const std::string& size_field, uint64_t n, uint64_t reads, uint64_t bytes, const LatencyReport& l) {
        char b[512];
        std::snprintf(b, sizeof b,
                      "{%s, \"n_ops\": %llu, \"reads\": %llu, \"IOPS\": %.1f, \"BW_average\": %.3f, \"unit\": \"Gb/sec\", "
                      "\"t_min\": %.3f, \"t_avg\": %.3f, \"t_typical\": %.3f, \"percentile_99\": %.3f, "
                      "\"percentile_99.9\": %.3f, \"t_max\": %.3f}",
                      size_field.c_str(), static_cast<unsigned long long>(n), static_cast<unsigned long long>(reads),
                      double(n) / total_s, double(bytes) * 8 / total_s / 1e9, l.t_min, l.t_avg, l.t_typical, l.p99,
                      l.p99_9, l.t_max);
        return std::string(b);
    };
    std::vector<double> all_lat;
    uint64_t all_reads = 0, all_bytes = 0;
    for (size_t si = 0; si < sizes.size(); ++si) {
        const uint32_t size = sizes[si];
        std::vector<double> lat;
        uint64_t reads = 0;
        for (size_t i = first; i < ctx.ops.size(); ++i) {
            const OpRecord& r = ctx.ops[i];
            if (r.size != size) continue;
            lat.push_back(double(r.done - r.posted) / 1e6);
            reads += r.kind == OpKind::Read;
        }
        all_lat.insert(all_lat.end(), lat.begin(), lat.end());
        all_reads += reads;
        all_bytes += uint64_t(size) * lat.size();
        if (lat.empty()) continue;  // a size the random draw never chose
        const LatencyReport l = latency_from_samples(size, lat);
        const double iops = double(lat.size()) / total_s, gbps = double(size) * double(lat.size()) * 8 / total_s / 1e9;
        out.table += fmt_row(std::to_string(size).c_str(), lat.size(), reads, iops, gbps, l);
        json += std::string(json.back() == '[' ? "" : ", ") + entry("\"MsgSize\": " + std::to_string(size), lat.size(), reads,
                                         uint64_t(size) * lat.size(), l);
        SummaryRow s = latency_summary_row(out.kind, l);
        s.bw_avg_gbps = gbps;
        s.msg_rate_mpps = iops / 1e6;
        out.summary.push_back(s);
    }
    const LatencyReport all = latency_from_samples(0, all_lat);
    out.table += fmt_row("all", all_lat.size(), all_reads, double(all_lat.size()) / total_s,
                         double(all_bytes) * 8 / total_s / 1e9, all);
    out.json = json + "], \"total\": " + entry("\"MsgSize\": \"mix\"", all_lat.size(), all_reads, all_bytes, all) + "}\n";
    return out;
}

}  // namespace nicsim::sim
