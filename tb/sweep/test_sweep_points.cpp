// Sweep files -> points: cartesian product order, zip, run ids, and the diagnostics of bad
// sweep files (file:line:column + key path) and of values the parameter registry rejects.
#include <catch2/catch.hpp>

#include "sim/sweep/point_validation.h"
#include "sim/sweep/run_id.h"
#include "sim/sweep/sweep_points.h"
#include "sweep_test_util.h"

using namespace nicsim::sweep;
using sweeptest::TempDir;

namespace {

Axis axis(const std::string& key, std::vector<std::string> values) {
    Axis a{key, {"s.yaml", 1, 1}, {}};
    for (size_t i = 0; i < values.size(); ++i)
        a.values.push_back({key, values[i], {"s.yaml", 2, int(i) + 1}, key + "[" + std::to_string(i) + "]"});
    return a;
}

// "k=v k=v" per point, for compact comparisons.
std::vector<std::string> texts(const std::vector<SweepPoint>& points) {
    std::vector<std::string> out;
    for (const SweepPoint& p : points) {
        std::string s;
        for (const Assignment& a : p.swept) s += (s.empty() ? "" : " ") + a.text();
        out.push_back(s);
    }
    return out;
}

std::string errors_of(const std::string& file, const std::vector<std::string>& sets = {}) {
    try {
        load_sweep_spec(file, sets);
        return "";
    } catch (const nicsim::config::ConfigError& e) {
        return e.what();
    }
}

}  // namespace

TEST_CASE("matrix: cartesian product, last key fastest", "[sweep][points]") {
    SweepSpec spec;
    spec.matrix = {axis("a", {"1", "2"}), axis("b", {"x", "y", "z"})};
    const auto points = expand_points(spec);
    CHECK(texts(points) == std::vector<std::string>{"a=1 b=x", "a=1 b=y", "a=1 b=z", "a=2 b=x", "a=2 b=y", "a=2 b=z"});
    for (size_t i = 0; i < points.size(); ++i) CHECK(points[i].index == i);
}

TEST_CASE("zip: lists advance together, as one more axis of the product", "[sweep][points]") {
    SweepSpec spec;
    spec.fixed = {{"f", "0", {}, "set.f"}};
    spec.matrix = {axis("a", {"1", "2"})};
    spec.zip = {axis("w", {"16", "64"}), axis("c", {"1000", "250"})};
    const auto points = expand_points(spec);
    CHECK(texts(points) == std::vector<std::string>{"a=1 w=16 c=1000", "a=1 w=64 c=250", "a=2 w=16 c=1000",
                                                    "a=2 w=64 c=250"});
    // The run receives the fixed overrides first, then the swept ones.
    CHECK(points[3].assignments() == std::vector<std::string>{"f=0", "a=2", "w=64", "c=250"});
    CHECK(spec.swept_keys() == std::vector<std::string>{"a", "w", "c"});

    SweepSpec only_zip;
    only_zip.zip = {axis("w", {"16", "32", "64"}), axis("c", {"1", "2", "3"})};
    CHECK(texts(expand_points(only_zip)) == std::vector<std::string>{"w=16 c=1", "w=32 c=2", "w=64 c=3"});
}

TEST_CASE("zip lists of different lengths are an error at the offending key", "[sweep][points]") {
    SweepSpec spec;
    spec.zip = {axis("w", {"16", "64"}), axis("c", {"1000", "500", "250"})};
    try {
        expand_points(spec);
        FAIL("expected a ConfigError");
    } catch (const nicsim::config::ConfigError& e) {
        REQUIRE(e.diagnostics().size() == 1);
        CHECK(e.diagnostics()[0].format() == "s.yaml:1:1: zip.c: 3 values, but zip.w has 2 (zip lists must have equal lengths)");
    }
}

TEST_CASE("more than kMaxPoints points is an error, not an allocation", "[sweep][points]") {
    SweepSpec spec;
    const std::vector<std::string> hundred(100, "1");
    for (const char* k : {"a", "b", "c", "d"}) spec.matrix.push_back(axis(k, hundred));  // 1e8 points
    CHECK_THROWS_WITH(expand_points(spec), Catch::Contains("more than 1000000 points"));
}

TEST_CASE("no axes: one point, the base with the fixed overrides", "[sweep][points]") {
    SweepSpec spec;
    spec.fixed = {{"pcie.gen", "2", {}, "set.pcie.gen"}};
    const auto points = expand_points(spec);
    REQUIRE(points.size() == 1);
    CHECK(points[0].swept.empty());
    CHECK(points[0].assignments() == std::vector<std::string>{"pcie.gen=2"});
}

