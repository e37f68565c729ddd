// The simulated PCIe link against the analytic model and hand-computed TLP timings.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>

#include "link_top.h"
#include "pcie/pcie_analytic.h"

using namespace nicsim;
using namespace nicsim::testing;
namespace an = nicsim::pcie::analytic;
using timing::Ps;

namespace {

// Streams 512 KiB at each size and checks simulated <= analytic and within 3% of it.
void bandwidth_sweep(bool read, uint32_t mps) {
    timing::init_time_resolution();
    pcie::PcieParams p;
    p.mps = mps;
    LinkTop top("top", p);
    std::vector<std::tuple<uint32_t, double, double>> results;
    top.body = [&] {
        for (uint32_t size : {64u, 128u, 256u, 512u, 1024u, 2048u, 4096u}) {
            uint32_t count = (512u << 10) / size;
            Ps t = stream(top, read, size, count);
            double sim = gbps(uint64_t(size) * count, t);
            double model = read ? an::read_eff_gbps(p, size) : an::write_eff_gbps(p, size);
            results.emplace_back(size, sim, model);
        }
    };
    sc_core::sc_start();
    REQUIRE(results.size() == 7);
    for (auto [size, sim, model] : results) {
        INFO((read ? "read " : "write ") << size << " B, MPS " << mps << ": sim " << sim << " Gb/s, model "
                                         << model << " Gb/s");
        CHECK(sim <= model);
        CHECK(sim >= 0.97 * model);
    }
}

}  // namespace

TEST_CASE("DMA write bandwidth vs size, MPS 256, within 3% of the analytic model") { bandwidth_sweep(false, 256); }
TEST_CASE("DMA write bandwidth vs size, MPS 128, within 3% of the analytic model") { bandwidth_sweep(false, 128); }
TEST_CASE("DMA read bandwidth vs size, MPS 256, within 3% of the analytic model") { bandwidth_sweep(true, 256); }
TEST_CASE("DMA read bandwidth vs size, MPS 128, within 3% of the analytic model") { bandwidth_sweep(true, 128); }

TEST_CASE("A single 64 B DMA read takes completion latency plus MRd and CplD serialization") {
    timing::init_time_resolution();
    pcie::PcieParams p;
    p.rc_read_latency = pcie::LatencyDist::constant(433 * timing::kNs + 7);  // an odd value on purpose
    p.link_latency = 5 * timing::kNs;
    host::HostMemoryParams mp;
    mp.read_latency = 91 * timing::kNs;
    LinkTop top("top", p, mp);
    std::vector<uint8_t> pattern(64);
    for (int i = 0; i < 64; ++i) pattern[i] = uint8_t(i * 7 + 1);
    top.mem.write(0x2000, pattern);
    Ps t_issue = 0, t_done = 0;
    std::vector<uint8_t> got;
    top.body = [&] {
        sc_core::wait(sc_core::sc_time(1234, sc_core::SC_PS));  // not on any round number
        t_issue = timing::now_ps();
        top.dma.read(0x2000, 64, nullptr, [&](bool ok, const std::vector<uint8_t>& d) {
            CHECK(ok);
            got = d;
            t_done = timing::now_ps();
        });
    };
    sc_core::sc_start();
    // MRd: 24 B upstream; CplD: 20 + 64 B downstream; each way also crosses the link latency.
    Ps expect = an::serialize_ps(p, 24) + p.link_latency + (433 * timing::kNs + 7) + mp.read_latency +
                an::serialize_ps(p, 20 + 64) + p.link_latency;
    CHECK(t_done - t_issue == expect);
    CHECK(got == pattern);
    // With the defaults the same read lands near pcie-bench's 546 ns median.
    pcie::PcieParams d;
    Ps def = an::serialize_ps(d, 24) + d.rc_read_latency.median() + host::HostMemoryParams{}.read_latency +
             an::serialize_ps(d, 84);
    CHECK(double(def) == Approx(546000).epsilon(0.01));
}

TEST_CASE("Read tags bound the read bandwidth to tags x size / round trip") {
    timing::init_time_resolution();
    pcie::PcieParams p;
    p.max_read_tags = 8;
    LinkTop top("top", p);
    Ps t = 0;
    const uint32_t size = 64, count = 4096;
    top.body = [&] { t = stream(top, true, size, count); };
    sc_core::sc_start();
    Ps rtt = an::serialize_ps(p, 24) + p.rc_read_latency.median() + host::HostMemoryParams{}.read_latency +
             an::serialize_ps(p, 84);
    double bound = double(p.max_read_tags) * size * 8 * 1000.0 / double(rtt);  // Gb/s
    double sim = gbps(uint64_t(size) * count, t);
    INFO("sim " << sim << " Gb/s, latency bound " << bound);
    CHECK(sim <= bound * 1.0001);
    CHECK(sim >= bound * 0.97);
    CHECK(sim < an::read_eff_gbps(p, size) / 2);
    CHECK(top.link.stats().max_tags_in_use == 8);
    CHECK(top.link.stats().tag_stalls > 0);
}

