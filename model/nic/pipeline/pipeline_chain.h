// A timing chain as a model uses it, whichever engine computes it: frames go in, in the order
// they are offered, and come back with their stage times. Both engines give identical times
// (tb/nic/test_pipeline_timing.cpp, tb/nic/test_pipeline_modes.cpp); the reference one is
// only slower.
#pragma once

#include <memory>
#include <vector>

#include "nic/pipeline/pipeline_layout.h"
#include "nic/pipeline/pipeline_mode.h"
#include "nic/pipeline/stage_counters.h"

namespace nicsim::nic {

class PipelineChain {
public:
    virtual ~PipelineChain() = default;
    // Throws std::invalid_argument if the frame cannot pass the chain.
    virtual FrameTiming add(const OfferedFrame& frame) = 0;
    virtual const PipelineLayout& layout() const = 0;
    virtual PipelineMode mode() const = 0;
    // Per stage, for every frame added so far (all of which have left the chain).
    virtual std::vector<StageCounters> counters() const = 0;
};

// Throws std::invalid_argument for a chain that cannot work (see PipelineLayout).
std::unique_ptr<PipelineChain> make_pipeline_chain(PipelineMode mode, std::vector<StageConfig> stages);

}  // namespace nicsim::nic
