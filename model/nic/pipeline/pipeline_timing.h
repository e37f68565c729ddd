// The two timing engines of a chain of pipeline stages (docs/pipeline_timing.md).
//
// Fast mode, PipelineTimingEngine: each beat's pop time is the maximum of a handful of
// constraints (beat visible, one beat per cycle, header or whole frame present, a free slot
// downstream), computed in closed form when a frame is added: no clock is stepped, so an idle
// or a busy chain costs the same few operations per beat and no simulator events.
//
// Reference mode, PipelineReferenceEngine and simulate_reference() (pipeline_reference_engine.h,
// included here for the tests that compare the two): steps every edge of every clock and
// moves at most one beat per stage per edge, checking FIFO occupancy and credits as hardware
// would. It exists to prove the fast engine exact: both must give identical picosecond
// timestamps.
#pragma once

#include <vector>

#include "nic/pipeline/pipeline_layout.h"
#include "nic/pipeline/pipeline_reference_engine.h"
#include "nic/pipeline/sliding_history.h"
#include "nic/pipeline/stage_counters.h"

namespace nicsim::nic {

class PipelineTimingEngine {
public:
    explicit PipelineTimingEngine(std::vector<StageConfig> stages);

    // Frames must be added in the order they are offered. Throws std::invalid_argument if
    // the frame cannot pass the chain (see PipelineLayout::add_frame).
    FrameTiming add(const OfferedFrame& frame);

    const PipelineLayout& layout() const { return layout_; }
    std::vector<StageCounters> counters() const;
    // Per-beat times held in memory (all stages): bounded by the FIFO depths and the longest
    // frame, not by the run's length.
    uint64_t held_beats() const;

private:
    // Where a stage is in the frame being added, and the byte mapping to the stage below,
    // kept incrementally so the per-beat path needs no divisions.
    struct StageCursor {
        uint64_t next = 0, end = 0;  // beats of the frame at this stage: next to pop, one past the last
        uint64_t first = 0;          // the frame's first beat here
        uint64_t gate = 0;           // the beat the first pop waits for (header or last)
        uint64_t bytes_out = 0;      // bytes of the frame up to and including beat `next`
        uint64_t high = 0;           // downstream beat (frame-local) holding byte bytes_out - 1
        uint64_t down_written = 0;   // downstream beats (frame-local) written so far
        timing::Ps visible_edge = 0, credit_edge = 0;  // last answers of edge_after (see near_edge_after)
        uint64_t occupancy_q = 0;    // first beat not popped by the latest write (counters)
        timing::Ps stall = 0;        // the frame's stall here (OfferedFrame::stall_cycles), ps
    };
    struct StageRules {
        timing::Ps period = 0, latency = 0;
        uint32_t width = 0;
        uint64_t depth = 0;
        bool cut_through = true;
    };

    // Pops the frame's beats at stage s while everything they wait for is placed; returns
    // whether it popped any. Beats are placed (known) below these cursors: stage s's pops below
    // cur_[s].next, its writes below written_end(s).
    bool pop_run(size_t s, uint64_t frame_bytes);
    uint64_t written_end(size_t s) const {
        return s == 0 ? source_next_ : cur_[s].first + cur_[s - 1].down_written;
    }

    PipelineLayout layout_;
    std::vector<StageRules> rules_;
    std::vector<SlidingHistory<timing::Ps>> write_;  // [stage][beat]: written into the stage's FIFO
    std::vector<SlidingHistory<timing::Ps>> pop_;    // [stage][beat]: taken by the stage
    std::vector<StageCursor> cur_;
    uint64_t source_next_ = 0;                       // next stage-0 beat the source writes
    std::vector<StageCounters> counters_;
    std::vector<uint64_t> area_;                     // [stage] occupancy integral, beat-ps
};

}  // namespace nicsim::nic
