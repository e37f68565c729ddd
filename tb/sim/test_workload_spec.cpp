// The workload section, its --set overrides, the other run sections, trace files, summary.csv
// and the goodput ceiling: parsed and computed without running anything.
#include <catch2/catch.hpp>

#include <sstream>

#include "nicsim_cli.h"
#include "sim/config/yaml_loader.h"
#include "sim/report/perftest_report.h"
#include "sim/workload/goodput_ceiling.h"
#include "sim/workload/progress_meter.h"
#include "sim/workload/run_sections.h"
#include "sim/workload/summary_csv.h"
#include "sim/workload/workload_spec.h"

using namespace nicsim;
using clitest::TempDir;

namespace {

// Loads `text` as a scenario and parses its workload; the diagnostics one per line.
std::string workload_errors(const TempDir& d, const std::string& text, std::vector<sim::WorkloadSpec>& specs,
                            const std::vector<std::string>& sets = {}) {
    const std::string f = d.write("scen.yaml", text);
    const config::Scenario sc = config::load_scenario(f, sets);
    std::string out;
    for (const auto& diag : sim::parse_workloads(sc, specs)) out += diag.format() + "\n";
    return out;
}

}  // namespace

TEST_CASE("A workload map gives its kind's defaults, then the file's values", "[workload]") {
    TempDir d;
    std::vector<sim::WorkloadSpec> w;
    REQUIRE(workload_errors(d, "workload: {kind: write_bw, sizes: [64, 4096], qps: 4}\n", w) == "");
    REQUIRE(w.size() == 1);
    CHECK(w[0].kind == sim::WorkloadKind::WriteBw);
    CHECK(w[0].sizes == std::vector<uint32_t>{64, 4096});
    CHECK(w[0].qps == 4);
    CHECK(w[0].iterations == 5000);  // ib_write_bw's default
    CHECK(w[0].tx_depth == 128);
    CHECK(w[0].planned_ops() == 10000);
    REQUIRE(workload_errors(d, "workload: {kind: send_lat}\n", w) == "");
    CHECK(w[0].sizes == std::vector<uint32_t>{2});  // ib_send_lat's default
    CHECK(w[0].iterations == 1000);
    CHECK(w[0].planned_ops() == 2000);  // a ping-pong iteration is two operations
}

TEST_CASE("A list of workloads runs in order; --set workload.<key> reaches every entry that has the key",
          "[workload]") {
    TempDir d;
    std::vector<sim::WorkloadSpec> w;
    const std::string text = "workload:\n  - {kind: write_lat, sizes: [2]}\n  - {kind: read_bw, tx_depth: 8}\n";
    REQUIRE(workload_errors(d, text, w, {"workload.iterations=7", "workload.tx_depth=3", "workload.1.sizes=[8, 16]"}) ==
            "");
    REQUIRE(w.size() == 2);
    CHECK(w[0].kind == sim::WorkloadKind::WriteLat);
    CHECK(w[0].iterations == 7);
    CHECK(w[0].sizes == std::vector<uint32_t>{2});
    CHECK(w[1].iterations == 7);
    CHECK(w[1].tx_depth == 3);  // the override wins over the file
    CHECK(w[1].sizes == std::vector<uint32_t>{8, 16});
    // --set can change the kind too.
    REQUIRE(workload_errors(d, "workload: {kind: write_lat}\n", w, {"workload.kind=read_lat"}) == "");
    CHECK(w[0].kind == sim::WorkloadKind::ReadLat);
}

