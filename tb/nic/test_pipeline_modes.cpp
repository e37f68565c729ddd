// nic.pipeline.mode: the per-edge reference engine and the fast engine give identical
// timestamps, first on bare chains fed one frame at a time (as the NIC feeds them), then
// through the whole two-host system on random traffic.
#include <catch2/catch.hpp>

#include "frame_timing_checks.h"

#include <chrono>
#include <cstdio>
#include <random>

#include "nic/pipeline/pipeline_chain.h"
#include "nic/pipeline/pipeline_timing.h"
#include "nic/t5/nic_pipeline_config.h"
#include "sim/config/bind/bind_nic.h"
#include "sim/config/overrides.h"
#include "two_host_fixture.h"

using namespace nicsim;
using namespace nicsim::testing;
using nic::FrameTiming;
using timing::Ps;

namespace {

using nicsim::test::require_same;

config::Config with(const std::vector<std::string>& sets) {
    config::Config c;
    REQUIRE(config::apply_overrides(c, sets).empty());
    return c;
}

}  // namespace

TEST_CASE("Reference engine fed frame by frame equals the fast engine, offers out of order and far apart",
          "[pipeline][modes]") {
    // The NIC adds a frame when it is released: a data frame may be offered in the future and
    // an ACK released just after it offered earlier (it queues behind), and chains sit idle
    // for long stretches between bursts. Random chains as in test_pipeline_timing.cpp.
    std::mt19937_64 rng(7), stall_rng(8);
    const Ps periods[] = {1600, 2000, 3200, 6400};
    const uint32_t widths[] = {8, 16, 32, 64};
    for (int trial = 0; trial < 100; ++trial) {
        std::vector<nic::StageConfig> st;
        for (size_t s = 0, n = 1 + rng() % 7; s < n; ++s) {
            nic::StageConfig c;
            c.name = "s" + std::to_string(s);
            c.clock = timing::ClockDomain(periods[rng() % 4]);
            c.width_bytes = widths[rng() % 4];
            c.latency_cycles = 1 + uint32_t(rng() % 12);
            c.cut_through = rng() % 4 != 0;
            c.header_bytes = 1 + uint32_t(rng() % 90);
            uint32_t up = s ? st[s - 1].width_bytes : 8;
            uint32_t min_depth = up % c.width_bytes == 0 ? up / c.width_bytes : up / c.width_bytes + 2;
            uint32_t header = uint32_t(nic::beats_for(c.header_bytes, c.width_bytes));
            c.fifo_depth_beats = c.cut_through ? header + min_depth + uint32_t(rng() % 3) : 200;
            st.push_back(c);
        }
        INFO("trial " << trial);
        auto fast = nic::make_pipeline_chain(nic::PipelineMode::Fast, st);
        auto ref = nic::make_pipeline_chain(nic::PipelineMode::Reference, st);
        REQUIRE(ref->mode() == nic::PipelineMode::Reference);
        Ps now = 0;
        for (int f = 0; f < 25; ++f) {
            now += rng() % 3 == 0 ? 2'000'000 + rng() % 1'000'000 : rng() % 6000;  // bursts and idle gaps
            Ps offer = now + (rng() % 2 ? rng() % 30000 : 0);                    // sometimes in the future
            nic::OfferedFrame fr{rng() % 1600, offer, Ps(1 + rng() % 4000), test::random_stalls(stall_rng, st.size())};
            INFO("frame " << f);
            require_same(fast->add(fr), ref->add(fr));
        }
    }
}

TEST_CASE("nic.pipeline.mode reaches both NICs' chains through the config", "[pipeline][modes]") {
    timing::init_time_resolution();
    CHECK(config::to_pipeline_mode(config::Config()) == nic::PipelineMode::Fast);
    const config::Config c = with({"nic.pipeline.mode=reference"});
    CHECK(config::to_pipeline_mode(c) == nic::PipelineMode::Reference);
    CHECK(nic::nic_pipeline_from_config(c).mode == nic::PipelineMode::Reference);
    CHECK(nic::default_nic_pipeline().mode == nic::PipelineMode::Fast);
    CHECK_THROWS_AS(nic::pipeline_mode_from_string("exact"), std::invalid_argument);
    sim::Testbed sys("sys", sim::TestbedParams::from_config(c));
    for (int i = 0; i < 2; ++i) {
        CHECK(sys.host(i).nic.tx_chain().mode() == nic::PipelineMode::Reference);
        CHECK(sys.host(i).nic.rx_chain().mode() == nic::PipelineMode::Reference);
    }
}

