// `nicsim validate` and `nicsim params`, run as the user runs them: exit codes, messages,
// no files written on bad input, and docs/parameters.md equal to `params --format markdown`.
#include <catch2/catch.hpp>

#include "config_test_util.h"

namespace fs = std::filesystem;
using cfgtest::run;

namespace {
size_t entries(const fs::path& dir) {
    return static_cast<size_t>(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
}
}  // namespace

TEST_CASE("nicsim validate: 0 on good files, 2 with file:line:column on bad ones", "[config][cli]") {
    cfgtest::TempDir d;
    const std::string good = d.write("good.yaml", "base: t5_40g\npcie: {mps: 512}\n");
    const std::string bad = d.write("bad.yaml", "base: t5_40g\nnic:\n  core:\n    clok_mhz: 400\n");
    auto ok = run("validate '" + good + "' '" + cfgtest::source_dir() + "/configs/nic/t5_10g.yaml'");
    CHECK(ok.exit_code == 0);
    CHECK(ok.output.find(good + ": ok") != std::string::npos);

    auto r = run("validate '" + good + "' '" + bad + "'");
    CHECK(r.exit_code == 2);
    CHECK(r.output.find(bad + ":4:5: nic.core.clok_mhz: unknown key (did you mean nic.core.clock_mhz?)") !=
          std::string::npos);
    CHECK(r.output.find(good + ": ok") != std::string::npos);  // the good one is still checked

    CHECK(run("validate '" + (d.path() / "missing.yaml").string() + "'").exit_code == 2);
    CHECK(run("validate '" + good + "' --set pcie.mps=77").exit_code == 2);
    CHECK(run("validate").exit_code == 2);  // no file: command-line error
    // Each --set takes one key=value, so files may follow it.
    auto sets = run("validate --set pcie.mps=1024 '" + good + "' --set nic.mpa.markers=on '" + good + "'");
    CHECK(sets.exit_code == 0);
}

TEST_CASE("nicsim validate writes nothing when its input is bad", "[config][cli]") {
    cfgtest::TempDir inputs, cwd;
    const std::string bad = inputs.write("bad.yaml", "pcie: {gen: 9}\nnic: [\n");
    const std::string bad2 = inputs.write("bad2.yaml", "pcie: {gen: 9}\n");
    auto r = run("validate '" + bad + "' '" + bad2 + "' --print-resolved", cwd.path().string());
    CHECK(r.exit_code == 2);
    CHECK(entries(cwd.path()) == 0);
    CHECK(entries(inputs.path()) == 2);
    CHECK(r.output.find("# Resolved configuration") == std::string::npos);
}

TEST_CASE("nicsim validate --print-resolved prints a loadable resolved config", "[config][cli]") {
    cfgtest::TempDir d;
    const std::string good = d.write("good.yaml", "base: t5_40g_markers\n");
    auto r = run("validate --print-resolved '" + good + "'");
    REQUIRE(r.exit_code == 0);
    const size_t start = r.output.find("# Resolved configuration");
    REQUIRE(start != std::string::npos);
    const std::string resolved = d.write("resolved.yaml", r.output.substr(start));
    nicsim::config::Scenario sc = nicsim::config::load_scenario(resolved);
    CHECK(sc.config.get_bool("nic.mpa.markers"));
}

TEST_CASE("nicsim params lists every key, bad arguments exit 2", "[config][cli]") {
    auto r = run("params");
    REQUIRE(r.exit_code == 0);
    for (const auto& s : nicsim::config::default_registry().params()) {
        INFO(s.name);
        CHECK(r.output.find(s.name + " ") != std::string::npos);
    }
    auto sub = run("params nic.tp");
    CHECK(sub.exit_code == 0);
    CHECK(sub.output.find("pcie.mps") == std::string::npos);
    auto typo = run("params nic.cor");
    CHECK(typo.exit_code == 2);
    CHECK(typo.output.find("did you mean nic.core?") != std::string::npos);
    CHECK(run("params --format html").exit_code == 2);
}

TEST_CASE("docs/parameters.md is what `nicsim params --format markdown` prints", "[config][cli]") {
    auto r = run("params --format markdown");
    REQUIRE(r.exit_code == 0);
    const std::string committed = cfgtest::read_file(fs::path(cfgtest::source_dir()) / "docs" / "parameters.md");
    INFO("regenerate with scripts/gen_params_doc");
    CHECK(committed == r.output);
}
