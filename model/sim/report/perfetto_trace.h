// A Perfetto / Chrome trace (Trace Event Format JSON, docs/outputs.md) of a two-host run: open
// it in ui.perfetto.dev (or chrome://tracing). One process per NIC; in it one thread (track)
// per pipeline stage with a slice per frame while the stage pops it, the wire in each
// direction, SGE doorbells and CQE instants; async slices for work requests (doorbell -> WR
// ready, payload beats) and placement DMA writes (issued -> in host memory); given OpRecords,
// the application's operations (posted -> done) on an "operations" track of the host that
// initiated them (more lanes where operations overlap);
// counter tracks for the beats in each stage's FIFO (of its width; the peak per window) and the
// link utilisation per window.
// Everything per frame needs the NICs' traces (T5NicParams::trace); without them only the
// operations appear.
//
// Times are in microseconds with nanosecond precision (each start and end is rounded to the
// nanosecond, and a slice's duration is the difference of the rounded ends, so slices that do
// not overlap in picoseconds never overlap in the file). Events are written in time order.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/testbed.h"
#include "sim/workload/op_record.h"

namespace nicsim::sim {

// The trace's file name in a run's output folder.
inline constexpr const char* kPerfettoTraceFile = "trace.json";

struct PerfettoOptions {
    // Most events (slices, instants, counter samples; naming metadata not counted). When hit,
    // the earliest events are kept, the file says so in otherData.truncated / otherData.note.
    size_t max_events = 500'000;
    timing::Ps link_window = 0;  // link utilisation window; 0: elapsed / 500, at least 100 ns
    timing::Ps fifo_window = 0;  // FIFO counter window (peak beats per window); 0: elapsed / 4000, at least 1 ns
    timing::Ps elapsed = 0;      // end of the run; 0: now (sc_time_stamp)
};

struct PerfettoSummary {
    size_t events = 0;   // written (naming metadata not counted)
    size_t dropped = 0;  // left out by the cap
};

// The trace as JSON text.
std::string perfetto_trace_json(const Testbed& sys, const std::vector<OpRecord>& ops,
                                const PerfettoOptions& opt = {}, PerfettoSummary* summary = nullptr);

// Writes the trace to `file` (creating its folder). Throws std::runtime_error on a write error.
PerfettoSummary write_perfetto_trace(const Testbed& sys, const std::vector<OpRecord>& ops,
                                     const std::filesystem::path& file, const PerfettoOptions& opt = {});

// Track ids inside each NIC's process (also the order of the tracks in the UI).
namespace perfetto_tid {
constexpr int kSge = 1;
constexpr int kTxStage0 = 10;  // + stage index (nic_tx_blocks order)
constexpr int kWireTx = 20;
constexpr int kWireRx = 21;
constexpr int kRxStage0 = 30;  // + stage index (nic_rx_blocks order)
constexpr int kCompletions = 40;
constexpr int kOperations0 = 50;  // + lane: operations that overlap in time get more lanes

}  // namespace perfetto_tid

}  // namespace nicsim::sim
