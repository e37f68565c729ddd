// The analytic PCIe model reproduces pcie-model's published figures (perf_anchors.md §2.2).
#include <catch2/catch.hpp>

#include <cmath>

#include "pcie/latency_dist.h"
#include "pcie/pcie_analytic.h"
#include "pcie/pcie_params.h"

using namespace nicsim::pcie;
namespace an = nicsim::pcie::analytic;

static PcieParams gen3x8(uint32_t mps) {
    PcieParams p;
    p.mps = mps;
    return p;
}

TEST_CASE("Raw and TLP-layer bandwidth, Gen3 x8") {
    CHECK(an::raw_gbps(3, 8) == Approx(63.015).epsilon(1e-4));
    CHECK(an::raw_gbps(1, 1) == Approx(2.0));
    CHECK(an::raw_gbps(2, 16) == Approx(64.0));
    CHECK(an::raw_gbps(4, 16) == Approx(16 * 16 * 128.0 / 130.0));
    // The figures quoted in perf_anchors.md §2.2 to two decimals.
    CHECK(std::round(an::tlp_gbps(gen3x8(256)) * 100) / 100 == Approx(57.88));
    CHECK(std::round(an::tlp_gbps(gen3x8(128)) * 100) / 100 == Approx(56.67));
    // Overhead terms by hand: 8/203 + 8/203 + 4/1538.
    CHECK(an::dllp_overhead_fraction(gen3x8(256)) == Approx(16.0 / 203 + 4.0 / 1538));
}

TEST_CASE("TLP overheads and counts") {
    PcieParams p = gen3x8(256);
    CHECK(an::mwr_overhead(p) == 24);
    CHECK(an::mrd_overhead(p) == 24);
    CHECK(an::cpld_overhead(p) == 20);
    p.addr64 = false;
    CHECK(an::mwr_overhead(p) == 20);
    p.ecrc = true;
    CHECK(an::cpld_overhead(p) == 24);
    p = gen3x8(256);
    CHECK(an::num_mwr(p, 4096) == 16);
    CHECK(an::num_mrd(p, 4096) == 8);  // MRRS 512
    CHECK(an::num_cpld(p, 4096) == 16);
    p.rcb_chunks = true;
    CHECK(an::num_cpld(p, 4096) == 64);
    p = gen3x8(256);
    p.mrrs = 128;  // completions can be no larger than their request
    CHECK(an::num_cpld(p, 512) == 4);
}

TEST_CASE("Effective DMA bandwidth matches the perf_anchors table (MPS 256)") {
    PcieParams p = gen3x8(256);
    struct Row {
        uint32_t size;
        double wr, rd;
    } rows[] = {{64, 42.1, 44.1}, {128, 48.8, 50.1}, {256, 52.9, 53.7}, {512, 52.9, 53.7}, {2048, 52.9, 53.7}};
    for (auto r : rows) {
        INFO("size " << r.size);
        // The table is rounded to 0.1 (its 128 B write row, 48.8, is 48.75 before rounding).
        CHECK(an::write_eff_gbps(p, r.size) == Approx(r.wr).margin(0.06));
        CHECK(an::read_eff_gbps(p, r.size) == Approx(r.rd).margin(0.06));
    }
}

TEST_CASE("Serialization never undercuts the TLP rate") {
    PcieParams p = gen3x8(256);
    for (uint32_t b : {8u, 24u, 84u, 280u, 4120u}) {
        double exact = b * 8000.0 / an::tlp_gbps(p);
        CHECK(double(an::serialize_ps(p, b)) >= exact - 1e-6);
        CHECK(double(an::serialize_ps(p, b)) < exact + 1.0);
    }
    // 64 B MWr (88 B) ~ 12.2 ns at the TLP rate; perf_anchors' 11.2 ns uses the raw rate.
    CHECK(an::serialize_ps(p, 88) == Approx(88 * 8000.0 / an::tlp_gbps(p)).margin(1));
}

TEST_CASE("Parameter validation gives clear errors") {
    PcieParams p;
    CHECK_NOTHROW(p.validate());
    p.mps = 200;
    CHECK_THROWS_WITH(p.validate(), Catch::Contains("pcie.mps=200"));
    p = PcieParams{};
    p.gen = 5;
    CHECK_THROWS_WITH(p.validate(), Catch::Contains("pcie.gen"));
    p = PcieParams{};
    p.lanes = 3;
    CHECK_THROWS_WITH(p.validate(), Catch::Contains("pcie.lanes"));
    p = PcieParams{};
    p.max_read_tags = 0;
    CHECK_THROWS_WITH(p.validate(), Catch::Contains("pcie.tags"));
    p = PcieParams{};
    p.rcb = 512;
    p.mps = 128;
    CHECK_THROWS_AS(p.validate(), std::invalid_argument);
}

TEST_CASE("Latency distributions") {
    auto c = LatencyDist::constant(5000);
    std::mt19937_64 rng(7);
    CHECK(c.sample(rng) == 5000);
    auto d = LatencyDist::pciebench_e5_64b(0);
    CHECK(d.median() == 546000);
    CHECK(d.min() == 520000);
    std::vector<nicsim::timing::Ps> v;
    for (int i = 0; i < 20001; ++i) v.push_back(d.sample(rng));
    std::sort(v.begin(), v.end());
    CHECK(v.front() >= 520000);
    CHECK(v.back() <= 586000);
    CHECK(double(v[10000]) == Approx(546000).margin(1000));  // sample median near 546 ns
    CHECK_THROWS_AS(LatencyDist::empirical({{0.0, 5}, {0.5, 4}, {1.0, 6}}), std::invalid_argument);
    CHECK_THROWS_AS(LatencyDist::empirical({{0.1, 5}, {1.0, 6}}), std::invalid_argument);
}
