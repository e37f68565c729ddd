// The YAML loader: every kind of bad input gives file:line:column, the key path and a useful
// message; good input lands with the right precedence and sources.
#include <catch2/catch.hpp>

#include <algorithm>

#include "config_test_util.h"
#include "sim/config/section_checks.h"
#include "sim/config/yaml_loader.h"

using namespace nicsim::config;
using cfgtest::load_errors;
using cfgtest::TempDir;

TEST_CASE("YAML syntax error reports file:line:column", "[config]") {
    TempDir d;
    const std::string f = d.write("syntax.yaml", "nic:\n  core:\n    clock_mhz: [500\n  mac: {}\n");
    const std::string err = load_errors(f);
    CHECK(err.rfind(f + ":", 0) == 0);
    CHECK(err.find("YAML syntax error") != std::string::npos);
    // A tab indent is another syntax error with its own position.
    const std::string g = d.write("tab.yaml", "nic:\n\tcore: 1\n");
    CHECK(load_errors(g).rfind(g + ":2:", 0) == 0);
}

TEST_CASE("unknown keys are rejected with a suggestion, nested or dotted", "[config]") {
    TempDir d;
    const std::string f = d.write("typo.yaml",
                                  "nic:\n"
                                  "  core:\n"
                                  "    clok_mhz: 400\n"
                                  "nic.mpa.markres: true\n"
                                  "worklaod: {}\n"
                                  "zzz: 1\n");
    const std::string err = load_errors(f);
    CHECK(err.find(f + ":3:5: nic.core.clok_mhz: unknown key (did you mean nic.core.clock_mhz?)") != std::string::npos);
    CHECK(err.find(f + ":4:1: nic.mpa.markres: unknown key (did you mean nic.mpa.markers?)") != std::string::npos);
    CHECK(err.find(f + ":5:1: worklaod: unknown key (did you mean workload?)") != std::string::npos);
    CHECK(err.size() >= 22);
    CHECK(err.substr(err.size() - 22) == ":6:1: zzz: unknown key");
}

TEST_CASE("wrong types are rejected at the value's position", "[config]") {
    TempDir d;
    const std::string f = d.write("types.yaml",
                                  "nic:\n"
                                  "  core: {clock_mhz: fast}\n"
                                  "  mpa:\n"
                                  "    markers: 3\n"
                                  "  mac:\n"
                                  "    mtu: \"1500\"\n"
                                  "    width_bytes: [16]\n"
                                  "  tcp:\n"
                                  "    mss:\n"
                                  "  le: hash\n");
    const std::string err = load_errors(f);
    CHECK(err.find(f + ":2:21: nic.core.clock_mhz: expected a number, got \"fast\"") != std::string::npos);
    CHECK(err.find(f + ":4:14: nic.mpa.markers: expected true or false, got \"3\"") != std::string::npos);
    CHECK(err.find(f + ":6:10: nic.mac.mtu: expected a number, got the quoted string") != std::string::npos);
    CHECK(err.find(f + ":7:18: nic.mac.width_bytes: expected a int value, got a list") != std::string::npos);
    CHECK(err.find("nic.tcp.mss: missing value") != std::string::npos);
    CHECK(err.find(f + ":10:7: nic.le: is a group of parameters; expected a map, got a scalar") != std::string::npos);
}

TEST_CASE("out-of-range values name the allowed range", "[config]") {
    TempDir d;
    const std::string f = d.write("range.yaml", "pcie:\n  gen: 5\n  mps: 300\n  lanes: 3\nnic.core.clock_mhz: 1e6\n");
    const std::string err = load_errors(f);
    CHECK(err.find(f + ":2:8: pcie.gen: must be in 1..4, got 5") != std::string::npos);
    CHECK(err.find(f + ":3:8: pcie.mps: must be in 128..4096, power of 2, got 300") != std::string::npos);
    CHECK(err.find(f + ":4:10: pcie.lanes: must be one of 1|2|4|8|16, got 3") != std::string::npos);
    CHECK(err.find(f + ":5:21: nic.core.clock_mhz: must be in 50.0..2000.0") != std::string::npos);
}

TEST_CASE("missing file, empty file, non-map top level, duplicate keys", "[config]") {
    TempDir d;
    const std::string missing = (d.path() / "nope.yaml").string();
    CHECK(load_errors(missing) == missing + ": cannot open: no such file");
    CHECK(load_errors(d.path().string()).find("not a regular file") != std::string::npos);
    CHECK(load_errors(d.write("empty.yaml", "# nothing\n")) == "");
    const std::string list = d.write("list.yaml", "- a\n- b\n");
    CHECK(load_errors(list) == list + ":1:1: the top level must be a map of keys, got a list");
    const std::string dup = d.write("dup.yaml", "pcie:\n  mps: 512\npcie.mps: 1024\n");
    CHECK(load_errors(dup) == dup + ":3:1: pcie.mps: set twice in this file (first at line 2)");
    const std::string dup2 = d.write("dup2.yaml", "workload: {}\nname: a\nworkload: {}\n");
    CHECK(load_errors(dup2) == dup2 + ":3:1: workload: set twice in this file (first at line 1)");
}