TEST_CASE("MRRS, MPS and RCB splitting produce the expected TLP counts and data") {
    timing::init_time_resolution();
    pcie::PcieParams p;
    p.mps = 128;
    p.mrrs = 256;
    p.rcb = 64;
    LinkTop top("top", p);
    std::vector<uint8_t> src(1000);
    for (size_t i = 0; i < src.size(); ++i) src[i] = uint8_t(i ^ 0x5a);
    const uint64_t addr = 0x10000 - 100;  // crosses a 4 KiB boundary, unaligned
    top.mem.write(addr, src);
    std::vector<std::pair<uint32_t, uint32_t>> chunks;
    std::vector<uint8_t> got;
    top.body = [&] {
        top.dma.read(addr, 1000, [&](const uint8_t*, uint32_t off, uint32_t n, Ps) { chunks.emplace_back(off, n); },
                     [&](bool ok, const std::vector<uint8_t>& d) {
                         CHECK(ok);
                         got = d;
                     });
    };
    sc_core::sc_start();
    CHECK(got == src);
    // Requests: 100 B up to the 4 KiB boundary, then 256, 256, 256, 132.
    CHECK(top.link.stats().tlps_up == 5);
    // Completions: every chunk <= MPS, every cut on an RCB boundary of the host address.
    uint32_t covered = 0;
    for (auto [off, n] : chunks) {
        CHECK(n <= p.mps);
        covered += n;
        uint64_t end = addr + off + n;
        if (off + n != 1000) CHECK(end % p.rcb == 0);
    }
    CHECK(covered == 1000);
    // 100 B -> 64|36? no: 100 B from 0xff9c: cut at 0x10000 (RCB) gives one CplD of 100.
    // 256 B aligned chunks -> 2 x 128; last 132 -> 128 + 4.
    CHECK(chunks.size() == 1 + 2 + 2 + 2 + 2);
}

TEST_CASE("Writes: posted credits throttle, data lands, and a later read sees it") {
    timing::init_time_resolution();
    pcie::PcieParams p;
    p.rc_posted_hdr_credits = 2;
    p.rc_posted_data_credits = 32;  // 512 B
    p.fc_update_latency = 200 * timing::kNs;
    LinkTop top("top", p);
    std::vector<uint8_t> got;
    Ps t = 0;
    top.body = [&] {
        t = stream(top, false, 256, 64, 0x40000);
        top.dma.write(0x9000, std::vector<uint8_t>(300, 0xab), nullptr);
        top.dma.read(0x9000, 300, nullptr, [&](bool, const std::vector<uint8_t>& d) { got = d; });
    };
    sc_core::sc_start();
    CHECK(got == std::vector<uint8_t>(300, 0xab));  // MRd did not pass the posted MWr
    // Two header credits: TLP 2k+1 leaves right behind TLP 2k, and TLP 2k+2 waits for TLP 2k's
    // credit to come back (serialization + fc_update_latency). So 64 TLPs finish at 31 loops
    // plus two serializations, and the rate is far below the link's.
    Ps s = an::serialize_ps(p, 280);
    Ps loop = s + p.fc_update_latency;
    // Credits come back on arrival at the RC; the last write is done once it is in memory.
    CHECK(t == 31 * loop + 2 * s + p.rc_write_latency);
    CHECK(gbps(64 * 256, t) < an::write_eff_gbps(p, 256) / 2);
    CHECK(top.link.stats().credit_stalls > 0);
}

TEST_CASE("MMIO writes reach the device after issue latency and serialization, and MSI-X is routed") {
    timing::init_time_resolution();
    pcie::PcieParams p;
    LinkTop top("top", p);
    std::vector<uint32_t> vectors;
    Ps t_msi = 0, t_issue = 0, predicted = 0;
    top.link.set_msix_handler([&](uint32_t v) {
        vectors.push_back(v);
        t_msi = timing::now_ps();
    });
    top.body = [&] {
        uint8_t db[8] = {1, 2, 3, 4, 5, 6, 7, 8};
        t_issue = timing::now_ps();
        predicted = top.link.mmio_write(0x100, db, 8);
        uint32_t vec = 17;
        std::vector<uint8_t> v(4);
        std::memcpy(v.data(), &vec, 4);
        top.dma.write(p.msix_base, v, nullptr);
    };
    sc_core::sc_start();
    REQUIRE(top.sink.log.size() == 1);
    CHECK(top.sink.log[0].first - t_issue == p.mmio_latency + an::serialize_ps(p, 24 + 8));
    CHECK(top.sink.log[0].first == predicted);
    CHECK(top.sink.log[0].second.size() == 8);
    CHECK(vectors == std::vector<uint32_t>{17});
    // The MSI-X write is ordered behind data writes: it lands rc_write_latency after arrival.
    CHECK(t_msi == an::serialize_ps(p, 24 + 4) + p.rc_write_latency);
    CHECK(top.mem.pages() == 0);  // the MSI-X write did not touch memory
}