TEST_CASE("Workload problems name file:line:column, the key path and a suggestion", "[workload]") {
    TempDir d;
    std::vector<sim::WorkloadSpec> w;
    const std::string f = (d.path() / "scen.yaml").string();
    std::string e = workload_errors(d,
                                    "workload:\n"
                                    "  kind: write_lat\n"
                                    "  iteratons: 5\n"
                                    "  sizes: [64, 0, big]\n"
                                    "  poll_ns: fast\n",
                                    w);
    CHECK(e.find(f + ":3:3: workload.iteratons: unknown key for write_lat (did you mean iterations?)") != std::string::npos);
    CHECK(e.find(f + ":4:15: workload.sizes: must be in 1..1048576, got 0") != std::string::npos);
    CHECK(e.find(f + ":4:18: workload.sizes: must be an integer, got \"big\"") != std::string::npos);
    CHECK(e.find(f + ":5:12: workload.poll_ns: must be an integer, got \"fast\"") != std::string::npos);
    CHECK(w.empty());

    e = workload_errors(d, "workload: {kind: write_lta}\n", w);
    CHECK(e == f + ":1:18: workload.kind: unknown workload kind \"write_lta\" (did you mean write_lat?); known: "
                   "write_lat, read_lat, send_lat, write_bw, read_bw, send_bw, smb_mix, trace_replay\n");
    e = workload_errors(d, "workload:\n  - {kind: write_bw, tx_depth: 0}\n  - [1]\n", w);
    CHECK(e.find(f + ":2:32: workload.0.tx_depth: must be in 1..1024, got 0") != std::string::npos);
    CHECK(e.find(f + ":3:5: workload.1: must be a map, got a list") != std::string::npos);
    e = workload_errors(d, "name: x\n", w);
    CHECK(e == f + ": workload: the scenario has no workload section\n");
    // Quoted numbers are strings, as for parameters.
    e = workload_errors(d, "workload: {kind: write_lat, iterations: \"10\"}\n", w);
    CHECK(e.find("workload.iterations: must be an integer") != std::string::npos);
}

TEST_CASE("Command-line workload.<key> values are YAML, validated like the file's", "[workload]") {
    TempDir d;
    std::vector<sim::WorkloadSpec> w;
    const std::string text = "workload: {kind: smb_mix, sizes: [4096, 65536], weights: [3, 1]}\n";
    CHECK(workload_errors(d, text, w, {"workload.read_fraction=1.5"}) ==
          "--set: workload.read_fraction: must be in 0.0..1.0, got 1.5\n");
    CHECK(workload_errors(d, text, w, {"workload.queue_dpeth=4"}) ==
          "--set: workload.queue_dpeth: unknown key for this scenario's workload (did you mean queue_depth?)\n");
    CHECK(workload_errors(d, text, w, {"workload.sizes=[64,"}).find("--set: workload.sizes: the value is not valid YAML") == 0);
    CHECK(workload_errors(d, text, w, {"workload.weights=[1, 2, 3]"}) ==
          "--set: workload.weights: has 3 entries but sizes has 2\n");
    REQUIRE(workload_errors(d, text, w, {"workload.sizes=[8192, 16384]", "workload.weights=[1, 0]"}) == "");
    REQUIRE(w[0].mix.size() == 2);
    CHECK(w[0].mix[0].size == 8192);
    CHECK(w[0].mix[0].weight == 1);
    CHECK(w[0].mix[1].weight == 0);
}

