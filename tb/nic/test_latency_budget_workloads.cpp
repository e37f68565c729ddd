// The latency budget on the OpRecords the workload runners record (model/sim/workload/), the
// way `nicsim run --set outputs.budget=true` produces them: every operation of the bundled
// scenarios must be matched in the traces, its rows adding up to done - posted exactly.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "sim/report/latency_budget.h"
#include "sim/workload/scenario_run.h"
#include "budget_checks.h"

using namespace nicsim;
using namespace nicsim::testing;
using timing::Ps;

namespace {

std::string scenario(const std::string& name) {
    const char* src = std::getenv("NICSIM_SOURCE_DIR");
    return std::string(src ? src : NICSIM_TEST_SOURCE_DIR) + "/configs/scenarios/" + name + ".yaml";
}

// Runs the scenario with the budget output on and checks the budget of its operations.
// `kind`: the one kind every op must have (nullopt: a mix).
void check_scenario(const std::string& name, std::vector<std::string> sets, std::optional<sim::OpKind> kind) {
    timing::init_time_resolution();
    sets.push_back("outputs.budget=true");
    sim::RunPlan plan = sim::plan_run(scenario(name), sets, std::nullopt);
    std::vector<sim::OpPath> paths;
    sim::LatencyBudget budget;
    sim::ExecuteOptions opts;
    opts.after_run = [&](sim::Testbed& sys, const std::vector<sim::OpRecord>& ops) {
        const sim::TraceIndex index(sys);
        for (const auto& op : ops) paths.push_back(sim::critical_path(index, op));
        budget = sim::build_latency_budget(paths);
    };
    sim::RunOutcome out = sim::execute(plan, opts);
    REQUIRE(out.failure.empty());
    REQUIRE(!paths.empty());
    std::printf("%s: %llu ops matched, %llu unmatched\n", name.c_str(), (unsigned long long)budget.matched,
                (unsigned long long)budget.unmatched);
    for (const auto& r : budget.unmatched_reasons) std::printf("  unmatched: %s\n", r.c_str());
    CHECK(budget.unmatched == 0);
    CHECK(budget.matched == paths.size());
    for (const auto& p : paths) {
        if (!p.matched) continue;
        if (kind) CHECK(p.op.kind == *kind);
        check_telescopes(p);
        CHECK(p.total() >= p.floor_total());
    }
    for (const auto& g : budget.groups)
        std::printf("  %s %u B: %llu ops, mean %.1f ns, p99 %.1f ns, floor %.1f ns\n", sim::op_kind_name(g.kind),
                    g.size, (unsigned long long)g.ops, g.total_mean_ns, g.total_p99_ns, g.floor_ns);
}

}  // namespace

TEST_CASE("Budget of the write_lat scenario's ops (ping-pong, inline and gathered)", "[budget][workload]") {
    check_scenario("write_lat", {"workload.iterations=20", "workload.sizes=[2,128,4096,65536]"}, sim::OpKind::Write);
}

TEST_CASE("Budget of the read_lat scenario's ops", "[budget][workload]") {
    check_scenario("read_lat", {"workload.iterations=20", "workload.sizes=[2,4096,65536]"}, sim::OpKind::Read);
}

TEST_CASE("Budget of the send_lat scenario's ops", "[budget][workload]") {
    check_scenario("send_lat", {"workload.iterations=20", "workload.sizes=[2,4096,65536]"}, sim::OpKind::Send);
}

TEST_CASE("Budget of the write_bw scenario's ops (many in flight)", "[budget][workload]") {
    check_scenario("write_bw", {"workload.iterations=200", "workload.sizes=[64,4096]"}, sim::OpKind::Write);
}

TEST_CASE("Budget of the smb_direct_mix scenario's ops (Reads and Writes on 4 QPs, 32 outstanding)",
          "[budget][workload]") {
    check_scenario("smb_direct_mix", {"workload.ops=300", "workload.sizes=[4096,65536]", "workload.weights=[80,20]"},
                   std::nullopt);
}

TEST_CASE("Budget of the trace_replay scenario's ops (a storage trace on 2 QPs)", "[budget][workload]") {
    check_scenario("trace_replay", {}, std::nullopt);
}

TEST_CASE("Budget of the switch_write scenario's ops (write_lat then write_bw through the switch)",
          "[budget][workload]") {
    check_scenario("switch_write", {"workload.iterations=30"}, sim::OpKind::Write);
}
