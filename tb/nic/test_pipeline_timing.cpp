// Pipeline timing: exit cycles computed by hand for simple chains, cut-through versus
// store-and-forward, and the fast engine against the cycle-stepped reference on random
// chains and traffic (clock crossings, width changes, backpressure).
#include <catch2/catch.hpp>

#include "frame_timing_checks.h"

#include <random>

#include "nic/pipeline/pipeline_timing.h"

using namespace nicsim::nic;
using nicsim::timing::ClockDomain;
using nicsim::timing::Ps;

namespace {

constexpr Ps T = 2000;  // 500 MHz

StageConfig stage(const char* name, uint32_t latency, bool cut_through = true, uint32_t depth = 64,
                  Ps period = T, uint32_t width = 32) {
    StageConfig c;
    c.name = name;
    c.clock = ClockDomain(period);
    c.width_bytes = width;
    c.latency_cycles = latency;
    c.fifo_depth_beats = depth;
    c.cut_through = cut_through;
    c.header_bytes = width;  // one beat of header
    return c;
}

using nicsim::test::require_same;

}  // namespace

TEST_CASE("A 64-byte frame through three cut-through stages, by hand", "[pipeline]") {
    // 500 MHz, 32-byte beats: the frame is 2 beats, offered at cycles 0 and 1.
    // A beat written on edge k is seen on edge k+1; a stage pops one beat per cycle and
    // outputs it `latency` cycles later into the next FIFO.
    //   stage a (latency 2): pops at cycles 1, 2  -> out 3, 4
    //   stage b (latency 3): pops at cycles 4, 5  -> out 7, 8
    //   stage c (latency 1): pops at cycles 8, 9  -> out 9, 10
    PipelineTimingEngine e({stage("a", 2), stage("b", 3), stage("c", 1)});
    FrameTiming ft = e.add({64, 0, T});
    CHECK(ft.first_write == 0);
    CHECK(ft.stages[0].first_pop == 1 * T);
    CHECK(ft.stages[0].last_out == 4 * T);
    CHECK(ft.stages[1].first_pop == 4 * T);
    CHECK(ft.stages[1].first_out == 7 * T);
    CHECK(ft.stages[1].last_out == 8 * T);
    CHECK(ft.stages[2].first_out == 9 * T);
    CHECK(ft.stages[2].last_out == 10 * T);
}

TEST_CASE("Store-and-forward delays a stage by exactly the frame's beat count", "[pipeline]") {
    for (uint64_t bytes : {1u, 32u, 64u, 100u, 1500u}) {
        uint64_t beats = beats_for(bytes, 32);
        for (size_t saf = 0; saf < 3; ++saf) {
            std::vector<StageConfig> ct = {stage("a", 2), stage("b", 3), stage("c", 1)};
            std::vector<StageConfig> sf = ct;
            sf[saf].cut_through = false;
            FrameTiming x = PipelineTimingEngine(ct).add({bytes, 0, T});
            FrameTiming y = PipelineTimingEngine(sf).add({bytes, 0, T});
            INFO(bytes << " bytes, store-and-forward at stage " << saf);
            for (size_t s = 0; s < 3; ++s) {
                Ps shift = s >= saf ? beats * T : 0;
                CHECK(y.stages[s].first_out - x.stages[s].first_out == shift);
                CHECK(y.stages[s].last_out - x.stages[s].last_out == shift);
            }
        }
    }
}

TEST_CASE("A clock crossing lands on the receiving clock's next edge", "[pipeline]") {
    // Stage a at 500 MHz outputs at 6 ns; stage b at 312.5 MHz (3.2 ns) sees it on its first
    // edge after 6 ns, 6.4 ns.
    std::vector<StageConfig> st = {stage("a", 2), stage("b", 1, true, 64, 3200)};
    FrameTiming ft = PipelineTimingEngine(st).add({32, 0, T});
    CHECK(ft.stages[0].first_out == 3 * T);
    CHECK(ft.stages[1].first_pop == 6400);
    CHECK(ft.stages[1].first_out == 9600);
}

TEST_CASE("Backpressure: a slow stage fills its FIFO and stalls the one above", "[pipeline]") {
    // Stage b runs at a quarter of a's rate with a 2-beat FIFO: a may only pop a beat once b
    // has freed a slot for it, so a's pops follow b's pace after the first two beats.
    std::vector<StageConfig> st = {stage("a", 1), stage("b", 1, true, 2, 4 * T)};
    PipelineTimingEngine e(st);
    FrameTiming ft = e.add({8 * 32, 0, T});
    std::vector<uint64_t> peak;
    auto ref = simulate_reference(st, {{8 * 32, 0, T}}, &peak);
    require_same(ft, ref[0]);
    CHECK(peak[1] <= 2);
    // b pops one beat every 4 cycles: 8 beats span 7 * 4 cycles.
    CHECK(ft.stages[1].last_pop - ft.stages[1].first_pop == 7 * 4 * T);
    // a is held back: its last pop waits for b to free the slot of beat 5.
    CHECK(ft.stages[0].last_pop > ft.stages[0].first_pop + 7 * T);
}

