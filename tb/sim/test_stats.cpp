// Run statistics: accumulator and histogram arithmetic against hand computation, the shape
// of stats.json / stats.csv, and per-stage utilisation and occupancy from StageCounters
// (synthetic ones, and ones rebuilt from a real chain's frame times).
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "nic/pipeline/pipeline_chain.h"
#include "sim/stats/json_text.h"
#include "sim/stats/stage_stats.h"
#include "sim/stats/stats_registry.h"
#include "sim/stats/trace_stage_counters.h"

using namespace nicsim;
using namespace nicsim::sim::stats;
using timing::Ps;

namespace {

size_t csv_fields(const std::string& line) {
    size_t n = 1;
    bool quoted = false;
    for (char c : line) {
        if (c == '"') quoted = !quoted;
        if (c == ',' && !quoted) ++n;
    }
    return n;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> v;
    std::istringstream is(text);
    for (std::string l; std::getline(is, l);) v.push_back(l);
    return v;
}

nic::StageConfig stage(const std::string& name, Ps period, uint32_t width, uint32_t latency, uint32_t depth) {
    nic::StageConfig s;
    s.name = name;
    s.clock = timing::ClockDomain(period);
    s.width_bytes = width;
    s.latency_cycles = latency;
    s.fifo_depth_beats = depth;
    return s;
}

}  // namespace

TEST_CASE("Accumulator: count, sum, squares, min, max, mean and stddev by hand", "[stats]") {
    // 2 4 4 4 5 5 7 9: sum 40, squares 4+3*16+2*25+49+81 = 232, mean 5,
    // population variance 232/8 - 25 = 4, stddev 2.
    Accumulator a, lo, hi;
    const double xs[] = {2, 4, 4, 4, 5, 5, 7, 9};
    for (int i = 0; i < 8; ++i) {
        a.add(xs[i]);
        (i < 3 ? lo : hi).add(xs[i]);
    }
    CHECK(a.count() == 8);
    CHECK(a.sum() == 40);
    CHECK(a.sum_sq() == 232);
    CHECK(a.min() == 2);
    CHECK(a.max() == 9);
    CHECK(a.mean() == 5);
    CHECK(a.stddev() == Approx(2.0));
    lo.merge(hi);  // merged halves are the whole
    CHECK(lo.count() == 8);
    CHECK(lo.sum_sq() == 232);
    CHECK(lo.min() == 2);
    CHECK(lo.max() == 9);
    CHECK(lo.stddev() == Approx(2.0));

    Accumulator empty;
    CHECK(empty.mean() == 0);
    CHECK(empty.stddev() == 0);
    CHECK(empty.min() == 0);
    Accumulator one;
    one.add(-3.5);
    CHECK(one.min() == -3.5);
    CHECK(one.max() == -3.5);
    CHECK(one.stddev() == 0);
    one.merge(empty);
    CHECK(one.count() == 1);
}

TEST_CASE("Linear histogram: buckets and interpolated percentiles of 1..100 by hand", "[stats]") {
    Histogram h(HistogramSpec::linear(0, 10, 10));  // [0,10) ... [90,100), overflow >= 100
    for (int i = 1; i <= 100; ++i) h.add(i);
    CHECK(h.count_in(0) == 9);  // 1..9
    for (uint32_t k = 1; k < 10; ++k) CHECK(h.count_in(k) == 10);
    CHECK(h.overflow() == 1);  // 100
    CHECK(h.underflow() == 0);
    CHECK(h.bucket_lo(3) == 30);
    CHECK(h.bucket_hi(3) == 40);
    CHECK(h.summary().count() == 100);
    CHECK(h.summary().sum() == 5050);
    // p50: rank 50; 49 samples lie below 50, so it is the 1st of 10 in [50,60): 50 + 10 * 1/10.
    CHECK(h.percentile(50) == Approx(51));
    // p90: rank 90 is the 1st of [90,100) (89 below): 91.
    CHECK(h.percentile(90) == Approx(91));
    // p99: rank 99 is the 10th of [90,100): 100, clamped to max 100.
    CHECK(h.percentile(99) == Approx(100));
    CHECK(h.percentile(100) == Approx(100));  // the overflow sample, clamped to max
    // p1: rank 1 is the 1st of 9 in [0,10): 10/9, above min 1.
    CHECK(h.percentile(1) == Approx(10.0 / 9.0));
    CHECK(h.percentile(0) == Approx(10.0 / 9.0));  // rank is at least 1
    h.add(-5);
    CHECK(h.underflow() == 1);
    // Underflow spans [min, first lo] = [-5, 0]; rank 1 is its only sample, placed at the top.
    CHECK(h.percentile(0) == Approx(0));
}

