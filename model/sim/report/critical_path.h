// One operation's critical path through a Testbed, from OpRecord::posted to
// OpRecord::done, as telescoping rows: each row starts where the previous one ended, so the
// rows add up to done - posted exactly (docs/latency_budget.md).
//
// The path is read from both NICs' traces (T5NicParams::trace must be on at both hosts):
//   host post -> doorbell/push MMIO -> WR fetch + parse -> payload DMA (or TCP emit) ->
//   TX queue -> each TX stage (first beat out) -> preamble -> propagation [-> switch ->
//   propagation] -> serialization (last byte in) -> each RX stage (last beat out) ->
//   placement DMA -> [CQE] -> host poll.
// A Read runs that twice: the request to the responder, the responder's read DMA, the
// response back to the initiator. A multi-frame message runs through the frame that carries
// its last byte. Each row carries its floor (physical or configured minimum) where one exists.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/report/trace_index.h"
#include "sim/testbed.h"
#include "sim/workload/op_record.h"
#include "timing/sim_time.h"

namespace nicsim::sim {

struct PathRow {
    std::string stage;            // stable name: the aggregation key
    timing::Ps start = 0, end = 0;
    bool has_floor = false;
    timing::Ps floor = 0;         // the row cannot take less (0 with has_floor: nothing physical)
    // Pipeline stage rows: the stage's own part (the beat popped -> out); the rest of the span
    // is waiting (hand-off edge, clock crossing, FIFO queueing behind earlier frames).
    bool pipeline = false;
    timing::Ps processing = 0;
    timing::Ps span() const { return end - start; }
};

// The NIC pipeline's own processing of one frame on the path: per stage, first (TX) or last
// (RX) beat popped -> out, i.e. its latency cycles without FIFO waiting or serialization;
// "offload" = every stage but the MAC ones (names starting with "mac_").
struct FrameProcessing {
    timing::Ps tx_offload = 0, tx_mac = 0, rx_offload = 0, rx_mac = 0;
};

struct OpPath {
    OpRecord op;
    bool matched = false;
    std::string why;  // what could not be matched (matched == false)
    std::vector<PathRow> rows;
    std::vector<FrameProcessing> frames;  // the frames on the path (Read: request, response)
    // Multi-frame messages: wire time (preamble, frame, FCS, IFG) of the frames sent before
    // the last one, and how much the payload DMA rows' floors exceed one read round trip.
    timing::Ps wire_before_last = 0, stream_floor_excess = 0;

    timing::Ps total() const { return op.done - op.posted; }
    timing::Ps floor_sum() const;    // the rows' floors added up
    timing::Ps floor_total() const;  // the best lower bound on total(): >= floor_sum()
};

// Never throws for unmatched input: returns matched == false with the reason. With an index
// built once (trace_index.h) each call costs only the operation's own records; the second form
// builds one for a single call.
OpPath critical_path(const TraceIndex& index, const OpRecord& op);
OpPath critical_path(const Testbed& sys, const OpRecord& op);

// One path as a text table (stage, ns, floor), for logs and tests.
std::string format_path(const OpPath& p);

}  // namespace nicsim::sim
