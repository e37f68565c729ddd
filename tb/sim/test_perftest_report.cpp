// perftest-compatible statistics computed by hand from perftest's rules (ecosystem.md §6).
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "sim/report/perftest_report.h"
#include "tshark_oracle.h"  // run_command

using namespace nicsim::sim;

TEST_CASE("Latency statistics follow perftest's rules", "[report]") {
    // Round trips 3 2 5 2 8 1 3 us -> half: 1.5 1 2.5 1 4 0.5 1.5 -> sorted, two largest
    // dropped: 0.5 1 1 1.5 1.5 (n = 5); the dropped tail starts with 2.5.
    LatencyReport r = perftest_latency(64, {0, 3, 5, 10, 12, 20, 21, 24}, 2);
    CHECK(r.iterations == 8);
    CHECK(r.t_min == Approx(0.5));
    CHECK(r.t_typical == Approx(1.0));  // odd count: the middle element
    CHECK(r.t_avg == Approx(1.1));
    CHECK(r.t_stdev == Approx(std::sqrt(0.14)));
    CHECK(r.t_max == Approx(2.5));  // d[n], perftest's choice
    CHECK(r.p99 == Approx(2.5));    // d[ceil(4.95)]
    CHECK(r.p99_9 == Approx(2.5));
    // Even count (n = 4): the median averages the two middle elements.
    LatencyReport e = perftest_latency(2, {0, 1, 3, 6, 10, 15, 21}, 1);  // deltas 1..6 -> keep 1 2 3 4
    CHECK(e.t_typical == Approx(2.5));
    CHECK(e.t_max == Approx(5));
    CHECK_THROWS(perftest_latency(2, {0, 1, 2}, 1));
}

TEST_CASE("Bandwidth: average, per-message peak and message rate", "[report]") {
    BandwidthReport r = perftest_bandwidth(65536, 0, {10, 20, 25, 40}, false);
    CHECK(r.bw_average == Approx(6250.0));   // 4 x 64 KiB in 40 us, MiB/s
    CHECK(r.bw_peak == Approx(12500.0));     // the 5 us interval
    CHECK(r.msg_rate_mpps == Approx(0.1));
    BandwidthReport g = perftest_bandwidth(65536, 0, {10, 20, 25, 40}, true);
    CHECK(g.bw_average == Approx(65536.0 * 4 * 8 / 40e-6 / 1e9));
}

TEST_CASE("Tables have perftest's columns and the JSON parses", "[report]") {
    PerftestBanner b;
    b.title = "RDMA_Write Latency Test";
    std::string banner = format_banner(b);
    CHECK(banner.find(std::string(87, '-')) == 0);
    CHECK(banner.find("Transport type : IW") != std::string::npos);
    CHECK(format_latency_header().find("t_typical[usec]") != std::string::npos);
    LatencyReport r = perftest_latency(64, {0, 3, 5, 10, 12, 20, 21, 24}, 2);
    // Parse the row on whitespace, as perftest users do.
    double v[9];
    int n = std::sscanf(format_latency_row(r).c_str(), "%lf %lf %lf %lf %lf %lf %lf %lf %lf", &v[0], &v[1], &v[2],
                        &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]);
    REQUIRE(n == 9);
    CHECK(v[0] == 64);
    CHECK(v[2] == Approx(0.5));
    CHECK(v[4] == Approx(1.0));

    std::string path = "/tmp/nicsim-perftest-" + std::to_string(::getpid()) + ".json";
    std::ofstream(path) << latency_json(b, {r, r}) ;
    int rc = 0;
    std::string out = nicsim::test::run_command(
        "/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d[\"results\"]), "
        "d[\"results\"][0][\"t_typical\"])' " + path, &rc);
    CHECK(rc == 0);
    CHECK(out == "2 1.0\n");
    std::remove(path.c_str());
}