TEST_CASE("Log2 histogram: power-of-two buckets by hand", "[stats]") {
    Histogram h(HistogramSpec::log2(12));  // [0,1) [1,2) [2,4) ... [1024, 2048)
    for (double x : {0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 1000.0, 1024.0, 4096.0, -1.0}) h.add(x);
    CHECK(h.count_in(0) == 2);
    CHECK(h.count_in(1) == 2);
    CHECK(h.count_in(2) == 2);
    CHECK(h.count_in(3) == 1);
    CHECK(h.count_in(10) == 1);  // 1000 in [512, 1024)
    CHECK(h.count_in(11) == 1);  // 1024 in [1024, 2048)
    CHECK(h.bucket_lo(10) == 512);
    CHECK(h.bucket_hi(10) == 1024);
    CHECK(h.overflow() == 1);   // 4096
    CHECK(h.underflow() == 1);  // -1
    CHECK(h.summary().count() == 11);
    CHECK(h.summary().min() == -1);
    CHECK(h.summary().max() == 4096);
    CHECK_THROWS_AS(HistogramSpec::linear(0, 0, 4), std::invalid_argument);
    CHECK_THROWS_AS(HistogramSpec::log2(0), std::invalid_argument);
}

TEST_CASE("JSON text: numbers always valid, strings escaped, CSV fields quoted when needed", "[stats]") {
    CHECK(json_number(3.0) == "3");
    CHECK(json_number(0.1) == "0.1");
    CHECK(json_number(-2.5) == "-2.5");
    CHECK(json_number(std::nan("")) == "null");
    CHECK(json_number(INFINITY) == "null");
    CHECK(std::stod(json_number(1.0 / 3.0)) == 1.0 / 3.0);
    CHECK(json_string("a\"b\\c\n") == "\"a\\\"b\\\\c\\n\"");
    CHECK(json_string(std::string("\x01", 1)) == "\"\\u0001\"");
    CHECK(csv_field("plain") == "plain");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
}

