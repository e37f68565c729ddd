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

namespace nicsim::nic {

class PipelineTimingEngine {
public:
    explicit PipelineTimingEngine(std::vector<StageConfig> stages);

    // Frames must be added in the order they are offered. Throws std::invalid_argument if
    // the frame cannot pass the chain (see PipelineLayout::add_frame).
    FrameTiming add(const OfferedFrame& frame);

    const PipelineLayout& layout() const { return layout_; }

private:
    bool try_pop(size_t s, size_t f, uint64_t n);  // beat n of frame f at stage s

    PipelineLayout layout_;
    std::vector<std::vector<timing::Ps>> write_;  // [stage][beat]: written into the stage's FIFO
    std::vector<std::vector<timing::Ps>> pop_;    // [stage][beat]: taken by the stage
    std::vector<uint64_t> next_write_;            // [stage]: next beat to be written
};

}  // namespace nicsim::nic
