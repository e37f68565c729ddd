// `--set key=value`: parsed with the key's type, applied after the files, bad ones reported.
#include <catch2/catch.hpp>

#include "config_test_util.h"
#include "sim/config/overrides.h"

using namespace nicsim::config;

TEST_CASE("set overrides land on top of the file with source override", "[config]") {
    cfgtest::TempDir d;
    const std::string f = d.write("s.yaml", "base: t5_40g\npcie: {mps: 512}\n");
    Scenario sc = load_scenario(f, {"pcie.mps=1024", "nic.mpa.markers=true", "nic.core.clock_mhz = 400",
                                    "pcie.rc.read_latency_ps=500ns", "pcie.mps=2048"});
    CHECK(sc.config.get_int("pcie.mps") == 2048);  // the later --set wins
    CHECK(sc.config.get_bool("nic.mpa.markers"));
    CHECK(sc.config.get_double("nic.core.clock_mhz") == 400.0);
    CHECK(sc.config.get_ps("pcie.rc.read_latency_ps") == 500000);
    CHECK(sc.config.source("pcie.mps").kind == SourceKind::Override);
    CHECK(sc.config.source("pcie.mps").describe() == "override --set");
}

TEST_CASE("set override parsing errors", "[config]") {
    Config c;
    const std::vector<Diagnostic> d = apply_overrides(
        c, {"pcie.mps", "=3", "pcie.mpss=512", "nic.core=1", "pcie.mps=big", "pcie.mps=100", "nic.le.mode=tcma",
            "nic.mpa.markers=1", "pcie.gen=4"});
    REQUIRE(d.size() == 8);
    CHECK(d[0].format() == "--set: expected key=value, got \"pcie.mps\"");
    CHECK(d[1].format() == "--set: expected key=value, got \"=3\"");
    CHECK(d[2].format() == "--set: pcie.mpss: unknown key (did you mean pcie.mps?)");
    CHECK(d[3].format() == "--set: nic.core: is a group of parameters, not a parameter");
    CHECK(d[4].format() == "--set: pcie.mps: expected an integer, got \"big\"");
    CHECK(d[5].format() == "--set: pcie.mps: must be in 128..4096, power of 2, got 100");
    CHECK(d[6].format() == "--set: nic.le.mode: expected one of hash|tcam, got \"tcma\" (did you mean tcam?)");
    CHECK(d[7].format() == "--set: nic.mpa.markers: expected true or false, got \"1\"");
    CHECK(c.get_int("pcie.gen") == 4);  // good assignments still apply
}

TEST_CASE("set override errors make load_scenario throw, and can break cross-parameter rules", "[config]") {
    cfgtest::TempDir d;
    const std::string f = d.write("s.yaml", "pcie: {mps: 256}\n");
    CHECK(cfgtest::load_errors(f, {"pcie.mps=abc"}) == "--set: pcie.mps: expected an integer, got \"abc\"");
    CHECK(cfgtest::load_errors(f, {"pcie.rcb=512"}) == "--set: pcie.rcb: pcie.rcb must not exceed pcie.mps");
    CHECK(cfgtest::load_errors(f, {"pcie.rcb=512", "pcie.mps=512"}) == "");
}