TEST_CASE("Trace files: format, path relative to the scenario, problems at file:line:column", "[workload]") {
    TempDir d;
    std::vector<sim::WorkloadSpec> w;
    d.write("traces/t.csv", "# comment\ntime_ns,op,size,qp\n0,write,4096,0\n\n10,read,64,2\n10,send,1,1\n");
    REQUIRE(workload_errors(d, "workload: {kind: trace_replay, file: traces/t.csv}\n", w) == "");
    REQUIRE(w[0].trace.entries.size() == 3);
    CHECK(w[0].trace.qps == 3);
    CHECK(w[0].trace.entries[1].op == sim::OpKind::Read);
    CHECK(w[0].trace.entries[1].time_ns == 10);
    CHECK(w[0].planned_ops() == 3);

    const std::string bad = d.write("traces/bad.csv", "0,write,4096,0\n5,fly,64,0\n3,read,64,0\n9,read,0,0\n9,read,8,64\n");
    std::string e = workload_errors(d, "workload: {kind: trace_replay, file: traces/bad.csv}\n", w);
    CHECK(e.find(bad + ":2:3: workload.file: op must be write, read or send, got \"fly\"") != std::string::npos);
    CHECK(e.find(bad + ":3:1: workload.file: time_ns must not decrease (previous 0)") == std::string::npos);  // 5 was bad
    CHECK(e.find(bad + ":4:8: workload.file: size must be an integer in 1..1048576, got \"0\"") != std::string::npos);
    CHECK(e.find(bad + ":5:10: workload.file: qp must be an integer in 0..63, got \"64\"") != std::string::npos);

    const std::string f = (d.path() / "scen.yaml").string();
    e = workload_errors(d, "workload:\n  kind: trace_replay\n  file: nothere.csv\n", w);
    CHECK(e == f + ":3:9: workload.file: cannot open the trace file (" + (d.path() / "nothere.csv").string() + ")\n");
    e = workload_errors(d, "workload: {kind: trace_replay}\n", w);
    CHECK(e.find("workload.file: missing") != std::string::npos);
}

TEST_CASE("Outputs, faults and topology sections", "[workload]") {
    TempDir d;
    const std::string f = d.write("scen.yaml",
                                  "workload: {kind: write_lat}\n"
                                  "outputs: {pcap: true, stats: yes, perfeto: true}\n"
                                  "faults:\n"
                                  "  - {link: a_to_b, drop_frames: [3, 7]}\n"
                                  "  - {link: sideways, drop_probability: 2}\n"
                                  "topology: {hosts: 3}\n");
    const config::Scenario sc = config::load_scenario(f, {"outputs.budget=true"});
    sim::OutputsSpec o;
    auto e = sim::parse_outputs(sc, o);
    REQUIRE(e.size() == 1);
    CHECK(e[0].format() ==
          f + ":2:35: outputs.perfeto: unknown key (did you mean perfetto?); known: pcap, budget, stats, perfetto");
    CHECK(o.pcap);
    CHECK(o.stats);
    CHECK(o.budget);  // from --set
    CHECK(o.nic_trace());
    std::vector<sim::LinkFault> faults;
    e = sim::parse_faults(sc, faults);
    REQUIRE(e.size() == 2);
    CHECK(e[0].format() == f + ":5:12: faults.1.link: must be a_to_b, b_to_a or x_tx for a host x of the topology (a..c)");
    CHECK(e[1].format() == f + ":5:40: faults.1.drop_probability: must be a number in 0..1");
    e = sim::parse_topology(sc);
    REQUIRE(e.size() == 1);
    CHECK(e[0].format() ==
          f + ":6:19: topology.hosts: 3 hosts need the switch: set net.switch.enabled: true (only two hosts can be back to back)");
    // With the switch, three hosts are fine; 17 are too many, and c_tx names host c's link.
    const std::string three = d.write("three.yaml", "workload: {kind: write_lat}\nnet.switch.enabled: true\n"
                                                    "topology: {hosts: 3}\nfaults:\n  - {link: c_tx, drop_frames: [2]}\n"
                                                    "  - {link: d_tx, drop_frames: [2]}\n");
    const config::Scenario sc3 = config::load_scenario(three);
    CHECK(sim::parse_topology(sc3).empty());
    CHECK(sim::topology_hosts(sc3) == 3);
    e = sim::parse_faults(sc3, faults);
    REQUIRE(e.size() == 1);
    CHECK(e[0].format() == three + ":6:12: faults.1.link: must be a_to_b, b_to_a or x_tx for a host x of the topology (a..c)");
    const std::string many = d.write("many.yaml", "workload: {kind: write_lat}\nnet.switch.enabled: true\ntopology: {hosts: 17}\n");
    const config::Scenario sc17 = config::load_scenario(many);
    e = sim::parse_topology(sc17);
    REQUIRE(e.size() == 1);
    CHECK(e[0].format() == many + ":3:19: topology.hosts: must be an integer in 2..16, got 17");
    CHECK(sim::topology_hosts(sc17) == 2);

    const std::string g = d.write("ok.yaml", "workload: {kind: write_lat}\nfaults:\n  - {link: b_to_a, drop_frames: [1], "
                                             "drop_probability: 0.25, from_frame: 9}\ntopology: {hosts: 2}\n");
    const config::Scenario ok = config::load_scenario(g);
    REQUIRE(sim::parse_faults(ok, faults).empty());
    REQUIRE(faults.size() == 1);
    CHECK(faults[0].from_host == 1);
    CHECK(faults[0].drop_frames == std::vector<uint64_t>{1});
    CHECK(faults[0].drop_probability == 0.25);
    CHECK(faults[0].from_frame == 9);
    CHECK(sim::parse_topology(ok).empty());
}

