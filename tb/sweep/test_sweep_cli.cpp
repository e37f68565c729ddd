// `nicsim sweep` run as the user runs it, on the bundled sweeps in reduced form (few
// iterations, two sizes): rows per (run, size), swept columns, done markers, --resume reruns
// nothing, --emit-jobs, scripts/plot; failing runs; bad sweep files. The expected point count
// and columns come from reading the sweep file itself, not from the sweep code.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <map>
#include <set>

#include "sim/config/yaml_loader.h"
#include "sim/sweep/csv_table.h"
#include "sim/workload/goodput_ceiling.h"
#include "sweep_test_util.h"

namespace fs = std::filesystem;
using sweeptest::read_file;
using sweeptest::TempDir;

namespace {

struct Result {
    int exit_code = -1;
    std::string output;  // stdout and stderr
};

Result shell(const std::string& cmd) {
    Result r;
    FILE* p = popen((cmd + " 2>&1").c_str(), "r");
    if (!p) return r;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
    const int status = pclose(p);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

Result run_nicsim(const std::string& args) { return shell(std::string("'") + NICSIM_BINARY + "' " + args); }

const std::vector<std::string> kSummary = {"workload",    "size",       "iterations", "lat_min_us",
                                           "lat_avg_us",  "lat_p50_us", "lat_p99_us", "lat_max_us",
                                           "bw_avg_gbps", "bw_peak_gbps", "msg_rate_mpps"};
const char* kReduced = " --set workload.iterations=4 --set 'workload.sizes=[64, 4096]'";

nicsim::sweep::CsvTable read_csv(const fs::path& p) {
    nicsim::sweep::CsvTable t;
    std::string error;
    INFO(p.string());
    REQUIRE(nicsim::sweep::parse_csv(read_file(p), t, error));
    return t;
}

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

std::vector<fs::path> bundled_sweeps() {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(fs::path(sweeptest::source_dir()) / "configs" / "sweeps"))
        if (e.path().extension() == ".yaml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

TEST_CASE("bundled sweeps, reduced: results, done markers, resume, job list, plots", "[sweep][cli]") {
    const auto files = bundled_sweeps();
    REQUIRE(files.size() >= 2);
    for (const fs::path& file : files) {
        INFO(file.string());
        // What the sweep file asks for, read independently.
        const YAML::Node root = YAML::LoadFile(file.string());
        std::vector<std::string> keys;
        size_t points = 1, zip = 1;
        for (const auto& kv : root["matrix"]) {
            keys.push_back(kv.first.as<std::string>());
            points *= kv.second.size();
        }
        for (const auto& kv : root["zip"]) {
            keys.push_back(kv.first.as<std::string>());
            zip = kv.second.size();
        }
        points *= zip;
        REQUIRE(points >= 4);

        TempDir d;
        const fs::path out = d.path() / "out";
        const Result r = run_nicsim("sweep '" + file.string() + "' --jobs 2 --out '" + out.string() + "'" + kReduced);
        INFO(r.output);
        REQUIRE(r.exit_code == 0);
        CHECK(count(r.output, " ok ") == points);  // one progress line per run
        CHECK(r.output.find("[" + std::to_string(points) + "/" + std::to_string(points) + "] ") != std::string::npos);

        // results.csv: run_id, the swept keys, the summary columns; one row per (run, size).
        const auto t = read_csv(out / "results.csv");
        std::vector<std::string> header = {"run_id"};
        header.insert(header.end(), keys.begin(), keys.end());
        header.insert(header.end(), kSummary.begin(), kSummary.end());
        CHECK(t.header == header);
        CHECK(t.rows.size() == points * 2);
        std::set<std::pair<std::string, std::string>> run_size;
        std::set<std::string> ids;
        const size_t size_col = 1 + keys.size() + 1;
        for (const auto& row : t.rows) {
            run_size.insert({row[0], row[size_col]});
            ids.insert(row[0]);
            CHECK((row[size_col] == "64" || row[size_col] == "4096"));
            CHECK(row[size_col + 1] == "4");  // iterations
            // The swept cells are the values in the run's own point.yaml.
            const YAML::Node point = YAML::LoadFile((out / "runs" / row[0] / "point.yaml").string());
            for (size_t k = 0; k < keys.size(); ++k) CHECK(point["swept"][keys[k]].as<std::string>() == row[1 + k]);
            // Latency rows have a latency, bandwidth rows a bandwidth.
            const std::string& workload = row[size_col - 1];
            const std::string& metric = row[1 + keys.size() + (workload.find("_bw") != std::string::npos ? 9 : 5)];
            CHECK(std::stod(metric) > 0);
        }
        CHECK(run_size.size() == t.rows.size());
        REQUIRE(ids.size() == points);

        // Every run folder has its done marker; nothing else is in runs/.
        size_t dirs = 0;
        std::map<std::string, fs::file_time_type> stamps;
        for (const auto& e : fs::directory_iterator(out / "runs")) {
            ++dirs;
            CHECK(ids.count(e.path().filename().string()) == 1);
            CHECK(fs::exists(e.path() / "done"));
            stamps[e.path().filename().string()] = fs::last_write_time(e.path() / "stdout.txt");
        }
        CHECK(dirs == points);

        // --resume: every run is finished, so nothing runs again.
        const Result again = run_nicsim("sweep '" + file.string() + "' --jobs 2 --resume --out '" + out.string() + "'" + kReduced);
        INFO(again.output);
        CHECK(again.exit_code == 0);
        CHECK_THAT(again.output, Catch::Contains(std::to_string(points) + " already finished; running 0 with"));
        CHECK(count(again.output, "[1/") == 0);
        for (const auto& [id, stamp] : stamps) CHECK(fs::last_write_time(out / "runs" / id / "stdout.txt") == stamp);
        CHECK(read_csv(out / "results.csv").rows.size() == points * 2);

        // --emit-jobs: one line per point.
        const fs::path jobs = d.path() / "jobs.txt";
        const Result emit = run_nicsim("sweep '" + file.string() + "' --emit-jobs '" + jobs.string() + "' --out '" +
                                   (d.path() / "emitted").string() + "'" + kReduced);
        CHECK(emit.exit_code == 0);
        const std::string lines = read_file(jobs);
        CHECK(count(lines, "\n") == points);
        CHECK(count(lines, "\ncd '") == points - 1);
        CHECK(fs::exists(jobs.string() + ".sbatch"));

        // scripts/plot: PNG (magic bytes) and SVG of latency and bandwidth versus size.
        const fs::path plots = d.path() / "plots";
        const Result plot = shell("/usr/bin/python3 '" + sweeptest::source_dir() + "/scripts/plot' '" +
                                  (out / "results.csv").string() + "' --out '" + plots.string() + "'");
        INFO(plot.output);
        REQUIRE(plot.exit_code == 0);
        for (const char* name : {"latency_vs_size", "bandwidth_vs_size"}) {
            if (!fs::exists(plots / (std::string(name) + ".png")) && std::string(name) == "latency_vs_size" &&
                root["name"].as<std::string>() == "incast_hosts")
                continue;  // a bandwidth-only sweep
            const std::string png = read_file(plots / (std::string(name) + ".png"));
            REQUIRE(png.size() > 1000);
            CHECK(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
            const std::string svg = read_file(plots / (std::string(name) + ".svg"));
            CHECK(svg.find("<svg") != std::string::npos);
            CHECK(svg.find("</svg>") != std::string::npos);
        }
        // And a figure versus the first swept key (bandwidth only, for a bandwidth-only sweep).
        const bool any_latency = std::any_of(t.rows.begin(), t.rows.end(), [&](const auto& row) {
            return row[size_col - 1].find("_lat") != std::string::npos;
        });
        CHECK(fs::file_size(plots / ((any_latency ? "latency_vs_" : "bandwidth_vs_") + keys.front() + ".png")) > 1000);
    }
}

TEST_CASE("failing runs: exit 1 after the others, with ids and stderr, and --resume reruns only them", "[sweep][cli]") {
    TempDir d;
    // The first SYN is lost: without SYN retries the QPs never connect, with one they do.
    d.write("base.yaml", "base: t5_40g\n"
                         "nic.tcp.initial_rto_ps: 2us\nnic.tcp.min_rto_ps: 1us\nnic.tcp.rto_after_syn_loss_ps: 0\n"
                         "workload: {kind: write_lat, sizes: [64], iterations: 4}\n"
                         "faults:\n  - {link: a_to_b, drop_frames: [0]}\n");
    const std::string sweep = d.write("s.yaml", "base: base.yaml\nmatrix:\n  nic.tcp.max_syn_retries: [0, 1, 2]\n");
    const fs::path out = d.path() / "out";
    const Result r = run_nicsim("sweep '" + sweep + "' --jobs 2 --out '" + out.string() + "'");
    INFO(r.output);
    CHECK(r.exit_code == 1);
    const std::string id0 = YAML::LoadFile((out / "points.yaml").string())["points"][0]["id"].as<std::string>();
    CHECK_THAT(r.output, Catch::Contains("1 of 3 runs failed: " + id0));
    CHECK_THAT(r.output, Catch::Contains("--- " + id0 + " (exit 1), end of"));
    CHECK_THAT(r.output, Catch::Contains("did not connect"));  // the run's own stderr
    CHECK(count(r.output, " ok ") == 2);
    CHECK(read_csv(out / "results.csv").rows.size() == 2);  // the two good runs are merged
    CHECK_FALSE(fs::exists(out / "runs" / id0 / "done"));

    const Result again = run_nicsim("sweep '" + sweep + "' --resume --out '" + out.string() + "'");
    INFO(again.output);
    CHECK(again.exit_code == 1);
    CHECK_THAT(again.output, Catch::Contains("2 already finished; running 1 with"));
    CHECK_THAT(again.output, Catch::Contains("[1/1] " + id0 + " exit 1"));

    // --merge-only merges what is there and names what is missing.
    const Result merged = run_nicsim("sweep --merge-only '" + out.string() + "'");
    CHECK(merged.exit_code == 0);
    CHECK_THAT(merged.output, Catch::Contains("merged 2 of 3 runs (2 rows)"));
    CHECK_THAT(merged.output, Catch::Contains("1 of 3 runs are not finished: " + id0));
    CHECK(run_nicsim("sweep '" + sweep + "' --merge-only --out '" + out.string() + "'").exit_code == 0);
    CHECK(run_nicsim("sweep --merge-only '" + (d.path() / "nothing").string() + "'").exit_code == 2);

    // Emitting jobs into the folder keeps finished runs with --resume and reruns all without.
    auto finished = [&] {
        size_t n = 0;
        for (const auto& e : fs::directory_iterator(out / "runs")) n += fs::exists(e.path() / "done");
        return n;
    };
    const std::string jobs = (d.path() / "jobs.txt").string();
    REQUIRE(finished() == 2);
    CHECK(run_nicsim("sweep '" + sweep + "' --resume --emit-jobs '" + jobs + "' --out '" + out.string() + "'").exit_code == 0);
    CHECK(finished() == 2);
    CHECK(run_nicsim("sweep '" + sweep + "' --emit-jobs '" + jobs + "' --out '" + out.string() + "'").exit_code == 0);
    CHECK(finished() == 0);
}

TEST_CASE("bad sweeps: exit 2, file:line:column and key path, nothing written", "[sweep][cli]") {
    TempDir d;
    d.write("base.yaml", "base: t5_40g\nworkload: {kind: write_lat, sizes: [64], iterations: 4}\n");
    const fs::path out = d.path() / "out";
    struct Case {
        std::string text, message;
    };
    const std::vector<Case> cases = {
        {"base: base.yaml\nmatrix:\n  pcie.gen: [1, 9]\n", ":3:17: matrix.pcie.gen[1]: must be in 1..4, got 9"},
        {"base: base.yaml\nmatrix:\n  workload.iterations: [10, 2]\n", ":3:29: matrix.workload.iterations[1]: must be in"},
        {"base: base.yaml\nset: {workload.sizse: [64]}\n", ":2:23: set.workload.sizse: unknown key"},
        {"base: base.yaml\nzip:\n  pcie.gen: [1, 2]\n  pcie.lanes: [4]\n", ":4:3: zip.pcie.lanes: 1 values, but zip.pcie.gen has 2"},
        {"base: base.yaml\nmatrix: {pcie.gen: [1, 2]\n", ":3:1: YAML syntax error"},
        {"base: nothere.yaml\n", ":1:7: base: scenario file"},
        // Topology values are checked before anything runs, though the base has no topology:.
        {"base: base.yaml\nmatrix:\n  topology.hosts: [2, 17]\n", ":3:23: matrix.topology.hosts[1]: must be an integer in 2..16, got 17"},
        {"base: base.yaml\nmatrix:\n  topology.hosts: [2, 3]\n", ":3:23: matrix.topology.hosts[1]: 3 hosts need the switch"},
        {"base: base.yaml\nset: {topology.hostz: 2}\n", ":2:23: set.topology.hostz: unknown key (did you mean hosts?)"},
    };
    for (const Case& c : cases) {
        const std::string file = d.write("bad.yaml", c.text);
        const Result r = run_nicsim("sweep '" + file + "' --out '" + out.string() + "'");
        INFO(c.text << r.output);
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.output, Catch::Contains(file + c.message));
        CHECK_FALSE(fs::exists(out));
    }
    const std::string ok = d.write("ok.yaml", "base: base.yaml\nmatrix: {pcie.gen: [1, 2]}\n");
    CHECK(run_nicsim("sweep '" + ok + "' --out '" + out.string() + "' --set pcie.gen=3").exit_code == 2);
    CHECK(run_nicsim("sweep '" + ok + "' --out '" + out.string() + "' --jobs 0").exit_code == 2);
    CHECK(run_nicsim("sweep --out '" + out.string() + "'").exit_code == 2);
    CHECK_FALSE(fs::exists(out));
}

TEST_CASE("scripts/plot: a line per group value, and bad input exits 2", "[sweep][cli][plot]") {
    TempDir d;
    const std::string csv = d.write(
        "results.csv",
        "run_id,pcie.gen,workload,size,iterations,lat_min_us,lat_avg_us,lat_p50_us,lat_p99_us,lat_max_us,"
        "bw_avg_gbps,bw_peak_gbps,msg_rate_mpps\n"
        "0000-a,1,write_lat,64,4,1,1.5,1,1,1,,,\n0000-a,1,write_lat,4096,4,2,2.5,2,2,2,,,\n"
        "0001-b,3,write_lat,64,4,1,1.2,1,1,1,,,\n0001-b,3,write_lat,4096,4,2,2.2,2,2,2,,,\n");
    const std::string plot = "/usr/bin/python3 '" + sweeptest::source_dir() + "/scripts/plot' ";
    const fs::path out = d.path() / "plots";
    const Result r = shell(plot + "'" + csv + "' --out '" + out.string() + "'");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    // Latency: a line per pcie.gen versus size, a line per size versus pcie.gen.
    const std::string by_size = read_file(out / "latency_vs_size.svg");
    CHECK(by_size.find("pcie.gen=1") != std::string::npos);
    CHECK(by_size.find("pcie.gen=3") != std::string::npos);
    const std::string by_gen = read_file(out / "latency_vs_pcie.gen.svg");
    CHECK(by_gen.find("size=64") != std::string::npos);
    CHECK(by_gen.find("size=4096") != std::string::npos);
    // No bandwidth in a latency sweep: those figures are skipped, not drawn empty.
    CHECK_FALSE(fs::exists(out / "bandwidth_vs_size.png"));
    CHECK_THAT(r.output, Catch::Contains("bandwidth vs size: no bw_avg_gbps values, skipped"));

    const Result missing = shell(plot + "'" + (d.path() / "none.csv").string() + "' --out '" + out.string() + "'");
    CHECK(missing.exit_code == 2);
    CHECK_THAT(missing.output, Catch::Contains("plot: error: "));
    CHECK(shell(plot + "'" + csv + "' --group nosuch --out '" + out.string() + "'").exit_code == 2);
    CHECK(shell(plot + "'" + d.write("ragged.csv", "size,lat_avg_us\n64\n") + "' --out '" + out.string() + "'").exit_code == 2);
    CHECK(shell(plot + "'" + d.write("nosize.csv", "a,b\n1,2\n") + "' --out '" + out.string() + "'").exit_code == 2);
    CHECK(shell(plot + "--no-such-option '" + csv + "'").exit_code == 2);
    const std::string help = shell(plot + "--help").output;
    CHECK_THAT(help, Catch::Contains("--group"));
}

TEST_CASE("resume reruns runs whose base scenario or NIC config changed, and only those", "[sweep][cli][resume]") {
    TempDir d;
    // The base pulls in a NIC config of its own through `base:`, so the chain has two files.
    d.write("nic.yaml", "base: t5_40g\nnic.tp.latency_cycles: 4\n");
    const auto write_base = [&](int iterations, const std::string& comment) {
        d.write("base.yaml", "base: nic.yaml\n" + comment + "workload: {kind: write_lat, sizes: [64], iterations: " +
                                 std::to_string(iterations) + "}\n");
    };
    write_base(4, "");
    const std::string sweep = d.write("s.yaml", "base: base.yaml\nmatrix:\n  pcie.gen: [3, 4]\n");
    const fs::path out = d.path() / "out";
    const std::string args = "sweep '" + sweep + "' --jobs 2 --out '" + out.string() + "'";
    REQUIRE(run_nicsim(args).exit_code == 0);
    const YAML::Node points = YAML::LoadFile((out / "points.yaml").string())["points"];
    REQUIRE(points.size() == 2);
    // A marker in each run's stdout.txt: a run that runs again overwrites it.
    const auto mark = [&] {
        for (const auto& p : points) std::ofstream(out / "runs" / p["id"].as<std::string>() / "stdout.txt") << "MARK";
    };
    const auto marked = [&] {
        size_t n = 0;
        for (const auto& p : points) n += read_file(out / "runs" / p["id"].as<std::string>() / "stdout.txt") == "MARK";
        return n;
    };
    const auto iterations_column = [&] {
        std::set<std::string> seen;
        const auto t = read_csv(out / "results.csv");
        const size_t col = std::find(t.header.begin(), t.header.end(), "iterations") - t.header.begin();
        for (const auto& row : t.rows) seen.insert(row.at(col));
        return seen;
    };
    mark();

    // Unchanged inputs, and a comment added: nothing runs again.
    Result r = run_nicsim(args + " --resume");
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("2 already finished; running 0 with"));
    write_base(4, "# only a comment\n");
    r = run_nicsim(args + " --resume");
    CHECK_THAT(r.output, Catch::Contains("2 already finished; running 0 with"));
    CHECK(marked() == 2);

    // The base scenario edited: the ids stay, every run runs again, and says why.
    write_base(6, "");
    r = run_nicsim(args + " --resume");
    INFO(r.output);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.output, Catch::Contains("0 already finished; running 2 with"));
    CHECK(count(r.output, "finished with other inputs") == 2);
    CHECK(marked() == 0);
    CHECK(iterations_column() == std::set<std::string>{"6"});
    CHECK(YAML::LoadFile((out / "points.yaml").string())["points"][0]["id"].as<std::string>() ==
          points[0]["id"].as<std::string>());

    // The NIC config two files down the chain edited: again.
    mark();
    d.write("nic.yaml", "base: t5_40g\nnic.tp.latency_cycles: 5\n");
    r = run_nicsim(args + " --resume");
    CHECK_THAT(r.output, Catch::Contains("0 already finished; running 2 with"));
    CHECK(marked() == 0);

    // An emitted job list run by sh after an edit: the lines see the stale markers and rerun.
    mark();
    write_base(8, "");
    const std::string jobs = (d.path() / "jobs.txt").string();
    REQUIRE(run_nicsim(args + " --resume --emit-jobs '" + jobs + "'").exit_code == 0);
    REQUIRE(shell("sh -e '" + jobs + "'").exit_code == 0);
    CHECK(marked() == 0);
    REQUIRE(run_nicsim("sweep --merge-only '" + out.string() + "'").exit_code == 0);
    CHECK(iterations_column() == std::set<std::string>{"8"});

    // The job list of those inputs run after the points were emitted again for newer ones:
    // its done markers record the old digest, so --merge-only does not take them.
    write_base(10, "");
    REQUIRE(run_nicsim(args + " --resume --emit-jobs '" + (d.path() / "new.txt").string() + "'").exit_code == 0);
    REQUIRE(shell("sh -e '" + jobs + "'").exit_code == 0);
    r = run_nicsim("sweep --merge-only '" + out.string() + "'");
    CHECK_THAT(r.output, Catch::Contains("2 runs finished with other inputs"));
    CHECK_THAT(r.output, Catch::Contains("merged 0 of 2 runs"));
}

TEST_CASE("incast_hosts: one row per host count, aggregate within one 40GbE link's goodput", "[sweep][cli][incast]") {
    const fs::path file = fs::path(sweeptest::source_dir()) / "configs" / "sweeps" / "incast_hosts.yaml";
    const std::vector<std::string> hosts = {"2", "3", "4", "6"};
    TempDir d;
    const fs::path out = d.path() / "out";
    // 100 messages of 64 KiB over all flows: a few ms of simulated time per run.
    const Result r = run_nicsim("sweep '" + file.string() + "' --jobs 2 --out '" + out.string() +
                                "' --set workload.iterations=100");
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    const auto t = read_csv(out / "results.csv");
    const auto col = [&](const std::string& name) {
        const auto it = std::find(t.header.begin(), t.header.end(), name);
        REQUIRE(it != t.header.end());
        return static_cast<size_t>(it - t.header.begin());
    };
    const size_t hosts_col = col("topology.hosts"), size_col = col("size"), bw_col = col("bw_avg_gbps");
    REQUIRE(t.rows.size() == hosts.size());  // one size: one row per run
    const fs::path base = fs::path(sweeptest::source_dir()) / "configs" / "sweeps" / "base" / "incast_write.yaml";
    for (size_t i = 0; i < hosts.size(); ++i) {
        const auto& row = t.rows[i];
        INFO("topology.hosts=" << row[hosts_col]);
        CHECK(row[hosts_col] == hosts[i]);
        CHECK(row[size_col] == "65536");
        // The run's own configuration gives the link's ceiling (rate, MSS, timestamps, markers).
        const auto sc = nicsim::config::load_scenario(base.string(), {"topology.hosts=" + hosts[i]});
        const double ceiling = nicsim::sim::goodput_ceiling_gbps(nicsim::sim::goodput_model(sc.config),
                                                                 nicsim::sim::OpKind::Write, 65536);
        CHECK(ceiling < 40.0);
        CHECK(ceiling > 36.0);  // 64 KiB messages lose ~6% to headers at a 1500 B MTU
        const double bw = std::stod(row[bw_col]);
        // Every sender shares the switch's one egress port to a: never more than that link,
        // and with 64 outstanding writes per flow the port stays busy (the bottleneck is full).
        CHECK(bw <= ceiling * 1.0001);
        CHECK(bw >= 0.9 * ceiling);
    }
    // scripts/plot draws bandwidth versus the host count.
    const fs::path plots = d.path() / "plots";
    const Result plot = shell("/usr/bin/python3 '" + sweeptest::source_dir() + "/scripts/plot' '" +
                              (out / "results.csv").string() + "' --out '" + plots.string() + "' --x topology.hosts");
    INFO(plot.output);
    REQUIRE(plot.exit_code == 0);
    const std::string svg = read_file(plots / "bandwidth_vs_topology.hosts.svg");
    CHECK(svg.find("topology.hosts") != std::string::npos);
}

TEST_CASE("emitted job lines run by plain sh, then --merge-only, equal an in-process sweep", "[sweep][cli][jobs]") {
    TempDir d;
    d.write("base.yaml", "base: t5_40g\nworkload: {kind: write_lat, sizes: [64, 4096], iterations: 8}\n");
    const std::string sweep = d.write(
        "s.yaml", "base: base.yaml\nmatrix:\n  pcie.gen: [2, 4]\n  workload.kind: [write_lat, write_bw]\n");
    const fs::path local = d.path() / "local", emitted = d.path() / "emitted";
    const std::string jobs = (d.path() / "jobs.txt").string();
    REQUIRE(run_nicsim("sweep '" + sweep + "' --jobs 2 --out '" + local.string() + "'").exit_code == 0);
    REQUIRE(run_nicsim("sweep '" + sweep + "' --emit-jobs '" + jobs + "' --out '" + emitted.string() + "'").exit_code == 0);
    // Nothing ran yet; every line is independent, so run them all at once, as parallel would.
    CHECK_FALSE(fs::exists(emitted / "results.csv"));
    const Result ran = shell("while IFS= read -r line; do sh -c \"$line\" & done < '" + jobs + "'; wait");
    INFO(ran.output);
    CHECK(ran.exit_code == 0);
    const Result merged = run_nicsim("sweep '" + sweep + "' --merge-only --out '" + emitted.string() + "'");
    INFO(merged.output);
    REQUIRE(merged.exit_code == 0);
    CHECK_THAT(merged.output, Catch::Contains("merged 4 of 4 runs (8 rows)"));
    // The model is deterministic and the ids depend on the overrides only: byte for byte equal.
    const std::string a = read_file(local / "results.csv"), b = read_file(emitted / "results.csv");
    CHECK(read_csv(emitted / "results.csv").rows.size() == 8);
    CHECK(a == b);
    // A second pass of the list runs nothing (every line finds its done marker).
    const auto stamp = fs::last_write_time(emitted / "runs" / read_csv(local / "results.csv").rows[0][0] / "stdout.txt");
    REQUIRE(shell("sh -e '" + jobs + "'").exit_code == 0);
    CHECK(fs::last_write_time(emitted / "runs" / read_csv(local / "results.csv").rows[0][0] / "stdout.txt") == stamp);
    // The Slurm script parses (it was not run on a real cluster) and asks for one task per line.
    const std::string sbatch = jobs + ".sbatch";
    CHECK(shell("bash -n '" + sbatch + "'").exit_code == 0);
    CHECK_THAT(read_file(sbatch), Catch::Contains("#SBATCH --array=1-4\n"));
}