TEST_CASE("run ids: index and FNV-1a of the overrides, stable and distinct", "[sweep][points]") {
    // FNV-1a 32 of "pcie.gen=3\n", computed independently (Python).
    CHECK(overrides_hash({"pcie.gen=3"}) == 0x5dfb02e0u);
    CHECK(make_run_id(7, 12, {"pcie.gen=3"}) == "0007-5dfb02e0");
    CHECK(make_run_id(12345, 20000, {"pcie.gen=3"}) == "12345-5dfb02e0");
    CHECK(make_run_id(3, 100000, {"pcie.gen=3"}).substr(0, 6) == "00003-");  // indices 0..99999
    CHECK(make_run_id(3, 100001, {"pcie.gen=3"}).substr(0, 7) == "000003-");
    // The separator matters: ["a=1", "b=2"] is not ["a=1b=2"].
    CHECK(overrides_hash({"a=1", "b=2"}) != overrides_hash({"a=1b=2"}));

    SweepSpec spec;
    spec.matrix = {axis("pcie.gen", {"1", "2", "3"})};
    const auto a = expand_points(spec), b = expand_points(spec);
    for (size_t i = 0; i < a.size(); ++i) CHECK(a[i].id == b[i].id);
    CHECK(a[0].id != a[1].id);
    // A changed fixed setting changes every id (stale runs are never resumed as current).
    spec.fixed = {{"workload.iterations", "20", {}, "set.workload.iterations"}};
    const auto c = expand_points(spec);
    for (size_t i = 0; i < a.size(); ++i) {
        CHECK(c[i].id != a[i].id);
        CHECK(c[i].id.substr(0, 5) == a[i].id.substr(0, 5));
    }
}

TEST_CASE("sweep files: structure, values in flow style, base relative to the file", "[sweep][spec]") {
    TempDir d;
    sweeptest::write_base(d);
    const std::string file = d.write("sweeps/s.yaml",
                                     "name: demo\n"
                                     "base: ../base.yaml\n"
                                     "set:\n  workload.sizes: [64, 4096]\n  pcie.mps: 512\n"
                                     "matrix:\n  pcie.gen: [1, 4]\n"
                                     "zip:\n  nic.core.width_bytes: [16, 64]\n  nic.core.clock_mhz: [1000, 250]\n");
    const SweepSpec spec = load_sweep_spec(file, {"pcie.mps=1024", "workload.iterations=5"});
    CHECK(spec.name == "demo");
    CHECK(spec.base == (d.path() / "base.yaml"));
    REQUIRE(spec.fixed.size() == 3);
    CHECK(spec.fixed[0].text() == "workload.sizes=[64, 4096]");
    CHECK(spec.fixed[1].text() == "pcie.mps=1024");  // the command line replaces the file's value
    CHECK(spec.fixed[2].text() == "workload.iterations=5");
    CHECK(spec.matrix[0].values[1].where.format() == file + ":7:17");
    CHECK(expand_points(spec).size() == 4);
    CHECK(validate_points(spec, expand_points(spec)).empty());
}

