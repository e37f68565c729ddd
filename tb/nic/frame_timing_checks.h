// Test helper: two engines' timings of one frame must agree to the picosecond at every stage.
#pragma once

#include <catch2/catch.hpp>

#include "nic/pipeline/stage_config.h"

namespace nicsim::test {

inline void require_same(const nic::FrameTiming& a, const nic::FrameTiming& b) {
    REQUIRE(a.first_write == b.first_write);
    REQUIRE(a.stages.size() == b.stages.size());
    for (size_t s = 0; s < a.stages.size(); ++s) {
        INFO("stage " << s);
        REQUIRE(a.stages[s].first_pop == b.stages[s].first_pop);
        REQUIRE(a.stages[s].last_pop == b.stages[s].last_pop);
        REQUIRE(a.stages[s].first_out == b.stages[s].first_out);
        REQUIRE(a.stages[s].last_out == b.stages[s].last_out);
    }
}

}  // namespace nicsim::test