TEST_CASE("base config: found by name, missing one reported with a suggestion", "[config]") {
    TempDir d;
    const std::string f = d.write("scen.yaml", "base: t5_40g\nnic: {mpa: {markers: true}}\n");
    Scenario sc = load_scenario(f);
    CHECK(sc.config.get_bool("nic.mpa.markers"));
    CHECK(sc.config.source("nic.mpa.markers").where.file == f);
    CHECK(sc.config.source("nic.core.clock_mhz").kind == SourceKind::File);
    CHECK(sc.config.source("nic.core.clock_mhz").where.file.find("configs/nic/t5_40g.yaml") != std::string::npos);
    REQUIRE(sc.files.size() == 2);
    CHECK(sc.name == "scen");

    const std::string g = d.write("nobase.yaml", "nic_config: t5_40gx\n");
    const std::string err = load_errors(g);
    CHECK(err.rfind(g + ":1:13: nic_config: base config 't5_40gx' not found", 0) == 0);
    CHECK(err.find("did you mean t5_40g?") != std::string::npos);

    const std::string h = d.write("badpath.yaml", "base: ../missing/nic.yaml\n");
    CHECK(load_errors(h).rfind(h + ":1:7: base: cannot open base config", 0) == 0);

    const std::string both = d.write("both.yaml", "base: t5_40g\nnic_config: t5_10g\n");
    CHECK(load_errors(both).find(":2:1: nic_config: a file names at most one base config") != std::string::npos);
}

TEST_CASE("base chain precedence, local bases by path, loops", "[config]") {
    TempDir d;
    d.write("nic/a.yaml", "pcie: {mps: 512, mrrs: 1024}\n");
    d.write("nic/b.yaml", "base: a\npcie: {mps: 1024}\n");
    const std::string s = d.write("scenarios/s.yaml", "base: b\npcie: {mrrs: 4096}\n");
    Scenario sc = load_scenario(s);
    CHECK(sc.config.get_int("pcie.mps") == 1024);   // b over a
    CHECK(sc.config.get_int("pcie.mrrs") == 4096);  // s over a
    CHECK(sc.files.size() == 3);

    d.write("loop/x.yaml", "base: y.yaml\n");
    const std::string y = d.write("loop/y.yaml", "base: x.yaml\n");
    CHECK(load_errors(y).find("base configs form a loop") != std::string::npos);
}

TEST_CASE("scenario sections are kept for the runner and shape-checked", "[config]") {
    TempDir d;
    const std::string f = d.write("sections.yaml",
                                  "name: lat64\n"
                                  "description: 64 B write latency\n"
                                  "topology: {nodes: 2}\n"
                                  "workload: {kind: write_lat, size: 64}\n"
                                  "faults:\n"
                                  "  - {drop: 3}\n");
    Scenario sc = load_scenario(f);
    CHECK(sc.name == "lat64");
    CHECK(sc.description == "64 B write latency");
    REQUIRE(sc.sections.count("workload"));
    CHECK(sc.sections.at("workload").node["size"].as<int>() == 64);
    const Location l = section_location(sc.sections.at("faults"), sc.sections.at("faults").node[0]);
    CHECK(l.line == 6);
    CHECK(l.column == 5);

    const std::string g = d.write("badsections.yaml", "faults: {drop: 3}\nworkload: 1\n");
    const std::string err = load_errors(g);
    CHECK(err.find(g + ":1:9: faults: expected a list, got a map") != std::string::npos);
    CHECK(err.find(g + ":2:11: workload: expected a map or a list of maps, got a scalar") != std::string::npos);
}

TEST_CASE("cross-parameter rules point at the key the user set", "[config]") {
    TempDir d;
    const std::string f = d.write("rules.yaml",
                                  "pcie: {rcb: 512}\n"
                                  "nic:\n"
                                  "  mac: {mtu: 9000}\n"
                                  "  tp:\n"
                                  "    cut_through: false\n");
    const std::string err = load_errors(f);
    CHECK(err.find(f + ":1:13: pcie.rcb: pcie.rcb must not exceed pcie.mps") != std::string::npos);
    CHECK(err.find(f + ":5:18: nic.tp.cut_through: store-and-forward needs 282 beats") != std::string::npos);

    const std::string g = d.write("header.yaml", "nic.le: {header_bytes: 54, fifo_depth_beats: 1}\n");
    CHECK(load_errors(g) == g + ":1:46: nic.le.fifo_depth_beats: cut-through needs 2 beats of 32 B to hold the 54 B "
                                "header, fifo_depth_beats is 1");
}

