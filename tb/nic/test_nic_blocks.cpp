// The NIC blocks that are more than timing stages: the LE's connection capacity, TP's TCB
// cache and the MPS ingress buffer (nic.le.*, nic.tp.tcb_*, nic.mps.buffer_bytes), through
// the two-host system.
#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <vector>

#include "nic/t5/nic_pipeline_config.h"
#include "nic/t5/tcb_cache.h"
#include "sim/config/overrides.h"
#include "two_host_fixture.h"

using namespace nicsim;
using namespace nicsim::testing;
using timing::Ps;
using verbs::WcStatus;

namespace {

config::Config with(const std::vector<std::string>& sets) {
    config::Config c;
    REQUIRE(config::apply_overrides(c, sets).empty());
    return c;
}

void no_errors(sim::Testbed& sys) {
    for (int i = 0; i < 2; ++i) {
        INFO("host " << i);
        for (auto& e : sys.host(i).nic.errors()) UNSCOPED_INFO(e);
        CHECK(sys.host(i).nic.errors().empty());
        CHECK(sys.host(i).sge.errors().empty());
        CHECK(sys.host(i).nic.stats().payload_mismatches == 0);
        CHECK(sys.host(i).nic.stats().rx_bad_frames == 0);
    }
}

// Writes `len` bytes from a to b in WRs of `chunk`, waits for every completion, and checks
// the bytes at b.
void write_and_check(sim::Testbed& sys, const sim::QpEnd& a, const sim::QpEnd& b, uint32_t len, uint32_t chunk,
                     uint32_t seed) {
    const std::vector<uint8_t> data = pattern(len, seed);
    sys.a().mem.write(a.buf, data);
    int wrs = 0;
    for (uint32_t off = 0; off < len; off += chunk, ++wrs)
        REQUIRE(sys.a().dev.post_send(a.qp, {write_wr(uint64_t(wrs), a, off, std::min(chunk, len - off), b, off)}) == 0);
    auto wc = sys.poll(0, a.cq, wrs, 3'000'000 * timing::kUs, 10 * timing::kUs);
    REQUIRE(int(wc.size()) == wrs);
    for (const auto& w : wc) CHECK(w.status == WcStatus::Success);
    CHECK(sys.b().mem.read(b.buf, len) == data);
}

}  // namespace

TEST_CASE("LE capacity: hash_entries in mode hash, tcam_cells / 4 in mode tcam", "[blocks][le]") {
    CHECK(nic::nic_blocks_from_config(with({"nic.le.hash_entries=2048"})).le_connections == 2048);
    CHECK(nic::nic_blocks_from_config(with({"nic.le.mode=tcam", "nic.le.tcam_cells=128"})).le_connections == 32);
    CHECK(nic::default_nic_blocks().le_connections == 16384);
}

