// `nicsim run` as users run it: every bundled scenario in reduced form (its outputs checked),
// bad input of every kind (exit 2, file:line:column, nothing written), --seed, faults, and the
// write_bw curve against the 40GbE goodput ceiling computed from the run's resolved config.
#include <catch2/catch.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "nicsim_cli.h"
#include "tshark_oracle.h"
#include "sim/config/yaml_loader.h"
#include "sim/testbed.h"
#include "sim/workload/goodput_ceiling.h"
#include "sim/workload/run_sections.h"
#include "sim/workload/workload_spec.h"

using namespace clitest;
namespace fs = std::filesystem;

namespace {

// Each bundled scenario with the --set arguments that make it take a few seconds.
const std::map<std::string, std::string>& reduced() {
    static const std::map<std::string, std::string> r = {
        {"quickstart", "--set workload.iterations=20"},
        {"write_lat", "--set workload.iterations=10"},
        {"read_lat", "--set workload.iterations=10"},
        {"send_lat", "--set workload.iterations=10"},
        {"write_bw", "--set workload.iterations=40"},
        {"read_bw", "--set workload.iterations=40"},
        {"send_bw", "--set workload.iterations=40"},
        {"multi_qp_bw", "--set workload.iterations=64"},
        {"smb_direct_mix", "--set workload.ops=60 --set 'workload.sizes=[4096, 8192, 65536, 262144]' "
                           "--set 'workload.weights=[5, 2, 2, 1]'"},
        {"trace_replay", ""},
        {"switch_write", "--set workload.iterations=10"},
        {"incast_write_bw", "--set workload.iterations=60"},
    };
    return r;
}

const char* kHeader =
    "workload,size,iterations,lat_min_us,lat_avg_us,lat_p50_us,lat_p99_us,lat_max_us,bw_avg_gbps,bw_peak_gbps,"
    "msg_rate_mpps";

// The (workload, size) rows a scenario must produce, from its YAML and the reduced overrides;
// smb_mix rows are the sizes the random draw chose, a subset of its list.
struct Expected {
    std::vector<std::pair<std::string, uint64_t>> rows;
    bool subset = false;
};

Expected expected_rows(const std::string& name, const fs::path& file) {
    Expected e;
    const YAML::Node root = YAML::LoadFile(file.string());
    std::vector<YAML::Node> entries;
    if (root["workload"].IsSequence())
        for (const auto& x : root["workload"]) entries.push_back(x);
    else
        entries.push_back(root["workload"]);
    for (const YAML::Node& w : entries) {
        const std::string kind = w["kind"].as<std::string>();
        if (kind == "trace_replay") {
            // One row per (op, size) found in the trace, computed here from the CSV.
            const fs::path trace = file.parent_path() / w["file"].as<std::string>();
            std::set<std::pair<std::string, uint64_t>> seen;
            for (const std::string& l : lines_of(read_file(trace))) {
                if (l.empty() || l[0] == '#' || l.rfind("time_ns", 0) == 0) continue;
                const auto f = split_csv(l);
                seen.insert({"trace_replay_" + f[1], std::stoull(f[2])});
            }
            e.rows.assign(seen.begin(), seen.end());
            continue;
        }
        std::vector<uint64_t> sizes = w["sizes"].as<std::vector<uint64_t>>();
        if (kind == "smb_mix") {
            sizes = {4096, 8192, 65536, 262144};  // as reduced()
            e.subset = true;
        }
        for (uint64_t s : sizes) e.rows.push_back({kind, s});
    }
    (void)name;
    return e;
}

// The reports every run writes by default (docs/outputs.md, docs/latency_budget.md), for a
// testbed of `hosts` hosts.
void check_reports(const fs::path& out, int hosts) {
    std::vector<std::string> names, files = {"budget.md", "budget.svg", "stats.csv"};
    for (int i = 0; i < hosts; ++i) {
        names.push_back(nicsim::sim::host_name(i));
        files.push_back("port_" + names.back() + ".pcap");
    }
    for (const std::string& f : files) {
        INFO(f);
        CHECK(fs::file_size(out / f) > 0);
    }
    // budget.json: every operation matched, and in each group the stage means add up to the
    // mean total (within 1 ns; they telescope) and never fall below the total's floor.
    const YAML::Node budget = YAML::LoadFile((out / "budget.json").string());
    CHECK(budget["unmatched"].as<uint64_t>() == 0);
    REQUIRE(budget["groups"].size() > 0);
    for (const auto& g : budget["groups"]) {
        double sum = 0;
        for (const auto& st : g["stages"]) sum += st["mean"].as<double>();
        INFO(g["kind"].as<std::string>() << " " << g["size"].as<uint64_t>() << " B");
        CHECK(std::fabs(sum - g["total"]["mean"].as<double>()) < 1.0);
        CHECK(g["total"]["mean"].as<double>() >= g["total"]["floor"].as<double>());
    }
    // stats.json parses and has a utilisation for every pipeline stage of every NIC.
    const YAML::Node stats = YAML::LoadFile((out / "stats.json").string());
    REQUIRE(stats["stats"]);
    for (const std::string& h : names) {
        INFO(h);
        // Every frame (TX and RX share TP's cache) found its TCB on chip or fetched it.
        const std::string nic = std::string(h) + ".nic.";
        const auto hits = stats["stats"][nic + "tcb_hits"]["value"].as<uint64_t>();
        const auto misses = stats["stats"][nic + "tcb_misses"]["value"].as<uint64_t>();
        CHECK(misses >= 1);  // at least the connection's first frame
        CHECK(hits + misses == stats["stats"][nic + "rx_frames"]["value"].as<uint64_t>() +
                                   stats["stats"][nic + "tx_frames"]["value"].as<uint64_t>());
        CHECK(stats["stats"][nic + "rx_mps_drops"]["value"].as<uint64_t>() == 0);
    }
    // trace.json: Python's json module reads it (as ui.perfetto.dev does), and each NIC has a
    // track per pipeline stage (4 TX + 7 RX).
    const fs::path counts = out / "tracks.txt";
    const std::string py = "/usr/bin/python3 -c \"import json,sys,collections; t=json.load(open(sys.argv[1])); "
                           "c=collections.Counter(e['pid'] for e in t['traceEvents'] if e.get('name')=='thread_name' "
                           "and e['args']['name'].startswith(('tx.','rx.'))); print(' '.join(str(c[p]) for p in sorted(c)))\" '" +
                           (out / "trace.json").string() + "' > '" + counts.string() + "'";
    REQUIRE(std::system(py.c_str()) == 0);
    std::string per_nic;
    for (int i = 0; i < hosts; ++i) per_nic += i ? " 11" : "11";
    CHECK(read_file(counts) == per_nic + "\n");
}

void check_scenario(const std::string& name) {
    TempDir d;
    const fs::path file = fs::path(source_dir()) / "configs/scenarios" / (name + ".yaml");
    const fs::path out = d.path() / "out";
    // Every output on, captures too (the full-length bandwidth scenarios turn pcap off).
    const Run r = run_nicsim("run '" + file.string() + "' " + reduced().at(name) + " --set outputs.pcap=true --out '" +
                                 out.string() + "'",
                             d.path());
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    for (const char* f : {"config.resolved.yaml", "results.txt", "results.json", "summary.csv"})
        CHECK(fs::is_regular_file(out / f));

    const Expected e = expected_rows(name, file);
    // summary.csv: the exact header, one row per (workload, size), numbers where they apply.
    const auto lines = lines_of(read_file(out / "summary.csv"));
    REQUIRE(!lines.empty());
    CHECK(lines[0] == kHeader);
    std::vector<std::pair<std::string, uint64_t>> got;
    for (size_t i = 1; i < lines.size(); ++i) {
        const auto c = split_csv(lines[i]);
        REQUIRE(c.size() == 11);
        got.push_back({c[0], std::stoull(c[1])});
        CHECK(std::stoull(c[2]) > 0);
        const bool lat = !c[3].empty(), bw = !c[8].empty();
        CHECK((lat || bw));
        if (lat) {
            CHECK(std::stod(c[3]) > 0);
            CHECK(std::stod(c[3]) <= std::stod(c[5]));  // min <= p50 <= max
            CHECK(std::stod(c[5]) <= std::stod(c[7]));
        }
        if (bw) CHECK(std::stod(c[8]) > 0);
    }
    if (e.subset) {
        CHECK(!got.empty());
        for (const auto& g : got) CHECK(std::find(e.rows.begin(), e.rows.end(), g) != e.rows.end());
    } else {
        auto sorted = [](std::vector<std::pair<std::string, uint64_t>> v) {
            std::sort(v.begin(), v.end());
            return v;
        };
        CHECK(got.size() == e.rows.size());
        CHECK(sorted(got) == sorted(e.rows));
    }

    // results.txt: a table row per size (the first column), for each workload.
    const std::string txt = read_file(out / "results.txt");
    CHECK(txt == r.out);  // what was printed
    for (const auto& [kind, size] : got) {
        bool found = false;
        for (const std::string& l : lines_of(txt)) {
            std::istringstream in(l);
            std::string first, second;
            in >> first >> second;
            if (first == std::to_string(size) || second == std::to_string(size)) found = true;
        }
        CHECK(found);
    }

    // results.json parses (yaml-cpp reads JSON) and has a result per row.
    const YAML::Node json = YAML::LoadFile((out / "results.json").string());
    size_t results = 0;
    auto count = [&](const YAML::Node& obj) {
        REQUIRE(obj["test_info"]);
        results += obj["results"].size();
    };
    if (json.IsSequence())
        for (const auto& o : json) count(o);
    else
        count(json);
    CHECK(results == got.size());

    // The resolved configuration loads back, with the workload as run.
    const auto resolved = nicsim::config::load_scenario((out / "config.resolved.yaml").string());
    std::vector<nicsim::sim::WorkloadSpec> specs;
    CHECK(nicsim::sim::parse_workloads(resolved, specs).empty());
    std::set<std::string> kinds;
    for (const auto& s : specs) kinds.insert(nicsim::sim::workload_kind_name(s.kind));
    for (const auto& g : got) CHECK(kinds.count(g.first.rfind("trace_replay", 0) == 0 ? "trace_replay" : g.first) == 1);

    check_reports(out, nicsim::sim::topology_hosts(resolved));
}

}  // namespace

