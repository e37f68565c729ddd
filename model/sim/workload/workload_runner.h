// Runs workloads on a Testbed, inside its body thread (everything here waits).
//
// Each kind has its runner (latency_runner.cpp, bandwidth_runner.cpp, smb_mix_runner.cpp,
// trace_replay_runner.cpp). Every runner appends one OpRecord per operation to `ops` and
// reports progress; a failure (an unsuccessful completion, a lost message) throws
// std::runtime_error.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/testbed.h"
#include "sim/workload/op_record.h"
#include "sim/workload/poller.h"
#include "sim/workload/progress_meter.h"
#include "sim/workload/workload_result.h"
#include "sim/workload/workload_spec.h"

namespace nicsim::sim {

struct RunContext {
    Testbed& sys;
    host::ConnParams conn;   // MPA settings of every connection
    uint32_t mtu = 1500;     // for the banners
    uint64_t seed = 1;       // sim.seed: random choices (smb_mix)
    timing::Ps patience = 0; // no progress for this long: the run failed (poller.h)
    ProgressMeter& progress;
    std::vector<OpRecord>& ops;

    void advance(uint64_t n) const;  // progress, with the simulated time now
};

WorkloadResult run_workload(RunContext& ctx, const WorkloadSpec& w);

WorkloadResult run_latency(RunContext& ctx, const WorkloadSpec& w);       // write/read/send_lat
WorkloadResult run_bandwidth(RunContext& ctx, const WorkloadSpec& w);     // write/read/send_bw
WorkloadResult run_smb_mix(RunContext& ctx, const WorkloadSpec& w);
WorkloadResult run_trace_replay(RunContext& ctx, const WorkloadSpec& w);

// Latency statistics straight from per-operation samples (smb_mix, trace_replay): no post
// deltas and no dropped tail, unlike perftest_latency; same fields and percentile rule.
LatencyReport latency_from_samples(uint64_t bytes, std::vector<double> samples_us);

}  // namespace nicsim::sim