namespace {

// One WR of the random workload.
struct Op {
    int qp = 0;
    int from = 0;  // host that posts it
    bool send = false;
    uint32_t len = 0;
    uint64_t src_off = 0, dst_off = 0;
};

constexpr int kQps = 4;

// Posts the workload on `sys`, waits for every completion and returns when both sides are
// quiet. Everything it does depends only on `ops`, so two systems given the same ops must
// behave the same up to their pipeline engines.
void run_workload(sim::Testbed& sys, const std::vector<Op>& ops, bool& ok) {
    std::vector<std::pair<sim::QpEnd, sim::QpEnd>> qps;
    for (int q = 0; q < kQps; ++q) qps.push_back(sys.connect_pair({}, 8192 * (ops.size() + 1)));
    auto end = [&](int q, int host) -> const sim::QpEnd& { return host == 0 ? qps[q].first : qps[q].second; };
    int expect[2][kQps] = {};  // completions each host's CQ of each QP will see
    // Receives first (one per Send, 8 KiB each), then every WR back to back.
    for (size_t i = 0; i < ops.size(); ++i) {
        const Op& o = ops[i];
        ++expect[o.from][o.qp];
        if (!o.send) continue;
        const sim::QpEnd& dst = end(o.qp, 1 - o.from);
        REQUIRE(sys.host(1 - o.from).dev.post_recv(dst.qp, {{1000 + i, {{dst.buf + o.dst_off, 8192, dst.mr->lkey}}}}) == 0);
        ++expect[1 - o.from][o.qp];
    }
    sc_core::wait(timing::to_sc(20 * timing::kUs));  // receive WQEs prefetched
    for (size_t i = 0; i < ops.size(); ++i) {
        const Op& o = ops[i];
        const sim::QpEnd& src = end(o.qp, o.from);
        sys.host(o.from).mem.write(src.buf + o.src_off, pattern(o.len, uint32_t(i)));
        verbs::SendWr wr = o.send ? send_wr(i, src, o.src_off, o.len)
                                  : write_wr(i, src, o.src_off, o.len, end(o.qp, 1 - o.from), o.dst_off);
        wr.send_flags |= verbs::IBV_SEND_SIGNALED;
        REQUIRE(sys.host(o.from).dev.post_send(src.qp, {wr}) == 0);
    }
    for (int h = 0; h < 2; ++h)
        for (int q = 0; q < kQps; ++q) {
            auto wcs = sys.poll(h, end(q, h).cq, expect[h][q], 2000 * timing::kUs, 50 * timing::kNs);
            INFO("host " << h << " QP " << q << " " << sys.host(0).nic.errors().size() << "/"
                          << sys.host(1).nic.errors().size() << " NIC errors");
            for (const auto& wc : wcs) UNSCOPED_INFO("wc " << wc.wr_id << " status " << int(wc.status));
            REQUIRE(int(wcs.size()) == expect[h][q]);
            for (const auto& wc : wcs) CHECK(wc.status == host::ring::WcStatus::Success);
        }
    for (size_t i = 0; i < ops.size(); ++i) {  // the data landed
        const Op& o = ops[i];
        CHECK(sys.host(1 - o.from).mem.read(end(o.qp, 1 - o.from).buf + o.dst_off, o.len) == pattern(o.len, uint32_t(i)));
    }
    sc_core::wait(timing::to_sc(100 * timing::kUs));  // trailing ACKs
    ok = true;
}

void compare_traces(const nic::NicTrace& f, const nic::NicTrace& r) {
    REQUIRE(f.tx.size() == r.tx.size());
    for (size_t i = 0; i < f.tx.size(); ++i) {
        INFO("TX frame " << i);
        CHECK(f.tx[i].frame_id == r.tx[i].frame_id);
        CHECK(f.tx[i].frame_bytes == r.tx[i].frame_bytes);
        CHECK(f.tx[i].offered == r.tx[i].offered);
        require_same(f.tx[i].chain, r.tx[i].chain);
        CHECK(f.tx[i].wire_first_byte == r.tx[i].wire_first_byte);
    }
    REQUIRE(f.rx.size() == r.rx.size());
    for (size_t i = 0; i < f.rx.size(); ++i) {
        INFO("RX frame " << i);
        CHECK(f.rx[i].frame_id == r.rx[i].frame_id);
        CHECK(f.rx[i].first_byte == r.rx[i].first_byte);
        require_same(f.rx[i].chain, r.rx[i].chain);
        CHECK(f.rx[i].delivered == r.rx[i].delivered);
    }
    REQUIRE(f.placements.size() == r.placements.size());
    for (size_t i = 0; i < f.placements.size(); ++i) {
        INFO("placement " << i);
        CHECK(f.placements[i].addr == r.placements[i].addr);
        CHECK(f.placements[i].issued == r.placements[i].issued);
        CHECK(f.placements[i].done == r.placements[i].done);
    }
    REQUIRE(f.completions.size() == r.completions.size());
    for (size_t i = 0; i < f.completions.size(); ++i) {
        INFO("completion " << i);
        CHECK(f.completions[i].wr_id == r.completions[i].wr_id);
        CHECK(f.completions[i].at == r.completions[i].at);
    }
}

std::vector<Op> random_ops(int n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<Op> ops;
    for (int i = 0; i < n; ++i) {
        Op o;
        o.qp = int(rng() % kQps);
        o.from = rng() % 4 == 0 ? 1 : 0;
        o.send = rng() % 2;
        o.len = 1 + uint32_t(rng() % 4000);
        o.src_off = o.dst_off = 8192 * uint64_t(i);
        ops.push_back(o);
    }
    return ops;
}

// A 50 us delayed-ACK timer (not 40 ms) so the last Write of a burst completes soon. A TCB
// cache of 2 entries for the 4 QPs: frames often miss and stall at TP (both chains).
std::vector<std::string> shared_sets() {
    return {"nic.mac_tx.fifo_depth_beats=4", "nic.mpa_rx.cut_through=false", "nic.tcp.delayed_ack_timeout_ps=50000000",
            "nic.tp.tcb_cache_entries=2"};
}

// Wall time of the workload on one system in one mode (hidden cases: measurements only).
void time_one_mode(const char* mode, int n_ops) {
    timing::init_time_resolution();
    std::vector<std::string> sets = shared_sets();
    sets.push_back(std::string("nic.pipeline.mode=") + mode);
    sim::Testbed sys("sys", sim::TestbedParams::from_config(with(sets)));
    const std::vector<Op> ops = random_ops(n_ops, 2026);
    bool ok = false;
    sys.body = [&] {
        run_workload(sys, ops, ok);
        sc_core::sc_stop();
    };
    const auto t0 = std::chrono::steady_clock::now();
    sc_core::sc_start();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    REQUIRE(ok);
    std::printf("%s mode: %d WRs, %llu TX frames at A, %.3f s wall, %.1f us simulated\n", mode, n_ops,
                (unsigned long long)sys.a().nic.stats().tx_frames, wall, double(timing::now_ps()) / 1e6);
}

}  // namespace

