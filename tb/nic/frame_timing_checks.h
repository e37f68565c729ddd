// Test helper: two engines' timings of one frame must agree to the picosecond at every stage.
#pragma once

#include <catch2/catch.hpp>

#include <random>
#include <vector>

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

// OfferedFrame::stall_cycles for a random test frame: none for half the frames, else a stall
// of up to 40 cycles at about a third of the stages.
inline std::vector<uint32_t> random_stalls(std::mt19937_64& rng, size_t stages) {
    std::vector<uint32_t> v;
    if (rng() % 2) return v;
    for (size_t s = 0; s < stages; ++s) v.push_back(rng() % 3 == 0 ? 1 + uint32_t(rng() % 40) : 0);
    return v;
}

}  // namespace nicsim::test
