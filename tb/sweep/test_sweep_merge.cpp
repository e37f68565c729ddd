// CSV reading/writing and the merge of the runs' summary.csv files into results.csv.
#include <catch2/catch.hpp>

#include <sstream>

#include "sim/sweep/csv_table.h"
#include "sim/sweep/results_merge.h"
#include "sim/sweep/sweep_layout.h"
#include "sweep_test_util.h"

using namespace nicsim::sweep;
using sweeptest::TempDir;

namespace {
const char* kHeader =
    "workload,size,iterations,lat_min_us,lat_avg_us,lat_p50_us,lat_p99_us,lat_max_us,bw_avg_gbps,bw_peak_gbps,msg_rate_mpps\n";
}

TEST_CASE("CSV: quoted fields, embedded commas, quotes and newlines round-trip", "[sweep][csv]") {
    std::ostringstream out;
    write_csv_row(out, {"plain", "a,b", "say \"hi\"", "two\nlines", ""});
    CHECK(out.str() == "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\n");
    CsvTable t;
    std::string error;
    REQUIRE(parse_csv("h1,h2,h3,h4,h5\r\n" + out.str() + "\n", t, error));
    REQUIRE(t.rows.size() == 1);
    CHECK(t.rows[0] == std::vector<std::string>{"plain", "a,b", "say \"hi\"", "two\nlines", ""});

    CHECK_FALSE(parse_csv("a,b\n1,2,3\n", t, error));
    CHECK(error == "line 2: 3 fields, the header has 2");
    CHECK_FALSE(parse_csv("a,b\n\"1,2\n", t, error));
    CHECK(error == "line 2: a quoted field is not closed");
    CHECK_FALSE(parse_csv("", t, error));
}

TEST_CASE("merge: run_id, swept columns, summary columns, one row per run and summary row", "[sweep][merge]") {
    TempDir d;
    Manifest m{"s.yaml", "base.yaml", {"pcie.gen", "workload.sizes"}, {}};
    // No inputs digests (a manifest of an older nicsim): a done marker alone means finished.
    m.points = {{"0000-aaaaaaaa", {"1", "[64, 4096]"}, ""}, {"0001-bbbbbbbb", {"2", "[64, 4096]"}, ""},
                {"0002-cccccccc", {"3", "[64, 4096]"}, ""}, {"0003-dddddddd", {"4", "[64, 4096]"}, ""}};
    auto run = [&](const std::string& id) { return layout::run(d.path(), id); };
    // Run 0: two sizes. Run 1: an extra column and its columns in another order. Run 2: not
    // finished (no done). Run 3: a broken summary.
    d.write("runs/0000-aaaaaaaa/summary.csv", std::string(kHeader) + "write_lat,64,10,1.0,1.1,1.1,1.2,1.3,,,\n"
                                                                     "write_lat,4096,10,2.0,2.1,2.1,2.2,2.3,,,\n");
    d.write("runs/0000-aaaaaaaa/done", "");
    d.write("runs/0001-bbbbbbbb/summary.csv", "size,workload,extra\n64,write_bw,x\n");
    d.write("runs/0001-bbbbbbbb/done", "");
    d.write("runs/0002-cccccccc/summary.csv", std::string(kHeader) + "write_lat,64,10,9,9,9,9,9,,,\n");
    d.write("runs/0003-dddddddd/summary.csv", "workload,size\nwrite_lat\n");
    d.write("runs/0003-dddddddd/done", "");
    CHECK(run_finished(run("0000-aaaaaaaa")));
    CHECK_FALSE(run_finished(run("0002-cccccccc")));

    const MergeReport r = merge_results(d.path(), m);
    CHECK(r.runs_merged == 2);
    CHECK(r.rows == 3);
    CHECK(r.unfinished == std::vector<std::string>{"0002-cccccccc"});
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0] == "0003-dddddddd: summary.csv: line 2: 1 fields, the header has 2");

    const std::string csv = sweeptest::read_file(layout::results(d.path()));
    CHECK(csv ==
          "run_id,pcie.gen,workload.sizes,workload,size,iterations,lat_min_us,lat_avg_us,lat_p50_us,lat_p99_us,"
          "lat_max_us,bw_avg_gbps,bw_peak_gbps,msg_rate_mpps,extra\n"
          "0000-aaaaaaaa,1,\"[64, 4096]\",write_lat,64,10,1.0,1.1,1.1,1.2,1.3,,,,\n"
          "0000-aaaaaaaa,1,\"[64, 4096]\",write_lat,4096,10,2.0,2.1,2.1,2.2,2.3,,,,\n"
          "0001-bbbbbbbb,2,\"[64, 4096]\",write_bw,64,,,,,,,,,,x\n");
    // The merged file reads back as a table of the same shape.
    CsvTable t;
    std::string error;
    REQUIRE(parse_csv(csv, t, error));
    CHECK(t.rows.size() == 3);
    CHECK(t.header.size() == 1 + 2 + summary_header().size() + 1);
}