TEST_CASE("Malformed DMA requests are rejected with an error, not a crash") {
    timing::init_time_resolution();
    pcie::PcieParams p;
    LinkTop top("top", p);
    bool r1 = true, r2 = true;
    top.body = [&] {
        r1 = top.dma.read(0x1000, 0, nullptr, nullptr);
        r2 = top.dma.write(~0ull - 10, std::vector<uint8_t>(64), nullptr);  // wraps the address space
    };
    sc_core::sc_start();
    CHECK_FALSE(r1);
    CHECK_FALSE(r2);
    CHECK(top.link.stats().dma_rejected == 2);
}

TEST_CASE("A link with invalid parameters refuses to elaborate") {
    timing::init_time_resolution();
    pcie::PcieParams bad;
    bad.mps = 96;
    CHECK_THROWS_WITH(pcie::PcieLink("bad", bad), Catch::Contains("pcie.mps"));
}

TEST_CASE("A completion-latency distribution reproduces the pcie-bench 64 B read spread") {
    timing::init_time_resolution();
    pcie::PcieParams p;
    host::HostMemoryParams mp;
    // Subtract what the model adds around the RC so the round trip itself follows pcie-bench.
    int64_t around = int64_t(mp.read_latency + an::serialize_ps(p, 24) + an::serialize_ps(p, 84));
    p.rc_read_latency = pcie::LatencyDist::pciebench_e5_64b(-around);
    p.seed = 42;
    LinkTop top("top", p, mp);
    std::vector<Ps> lat;
    top.body = [&] {
        for (int i = 0; i < 2001; ++i) {
            Ps t0 = timing::now_ps();
            bool got = false;
            top.dma.read(0x1000 + 64 * (i % 64), 64, nullptr, [&](bool, const std::vector<uint8_t>&) {
                lat.push_back(timing::now_ps() - t0);
                got = true;
                top.progress.notify();
            });
            top.wait_until([&] { return got; });
        }
    };
    sc_core::sc_start();
    REQUIRE(lat.size() == 2001);
    std::sort(lat.begin(), lat.end());
    CHECK(lat.front() >= 520000);
    CHECK(lat.back() <= 586000);
    CHECK(double(lat[1000]) == Approx(546000).margin(1500));
    CHECK(lat.back() - lat.front() > 30000);  // really a spread, not a constant
}

TEST_CASE("Other generations and widths also track the analytic model") {
    timing::init_time_resolution();
    struct Cfg {
        int gen, lanes;
        uint32_t mps, tags;
        bool ecrc, addr64;
    } cfgs[] = {{1, 1, 128, 32, false, true}, {2, 4, 256, 64, true, true}, {4, 16, 512, 1024, false, false}};
    std::vector<std::unique_ptr<LinkTop>> tops;
    std::vector<std::tuple<std::string, double, double>> results;
    int i = 0;
    for (auto c : cfgs) {
        pcie::PcieParams p;
        p.gen = c.gen;
        p.lanes = c.lanes;
        p.mps = c.mps;
        p.max_read_tags = c.tags;
        p.ecrc = c.ecrc;
        p.addr64 = c.addr64;
        tops.push_back(std::make_unique<LinkTop>(("top" + std::to_string(i++)).c_str(), p));
        LinkTop* t = tops.back().get();
        t->body = [t, p, &results] {
            for (uint32_t size : {64u, 1024u, 4096u}) {
                for (bool read : {false, true}) {
                    // Long enough that the first round trip is < 1% of the run.
                    uint32_t count = uint32_t((p.gen == 4 ? 4u << 20 : 256u << 10) / size);
                    Ps dt = stream(*t, read, size, count);
                    double model = read ? an::read_eff_gbps(p, size) : an::write_eff_gbps(p, size);
                    results.emplace_back(p.describe() + (read ? " read " : " write ") + std::to_string(size),
                                         gbps(uint64_t(size) * count, dt), model);
                }
            }
        };
    }
    sc_core::sc_start();  // the three links run side by side, independently
    REQUIRE(results.size() == 18);
    for (auto& [what, sim, model] : results) {
        INFO(what << ": sim " << sim << " model " << model);
        CHECK(sim <= model);
        CHECK(sim >= 0.97 * model);
    }
}