TEST_CASE("Chains that cannot work are refused", "[pipeline]") {
    std::vector<StageConfig> st = {stage("a", 1), stage("b", 1, false, 4)};
    PipelineTimingEngine e(st);
    CHECK_NOTHROW(e.add({128, 0, T}));
    CHECK_THROWS_AS(e.add({129, 0, T}), std::invalid_argument);  // 5 beats, 4-beat SAF FIFO
    StageConfig zero = stage("z", 0);
    CHECK_THROWS_AS(PipelineTimingEngine({zero}), std::invalid_argument);
    // A 64-byte stage feeding 8-byte beats needs room for 8 of them.
    CHECK_THROWS_AS(PipelineTimingEngine({stage("w", 1, true, 8, T, 64), stage("n", 1, true, 7, T, 8)}),
                    std::invalid_argument);
}

TEST_CASE("Fast and per-edge reference engines agree on random chains and traffic", "[pipeline]") {
    std::mt19937_64 rng(42), stall_rng(43);  // stalls drawn apart: the chains stay as they were
    for (int trial = 0; trial < 150; ++trial) {
        const std::vector<StageConfig> st = nicsim::test::random_chain(rng);
        const size_t n = st.size();
        std::vector<OfferedFrame> frames;
        Ps t = 0;
        for (int f = 0; f < 12; ++f) {
            t += rng() % 20000;
            frames.push_back({rng() % 1600, t, Ps(rng() % 4000), nicsim::test::random_stalls(stall_rng, n)});
        }
        INFO("trial " << trial);
        PipelineTimingEngine fast(st);
        std::vector<FrameTiming> quick;
        for (const auto& fr : frames) quick.push_back(fast.add(fr));
        std::vector<uint64_t> peak;
        auto ref = simulate_reference(st, frames, &peak);
        for (size_t f = 0; f < frames.size(); ++f) {
            INFO("frame " << f);
            require_same(quick[f], ref[f]);
        }
        for (size_t s = 0; s < st.size(); ++s) CHECK(peak[s] <= st[s].fifo_depth_beats);
    }
}

TEST_CASE("A stall at one stage delays that stage and every later one by exactly its cycles", "[pipeline]") {
    // Three 500 MHz cut-through stages, one 256-byte frame (8 beats). A 100-cycle stall at the
    // middle stage (TP missing a TCB): the first stage is untouched, the middle stage pops and
    // outputs 100 * 2 ns later, and so does the last (its FIFO is deep enough that nothing else
    // changes).
    std::vector<StageConfig> st = {stage("a", 2), stage("tp", 3), stage("c", 4)};
    for (int engine = 0; engine < 2; ++engine) {
        INFO((engine ? "reference" : "fast"));
        auto run = [&](std::vector<uint32_t> stalls) {
            OfferedFrame f{256, 0, T, std::move(stalls)};
            if (engine) return simulate_reference(st, {f})[0];
            PipelineTimingEngine e(st);
            return e.add(f);
        };
        const FrameTiming hit = run({}), miss = run({0, 100, 0});
        CHECK(miss.stages[0].first_pop == hit.stages[0].first_pop);
        CHECK(miss.stages[0].last_out == hit.stages[0].last_out);
        for (size_t s = 1; s < 3; ++s) {
            INFO("stage " << s);
            CHECK(miss.stages[s].first_pop == hit.stages[s].first_pop + 100 * T);
            CHECK(miss.stages[s].first_out == hit.stages[s].first_out + 100 * T);
            CHECK(miss.stages[s].last_out == hit.stages[s].last_out + 100 * T);
        }
        // By hand: written at 0, visible at 2 ns; a pops beats 0..7 at 2..16 ns, each out 2 cycles
        // later (6..20 ns); tp sees beat 0 at 8 ns and pops it 100 cycles later, at 208 ns.
        CHECK(hit.stages[0].first_pop == 1 * T);
        CHECK(hit.stages[1].first_pop == 4 * T);
        CHECK(miss.stages[1].first_pop == 104 * T);
        CHECK(miss.stages[1].last_out == (104 + 7 + 3) * T);
    }
}

TEST_CASE("A stalled frame holds the frames behind it: no overtaking", "[pipeline]") {
    std::vector<StageConfig> st = {stage("a", 1), stage("tp", 1), stage("c", 1)};
    PipelineTimingEngine e(st);
    PipelineReferenceEngine r(st);
    const OfferedFrame f1{64, 0, T, {0, 50, 0}}, f2{64, 2 * T, T, {}};
    const FrameTiming a1 = e.add(f1), a2 = e.add(f2);
    nicsim::test::require_same(a1, r.add(f1));
    nicsim::test::require_same(a2, r.add(f2));
    CHECK(a2.stages[1].first_pop == a1.stages[1].last_pop + T);  // right behind, one beat a cycle
    CHECK(a2.stages[2].first_out > a1.stages[2].last_out);
    CHECK_THROWS_AS(e.add({64, 0, T, {1, 2}}), std::invalid_argument);  // one entry per stage
}