TEST_CASE("A connection beyond the LE's capacity is refused at either side; the others keep working",
          "[blocks][le][two_host]") {
    timing::init_time_resolution();
    // TCAM with 128 cells: 32 IPv4 connections per NIC. B gets one spare entry, so the 33rd
    // connection is refused by A (active side, rdma_connect), the 34th by B (rdma_accept).
    sim::TestbedParams p = sim::TestbedParams::from_config(with({"nic.le.mode=tcam", "nic.le.tcam_cells=128"}));
    REQUIRE(p.hosts[0].nic.blocks.le_connections == 32);
    p.hosts[1].nic.blocks.le_connections = 33;
    sim::Testbed sys("sys", p);
    bool done = false;
    sys.body = [&] {
        std::vector<std::pair<sim::QpEnd, sim::QpEnd>> conns;
        for (int i = 0; i < 32; ++i) conns.push_back(sys.connect_pair({}, 1 << 16));
        REQUIRE_THROWS_WITH(sys.connect_pair({}, 1 << 16), Catch::Contains("connect:") && Catch::Contains("refused"));
        CHECK(sys.a().nic.stats().le_refused == 1);
        CHECK(sys.b().nic.stats().le_refused == 0);  // B accepted: its 33rd entry
        REQUIRE_THROWS_WITH(sys.connect_pair({}, 1 << 16), Catch::Contains("accept:") && Catch::Contains("refused"));
        CHECK(sys.b().nic.stats().le_refused == 1);
        // What the verbs layer returns for the refused connect: ECONNREFUSED, QP still in INIT.
        verbs::Device& d = sys.a().dev;
        verbs::Pd* pd = d.alloc_pd();
        verbs::Cq* cq = d.create_cq(64, {0, 1, false});
        verbs::QpInitAttr qa;
        qa.send_cq = qa.recv_cq = cq;
        verbs::Qp* qp = d.create_qp(pd, qa);
        sys.a().nic.set_flow(qp->qpn, {40000, {sys.params().hosts[1].nic.mac, sys.params().hosts[1].nic.ip, 40000}});
        CHECK(d.connect(qp, {}) == ECONNREFUSED);
        CHECK(qp->state == verbs::QpState::Init);
        CHECK(sys.a().nic.stats().le_refused == 2);
        // The first and the last admitted connections still carry data.
        write_and_check(sys, conns.front().first, conns.front().second, 3000, 3000, 1);
        write_and_check(sys, conns.back().first, conns.back().second, 3000, 3000, 2);
        no_errors(sys);
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    CHECK(done);
}

TEST_CASE("TCB cache: least recently used TCB evicted, by hand", "[blocks][tcb]") {
    nic::TcbCache c(2);
    CHECK_FALSE(c.access(1));  // miss: {1}
    CHECK_FALSE(c.access(2));  // miss: {2 1}
    CHECK(c.access(1));        // hit:  {1 2}
    CHECK_FALSE(c.access(3));  // miss, evicts 2: {3 1}
    CHECK(c.access(1));
    CHECK_FALSE(c.access(2));  // miss, evicts 3
    CHECK_FALSE(c.access(3));
    CHECK(c.hits() == 2);
    CHECK(c.misses() == 5);
    CHECK(c.held() == 2);
}

namespace {

// Two connections, single-frame Writes posted alternately on them; returns A's and B's
// (hits, misses).
std::vector<std::pair<uint64_t, uint64_t>> alternate(const std::string& entries, int writes) {
    timing::init_time_resolution();
    sim::Testbed sys("sys", sim::TestbedParams::from_config(with({"nic.tp.tcb_cache_entries=" + entries})));
    std::vector<std::pair<uint64_t, uint64_t>> out;
    sys.body = [&] {
        auto c1 = sys.connect_pair({}, 1 << 16);
        auto c2 = sys.connect_pair({}, 1 << 16);
        for (int i = 0; i < writes; ++i) {
            const auto& c = i % 2 ? c2 : c1;
            REQUIRE(sys.a().dev.post_send(c.first.qp, {write_wr(uint64_t(i), c.first, 0, 512, c.second, 0)}) == 0);
        }
        REQUIRE(sys.poll(0, c1.first.cq, writes / 2, 500'000 * timing::kUs, 1 * timing::kUs).size() == size_t(writes / 2));
        REQUIRE(sys.poll(0, c2.first.cq, writes / 2, 500'000 * timing::kUs, 1 * timing::kUs).size() == size_t(writes / 2));
        no_errors(sys);
        for (int i = 0; i < 2; ++i) out.push_back({sys.host(i).nic.stats().tcb_hits, sys.host(i).nic.stats().tcb_misses});
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    return out;
}

}  // namespace

TEST_CASE("TCB cache with room for both connections: only each connection's first frame misses", "[blocks][tcb][two_host]") {
    auto r = alternate("2", 40);
    REQUIRE(r.size() == 2);
    for (int i = 0; i < 2; ++i) {
        INFO("host " << i);
        CHECK(r[i].second == 2);
        CHECK(r[i].first > 40);  // 20 Writes per connection, their ACKs and the handshakes hit
    }
}

TEST_CASE("TCB cache of one entry with two connections alternating: misses dominate", "[blocks][tcb][two_host]") {
    auto r = alternate("1", 40);
    REQUIRE(r.size() == 2);
    // A sends the Writes alternately: each of its 40 data frames follows an access to the
    // other connection (its previous data frame) unless an ACK of its own connection arrived
    // in between, so far more than the 2 cold misses of a big enough cache.
    CHECK(r[0].second >= 40);
    CHECK(r[1].second >= 40);
}

TEST_CASE("MPS buffer: a tiny buffer behind a slow core drops frames, TCP recovers byte-exact", "[blocks][mps][two_host]") {
    timing::init_time_resolution();
    // B's RX chain on a 100 MHz x 32 B core (25.6 Gb/s) cannot keep up with A sending at
    // 40GbE line rate: the backlog in front of MPS grows during a burst and overflows 4 KiB.
    sim::TestbedParams p = sim::TestbedParams::from_config(with({"nic.mps.buffer_bytes=4096"}));
    p.hosts[1].nic.pipeline.rx = nic::nic_pipeline_from_config(with({"nic.core.clock_mhz=100"})).rx;
    sim::Testbed sys("sys", p);
    bool done = false;
    sys.body = [&] {
        auto [a, b] = sys.connect_pair({}, 1 << 20);
        write_and_check(sys, a, b, 256 * 1024, 64 * 1024, 3);
        CHECK(sys.b().nic.stats().rx_mps_drops > 0);
        CHECK(sys.a().nic.endpoint(a.qp->qpn)->tcp().stats().retransmitted_segments > 0);
        no_errors(sys);
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    CHECK(done);
}

TEST_CASE("MPS buffer: the default 192 KiB drops nothing on a line-rate stream", "[blocks][mps][two_host]") {
    timing::init_time_resolution();
    sim::Testbed sys("sys", sim::TestbedParams::from_config(config::Config()));
    bool done = false;
    sys.body = [&] {
        auto [a, b] = sys.connect_pair({}, 1 << 20);
        write_and_check(sys, a, b, 1 << 20, 64 * 1024, 4);
        for (int i = 0; i < 2; ++i) CHECK(sys.host(i).nic.stats().rx_mps_drops == 0);
        CHECK(sys.a().nic.endpoint(a.qp->qpn)->tcp().stats().retransmitted_segments == 0);
        no_errors(sys);
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    CHECK(done);
}

TEST_CASE("A TCB miss delays a data frame at TP and every later TX stage by exactly tcb_miss_cycles", "[blocks][tcb][two_host]") {
    timing::init_time_resolution();
    // One cached TCB, two connections. Both 64 B Writes start on an idle NIC: the one on the
    // connection used last hits, the other misses. Their frames are the same size, so every
    // TX stage's times relative to the offer must differ by exactly 100 core cycles (500 MHz:
    // 200 ns) from TP on, and not at all at ULP_TX.
    sim::TestbedParams p = sim::TestbedParams::from_config(with({"nic.tp.tcb_cache_entries=1", "nic.tp.tcb_miss_cycles=100"}));
    p.hosts[0].nic.trace = true;
    sim::Testbed sys("sys", p);
    bool done = false;
    sys.body = [&] {
        auto c1 = sys.connect_pair({}, 1 << 16);
        auto c2 = sys.connect_pair({}, 1 << 16);
        auto write_on = [&](const std::pair<sim::QpEnd, sim::QpEnd>& c, uint64_t id) {
            const size_t before = sys.a().nic.trace().tx.size();
            REQUIRE(sys.a().dev.post_send(c.first.qp, {write_wr(id, c.first, 0, 64, c.second, 0)}) == 0);
            REQUIRE(sys.poll(0, c.first.cq, 1, 500'000 * timing::kUs, 10 * timing::kUs).size() == 1);
            sc_core::wait(timing::to_sc(100'000 * timing::kUs));  // delayed ACKs and timers settle
            for (size_t i = before; i < sys.a().nic.trace().tx.size(); ++i)
                if (sys.a().nic.trace().tx[i].payload > 0) return sys.a().nic.trace().tx[i];
            FAIL("no data frame");
            return sys.a().nic.trace().tx.back();
        };
        sc_core::wait(timing::to_sc(100'000 * timing::kUs));  // the handshakes' delayed ACKs (c1's too)
        write_on(c2, 1);  // c2's TCB is the cached one from here on
        const uint64_t misses0 = sys.a().nic.stats().tcb_misses;
        const nic::TxFrameRecord hit = write_on(c2, 2);
        CHECK(sys.a().nic.stats().tcb_misses == misses0);  // the frame and its ACK hit
        const nic::TxFrameRecord miss = write_on(c1, 3);
        CHECK(sys.a().nic.stats().tcb_misses == misses0 + 1);  // the data frame (its ACK then hits)
        REQUIRE(hit.frame_bytes == miss.frame_bytes);
        const Ps M = 100 * 2000;
        auto rel = [](const nic::TxFrameRecord& r, size_t s) { return r.chain.stages[s].first_pop - r.offered; };
        auto rel_out = [](const nic::TxFrameRecord& r, size_t s) { return r.chain.stages[s].last_out - r.offered; };
        CHECK(rel(miss, 0) == rel(hit, 0));
        CHECK(rel_out(miss, 0) == rel_out(hit, 0));
        // TP and MPA_TX share the core clock: exactly M. MAC_TX is on the MAC clock, whose edges
        // sit at another phase relative to the two offers: M to within one MAC period.
        const std::vector<nic::StageConfig>& tx = p.hosts[0].nic.pipeline.tx;
        REQUIRE(tx[1].name == "tp");
        for (size_t s = 1; s < tx.size(); ++s) {
            INFO("TX stage " << tx[s].name);
            if (tx[s].clock.period() == tx[1].clock.period()) {
                CHECK(rel(miss, s) == rel(hit, s) + M);
                CHECK(rel_out(miss, s) == rel_out(hit, s) + M);
            } else {
                const Ps mac = tx[s].clock.period();
                CHECK(rel(miss, s) + mac > rel(hit, s) + M);
                CHECK(rel(miss, s) < rel(hit, s) + M + mac);
                CHECK(rel_out(miss, s) - rel(miss, s) == rel_out(hit, s) - rel(hit, s));
            }
        }
        const int64_t wire_shift = int64_t(miss.wire_first_byte - miss.offered) - int64_t(hit.wire_first_byte - hit.offered);
        CHECK(std::abs(wire_shift - int64_t(M)) < int64_t(tx.back().clock.period()));
        no_errors(sys);
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    CHECK(done);
}
