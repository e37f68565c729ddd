// Latency budget corner cases: zero-length messages (their frame carries an empty DDP segment
// and places nothing) and runs with several flows (one budget group per flow).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "proto/ethernet.h"
#include "sim/report/latency_budget.h"
#include "budget_checks.h"
#include "two_host_fixture.h"

using namespace nicsim;
using namespace nicsim::testing;
using timing::Ps;

TEST_CASE("Latency budget of zero-length Send and Write: their (empty) frame is on the path", "[budget]") {
    timing::init_time_resolution();
    sim::TestbedParams p;
    for (sim::HostSideParams* h : {&p.hosts[0], &p.hosts[1]}) {
        h->nic.trace = true;
        h->nic.tcp.timestamps = false;  // the frame sizes below are computed without the option
    }
    sim::Testbed sys("sys", p);
    std::vector<sim::OpRecord> ops;
    bool done = false;
    sys.body = [&] {
        auto [a, b] = sys.connect_pair();
        REQUIRE(sys.b().dev.post_recv(b.qp, {{77, {{b.buf, 0, b.mr->lkey}}}}) == 0);
        sc_core::wait(timing::to_sc(20 * timing::kUs));
        // A 0-byte Send: done when B polls its receive CQE.
        Ps t = timing::now_ps();
        REQUIRE(sys.a().dev.post_send(a.qp, {send_wr(1, a, 0, 0)}) == 0);
        verbs::WorkCompletion wc;
        REQUIRE(sys.wait_until([&] { return sys.b().dev.poll_cq(b.cq, 1, &wc) == 1; }, 100 * timing::kUs, 1000));
        CHECK(wc.wr_id == 77u);
        CHECK(wc.byte_len == 0u);
        ops.push_back(op_record(sim::OpKind::Send, 0, a, 1, false, t, timing::now_ps()));
        sc_core::wait(timing::to_sc(20 * timing::kUs));
        verbs::WorkCompletion wcs[4];
        sys.a().dev.poll_cq(a.cq, 4, wcs);
        // A 0-byte Write places nothing: done when B's NIC has taken its frame in (the only
        // thing there is to see at B).
        const size_t rx_before = sys.b().nic.trace().rx.size();
        t = timing::now_ps();
        REQUIRE(sys.a().dev.post_send(a.qp, {write_wr(2, a, 0, 0, b, 0)}) == 0);
        REQUIRE(sys.wait_until(
            [&] {
                const auto& rx = sys.b().nic.trace().rx;
                for (size_t k = rx_before; k < rx.size(); ++k)
                    if (rx[k].payload > 0 && rx[k].delivered) return true;
                return false;
            },
            100 * timing::kUs, 1000));
        ops.push_back(op_record(sim::OpKind::Write, 0, a, 2, false, t, timing::now_ps()));
        sc_core::wait(timing::to_sc(20 * timing::kUs));
        sys.a().dev.poll_cq(a.cq, 4, wcs);
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    REQUIRE(done);
    REQUIRE(sys.a().nic.errors().empty());
    REQUIRE(sys.b().nic.errors().empty());

    const Ps bt = net::byte_time_ps(p.link.rate_gbps);
    for (const sim::OpRecord& op : ops) {
        const sim::OpPath path = sim::critical_path(sys, op);
        std::printf("\n%s 0 B\n%s", sim::op_kind_name(op.kind), sim::format_path(path).c_str());
        check_telescopes(path);
        // The frame by hand: Ethernet 14 + IPv4 20 + TCP 20 + MPA 2 + DDP/RDMAP header (untagged
        // Send 18, tagged Write 14) + no payload + CRC 4; + FCS 4 on the wire.
        const Ps frame = op.kind == sim::OpKind::Send ? 14 + 20 + 20 + 2 + 18 + 4 : 14 + 20 + 20 + 2 + 14 + 4;
        const sim::PathRow* ser = find_row(path, "wire: serialization (frame + FCS, last byte in)");
        REQUIRE(ser);
        CHECK(ser->floor == (frame + 4) * bt);
        CHECK(ser->span() == (frame + 4) * bt);  // a quiet link: exactly the frame
        CHECK(find_row(path, "wire: propagation")->span() == p.link.propagation);
        // Nothing to gather or place: no payload DMA, no placement rows.
        CHECK_FALSE(find_row(path, "SGE: payload DMA (gather)"));
        CHECK_FALSE(find_row(path, "SGE: placement DMA write visible (PCIe MWr)"));
        // A Send ends on B's receive CQE.
        CHECK((find_row(path, "SGE: CQE DMA write visible") != nullptr) == (op.kind == sim::OpKind::Send));
    }
    const sim::LatencyBudget budget = sim::latency_budget(sys, ops);
    CHECK(budget.matched == 2);
    CHECK(budget.unmatched == 0);
}

TEST_CASE("Latency budget of an incast (b -> a, c -> a): one group per flow, a single flow keeps its groups",
          "[budget]") {
    timing::init_time_resolution();
    sim::TestbedParams p(3);
    p.use_switch = true;
    for (sim::HostSideParams& h : p.hosts) h.nic.trace = true;
    sim::Testbed sys("sys", p);
    constexpr int kOps = 3;
    std::vector<sim::OpRecord> ops;
    bool done = false;
    sys.body = [&] {
        const auto [b, a_from_b] = sys.connect_pair({}, 1 << 20, 100 * timing::kUs, 1, 0);
        const auto [c, a_from_c] = sys.connect_pair({}, 1 << 20, 100 * timing::kUs, 2, 0);
        const sim::QpEnd src[2] = {b, c}, dst[2] = {a_from_b, a_from_c};
        sc_core::wait(timing::to_sc(20 * timing::kUs));
        for (int k = 0; k < kOps; ++k)
            for (int f = 0; f < 2; ++f) {
                const int from = 1 + f;
                auto data = pattern(64, uint32_t(10 * k + f));
                sys.host(from).mem.write(src[f].buf + 64 * k, data);
                sim::OpRecord r = op_record(sim::OpKind::Write, 64, src[f], uint64_t(100 * from + k), false,
                                            timing::now_ps(), 0);
                r.initiator = from;
                r.target = 0;
                REQUIRE(sys.host(from).dev.post_send(src[f].qp, {write_wr(r.wr_id, src[f], 64 * k, 64, dst[f], 64 * k)}) ==
                        0);
                REQUIRE(sys.wait_until([&] { return sys.host(0).mem.read(dst[f].buf + 64 * k, 64) == data; },
                                       20 * timing::kUs, 1000));
                r.done = timing::now_ps();
                ops.push_back(r);
                sc_core::wait(timing::to_sc(5 * timing::kUs));
            }
        sc_core::wait(timing::to_sc(20 * timing::kUs));
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    REQUIRE(done);

    const auto dir = std::filesystem::temp_directory_path() / "nicsim_budget_flows_test";
    std::filesystem::remove_all(dir);
    const sim::LatencyBudget budget = sim::write_latency_budget(sys, ops, dir);
    CHECK(budget.matched == uint64_t(2 * kOps));
    REQUIRE(budget.groups.size() == 2);  // one (kind, size), two flows
    for (size_t g = 0; g < 2; ++g) {
        CHECK(budget.groups[g].ops == uint64_t(kOps));
        CHECK(budget.groups[g].initiator == int(1 + g));
        CHECK(budget.groups[g].target == 0);
    }
    const YAML::Node j = YAML::LoadFile((dir / "budget.json").string());
    REQUIRE(j["groups"].size() == 2);
    CHECK(j["groups"][0]["flow"]["initiator"].as<std::string>() == "b");
    CHECK(j["groups"][0]["flow"]["target"].as<std::string>() == "a");
    CHECK(j["groups"][1]["flow"]["initiator"].as<std::string>() == "c");
    std::ifstream md_file(dir / "budget.md");
    std::stringstream md;
    md << md_file.rdbuf();
    CHECK(md.str().find("## write 64 B, b -> a (3 ops)") != std::string::npos);
    CHECK(md.str().find("## write 64 B, c -> a (3 ops)") != std::string::npos);

    // One flow only: grouped by (kind, size) as before, no flow in the output.
    std::vector<sim::OpRecord> from_b;
    for (const auto& op : ops)
        if (op.initiator == 1) from_b.push_back(op);
    const sim::LatencyBudget one = sim::latency_budget(sys, from_b);
    REQUIRE(one.groups.size() == 1);
    CHECK_FALSE(one.groups[0].per_flow());
    CHECK(one.groups[0].ops == uint64_t(kOps));
    CHECK(sim::budget_json(one).find("\"flow\"") == std::string::npos);
    CHECK(sim::budget_markdown(one).find("## write 64 B (3 ops)") != std::string::npos);
}