TEST_CASE("Stats registry: kinds stick, stats.json parses with every field, stats.csv is one table", "[stats]") {
    StatsRegistry r;
    r.meta("elapsed_ns", 1234.5);
    r.meta("topology", "back_to_back");
    r.counter("a.nic.tx_frames", 12, "frames");
    r.gauge("a.nic.tx.mac_tx.utilisation", 0.25, "ratio");
    Accumulator& acc = r.accumulator("a.nic.gap_ns", "ns");
    acc.add(1);
    acc.add(3);
    Histogram& h = r.histogram("a.nic.tx.frame_bytes", "B", HistogramSpec::linear(0, 64, 4));
    for (double x : {60.0, 70.0, 130.0, 1000.0}) h.add(x);
    r.counter("a.nic.tx_frames", 13, "frames");  // same kind: updates
    CHECK_THROWS_AS(r.gauge("a.nic.tx_frames", 1.0), std::invalid_argument);
    CHECK_THROWS_AS(r.counter("has space", 1), std::invalid_argument);
    CHECK_THROWS_AS(r.counter("", 1), std::invalid_argument);
    CHECK_THROWS_AS(r.counter("a,b", 1), std::invalid_argument);
    REQUIRE(r.size() == 4);

    YAML::Node j = YAML::Load(r.to_json());
    CHECK(j["format"].as<std::string>() == "nicsim-stats");
    CHECK(j["version"].as<int>() == 1);
    CHECK(j["meta"]["elapsed_ns"].as<double>() == 1234.5);
    CHECK(j["meta"]["topology"].as<std::string>() == "back_to_back");
    YAML::Node s = j["stats"];
    CHECK(s["a.nic.tx_frames"]["kind"].as<std::string>() == "counter");
    CHECK(s["a.nic.tx_frames"]["value"].as<uint64_t>() == 13);
    CHECK(s["a.nic.tx_frames"]["unit"].as<std::string>() == "frames");
    CHECK(s["a.nic.tx.mac_tx.utilisation"]["value"].as<double>() == 0.25);
    YAML::Node a = s["a.nic.gap_ns"];
    CHECK(a["kind"].as<std::string>() == "accumulator");
    CHECK(a["count"].as<int>() == 2);
    CHECK(a["sum"].as<double>() == 4);
    CHECK(a["sum_sq"].as<double>() == 10);
    CHECK(a["min"].as<double>() == 1);
    CHECK(a["max"].as<double>() == 3);
    CHECK(a["mean"].as<double>() == 2);
    CHECK(a["stddev"].as<double>() == 1);
    YAML::Node hh = s["a.nic.tx.frame_bytes"];
    CHECK(hh["kind"].as<std::string>() == "histogram");
    CHECK(hh["count"].as<int>() == 4);
    CHECK(hh["overflow"].as<int>() == 1);  // 1000 >= 256
    // Only the non-empty buckets: 60 -> [0,64), 70 -> [64,128), 130 -> [128,192).
    REQUIRE(hh["buckets"].size() == 3);
    CHECK(hh["buckets"][2]["lo"].as<double>() == 128);
    CHECK(hh["buckets"][2]["hi"].as<double>() == 192);
    CHECK(hh["buckets"][2]["count"].as<int>() == 1);
    CHECK(hh["p50"].IsDefined());
    CHECK(hh["p99"].IsDefined());

    const std::vector<std::string> lines = lines_of(r.to_csv());
    REQUIRE(!lines.empty());
    CHECK(lines[0] == "name,kind,unit,value,count,sum,sum_sq,min,max,mean,stddev,p50,p90,p99,lo,hi");
    for (const std::string& l : lines) CHECK(csv_fields(l) == 16);
    CHECK(lines[1] == "a.nic.tx_frames,counter,frames,13,,,,,,,,,,,,");
    CHECK(lines[2] == "a.nic.tx.mac_tx.utilisation,gauge,ratio,0.25,,,,,,,,,,,,");
    CHECK(lines[3] == "a.nic.gap_ns,accumulator,ns,,2,4,10,1,3,2,1,,,,,");
    CHECK(lines[4].rfind("a.nic.tx.frame_bytes,histogram,B,,4,1260,", 0) == 0);
    CHECK(lines[5] == "a.nic.tx.frame_bytes,bucket,B,,1,,,,,,,,,,0,64");
    CHECK(lines[8] == "a.nic.tx.frame_bytes,bucket,B,,1,,,,,,,,,,256,");  // the overflow
}

