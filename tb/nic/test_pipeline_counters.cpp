// Per-stage counters of the pipeline engines (frames, beats, busy time, FIFO occupancy peak
// and integral) by hand and fast against reference, and the engines' sliding history: long
// runs keep only a window of beats and still agree to the picosecond.
#include <catch2/catch.hpp>

#include "frame_timing_checks.h"

#include <random>

#include "nic/pipeline/pipeline_chain.h"
#include "nic/pipeline/pipeline_timing.h"

using namespace nicsim::nic;
using nicsim::timing::ClockDomain;
using nicsim::timing::Ps;

namespace {

constexpr Ps T = 2000;  // 500 MHz

StageConfig stage(const char* name, Ps period, uint32_t depth = 64, bool cut_through = true) {
    StageConfig c;
    c.name = name;
    c.clock = ClockDomain(period);
    c.width_bytes = 32;
    c.latency_cycles = 1;
    c.fifo_depth_beats = depth;
    c.cut_through = cut_through;
    c.header_bytes = 32;
    return c;
}

void require_same_counters(const std::vector<StageCounters>& a, const std::vector<StageCounters>& b) {
    REQUIRE(a.size() == b.size());
    for (size_t s = 0; s < a.size(); ++s) {
        INFO("stage " << s);
        REQUIRE(a[s].frames == b[s].frames);
        REQUIRE(a[s].beats == b[s].beats);
        REQUIRE(a[s].busy == b[s].busy);
        REQUIRE(a[s].max_occupancy == b[s].max_occupancy);
        REQUIRE(a[s].occupancy_area == b[s].occupancy_area);
        REQUIRE(a[s].last_pop == b[s].last_pop);
    }
}


}  // namespace

TEST_CASE("Counters of one 5-beat frame through a fast and a 4x slower stage, by hand", "[pipeline][counters]") {
    // Source offers beat k at k*T. Stage a (period T, latency 1): beat k written at k*T, popped
    // at (k+1)*T (the edge after), so each beat waits one cycle: area 5 * T, at most 1 beat.
    // Stage b (period 4T): written at a's pop + T = (k+2)*T = 4000, 6000, ..., 12000 ps; pops
    // one per 8000 ps from the edge after the first write: 8000, 16000, 24000, 32000, 40000.
    // Waits: 4000 + 10000 + 16000 + 22000 + 28000 = 80000 beat-ps. At 12000 ps five beats are
    // written and one popped: 4 beats, the peak.
    std::vector<StageConfig> st = {stage("a", T), stage("b", 4 * T)};
    for (PipelineMode m : {PipelineMode::Fast, PipelineMode::Reference}) {
        INFO(to_string(m));
        auto chain = make_pipeline_chain(m, st);
        FrameTiming ft = chain->add({5 * 32, 0, T});
        CHECK(ft.stages[1].last_pop == 40000);
        std::vector<StageCounters> c = chain->counters();
        REQUIRE(c.size() == 2);
        CHECK(c[0].frames == 1);
        CHECK(c[0].beats == 5);
        CHECK(c[0].busy == 5 * T);
        CHECK(c[0].max_occupancy == 1);
        CHECK(c[0].occupancy_area == 5 * T);
        CHECK(c[0].last_pop == 5 * T);
        CHECK(c[1].frames == 1);
        CHECK(c[1].beats == 5);
        CHECK(c[1].busy == 5 * 4 * T);
        CHECK(c[1].max_occupancy == 4);
        CHECK(c[1].occupancy_area == 80000);
        CHECK(c[1].last_pop == 40000);
    }
}

TEST_CASE("A 2-beat FIFO in front of a slow stage is full, never more", "[pipeline][counters]") {
    // Same chain, but b holds 2 beats: a waits for credits, so b's FIFO sits at its depth.
    std::vector<StageConfig> st = {stage("a", T), stage("b", 4 * T, 2)};
    for (PipelineMode m : {PipelineMode::Fast, PipelineMode::Reference}) {
        INFO(to_string(m));
        auto chain = make_pipeline_chain(m, st);
        chain->add({8 * 32, 0, T});
        std::vector<StageCounters> c = chain->counters();
        CHECK(c[1].max_occupancy == 2);
        CHECK(c[1].beats == 8);
    }
}

