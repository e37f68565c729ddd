// config.resolved.yaml: every parameter with its value and source; loading it back gives
// identical values.
#include <catch2/catch.hpp>

#include <sstream>

#include "config_test_util.h"
#include "sim/config/resolved_writer.h"

using namespace nicsim::config;

TEST_CASE("resolved config lists every parameter with its source", "[config]") {
    cfgtest::TempDir d;
    const std::string f = d.write("s.yaml", "base: t5_10g\nnic:\n  core:\n    clock_mhz: 437.5\n");
    Scenario sc = load_scenario(f, {"pcie.mps=512"});
    std::ostringstream out;
    write_resolved_yaml(sc.config, out, {"scenario " + f});
    const std::string text = out.str();
    CHECK(text.find("# scenario " + f) != std::string::npos);
    CHECK(text.find("    clock_mhz: 437.5  # file " + f + ":4:16\n") != std::string::npos);
    CHECK(text.find("  mps: 512  # override --set\n") != std::string::npos);
    CHECK(text.find("  seed: 1  # default\n") != std::string::npos);
    CHECK(text.find("t5_10g.yaml:") != std::string::npos);
    // One value line per parameter.
    size_t values = 0;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) values += line.find(": ") != std::string::npos && line.find("  # ") != std::string::npos && line[0] != '#';
    CHECK(values == default_registry().size());
}

TEST_CASE("resolved config round-trips to identical values", "[config]") {
    cfgtest::TempDir d;
    const std::string f = d.write("s.yaml",
                                  "base: t5_40g_store_forward\n"
                                  "nic: {core: {clock_mhz: 333.3333333333333}, mac: {rate_gbps: 0.1e2}}\n"
                                  "pcie: {msix_base: 0xfee01000, rc: {read_latency_ps: 1.25us}}\n"
                                  "host.doorbell: push\n");
    Scenario sc = load_scenario(f, {"sim.seed=42", "net.switch.enabled=true"});
    std::ostringstream out;
    write_resolved_yaml(sc.config, out);
    const std::string resolved = d.write("config.resolved.yaml", out.str());
    Scenario again = load_scenario(resolved);
    CHECK(again.config.same_values(sc.config));
    CHECK(again.config.explicit_count() == default_registry().size());
    for (const ParamSpec& s : default_registry().params()) {
        INFO(s.name);
        CHECK(again.config.text(s.name) == sc.config.text(s.name));
    }
    // And a second round is byte-identical apart from the sources.
    std::ostringstream out2;
    write_resolved_yaml(again.config, out2);
    Scenario third = load_scenario(d.write("again.yaml", out2.str()));
    CHECK(third.config.same_values(sc.config));
}
