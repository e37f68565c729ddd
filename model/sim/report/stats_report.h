// stats.json and stats.csv of a two-host run (docs/outputs.md): every counter the blocks keep
// (NIC, SGE, PCIe link, Ethernet links, switch), per-stage utilisation and FIFO occupancy of
// both NICs' TX and RX chains, and, when the NICs traced the run (T5NicParams::trace), the
// per-frame distributions: residence time per stage, frame sizes, NIC pipeline latency,
// placement DMA latency and size, WR payload gather time.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "nic/pipeline/stage_counters.h"
#include "sim/stats/stats_registry.h"
#include "sim/stats/trace_stage_counters.h"
#include "sim/testbed.h"
#include "sim/workload/op_record.h"

namespace nicsim::sim {

// A NIC's per-stage counters and where they came from: "engine" (the chains count while they
// time frames: PipelineChain::counters()) or "trace" (rebuilt from the NIC trace:
// sim/stats/trace_stage_counters.h); empty with source "none" when neither is available.
struct NicStageCounters {
    std::vector<nic::StageCounters> tx, rx;
    std::string source = "none";
};
// The engines' counters when this build's PipelineChain has counters(), else the trace's.
NicStageCounters nic_stage_counters(const nic::T5Nic& nic);
// Always the ones rebuilt from the trace (source "none" when the NIC did not trace).
NicStageCounters trace_stage_counters(const nic::T5Nic& nic);
// A traced NIC's TX and RX frames as the trace-built FIFO estimate takes them
// (sim/stats/trace_stage_counters.h): bytes, the source's beat interval, stage times; only
// frames with a time at every stage of their chain.
struct NicTracedFrames {
    std::vector<stats::TracedFrame> tx, rx;
};
NicTracedFrames nic_traced_frames(const nic::T5Nic& nic);
// Whether PipelineChain::counters() exists in this build (it comes with branch `speed`).
bool engine_stage_counters_available();

// The span of a workload's operations, [first post, last done): the window over which a
// saturated resource reads ~100% (the whole run also holds connection set-up and the idle
// tail, e.g. the delayed-ACK timer). None without operations.
struct StatsWindow {
    timing::Ps start = 0, end = 0;
};
std::optional<StatsWindow> workload_window(const std::vector<OpRecord>& ops);

// Everything above as named stats ("a.nic.tx_frames", "b.nic.rx.mpa_rx.utilisation", ...);
// `elapsed` is the end of the run (`utilisation`: busy time over [0, elapsed]). With a window,
// also `utilisation_window` (busy time inside the window over its length) for every link
// direction, PCIe direction and, when the NIC traced, pipeline stage.
stats::StatsRegistry collect_stats(const Testbed& sys, timing::Ps elapsed,
                                   const std::optional<StatsWindow>& window = std::nullopt);

inline constexpr const char* kStatsJsonFile = "stats.json";
inline constexpr const char* kStatsCsvFile = "stats.csv";

// Writes dir/stats.json and dir/stats.csv (creating dir); the run ends now (sc_time_stamp),
// or at `elapsed`. Throws std::runtime_error if a file cannot be written.
void write_stats(const Testbed& sys, const std::filesystem::path& dir);
void write_stats(const Testbed& sys, const std::filesystem::path& dir, timing::Ps elapsed,
                 const std::optional<StatsWindow>& window = std::nullopt);
// The run ends now; the window is the operations' span (workload_window).
void write_stats(const Testbed& sys, const std::filesystem::path& dir, const std::vector<OpRecord>& ops);

}  // namespace nicsim::sim
