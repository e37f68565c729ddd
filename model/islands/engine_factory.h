// Internal: the two engine families behind make_engine() (stream_engine.h).
#pragma once

#include <memory>

#include "islands/stream_engine.h"

namespace nicsim::islands {

std::unique_ptr<StreamEngine> make_golden_engine(const EngineConfig& cfg);
// Throws std::invalid_argument when the RTL is not built for cfg.data_bytes.
std::unique_ptr<StreamEngine> make_rtl_engine(const EngineConfig& cfg);

}  // namespace nicsim::islands