TEST_CASE("Every bundled scenario has a reduced form in this test", "[run]") {
    for (const auto& entry : fs::directory_iterator(fs::path(source_dir()) / "configs/scenarios")) {
        if (entry.path().extension() != ".yaml") continue;
        INFO(entry.path());
        CHECK(reduced().count(entry.path().stem().string()) == 1);
    }
}

TEST_CASE("Bundled scenario quickstart", "[run]") { check_scenario("quickstart"); }
TEST_CASE("Bundled scenario write_lat", "[run]") { check_scenario("write_lat"); }
TEST_CASE("Bundled scenario read_lat", "[run]") { check_scenario("read_lat"); }
TEST_CASE("Bundled scenario send_lat", "[run]") { check_scenario("send_lat"); }
TEST_CASE("Bundled scenario write_bw", "[run]") { check_scenario("write_bw"); }
TEST_CASE("Bundled scenario read_bw", "[run]") { check_scenario("read_bw"); }
TEST_CASE("Bundled scenario send_bw", "[run]") { check_scenario("send_bw"); }
TEST_CASE("Bundled scenario multi_qp_bw", "[run]") { check_scenario("multi_qp_bw"); }
TEST_CASE("Bundled scenario smb_direct_mix", "[run]") { check_scenario("smb_direct_mix"); }
TEST_CASE("Bundled scenario trace_replay", "[run]") { check_scenario("trace_replay"); }
TEST_CASE("Bundled scenario switch_write", "[run]") { check_scenario("switch_write"); }
TEST_CASE("Bundled scenario incast_write_bw", "[run]") { check_scenario("incast_write_bw"); }

