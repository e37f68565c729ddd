// Test helpers for the pipeline engines: two engines' timings of one frame must agree to the
// picosecond at every stage; random chains and stalls to compare them on.
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

// A random chain of 1-5 stages (clocks, widths, latencies, cut-through or not) whose FIFOs are
// deep enough to work: shallow cut-through FIFOs (backpressure), deep store-and-forward ones.
inline std::vector<nic::StageConfig> random_chain(std::mt19937_64& rng) {
    const timing::Ps periods[] = {1600, 2000, 2560, 3200, 6400};
    const uint32_t widths[] = {8, 16, 32, 64};
    size_t n = 1 + rng() % 5;
    std::vector<nic::StageConfig> st;
    for (size_t s = 0; s < n; ++s) {
        nic::StageConfig c;
        c.name = "s" + std::to_string(s);
        c.clock = timing::ClockDomain(periods[rng() % 5]);
        c.width_bytes = widths[rng() % 4];
        c.latency_cycles = 1 + uint32_t(rng() % 4);
        c.cut_through = rng() % 3 != 0;
        c.header_bytes = 1 + uint32_t(rng() % 64);
        uint32_t up = s ? st[s - 1].width_bytes : 8;
        uint32_t min_depth = up % c.width_bytes == 0 ? up / c.width_bytes : up / c.width_bytes + 2;
        uint32_t header = uint32_t(nic::beats_for(c.header_bytes, c.width_bytes));
        c.fifo_depth_beats = c.cut_through ? header + min_depth + uint32_t(rng() % 4) : 200;
        st.push_back(c);
    }
    return st;
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