TEST_CASE("summary.csv: the exact header, one row per (workload, size), empty cells where nothing applies",
          "[workload]") {
    sim::SummaryRow lat;
    lat.workload = "write_lat";
    lat.size = 64;
    lat.iterations = 1000;
    lat.lat_min_us = 1.5;
    lat.lat_avg_us = 1.625;
    lat.lat_p50_us = 1.6;
    lat.lat_p99_us = 2;
    lat.lat_max_us = 2.25;
    sim::SummaryRow bw;
    bw.workload = "write_bw";
    bw.size = 65536;
    bw.iterations = 5000;
    bw.bw_avg_gbps = 37.1;
    bw.bw_peak_gbps = 37.2;
    bw.msg_rate_mpps = 0.0707;
    std::ostringstream out;
    sim::write_summary_csv(out, {lat, bw});
    CHECK(out.str() ==
          "workload,size,iterations,lat_min_us,lat_avg_us,lat_p50_us,lat_p99_us,lat_max_us,bw_avg_gbps,bw_peak_gbps,"
          "msg_rate_mpps\n"
          "write_lat,64,1000,1.5,1.625,1.6,2,2.25,,,\n"
          "write_bw,65536,5000,,,,,,37.1,37.2,0.0707\n");
}

TEST_CASE("The goodput ceiling matches perf_anchors.md §2.1, computed from the configuration", "[workload]") {
    TempDir d;
    auto model_for = [&](const std::string& text) {
        return sim::goodput_model(config::load_scenario(d.write("c.yaml", text)).config);
    };
    // A long stream of full segments approaches payload / (payload + per-frame overhead).
    // 1500 MTU, TCP timestamps, no markers: 1428 B per 1538 B on the wire -> 37.14 Gb/s.
    const sim::GoodputModel ts = model_for("nic.tcp.timestamps: true\n");
    CHECK(sim::wire_bytes_per_message(ts, sim::OpKind::Write, 1428) == 1538);
    CHECK(sim::goodput_ceiling_gbps(ts, sim::OpKind::Write, 1428 * 1000) == Approx(37.14).epsilon(0.001));
    // Without timestamps: 1440 B per segment -> 37.45 Gb/s (the table's first row).
    const sim::GoodputModel nots = model_for("nic.tcp.timestamps: false\n");
    CHECK(sim::goodput_ceiling_gbps(nots, sim::OpKind::Write, 1440 * 1000) == Approx(37.45).epsilon(0.001));
    // A Send's untagged header is 4 B longer: 1436 B per segment -> 37.35 Gb/s.
    CHECK(sim::goodput_ceiling_gbps(nots, sim::OpKind::Send, 1436 * 1000) == Approx(37.35).epsilon(0.001));
    // 9000 MTU without timestamps: 8940 B per segment -> 39.57 Gb/s.
    const sim::GoodputModel jumbo = model_for("nic.mac.mtu: 9000\nnic.tcp.mss: 8960\nnic.tcp.timestamps: false\n");
    CHECK(sim::goodput_ceiling_gbps(jumbo, sim::OpKind::Write, 8940 * 1000) == Approx(39.57).epsilon(0.001));
    // A 2 B Write: MPA length 2 + header 14 + data 2 + pad 2 + CRC 4 = 24 B FPDU, + 70 B of
    // Ethernet/IP/TCP(+TS) headers and FCS = 94 B frame, + 20 B preamble/IFG = 114 B.
    CHECK(sim::wire_bytes_per_message(ts, sim::OpKind::Write, 2) == 114);
    CHECK(sim::goodput_ceiling_gbps(ts, sim::OpKind::Write, 2) == Approx(2.0 * 40 / 114));
    // 64 KiB = 45 full segments + 1276 B: 45 x 1538 + (1276+20+70+20) = 70596 B.
    CHECK(sim::wire_bytes_per_message(ts, sim::OpKind::Write, 65536) == 70596);
    // Ten 10GbE: the ceiling scales with the rate.
    const sim::GoodputModel ten = model_for("base: t5_10g\n");
    CHECK(sim::goodput_ceiling_gbps(ten, sim::OpKind::Write, 65536) ==
          Approx(sim::goodput_ceiling_gbps(ts, sim::OpKind::Write, 65536) * ten.rate_gbps / 40));
}