TEST_CASE("Bad input exits 2 with file:line:column and key path, and writes nothing", "[run]") {
    TempDir d;
    const fs::path out = d.path() / "out";
    const std::string o = " --out '" + out.string() + "'";
    struct Case {
        const char* what;
        std::string file_text;  // written to scen.yaml ("" = use `args` alone)
        std::string args;
        std::string expect;  // in stderr; "$F" = the scenario's path
    };
    const std::string f = (d.path() / "scen.yaml").string();
    d.write("t.csv", "0,write,64,0\n");
    const std::vector<Case> cases = {
        {"malformed YAML", "workload: [kind: write_lat\n", "", "$F:2:1: YAML syntax error"},
        {"unknown workload key, with a suggestion", "workload:\n  kind: write_bw\n  tx_dpeth: 4\n", "",
         "$F:3:3: workload.tx_dpeth: unknown key for write_bw (did you mean tx_depth?)"},
        {"unknown --set workload key", "workload: {kind: write_lat}\n", "--set workload.iteratinos=5",
         "--set: workload.iteratinos: unknown key for this scenario's workload (did you mean iterations?)"},
        {"wrong type", "workload: {kind: read_lat, iterations: many}\n", "",
         "$F:1:40: workload.iterations: must be an integer, got \"many\""},
        {"wrong type from --set", "workload: {kind: read_lat}\n", "--set workload.sizes=64",
         "--set: workload.sizes: must be a non-empty list of message sizes in bytes"},
        {"out of range", "workload: {kind: write_lat, iterations: 3}\n", "",
         "$F:1:41: workload.iterations: must be in 4..10000000, got 3"},
        {"out-of-range parameter", "workload: {kind: write_lat}\nnic.mac.mtu: 10\n", "", "$F:2:14: nic.mac.mtu: must be in"},
        {"bad --seed", "workload: {kind: write_lat}\n", "--seed -3", "--set: sim.seed:"},
        {"missing base", "base: t5_40gg\nworkload: {kind: write_lat}\n", "",
         "$F:1:7: base: base config 't5_40gg' not found"},
        {"missing trace", "workload:\n  kind: trace_replay\n  file: gone.csv\n", "",
         "$F:3:9: workload.file: cannot open the trace file"},
        {"bad trace line", "workload: {kind: trace_replay, file: t.csv}\n", "--set workload.poll_ns=0",
         "--set: workload.poll_ns: must be in 1..100000, got 0"},
        {"three hosts", "workload: {kind: write_lat}\ntopology: {hosts: 3}\n", "",
         "$F:2:19: topology.hosts: 3 hosts need the switch: set net.switch.enabled: true"},
        {"bad fault", "workload: {kind: write_lat}\nfaults:\n  - {link: a_to_c, drop_frames: [1]}\n", "",
         "$F:3:12: faults.0.link: must be a_to_b, b_to_a or x_tx for a host x of the topology (a..b)"},
        {"flow to a host the topology lacks", "workload: {kind: write_bw, flows: [a->b, c->a]}\n", "",
         "$F:1:35: workload.flows: \"c->a\" names a host the topology does not have (2 hosts: a..b"},
        {"misspelt flow pattern", "net.switch.enabled: true\ntopology: {hosts: 4}\nworkload: {kind: write_bw, flows: incats}\n",
         "", "$F:3:35: workload.flows: unknown flow pattern \"incats\" (did you mean incast?)"},
        {"several flows for a latency test", "net.switch.enabled: true\ntopology: {hosts: 3}\nworkload: {kind: write_lat}\n",
         "--set workload.flows=ring", "--set: workload.flows: a latency test is one ping-pong: give one flow (e.g. c->a), got 3"},
        {"no workload", "name: empty\n", "", "$F: workload: the scenario has no workload section"},
        {"switch buffer smaller than a frame", "workload: {kind: write_lat}\nnet.switch.egress_buffer_bytes: 1000\n", "",
         "net.switch.egress_buffer_bytes must be 0 (unlimited) or hold at least one frame"},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        const std::string file = d.write("scen.yaml", c.file_text);
        const Run r = run_nicsim("run '" + file + "' " + c.args + o, d.path());
        std::string expect = c.expect;
        if (expect.find("$F") != std::string::npos) expect.replace(expect.find("$F"), 2, f);
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK(r.err.find(expect) != std::string::npos);
        CHECK(r.out.empty());
        CHECK(!fs::exists(out));
    }
    // A missing scenario file.
    const Run r = run_nicsim("run '" + (d.path() / "nope.yaml").string() + "'" + o, d.path());
    CHECK(r.exit_code == 2);
    CHECK(r.err.find((d.path() / "nope.yaml").string() + ": cannot open: no such file") != std::string::npos);
    CHECK(!fs::exists(out));
    // `nicsim validate` rejects the same workload problems.
    const std::string bad = d.write("bad.yaml", "workload: {kind: send_bw, qps: 65}\n");
    const Run v = run_nicsim("validate '" + bad + "'", d.path());
    CHECK(v.exit_code == 2);
    CHECK(v.err.find(bad + ":1:32: workload.qps: must be in 1..64, got 65") != std::string::npos);
}

