// Which engine times a pipeline chain (config key nic.pipeline.mode, docs/pipeline_timing.md):
// the fast closed-form engine, or the per-edge reference that exists to prove it exact.
#pragma once

#include <stdexcept>
#include <string>

namespace nicsim::nic {

enum class PipelineMode { Fast, Reference };

inline const char* to_string(PipelineMode m) { return m == PipelineMode::Fast ? "fast" : "reference"; }

// "fast" or "reference"; throws std::invalid_argument otherwise.
inline PipelineMode pipeline_mode_from_string(const std::string& s) {
    if (s == "fast") return PipelineMode::Fast;
    if (s == "reference") return PipelineMode::Reference;
    throw std::invalid_argument("pipeline mode '" + s + "': expected fast or reference");
}

}  // namespace nicsim::nic