TEST_CASE("Fast and reference engines count the same on random chains and traffic", "[pipeline][counters]") {
    std::mt19937_64 rng(7), stall_rng(8);
    for (int trial = 0; trial < 150; ++trial) {
        std::vector<StageConfig> st = nicsim::test::random_chain(rng);
        INFO("trial " << trial);
        PipelineTimingEngine fast(st);
        PipelineReferenceEngine ref(st);
        Ps t = 0;
        for (int f = 0; f < 12; ++f) {
            t += rng() % 20000;
            OfferedFrame fr{rng() % 1600, t, Ps(rng() % 4000), nicsim::test::random_stalls(stall_rng, st.size())};
            nicsim::test::require_same(fast.add(fr), ref.add(fr));
            require_same_counters(fast.counters(), ref.counters());
        }
        for (size_t s = 0; s < st.size(); ++s) CHECK(fast.counters()[s].max_occupancy <= st[s].fifo_depth_beats);
    }
}

TEST_CASE("Long runs keep a bounded window of beats and agree to the picosecond", "[pipeline][counters]") {
    // Thousands of frames, back to back or with gaps: both engines forget old beats, and
    // must still give identical times (a forgotten beat that was still needed would show).
    std::mt19937_64 rng(2026), stall_rng(2027);
    for (int trial = 0; trial < 8; ++trial) {
        std::vector<StageConfig> st = nicsim::test::random_chain(rng);
        INFO("trial " << trial);
        PipelineTimingEngine fast(st);
        PipelineReferenceEngine ref(st);
        Ps t = 0;
        uint64_t beats = 0;
        for (int f = 0; f < 3000; ++f) {
            t += rng() % 4 == 0 ? rng() % 40000 : 0;
            OfferedFrame fr{rng() % 1600, t, Ps(rng() % 4000), nicsim::test::random_stalls(stall_rng, st.size())};
            nicsim::test::require_same(fast.add(fr), ref.add(fr));
            beats += beats_for(fr.bytes, st[0].width_bytes);
        }
        require_same_counters(fast.counters(), ref.counters());
        // All stages together hold far less than one stage's full history.
        CHECK(fast.held_beats() < beats / 4);
        CHECK(ref.held_beats() < beats / 4);
        CHECK(fast.layout().held_frames() < 64);
    }
}

TEST_CASE("Stages sharing a clock and width (the NIC core) agree with the reference", "[pipeline][counters]") {
    // The fast engine has shortcuts for such stages (no edge arithmetic, credits settled by
    // the first beat when the frame fits the FIFO below): exercise them with deep and shallow
    // FIFOs, frames longer and shorter than the FIFOs, gaps and back-to-back traffic, and a
    // different clock or width at either end.
    std::mt19937_64 rng(500), stall_rng(501);
    for (int trial = 0; trial < 60; ++trial) {
        std::vector<StageConfig> st;
        const size_t n = 2 + rng() % 5;
        for (size_t s = 0; s < n; ++s) {
            StageConfig c = stage("core", T, 0, rng() % 4 != 0);
            c.latency_cycles = 1 + uint32_t(rng() % 12);
            c.header_bytes = 1 + uint32_t(rng() % 80);
            c.fifo_depth_beats = c.cut_through ? uint32_t(beats_for(c.header_bytes, 32)) + 1 + uint32_t(rng() % 70) : 60;
            st.push_back(c);
        }
        if (rng() % 2) st.front().clock = ClockDomain(3200);  // a MAC-like first stage
        if (rng() % 3 == 0) {  // a slow last stage: credits hold the core back
            st.back().clock = ClockDomain(6400);
            st.back().cut_through = true;
            st.back().header_bytes = 32;
            st.back().fifo_depth_beats = 2 + uint32_t(rng() % 70);
        } else if (rng() % 2) {
            st.back().width_bytes = 16;
            st.back().header_bytes = 16;
            st.back().fifo_depth_beats = 2 + uint32_t(rng() % 130);
            st.back().cut_through = true;
        }
        INFO("trial " << trial);
        PipelineTimingEngine fast(st);
        PipelineReferenceEngine ref(st);
        Ps t = 0;
        for (int f = 0; f < 60; ++f) {
            t += rng() % 3 == 0 ? rng() % 100000 : 0;
            OfferedFrame fr{rng() % 1900, t, Ps(rng() % 2 ? 2000 : 3200), nicsim::test::random_stalls(stall_rng, st.size())};
            nicsim::test::require_same(fast.add(fr), ref.add(fr));
        }
        require_same_counters(fast.counters(), ref.counters());
    }
}