TEST_CASE("every problem of a file is reported at once", "[config]") {
    TempDir d;
    const std::string f = d.write("many.yaml", "pcie: {gen: 9, mps: 3}\nnic: {core: {clock: 1}}\nhost.doorbell: pushh\n");
    const std::string err = load_errors(f);
    CHECK(std::count(err.begin(), err.end(), '\n') == 3);  // 4 lines
    CHECK(err.find("did you mean push?") != std::string::npos);
}

TEST_CASE("mangled input never escapes as anything but ConfigError", "[config]") {
    // Deterministic byte-level damage to a real config: deletions, duplications, swaps and
    // random bytes. Every load must either succeed or report ConfigError.
    const std::string base = cfgtest::read_file(cfgtest::source_dir() + "/configs/nic/t5_40g.yaml");
    REQUIRE(base.size() > 1000);
    TempDir d;
    uint64_t x = 0x9E3779B97F4A7C15ull;
    auto next = [&x] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x;
    };
    int failed = 0, loaded = 0;
    for (int i = 0; i < 300; ++i) {
        std::string text = base;
        const int edits = 1 + static_cast<int>(next() % 4);
        for (int e = 0; e < edits; ++e) {
            const size_t pos = next() % text.size();
            const size_t len = 1 + next() % 16;
            switch (next() % 4) {
                case 0: text.erase(pos, len); break;
                case 1: text.insert(pos, text.substr(next() % text.size(), len)); break;
                case 2: text[pos] = static_cast<char>(next() & 0xff); break;
                default: {
                    static const std::string special = "\t:-[]{}&*!|>'\"%@`#,?";
                    text.insert(pos, 1, special[next() % special.size()]);
                    break;
                }
            }
        }
        const std::string f = d.write("m.yaml", text);
        try {
            load_scenario(f);
            ++loaded;
        } catch (const ConfigError& e) {
            ++failed;
            CHECK(std::string(e.what()).rfind(f, 0) == 0);
        }
    }
    CHECK(failed > 100);  // most damage is caught ...
    CHECK(loaded + failed == 300);
    // ... and pathological nesting is a diagnostic too, not a stack overflow.
    const std::string deep = d.write("deep.yaml", "nic: " + std::string(20000, '[') + "\n");
    CHECK(load_errors(deep).rfind(deep + ":", 0) == 0);
}

TEST_CASE("registered section checks run for the sections a scenario has", "[config]") {
    register_section_check("faults", [](const Scenario& sc) {
        std::vector<Diagnostic> d;
        const Section& s = sc.sections.at("faults");
        for (const YAML::Node& n : s.node) {
            if (!n["drop"]) d.push_back({section_location(s, n), "faults", "each fault needs drop:"});
        }
        return d;
    });
    TempDir d;
    const std::string ok = d.write("ok.yaml", "faults:\n  - {drop: 1}\n");
    const std::string bad = d.write("bad.yaml", "faults:\n  - {drop: 1}\n  - {dorp: 2}\n");
    const std::string none = d.write("none.yaml", "pcie.mps: 512\n");
    CHECK(check_sections(load_scenario(ok)).empty());
    CHECK(check_sections(load_scenario(none)).empty());  // no faults section: its check does not run
    const std::vector<Diagnostic> diags = check_sections(load_scenario(bad));
    REQUIRE(diags.size() == 1);
    CHECK(diags[0].format() == bad + ":3:5: faults: each fault needs drop:");
}

TEST_CASE("a section check runs when only a --set names its section", "[config]") {
    register_section_check("topology", [](const Scenario& sc) {
        std::vector<Diagnostic> d;
        for (const SectionOverride& o : sc.section_overrides)
            if (o.section == "topology" && o.value == "99") d.push_back({{"--set", 0, 0}, "topology." + o.key, "too many"});
        return d;
    });
    TempDir d;
    const std::string none = d.write("none.yaml", "pcie.mps: 512\n");
    CHECK(check_sections(load_scenario(none)).empty());
    CHECK(check_sections(load_scenario(none, {"topology.hosts=3"})).empty());
    const std::vector<Diagnostic> diags = check_sections(load_scenario(none, {"topology.hosts=99"}));
    REQUIRE(diags.size() == 1);
    CHECK(diags[0].key == "topology.hosts");
}