TEST_CASE("Bandwidth peak from post and completion times, as perftest computes it", "[workload]") {
    // Posts at 0 1 2 3, completions at 10 11 12 20 (us): per-message times over runs i..j are
    // (c[j] - p[i]) / (j - i + 1); the best is run 0..2: (12 - 0) / 3 = 4 us (run 1..2: 5.5,
    // the whole run 0..3: 5, a single message at least 9).
    const sim::BandwidthReport r = sim::perftest_bandwidth(1000, {0, 1, 2, 3}, {10, 11, 12, 20}, true);
    CHECK(r.bw_average == Approx(4000.0 * 8 / 20e-6 / 1e9));
    CHECK(r.bw_peak == Approx(1000.0 * 8 / 4e-6 / 1e9));
    CHECK(r.msg_rate_mpps == Approx(4 / 20.0));
    CHECK_THROWS(sim::perftest_bandwidth(1000, {0, 1}, {10}, true));
}

TEST_CASE("Progress: a plain line per further 10% when not a terminal, a bar redrawn in place on one",
          "[workload]") {
    std::ostringstream plain;
    sim::ProgressMeter p(plain, 200, false, 0.0);
    for (int i = 0; i < 200; ++i) p.advance(1, i * 1.5);
    p.finish(300);
    const std::string s = plain.str();
    // 10%, 20%, ... 90% once each, then the 100% line from finish().
    size_t lines = 0;
    for (char c : s) lines += c == '\n';
    CHECK(lines == 10);
    CHECK(s.find("# progress  10%  20/200 ops  simulated 28.5 us") == 0);
    CHECK(s.find("# progress 100%  200/200 ops  simulated 300.0 us") != std::string::npos);
    CHECK(s.find('\r') == std::string::npos);

    std::ostringstream tty;
    sim::ProgressMeter bar(tty, 10, true, 0.0);
    bar.advance(5, 2500);
    CHECK(tty.str().find("\r[###############...............]  50%  5/10 ops  simulated 2.50 ms  ETA") == 0);
    bar.finish(5000);
    CHECK(tty.str().substr(tty.str().size() - 4) == "\r\033[K");  // the bar is cleared

    std::ostringstream quiet;
    sim::ProgressMeter q(quiet, 10, false, 3600.0);  // a short run prints nothing
    q.advance(10, 1);
    q.finish(1);
    CHECK(quiet.str().empty());
}
