// The per-edge reference engine of a chain of pipeline stages (docs/pipeline_timing.md),
// incremental: add(frame) returns the frame's stage times like PipelineTimingEngine::add, so a
// model can run on either engine (nic.pipeline.mode = reference).
//
// It steps every edge of every clock and pops at most one beat per stage per edge, checking
// FIFO contents and credits as seen strictly before that edge. It shares only the beat
// bookkeeping (PipelineLayout) with the fast engine, never its arithmetic.
//
// Incremental without re-running from time 0: a frame cannot change anything that happened
// before the source wrote the last beat of the frame before it (beats enter the first FIFO in
// order, and nothing a beat does depends on later beats). So the engine keeps a checkpoint of
// its cursors at the start of that step; add() appends the frame, rewinds to the checkpoint
// and steps on until the new frame has left the last stage. Re-stepped edges recompute the
// same values for the earlier frames' beats, so their recorded times stay valid.
//
// Edges on which no beat is anywhere in the chain (every FIFO empty, nothing in flight, the
// next beat not yet offered) are skipped: nothing can happen on them.
//
// Memory: once a frame is placed, beats more than a FIFO depth below what the checkpoint has
// popped are never read again, and are dropped.
//
// Counters (counters()): each step adds the occupancy it leaves behind times the time to the
// next step, so the integral is built edge by edge (the fast engine sums per-beat intervals
// instead). They are part of the cursor, so re-stepped edges do not count twice.
#pragma once

#include <vector>

#include "nic/pipeline/pipeline_layout.h"
#include "nic/pipeline/sliding_history.h"
#include "nic/pipeline/stage_counters.h"

namespace nicsim::nic {

class PipelineReferenceEngine {
public:
    explicit PipelineReferenceEngine(std::vector<StageConfig> stages);

    // Frames must be added in the order they are offered. Throws std::invalid_argument if
    // the frame cannot pass the chain (see PipelineLayout::add_frame).
    FrameTiming add(const OfferedFrame& frame);

    const PipelineLayout& layout() const { return layout_; }
    // Largest FIFO occupancy each stage reached (beats written, in flight included, and not
    // yet popped): never above the stage's depth.
    const std::vector<uint64_t>& max_occupancy() const { return occupancy_peak_; }
    uint64_t steps() const { return steps_; }  // simulation steps taken, re-stepped ones included
    std::vector<StageCounters> counters() const;
    uint64_t held_beats() const;  // per-beat times held in memory, all stages

private:
    // Everything the stepping loop advances, apart from the per-beat times (which only grow).
    struct Cursor {
        std::vector<uint64_t> popped;    // [stage]: beats popped
        std::vector<uint64_t> written;   // [stage]: beats whose write time is known
        std::vector<timing::Ps> next_edge;  // [stage]
        uint64_t src = 0;                // beats the source has written into stage 0
        timing::Ps last_t = 0;
        bool first_step = true;
        std::vector<uint64_t> present;        // [stage]: beats whose write time has passed
        std::vector<StageCounters> counters;  // [stage]
        std::vector<uint64_t> area;           // [stage]: occupancy integral, beat-ps
        // A stalled frame's first beat: the frame and the edge before which it may not pop.
        std::vector<size_t> stall_frame;      // [stage]; SIZE_MAX: none yet
        std::vector<timing::Ps> stall_until;  // [stage]
    };

    void run();
    bool idle(const Cursor& c) const;

    PipelineLayout layout_;
    void forget_old_beats();

    SlidingHistory<timing::Ps> offer_;               // [stage-0 beat]: when the source offers it
    std::vector<SlidingHistory<timing::Ps>> write_;  // [stage][beat]
    std::vector<SlidingHistory<timing::Ps>> pop_;    // [stage][beat]
    std::vector<SlidingHistory<uint32_t>> stall_;    // [stage][frame]: OfferedFrame::stall_cycles
    Cursor now_, checkpoint_;
    std::vector<uint64_t> occupancy_peak_;
    uint64_t steps_ = 0;
};

// All frames at once, on a fresh PipelineReferenceEngine. `max_occupancy`, if given, receives
// the largest FIFO occupancy each stage reached.
std::vector<FrameTiming> simulate_reference(const std::vector<StageConfig>& stages,
                                            const std::vector<OfferedFrame>& frames,
                                            std::vector<uint64_t>* max_occupancy = nullptr);

}  // namespace nicsim::nic
