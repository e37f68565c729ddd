// The bundled NIC configs: each validates, t5_40g states every NIC parameter with a comment and
// equals the built-in defaults, and each variant names its base.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

#include "config_test_util.h"

using namespace nicsim::config;
namespace fs = std::filesystem;

namespace {
std::vector<fs::path> bundled(const char* folder) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(fs::path(cfgtest::source_dir()) / "configs" / folder, ec)) {
        if (e.path().extension() == ".yaml") out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}
std::vector<std::string> lines_of(const fs::path& p) {
    std::vector<std::string> v;
    std::istringstream in(cfgtest::read_file(p));
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
}
}  // namespace

TEST_CASE("every bundled configs/nic/*.yaml and configs/scenarios/*.yaml validates", "[config]") {
    const auto files = bundled("nic");
    CHECK(files.size() >= 5);
    for (const fs::path& p : files) {
        INFO(p.string());
        CHECK(cfgtest::load_errors(p.string()) == "");
    }
    for (const fs::path& p : bundled("scenarios")) {
        INFO(p.string());
        CHECK(cfgtest::load_errors(p.string()) == "");
    }
    for (const char* name : {"t5_40g", "t5_40g_store_forward", "t5_10g", "t5_40g_markers", "t5_40g_rtl"}) {
        INFO(name);
        CHECK(fs::exists(fs::path(cfgtest::source_dir()) / "configs" / "nic" / (std::string(name) + ".yaml")));
    }
}

TEST_CASE("t5_40g sets every NIC and PCIe parameter, each with a comment, equal to the defaults", "[config]") {
    const fs::path p = fs::path(cfgtest::source_dir()) / "configs" / "nic" / "t5_40g.yaml";
    Scenario sc = load_scenario(p.string());
    const std::vector<std::string> lines = lines_of(p);
    for (const ParamSpec& s : default_registry().params()) {
        INFO(s.name);
        CHECK(sc.config.value(s.name) == s.def);
        const bool nic_side = s.name.rfind("nic.", 0) == 0 || s.name.rfind("pcie.", 0) == 0;
        if (!nic_side) continue;
        const ValueSource& src = sc.config.source(s.name);
        REQUIRE(src.kind == SourceKind::File);
        const std::string& line = lines.at(static_cast<size_t>(src.where.line - 1));
        INFO(line);
        CHECK(line.find(" # ") != std::string::npos);
    }
}

TEST_CASE("variants name t5_40g as their base and change a few keys", "[config]") {
    for (const char* name : {"t5_40g_store_forward", "t5_10g", "t5_40g_markers", "t5_40g_rtl"}) {
        INFO(name);
        const fs::path p = fs::path(cfgtest::source_dir()) / "configs" / "nic" / (std::string(name) + ".yaml");
        Scenario sc = load_scenario(p.string());
        REQUIRE(sc.files.size() == 2);
        CHECK(fs::path(sc.files[0]).filename() == "t5_40g.yaml");
        size_t own = 0;
        for (const ParamSpec& s : default_registry().params()) own += sc.config.source(s.name).where.file == sc.files[1];
        CHECK(own >= 1);
        CHECK(own <= 12);
    }
    Scenario sf = load_scenario(cfgtest::source_dir() + "/configs/nic/t5_40g_store_forward.yaml");
    CHECK_FALSE(sf.config.get_bool("nic.tp.cut_through"));
    Scenario ten = load_scenario(cfgtest::source_dir() + "/configs/nic/t5_10g.yaml");
    CHECK(ten.config.get_double("nic.mac.rate_gbps") == 10.0);
    Scenario rtl = load_scenario(cfgtest::source_dir() + "/configs/nic/t5_40g_rtl.yaml");
    CHECK(rtl.config.get_string("nic.mpa_rx.marker_impl") == "rtl");
    Scenario mk = load_scenario(cfgtest::source_dir() + "/configs/nic/t5_40g_markers.yaml");
    CHECK(mk.config.get_bool("nic.mpa.markers"));
}