TEST_CASE("Stage stats from synthetic counters: utilisation and occupancy by hand", "[stats]") {
    const std::vector<nic::StageConfig> stages = {stage("mac_rx", 3200, 32, 2, 8), stage("mps", 2000, 64, 1, 16)};
    std::vector<nic::StageCounters> c(2);
    c[0] = {3, 10, 32000, 4, 50000.0L, 38000};   // 10 beats * 3200 ps
    c[1] = {3, 6, 12000, 16, 400000.0L, 40000};  // 6 beats * 2000 ps
    // The run ended at 100 ns, after every last pop: interval 100000 ps.
    CHECK(observed_interval(stages, c, 100000) == 100000);
    StatsRegistry r;
    add_stage_stats(r, "b.nic.rx", stages, c, 100000);
    auto g = [&](const std::string& n) { return r.find(n)->value; };
    auto k = [&](const std::string& n) { return r.find(n)->count_value; };
    CHECK(g("b.nic.rx.mac_rx.utilisation") == Approx(0.32));
    CHECK(g("b.nic.rx.mps.utilisation") == Approx(0.12));
    CHECK(g("b.nic.rx.mac_rx.mean_occupancy_beats") == Approx(0.5));
    CHECK(g("b.nic.rx.mps.mean_occupancy_beats") == Approx(4.0));
    CHECK(g("b.nic.rx.mac_rx.max_occupancy_fraction") == Approx(0.5));  // 4 of 8
    CHECK(g("b.nic.rx.mps.max_occupancy_fraction") == Approx(1.0));     // 16 of 16
    CHECK(g("b.nic.rx.mac_rx.busy_ns") == Approx(32.0));
    CHECK(k("b.nic.rx.mac_rx.frames") == 3);
    CHECK(k("b.nic.rx.mps.beats") == 6);
    CHECK(k("b.nic.rx.mps.fifo_depth_beats") == 16);
    CHECK(k("b.nic.rx.mac_rx.max_occupancy_beats") == 4);

    // A run that ends before the last pop's cycle: the interval stretches to 40000 + 2000.
    CHECK(observed_interval(stages, c, 10000) == 42000);
    StatsRegistry early;
    add_stage_stats(early, "b.nic.rx", stages, c, 10000);
    CHECK(early.find("b.nic.rx.mac_rx.utilisation")->value == Approx(32000.0 / 42000.0));

    c.pop_back();
    CHECK_THROWS_AS(add_stage_stats(r, "x", stages, c, 1), std::invalid_argument);
}

TEST_CASE("Stage counters rebuilt from a chain's frame times: one 5-beat frame through 2 stages by hand",
          "[stats]") {
    // Both stages: T = 6400 ps, 32 B beats, latency 1, 8-beat FIFOs, cut-through on 1 byte.
    // A 160 B frame is 5 beats; the source writes beat k at k*T (offer interval T).
    //   stage 0 pops beat k at (k+1)T (a beat written on an edge is seen on the next), and it
    //   leaves at (k+2)T, written into stage 1, which pops it at (k+3)T.
    // Each beat waits exactly one cycle in each FIFO: area 5 * T per stage; at (k+1)T stage 0
    // pops beat k while beat k+1 is written, so at most one beat is ever held.
    const Ps T = 6400;
    const std::vector<nic::StageConfig> stages = {stage("s0", T, 32, 1, 8), stage("s1", T, 32, 1, 8)};
    auto chain = nic::make_pipeline_chain(nic::PipelineMode::Fast, stages);
    const nic::FrameTiming ft = chain->add({160, 0, T});
    REQUIRE(ft.stages[0].first_pop == T);
    REQUIRE(ft.stages[1].last_pop == 7 * T);
    const auto c = counters_from_trace(stages, {{160, T, &ft}});
    REQUIRE(c.size() == 2);
    for (int s = 0; s < 2; ++s) {
        INFO("stage " << s);
        CHECK(c[s].frames == 1);
        CHECK(c[s].beats == 5);
        CHECK(c[s].busy == 5 * T);
        CHECK(c[s].max_occupancy == 1);
        CHECK(double(c[s].occupancy_area) == Approx(5.0 * T));
    }
    CHECK(c[0].last_pop == 5 * T);
    CHECK(c[1].last_pop == 7 * T);
    // Observed until the last pop's cycle ends (8T): utilisation 5/8, mean occupancy 5/8 beat.
    CHECK(stage_utilisation(c[1], observed_interval(stages, c, 0)) == Approx(5.0 / 8.0));
    CHECK(stage_mean_occupancy(c[0], observed_interval(stages, c, 0)) == Approx(5.0 / 8.0));
}