TEST_CASE("Pipeline engine speed: back-to-back 1500 B frames through the default RX chain", "[.][bench]") {
    const auto rx = nic::default_nic_pipeline().rx;
    for (nic::PipelineMode m : {nic::PipelineMode::Fast, nic::PipelineMode::Reference}) {
        auto chain = nic::make_pipeline_chain(m, rx);
        const int n = 20000;
        const auto t0 = std::chrono::steady_clock::now();
        for (int f = 0; f < n; ++f) chain->add({1500, Ps(f) * 1500 * 200, 16 * 200});  // 40 Gb/s, 16 B MAC beats
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("%s engine: %d frames, %.3f s, %.2f us per frame\n", nic::to_string(m), n, wall, wall * 1e6 / n);
    }
}

TEST_CASE("Pipeline mode speed: fast", "[.][bench]") { time_one_mode("fast", 240); }
TEST_CASE("Pipeline mode speed: reference", "[.][bench]") { time_one_mode("reference", 240); }

TEST_CASE("Fast and reference pipeline modes give identical timestamps through two hosts on random traffic",
          "[two_host][pipeline][modes]") {
    timing::init_time_resolution();
    // Random Writes and Sends of 1..4000 B on four QPs in both directions, posted back to
    // back. A 4-beat MAC_TX FIFO makes the 128 Gb/s core datapath wait for the 40 Gb/s MAC
    // (credits), and a store-and-forward MPA_RX makes RX frames queue behind each other.
    const std::vector<Op> ops = random_ops(60, 2026);
    const std::vector<std::string> shared = shared_sets();
    std::vector<std::string> fast_sets = shared, ref_sets = shared;
    fast_sets.push_back("nic.pipeline.mode=fast");
    ref_sets.push_back("nic.pipeline.mode=reference");
    sim::TestbedParams pf = sim::TestbedParams::from_config(with(fast_sets));
    sim::TestbedParams pr = sim::TestbedParams::from_config(with(ref_sets));
    for (sim::TestbedParams* p : {&pf, &pr}) p->hosts[0].nic.trace = p->hosts[1].nic.trace = true;
    REQUIRE(pr.hosts[0].nic.pipeline.mode == nic::PipelineMode::Reference);
    REQUIRE(pf.hosts[0].nic.pipeline.mode == nic::PipelineMode::Fast);

    // The two systems run side by side in one simulation; neither sees the other.
    sim::Testbed fast("fast", pf), ref("ref", pr);
    bool ok[2] = {false, false};
    int finished = 0;
    auto body = [&](sim::Testbed& sys, bool& done) {
        run_workload(sys, ops, done);
        if (++finished == 2) sc_core::sc_stop();
    };
    fast.body = [&] { body(fast, ok[0]); };
    ref.body = [&] { body(ref, ok[1]); };
    const auto t0 = std::chrono::steady_clock::now();
    sc_core::sc_start();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    REQUIRE(ok[0]);
    REQUIRE(ok[1]);

    uint64_t frames = 0;
    for (int h = 0; h < 2; ++h) {
        INFO("host " << h);
        CHECK(fast.host(h).nic.errors().empty());
        compare_traces(fast.host(h).nic.trace(), ref.host(h).nic.trace());
        frames += fast.host(h).nic.trace().tx.size();
    }
    // The traffic did exercise the FIFOs: some frame waited in ULP_TX's FIFO behind the frame
    // before it, and MPA_TX stalled inside some frame for MAC_TX credits (a stall-free frame
    // pops one beat per 2 ns core cycle).
    bool waited = false, stalled = false;
    for (int h = 0; h < 2; ++h)
        for (const auto& t : fast.host(h).nic.trace().tx) {
            const auto& st = t.chain.stages;
            waited = waited || st[0].first_pop > t.chain.first_write + 2000;
            stalled = stalled || st[2].last_pop - st[2].first_pop > (nic::beats_for(t.frame_bytes, 32) - 1) * 2000;
        }
    CHECK(waited);
    CHECK(stalled);
    CHECK(frames > 100);
    for (int h = 0; h < 2; ++h) {  // TCB misses stalled many frames at TP, the same in both modes
        CHECK(fast.host(h).nic.stats().tcb_misses > 20);
        CHECK(fast.host(h).nic.stats().tcb_misses == ref.host(h).nic.stats().tcb_misses);
    }
    std::printf("pipeline modes: %llu TX frames, %.2f s wall for both systems together\n",
                (unsigned long long)frames, wall);
}
