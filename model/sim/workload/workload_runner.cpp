#include "sim/workload/workload_runner.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace nicsim::sim {

void RunContext::advance(uint64_t n) const { progress.advance(n, double(timing::now_ps()) / 1e6); }

WorkloadResult run_workload(RunContext& ctx, const WorkloadSpec& w) {
    if (is_latency_kind(w.kind)) return run_latency(ctx, w);
    if (is_bandwidth_kind(w.kind)) return run_bandwidth(ctx, w);
    if (w.kind == WorkloadKind::SmbMix) return run_smb_mix(ctx, w);
    return run_trace_replay(ctx, w);
}

LatencyReport latency_from_samples(uint64_t bytes, std::vector<double> d) {
    LatencyReport r;
    r.bytes = bytes;
    r.iterations = d.size();
    if (d.empty()) return r;
    std::sort(d.begin(), d.end());
    const size_t n = d.size();
    r.t_min = d.front();
    r.t_max = d.back();
    r.t_typical = n % 2 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
    double sum = 0;
    for (double x : d) sum += x;
    r.t_avg = sum / double(n);
    double var = 0;
    for (double x : d) var += (x - r.t_avg) * (x - r.t_avg);
    r.t_stdev = std::sqrt(var / double(n));
    // perftest's rule: the sample at ceil(n * q), clamped to the last.
    r.p99 = d[std::min(n - 1, size_t(std::ceil(double(n) * 0.99)))];
    r.p99_9 = d[std::min(n - 1, size_t(std::ceil(double(n) * 0.999)))];
    return r;
}

}  // namespace nicsim::sim