TEST_CASE("Stage counters rebuilt from random back-to-back traffic stay within physical limits", "[stats]") {
    // A slow middle stage backs traffic up: utilisation can approach but never pass 1, and
    // the estimated FIFO occupancy never exceeds a FIFO's depth.
    const std::vector<nic::StageConfig> stages = {stage("fast", 2000, 32, 2, 16), stage("slow", 3200, 16, 1, 12),
                                                  stage("wide", 2000, 64, 3, 8)};
    auto chain = nic::make_pipeline_chain(nic::PipelineMode::Fast, stages);
    std::mt19937 rng(7);
    std::vector<nic::FrameTiming> timings;
    std::vector<uint64_t> sizes;
    Ps t = 0;
    for (int i = 0; i < 200; ++i) {
        sizes.push_back(60 + rng() % 1400);
        timings.push_back(chain->add({sizes.back(), t, 2000}));
        t += 1000 + rng() % 20000;
    }
    std::vector<TracedFrame> frames;
    uint64_t beats_slow = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
        frames.push_back({sizes[i], 2000, &timings[i]});
        beats_slow += nic::beats_for(sizes[i], 16);
    }
    const auto c = counters_from_trace(stages, frames);
    CHECK(c[1].beats == beats_slow);
    CHECK(c[1].busy == beats_slow * 3200);
    const Ps interval = observed_interval(stages, c, 0);
    for (size_t s = 0; s < stages.size(); ++s) {
        INFO(stages[s].name);
        CHECK(c[s].frames == 200);
        CHECK(c[s].max_occupancy >= 1);
        CHECK(c[s].max_occupancy <= stages[s].fifo_depth_beats);
        const double u = stage_utilisation(c[s], interval);
        CHECK(u > 0.0);
        CHECK(u <= 1.0);
    }
    // The slow stage is the bottleneck: the busiest of the three.
    CHECK(c[1].busy > c[0].busy);
    CHECK(c[1].busy > c[2].busy);
}

TEST_CASE("FIFO occupancy from the trace in beats: two frames back to back peak at their summed beats", "[stats]") {
    // One 500 MHz stage, 32 B beats. Frame 1: 160 B = 5 beats written every 2 ns from 0, popped
    // 20..28 ns; frame 2: 96 B = 3 beats written at 10, 12, 14 ns, popped 30..34 ns. By hand:
    // the level climbs one beat per write to 5 + 3 = 8 at 14 ns, holds until the first pop at
    // 20 ns, then falls one per pop to 0 at 34 ns.
    const std::vector<nic::StageConfig> stages = {stage("s0", 2000, 32, 1, 16)};
    nic::FrameTiming f1, f2;
    f1.first_write = 0;
    f1.stages = {{20000, 28000, 22000, 30000}};
    f2.first_write = 10000;
    f2.stages = {{30000, 34000, 32000, 36000}};
    const std::vector<sim::stats::TracedFrame> frames = {{160, 2000, &f1}, {96, 2000, &f2}};
    const auto occ = sim::stats::fifo_occupancy(stages, 0, frames);
    std::vector<std::pair<Ps, uint64_t>> want;
    for (uint64_t k = 0; k < 5; ++k) want.emplace_back(Ps(2000 * k), k + 1);        // frame 1 in
    for (uint64_t k = 0; k < 3; ++k) want.emplace_back(Ps(10000 + 2000 * k), 6 + k);  // frame 2 in
    for (uint64_t k = 0; k < 8; ++k) want.emplace_back(Ps(20000 + 2000 * k), 7 - k);  // all popped
    CHECK(occ == want);
    // The counters stats.json reports from the same estimate agree.
    const auto c = sim::stats::counters_from_trace(stages, frames);
    CHECK(c[0].max_occupancy == 8);
    CHECK(c[0].beats == 8);
    // A FIFO of 6 beats: frame 2's last two beats wait for pops at 20 and 22 ns, so the level
    // never exceeds the depth.
    const std::vector<nic::StageConfig> shallow = {stage("s0", 2000, 32, 1, 6)};
    uint64_t peak = 0;
    for (const auto& [t, level] : sim::stats::fifo_occupancy(shallow, 0, frames)) peak = std::max(peak, level);
    CHECK(peak == 6);
}