TEST_CASE("manifest: written and read back, a missing or malformed one is an error", "[sweep][merge]") {
    TempDir d;
    Manifest m{"/abs/s.yaml", "/abs/base.yaml", {"a", "b"}, {{"0000-11111111", {"1", "x, \"y\""}, "0123456789abcdef"}}};
    write_manifest(d.path(), m);
    const Manifest back = read_manifest(d.path());
    CHECK(back.sweep_file == m.sweep_file);
    CHECK(back.base == m.base);
    CHECK(back.swept_keys == m.swept_keys);
    REQUIRE(back.points.size() == 1);
    CHECK(back.points[0].id == "0000-11111111");
    CHECK(back.points[0].values == m.points[0].values);
    CHECK(back.points[0].inputs == "0123456789abcdef");

    TempDir empty;
    CHECK_THROWS_WITH(read_manifest(empty.path()), Catch::Contains("points.yaml: no such file"));
    empty.write("points.yaml", "sweep: s\nbase: b\nswept: [a]\npoints: [{id: x, values: [1, 2]}]\n");
    CHECK_THROWS_WITH(read_manifest(empty.path()), Catch::Contains("malformed"));
}

TEST_CASE("merge: a run whose done marker records other inputs is stale, not merged", "[sweep][merge]") {
    TempDir d;
    Manifest m{"s.yaml", "base.yaml", {"pcie.gen"}, {}};
    m.points = {{"0000-aaaaaaaa", {"1"}, "1111111111111111"},
                {"0001-bbbbbbbb", {"2"}, "2222222222222222"},
                {"0002-cccccccc", {"3"}, "3333333333333333"}};
    const std::string summary = std::string(kHeader) + "write_lat,64,10,1,1,1,1,1,,,\n";
    for (const char* id : {"0000-aaaaaaaa", "0001-bbbbbbbb", "0002-cccccccc"})
        d.write(std::string("runs/") + id + "/summary.csv", summary);
    d.write("runs/0000-aaaaaaaa/done", "inputs: 1111111111111111\nwall_s: 1\n");  // current
    d.write("runs/0001-bbbbbbbb/done", "inputs: 9999999999999999\nwall_s: 1\n");  // other inputs
    d.write("runs/0002-cccccccc/done", "wall_s: 1\n");                             // older marker
    CHECK(run_state(layout::run(d.path(), "0000-aaaaaaaa"), "1111111111111111") == RunState::Finished);
    CHECK(run_state(layout::run(d.path(), "0001-bbbbbbbb"), "2222222222222222") == RunState::FinishedOtherInputs);
    CHECK(run_state(layout::run(d.path(), "0003-dddddddd"), "") == RunState::NotFinished);

    const MergeReport r = merge_results(d.path(), m);
    CHECK(r.runs_merged == 1);
    CHECK(r.stale == std::vector<std::string>{"0001-bbbbbbbb", "0002-cccccccc"});
    CHECK(r.unfinished == r.stale);
    const std::string csv = sweeptest::read_file(layout::results(d.path()));
    CHECK(csv.find("0000-aaaaaaaa") != std::string::npos);
    CHECK(csv.find("0001-bbbbbbbb") == std::string::npos);
}
