// The testbed beyond two hosts (sim::Testbed, N hosts through the cut-through switch): which
// sizes it takes, that every NIC reaches every other one with the bytes intact while all of
// them talk at once, that frame ids stay unique across NICs (the reports key on them), and
// that the latency budget follows an operation between any two hosts.
#include <catch2/catch.hpp>

#include <set>

#include "sim/config/config.h"
#include "budget_checks.h"
#include "two_host_fixture.h"

using namespace nicsim;
using namespace nicsim::testing;
using timing::Ps;

TEST_CASE("Testbed sizes: two back to back, up to 16 through the switch; others are refused", "[testbed]") {
    timing::init_time_resolution();
    CHECK_THROWS_AS(sim::Testbed("three_b2b", sim::TestbedParams(3)), std::invalid_argument);
    CHECK_THROWS_AS(sim::Testbed("one", sim::TestbedParams(1)), std::invalid_argument);
    sim::TestbedParams too_many(sim::kMaxHosts + 1);
    too_many.use_switch = true;
    CHECK_THROWS_AS(sim::Testbed("seventeen", too_many), std::invalid_argument);

    sim::TestbedParams p = sim::TestbedParams::from_config(config::Config(), sim::kMaxHosts);
    p.use_switch = true;
    sim::Testbed sys("sys", p);
    REQUIRE(sys.host_count() == 16);
    REQUIRE(sys.network_switch()->port_count() == 16);
    CHECK(sim::host_name(15) == "p");
    CHECK(sys.side(15).nic.ip.value == 0x0A000010);  // 10.0.0.16
    CHECK(sys.side(15).nic.mac.octets[5] == 0x0a + 15);
    std::set<uint64_t> first_ids;
    for (int i = 0; i < sys.host_count(); ++i) first_ids.insert(sys.side(i).nic.first_frame_id);
    CHECK(first_ids.size() == 16);
    // Each host receives from the switch port that leads to it.
    for (int i = 0; i < sys.host_count(); ++i) CHECK(&sys.link_to(i) == &sys.network_switch()->egress(size_t(i)));
}

TEST_CASE("Three hosts through the switch: Writes along all six ordered pairs at once land byte for byte", "[testbed]") {
    timing::init_time_resolution();
    sim::TestbedParams p = sim::TestbedParams::from_config(config::Config(), 3);
    p.use_switch = true;
    for (auto& h : p.hosts) h.nic.trace = true;
    sim::Testbed sys("sys", p);
    constexpr uint32_t kSize = 8192;
    std::vector<sim::OpRecord> ops;
    std::vector<std::vector<uint8_t>> data;
    bool finished = false;
    sys.body = [&] {
        std::vector<std::pair<sim::QpEnd, sim::QpEnd>> conn;
        std::vector<std::pair<int, int>> pairs;
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j)
                if (i != j) {
                    conn.push_back(sys.connect_pair({}, 1 << 20, 100 * timing::kUs, i, j));
                    pairs.push_back({i, j});
                }
        // All six at the same instant: the switch ports and every NIC's RX see several flows.
        for (size_t k = 0; k < conn.size(); ++k) {
            const auto& [src, dst] = conn[k];
            data.push_back(pattern(kSize, uint32_t(100 + k)));
            sys.host(pairs[k].first).mem.write(src.buf, data.back());
            sim::OpRecord r;
            r.kind = sim::OpKind::Write;
            r.size = kSize;
            r.initiator = pairs[k].first;
            r.target = pairs[k].second;
            r.qpn = src.qp->qpn;
            r.wr_id = 500 + k;
            r.posted = timing::now_ps();
            ops.push_back(r);
        }
        for (size_t k = 0; k < conn.size(); ++k)
            REQUIRE(sys.host(pairs[k].first).dev.post_send(conn[k].first.qp, {write_wr(500 + k, conn[k].first, 0, kSize, conn[k].second, 0)}) == 0);
        // The targets' CPUs poll their buffers; an operation is done when its last byte is there.
        size_t left = conn.size();
        REQUIRE(sys.wait_until(
            [&] {
                for (size_t k = 0; k < conn.size(); ++k) {
                    if (ops[k].done) continue;
                    if (sys.host(pairs[k].second).mem.read(conn[k].second.buf, kSize) == data[k]) {
                        ops[k].done = timing::now_ps();
                        --left;
                    }
                }
                return left == 0;
            },
            100 * timing::kUs, 10 * timing::kNs));
        sc_core::wait(timing::to_sc(2 * timing::kUs));
        finished = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    REQUIRE(finished);
    for (int i = 0; i < 3; ++i) {
        INFO("host " << sim::host_name(i));
        CHECK(sys.host(i).nic.errors().empty());
        CHECK(sys.host(i).nic.stats().rx_bad_frames == 0);
        CHECK(sys.host(i).nic.stats().rx_no_connection == 0);
        CHECK(sys.host(i).nic.stats().place_bytes == 2 * kSize);  // one Write from each other host
    }
    // Frame ids are unique across the testbed, and every frame a NIC received was sent by
    // another NIC (none of its own, none unknown).
    std::set<uint64_t> sent[3];
    std::set<uint64_t> all;
    size_t tx_count = 0;
    for (int i = 0; i < 3; ++i)
        for (const auto& f : sys.host(i).nic.trace().tx) {
            sent[i].insert(f.frame_id);
            all.insert(f.frame_id);
            ++tx_count;
        }
    CHECK(all.size() == tx_count);
    for (int i = 0; i < 3; ++i)
        for (const auto& f : sys.host(i).nic.trace().rx) {
            CHECK(sent[i].count(f.frame_id) == 0);
            CHECK(all.count(f.frame_id) == 1);
        }
    // The budget follows each operation from its initiator to its target: the rows telescope
    // from post to done, and the path crosses the switch (its row is at least its latency).
    const sim::TraceIndex index(sys);
    for (const sim::OpRecord& op : ops) {
        INFO(sim::host_name(op.initiator) << "->" << sim::host_name(op.target));
        const sim::OpPath path = sim::critical_path(index, op);
        check_telescopes(path);
        CHECK(row_span(path, "switch: port to port (first byte)") >= p.sw.latency);
    }
    // A record whose target is the initiator itself, or no host at all, is refused, not read.
    sim::OpRecord self = ops[0];
    self.target = self.initiator;
    CHECK_FALSE(sim::critical_path(index, self).matched);
    sim::OpRecord nowhere = ops[0];
    nowhere.target = 3;
    CHECK_FALSE(sim::critical_path(index, nowhere).matched);
}