TEST_CASE("The --seed option makes the SMB-Direct-like mix repeatable, and a new seed changes it", "[run]") {
    TempDir d;
    const std::string file = source_dir() + "/configs/scenarios/smb_direct_mix.yaml";
    const std::string sets = " --set workload.ops=40 --set 'workload.sizes=[4096, 8192]' --set 'workload.weights=[1, 1]'";
    auto summary = [&](const std::string& tag, const std::string& seed) {
        const fs::path out = d.path() / tag;
        const Run r = run_nicsim("run '" + file + "'" + sets + " --seed " + seed + " --out '" + out.string() + "'", d.path());
        REQUIRE(r.exit_code == 0);
        CHECK(read_file(out / "config.resolved.yaml").find("seed: " + seed) != std::string::npos);
        return read_file(out / "summary.csv");
    };
    const std::string a = summary("a", "11"), b = summary("b", "11"), c = summary("c", "12");
    CHECK(a == b);
    CHECK(a != c);
}

TEST_CASE("outputs.pcap writes a nanosecond pcap per port, and an override reaching two workloads reports once", "[run]") {
    TempDir d;
    const fs::path out = d.path() / "out";
    const std::string file = source_dir() + "/configs/scenarios/switch_write.yaml";
    const Run r = run_nicsim("run '" + file + "' --set workload.iterations=5 --set outputs.pcap=true --out '" +
                                 out.string() + "'",
                             d.path());
    REQUIRE(r.exit_code == 0);
    for (const char* port : {"port_a.pcap", "port_b.pcap"}) {
        const std::string pcap = read_file(out / port);
        REQUIRE(pcap.size() > 24 + 100 * 16);  // header + at least a hundred frames
        CHECK(uint8_t(pcap[0]) == 0x4d);       // 0xa1b23c4d little-endian: nanosecond pcap
        CHECK(uint8_t(pcap[3]) == 0xa1);
    }
    const Run bad = run_nicsim("run '" + file + "' --set 'workload.sizes=[]'", d.path());
    CHECK(bad.exit_code == 2);
    CHECK(bad.err.find("--set: workload.sizes: must be a non-empty list of message sizes in bytes\n" + file +
                       ": invalid (1 problem)") != std::string::npos);
}