TEST_CASE("bad sweep files: every problem with file:line:column and key path", "[sweep][spec]") {
    TempDir d;
    sweeptest::write_base(d);
    const std::string bad = d.write("bad.yaml",
                                    "base: base.yaml\n"
                                    "set:\n  pcie.mpss: 256\n"
                                    "matrix:\n  pcie.gen: [1, 2]\n  nic.core: [1]\n  nic.mac.mtu: []\n"
                                    "zip:\n  nic.core.width_bytes: [16, 64]\n  nic.core.clock_mhz: [1000]\n"
                                    "matrx: {}\n");
    const std::string e = errors_of(bad);
    CHECK_THAT(e, Catch::Contains(bad + ":3:3: set.pcie.mpss: unknown key (did you mean pcie.mps?)"));
    CHECK_THAT(e, Catch::Contains(bad + ":6:3: matrix.nic.core: is a group of parameters, not a parameter"));
    CHECK_THAT(e, Catch::Contains(bad + ":7:16: matrix.nic.mac.mtu: expected a non-empty list of values, got an empty list"));
    CHECK_THAT(e, Catch::Contains(bad + ":10:3: zip.nic.core.clock_mhz: 1 values, but zip.nic.core.width_bytes has 2"));
    CHECK_THAT(e, Catch::Contains(bad + ":11:1: matrx: unknown key (did you mean matrix?)"));

    CHECK_THAT(errors_of(d.write("syntax.yaml", "base: base.yaml\nmatrix: [\n")),
               Catch::Contains("syntax.yaml:3:1: YAML syntax error"));
    CHECK_THAT(errors_of(d.write("nobase.yaml", "base: missing.yaml\n")),
               Catch::Contains("nobase.yaml:1:7: base: scenario file " + (d.path() / "missing.yaml").string() + " not found"));
    CHECK_THAT(errors_of(d.write("twice.yaml", "base: base.yaml\nset: {pcie.gen: 2}\nmatrix: {pcie.gen: [1, 3]}\n")),
               Catch::Contains("twice.yaml:3:10: matrix.pcie.gen: the key is already given as set.pcie.gen"));
    CHECK_THAT(errors_of(d.write("list.yaml", "- base: base.yaml\n")), Catch::Contains("list.yaml:1:1: the top level must be a map"));
    const std::string ok = d.write("ok.yaml", "base: base.yaml\nmatrix: {pcie.gen: [1, 3]}\n");
    CHECK_THAT(errors_of(ok, {"pcie.gen=2"}), Catch::Contains("--set: pcie.gen: is swept by matrix.pcie.gen"));
    CHECK_THAT(errors_of(ok, {"nonsense"}), Catch::Contains("--set: expected key=value"));
    CHECK_THAT(errors_of(ok, {"nic.core.clok_mhz=400"}), Catch::Contains("did you mean nic.core.clock_mhz?"));
    CHECK_THAT(errors_of(ok, {"workloda.sizes=[64]"}), Catch::Contains("--set: workloda.sizes: unknown key (did you mean workload.sizes?)"));
    CHECK_THAT(errors_of(ok, {"workload.=1"}), Catch::Contains("--set: workload.: unknown key"));
}

TEST_CASE("every value of every point is checked against the registry before running", "[sweep][spec]") {
    TempDir d;
    sweeptest::write_base(d);
    const std::string f = d.write("range.yaml",
                                  "base: base.yaml\n"
                                  "set: {nic.mac.mtu: fast}\n"
                                  "matrix:\n  pcie.gen: [1, 7, 3]\n  nic.mpa.markers: [true, maybe]\n");
    SweepSpec spec = load_sweep_spec(f);
    auto diags = validate_points(spec, expand_points(spec));
    REQUIRE(diags.size() == 3);
    CHECK(diags[0].format() == f + ":2:20: set.nic.mac.mtu: expected an integer, got \"fast\"");
    CHECK(diags[1].format() == f + ":4:17: matrix.pcie.gen[1]: must be in 1..4, got 7");
    CHECK_THAT(diags[2].format(), Catch::StartsWith(f + ":5:27: matrix.nic.mpa.markers[1]: "));

    // Rules that span keys are checked per point, reported at the point's value.
    const std::string rule = d.write("rule.yaml", "base: base.yaml\nmatrix:\n  pcie.mps: [128, 256]\n  pcie.rcb: [64, 256]\n");
    spec = load_sweep_spec(rule);
    const auto points = expand_points(spec);
    diags = validate_points(spec, points);
    REQUIRE(diags.size() == 1);  // only mps=128 with rcb=256 breaks pcie.rcb <= pcie.mps
    CHECK_THAT(diags[0].format(), Catch::StartsWith(rule + ":4:18: matrix.pcie.rcb[1]: point " + points[1].id +
                                                    " (pcie.mps=128, pcie.rcb=256): pcie.rcb: "));

    // A workload key needs a workload section in the base.
    d.write("noworkload.yaml", "base: t5_40g\n");
    const std::string wl = d.write("wl.yaml", "base: noworkload.yaml\nset: {workload.iterations: 5}\n");
    spec = load_sweep_spec(wl);
    diags = validate_points(spec, expand_points(spec));
    REQUIRE(diags.size() == 1);
    CHECK(diags[0].format() == wl + ":2:28: set.workload.iterations: the base scenario has no workload section to override");

    // A broken base is reported as the base's own problems, then at `base:`.
    d.write("badbase.yaml", "base: t5_40g\npcie: {gen: 9}\n");
    const std::string bb = d.write("bb.yaml", "base: badbase.yaml\n");
    spec = load_sweep_spec(bb);
    diags = validate_points(spec, expand_points(spec));
    REQUIRE(diags.size() == 2);
    CHECK_THAT(diags[0].format(), Catch::Contains("badbase.yaml:2:13: pcie.gen: must be in 1..4, got 9"));
    CHECK_THAT(diags[1].format(), Catch::StartsWith(bb + ":1:7: base: the base scenario"));
}
