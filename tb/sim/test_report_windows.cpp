// stats.json utilisation over the workload's window (first post -> last done) next to the
// whole run's, on a 64 KiB write_bw stream; and the interval log it is computed from.
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "sim/report/stats_report.h"
#include "sim/workload/scenario_run.h"
#include "timing/busy_intervals.h"

using namespace nicsim;
using timing::Ps;

TEST_CASE("BusyIntervals: merges back-to-back use, counts overlap once, busy time inside a window", "[stats]") {
    timing::BusyIntervals b;
    b.add(100, 200);
    b.add(200, 300);  // back to back: one span [100, 300)
    b.add(250, 320);  // overlaps: only [300, 320) is new
    b.add(500, 600);
    b.add(700, 700);  // empty
    CHECK(b.intervals() == 2);
    CHECK(b.total() == 320);
    CHECK(b.busy_within(0, 1000) == 320);
    CHECK(b.busy_within(150, 550) == 170 + 50);
    CHECK(b.busy_within(320, 500) == 0);
    CHECK(b.busy_within(599, 2000) == 1);
    CHECK(b.busy_within(300, 100) == 0);
}

TEST_CASE("stats.json utilisation over the workload window: a 64 KiB write_bw stream saturates A's TX link",
          "[stats][workload]") {
    timing::init_time_resolution();
    const char* src = std::getenv("NICSIM_SOURCE_DIR");
    const std::string file = std::string(src ? src : NICSIM_TEST_SOURCE_DIR) + "/configs/scenarios/write_bw.yaml";
    sim::RunPlan plan = sim::plan_run(file, {"workload.iterations=100", "workload.sizes=[65536]", "outputs.stats=true",
                                             "outputs.pcap=false"},
                                      std::nullopt);
    double window_util = 0, run_util = 0, goodput_gbps = 0, mac_window = 0, mac_run = 0, pcie_window = 0,
           pcie_run = 0;
    std::optional<sim::StatsWindow> window;
    sim::ExecuteOptions opts;
    opts.after_run = [&](sim::Testbed& sys, const std::vector<sim::OpRecord>& ops) {
        window = sim::workload_window(ops);
        REQUIRE(window);
        const Ps now = timing::now_ps();
        const sim::stats::StatsRegistry r = sim::collect_stats(sys, now, window);
        auto gauge = [&](const std::string& name) {
            const sim::stats::Stat* s = r.find(name);
            INFO(name);
            REQUIRE(s);
            return s->value;
        };
        window_util = gauge("a.link.tx.utilisation_window");
        run_util = gauge("a.link.tx.utilisation");
        mac_window = gauge("a.nic.tx.mac_tx.utilisation_window");
        mac_run = gauge("a.nic.tx.mac_tx.utilisation");
        pcie_window = gauge("a.pcie.down.utilisation_window");  // the gather's completions
        pcie_run = gauge("a.pcie.down.utilisation");
        uint64_t bytes = 0;
        for (const auto& op : ops) bytes += op.size;
        goodput_gbps = double(bytes) * 8.0 / double(window->end - window->start) * 1000.0;
        CHECK(gauge("sim.window_ns") == Approx(double(window->end - window->start) / 1000.0));
        // Without a window no window figures.
        CHECK_FALSE(sim::collect_stats(sys, now).find("a.link.tx.utilisation_window"));
    };
    sim::RunOutcome out = sim::execute(plan, opts);
    REQUIRE(out.failure.empty());
    REQUIRE(window);
    std::printf("A's TX link: %.4f over the window (%.1f us), %.4f over the run; goodput %.2f Gb/s; "
                "mac_tx %.4f / %.4f; PCIe down %.4f / %.4f\n",
                window_util, double(window->end - window->start) / 1e6, run_util, goodput_gbps, mac_window, mac_run,
                pcie_window, pcie_run);
    // The stream keeps the link busy while it runs (goodput ~37.1 of 40 Gb/s): the window reads
    // >= 0.9; the whole run (connection set-up, idle tail) reads less.
    CHECK(window_util >= 0.9);
    CHECK(window_util <= 1.0);
    CHECK(run_util < window_util);
    // Physics: the payload alone needs goodput / 40 of the wire's time in the window.
    CHECK(window_util >= goodput_gbps / 40.0);
    CHECK(goodput_gbps > 30.0);
    CHECK(mac_window > mac_run);
    CHECK(pcie_window > pcie_run);
}