TEST_CASE("sim.stop_time_ps ends a run early: unfinished workloads fail it (exit 1), finished ones do not", "[run]") {
    TempDir d;
    const std::string file = source_dir() + "/configs/scenarios/quickstart.yaml";
    // 20 us is not enough to connect and run 4 sizes x 20 iterations of ~1-2 us round trips.
    const Run cut = run_nicsim("run '" + file + "' --set workload.iterations=20 --set sim.stop_time_ps=20000000", d.path());
    CHECK(cut.exit_code == 1);
    CHECK(cut.err.find("sim.stop_time_ps (20.000000 us) reached before the workloads finished") != std::string::npos);
    const Run fits = run_nicsim("run '" + file + "' --set workload.iterations=20 --set sim.stop_time_ps=1000000000", d.path());
    CHECK(fits.exit_code == 0);
}

TEST_CASE("A dropped frame is recovered by TCP and the run still succeeds", "[run]") {
    TempDir d;
    // Frame 12 from A is a Write of the ping-pong (after SYN, MPA request, RTR and a few
    // iterations): the loss costs a retransmission timeout (200 ms minimum), seen in the
    // simulated time.
    auto run = [&](const std::string& faults) {
        const std::string file = d.write("f.yaml", "base: t5_40g\nworkload: {kind: write_lat, sizes: [64], iterations: 20}\n" + faults);
        const Run r = run_nicsim("run '" + file + "' --out '" + (d.path() / "o").string() + "'", d.path());
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        const auto at = r.err.find("simulated ");
        REQUIRE(at != std::string::npos);
        std::istringstream in(r.err.substr(at + 10));
        double v = 0;
        std::string unit;
        in >> v >> unit;
        return v * (unit == "s" ? 1e6 : unit == "ms" ? 1e3 : 1);  // us
    };
    const double clean = run("");
    const double lossy = run("faults:\n  - {link: a_to_b, drop_frames: [12]}\n");
    CHECK(clean < 1000);
    CHECK(lossy > 200'000);  // at least one RTO
    CHECK(lossy < 2'000'000);
}

TEST_CASE("write_bw 2 B .. 64 KiB stays under the 40GbE goodput ceiling and reaches it at 64 KiB", "[run][issue5]") {
    TempDir d;
    const fs::path out = d.path() / "out";
    const std::string file = source_dir() + "/configs/scenarios/write_bw.yaml";
    const Run r = run_nicsim("run '" + file + "' --set workload.iterations=300 --out '" + out.string() + "'", d.path());
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    // The ceiling from the configuration the run actually used.
    const auto sc = nicsim::config::load_scenario((out / "config.resolved.yaml").string());
    const auto model = nicsim::sim::goodput_model(sc.config);
    const auto lines = lines_of(read_file(out / "summary.csv"));
    REQUIRE(lines.size() == 10);
    for (size_t i = 1; i < lines.size(); ++i) {
        const auto c = split_csv(lines[i]);
        const uint64_t size = std::stoull(c[1]);
        const double bw = std::stod(c[8]), peak = std::stod(c[9]);
        const double ceiling = nicsim::sim::goodput_ceiling_gbps(model, nicsim::sim::OpKind::Write, size);
        INFO("size " << size << ": " << bw << " Gb/s, peak " << peak << ", ceiling " << ceiling);
        CHECK(bw <= ceiling);
        CHECK(peak <= ceiling * 1.0001);
        if (size == 65536) CHECK(bw >= 0.97 * ceiling);
    }
}

TEST_CASE("tshark sees the frames the goodput ceiling counts: segments and bytes per 4 KiB Write", "[run][issue5]") {
    TempDir d;
    const fs::path out = d.path() / "out";
    const std::string file = source_dir() + "/configs/scenarios/write_bw.yaml";
    const Run r = run_nicsim("run '" + file + "' --set 'workload.sizes=[4096]' --set workload.iterations=20 "
                             "--set outputs.pcap=true --out '" + out.string() + "'",
                             d.path());
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto sc = nicsim::config::load_scenario((out / "config.resolved.yaml").string());
    const auto model = nicsim::sim::goodput_model(sc.config);
    // Every RDMA Write segment host A sent (tshark's iWARP dissectors, an independent decoder).
    const auto rows = nicsim::test::tshark_fields((out / "port_a.pcap").string(),
                                                  "ip.src==10.0.0.1 && iwarp_rdma.opcode==0", {"frame.len"});
    // 4096 B = 1428 + 1428 + 1240 with 1500 MTU and timestamps: three segments a message.
    CHECK(rows.size() == 20 * 3);
    uint64_t bytes = 0;
    for (const auto& row : rows) bytes += std::stoull(row.at(0));
    // The ceiling's wire bytes less what a capture does not hold: preamble/SFD + IFG (20 B)
    // and the FCS (4 B) of each frame.
    const double wire = nicsim::sim::wire_bytes_per_message(model, nicsim::sim::OpKind::Write, 4096);
    CHECK(double(bytes) == Approx(20 * (wire - 3 * 24)));
}
