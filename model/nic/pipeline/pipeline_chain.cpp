#include "nic/pipeline/pipeline_chain.h"

#include "nic/pipeline/pipeline_reference_engine.h"
#include "nic/pipeline/pipeline_timing.h"

namespace nicsim::nic {

namespace {

// Either engine behind the one interface (the engines themselves stay plain classes).
template <class Engine, PipelineMode M>
class EngineChain final : public PipelineChain {
public:
    explicit EngineChain(std::vector<StageConfig> stages) : e_(std::move(stages)) {}
    FrameTiming add(const OfferedFrame& frame) override { return e_.add(frame); }
    const PipelineLayout& layout() const override { return e_.layout(); }
    PipelineMode mode() const override { return M; }
    std::vector<StageCounters> counters() const override { return e_.counters(); }

private:
    Engine e_;
};

}  // namespace

std::unique_ptr<PipelineChain> make_pipeline_chain(PipelineMode mode, std::vector<StageConfig> stages) {
    if (mode == PipelineMode::Reference)
        return std::make_unique<EngineChain<PipelineReferenceEngine, PipelineMode::Reference>>(std::move(stages));
    return std::make_unique<EngineChain<PipelineTimingEngine, PipelineMode::Fast>>(std::move(stages));
}

}  // namespace nicsim::nic
