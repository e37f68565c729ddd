// The process pool and the emitted job list, with small shell scripts standing in for
// `nicsim run`: exit codes, done markers, output files, parallelism limit, shell quoting.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <sstream>

#include "sim/sweep/job_list.h"
#include "sim/sweep/run_pool.h"
#include "sim/sweep/sweep_layout.h"
#include "sweep_test_util.h"

using namespace nicsim::sweep;
using sweeptest::TempDir;
namespace fs = std::filesystem;

namespace {

RunJob shell_job(const TempDir& d, const std::string& id, const std::string& script) {
    const fs::path dir = d.path() / id;
    fs::create_directories(dir);
    return RunJob{id, dir, {"/bin/sh", "-c", script}, "00000000000000aa"};
}

// A stand-in for the nicsim binary: records its arguments and writes summary.csv into --out.
std::string fake_nicsim(const TempDir& d) {
    const std::string exe = d.write("bin/fake nicsim", "#!/bin/sh\n"
                                                       "for a in \"$@\"; do echo \"arg:$a\"; done\n"
                                                       "while [ $# -gt 0 ]; do [ \"$1\" = --out ] && out=$2; shift; done\n"
                                                       "echo 'workload,size' > \"$out/summary.csv\"\n"
                                                       "echo 'to stderr' >&2\n");
    fs::permissions(exe, fs::perms::owner_all);
    return exe;
}

}  // namespace

TEST_CASE("run pool: done only after success, statuses, stderr tail, output files", "[sweep][pool]") {
    TempDir d;
    std::vector<RunJob> jobs = {shell_job(d, "ok", "echo out; echo err1 >&2; echo err2 >&2"),
                                shell_job(d, "fails", "echo bad >&2; exit 3"),
                                shell_job(d, "killed", "kill -9 $$"),
                                shell_job(d, "nobinary", "")};
    jobs[3].argv = {(d.path() / "no-such-binary").string()};
    // A stale done marker of a failing run must go.
    std::ofstream(layout::done(jobs[1].dir)) << "old";
    std::ostringstream progress;
    const auto outcomes = run_jobs(jobs, 2, progress);
    REQUIRE(outcomes.size() == 4);
    CHECK(outcomes[0].ok);
    CHECK(outcomes[0].status == "ok");
    CHECK(outcomes[1].status == "exit 3");
    CHECK(outcomes[2].status == "signal 9");
    CHECK_FALSE(outcomes[3].ok);
    CHECK_THAT(outcomes[3].status, Catch::StartsWith("cannot start"));
    CHECK(run_finished(jobs[0].dir));
    CHECK(run_state(jobs[0].dir, "00000000000000aa") == RunState::Finished);
    CHECK_THAT(sweeptest::read_file(layout::done(jobs[0].dir)), Catch::StartsWith("inputs: 00000000000000aa\nwall_s: "));
    CHECK(sweeptest::read_file(jobs[0].dir / "stdout.txt") == "out\n");
    CHECK(stderr_tail(jobs[0].dir, 1) == "err2\n");
    CHECK_FALSE(run_finished(jobs[3].dir));
    CHECK_FALSE(run_finished(jobs[1].dir));
    CHECK_FALSE(run_finished(jobs[2].dir));
    CHECK(sweeptest::read_file(jobs[1].dir / "stderr.txt") == "bad\n");
    CHECK(stderr_tail(jobs[1].dir) == "bad\n");
    // One progress line per run, numbered 1..4 of 4.
    const std::string p = progress.str();
    for (int n = 1; n <= 4; ++n) CHECK_THAT(p, Catch::Contains("[" + std::to_string(n) + "/4] "));
    CHECK_THAT(p, Catch::Contains("] fails exit 3 "));
}

TEST_CASE("run pool: never more than max_parallel children at once", "[sweep][pool]") {
    TempDir d;
    // Each job records how many jobs are running when it starts (a lock-free count by files).
    const std::string counter = (d.path() / "running").string();
    fs::create_directories(counter);
    std::vector<RunJob> jobs;
    for (int i = 0; i < 6; ++i)
        jobs.push_back(shell_job(d, "j" + std::to_string(i),
                                 "touch '" + counter + "/" + std::to_string(i) + "'; ls '" + counter +
                                     "' | wc -l > '" + (d.path() / ("j" + std::to_string(i)) / "seen").string() + "'; sleep 0.2; rm '" + counter + "/" + std::to_string(i) + "'"));
    std::ostringstream progress;
    const auto outcomes = run_jobs(jobs, 2, progress);
    int max_seen = 0;
    for (const RunJob& j : jobs) max_seen = std::max(max_seen, std::stoi(sweeptest::read_file(j.dir / "seen")));
    for (const auto& o : outcomes) CHECK(o.ok);
    CHECK(max_seen <= 2);
    CHECK(max_seen >= 1);
}

TEST_CASE("job list: one self-contained line per point that a shell runs unchanged", "[sweep][jobs]") {
    TempDir d;
    const std::string exe = fake_nicsim(d);
    SweepSpec spec;
    spec.file = (d.path() / "s.yaml").string();
    spec.name = "demo";
    spec.base = d.path() / "it's base.yaml";
    SweepPoint p;
    p.id = "0000-12345678";
    p.inputs = "0123456789abcdef";
    p.all = {{"workload.sizes", "[64, 4096]", {}, ""}, {"nic.tp.cut_through", "false", {}, ""}};
    SweepPoint q = p;
    q.id = "0001-87654321";
    const fs::path out = d.path() / "out";
    const fs::path list = d.path() / "jobs" / "jobs.txt";
    write_job_list(list, exe, spec, {p, q}, out);

    const std::string text = sweeptest::read_file(list);
    CHECK(std::count(text.begin(), text.end(), '\n') == 2);
    CHECK_THAT(text, Catch::Contains("'" + (d.path() / "it'\\''s base.yaml").string() + "'"));
    CHECK(shell_quote("a b'c") == "'a b'\\''c'");

    // Run the first line with sh, as GNU parallel would: the arguments arrive intact.
    fs::create_directories(layout::run(out, p.id));
    const std::string line = text.substr(0, text.find('\n'));
    REQUIRE(std::system(("sh -c " + shell_quote(line)).c_str()) == 0);
    const fs::path run_dir = layout::run(out, p.id);
    CHECK(run_state(run_dir, p.inputs) == RunState::Finished);
    CHECK(fs::exists(run_dir / "summary.csv"));
    CHECK(sweeptest::read_file(run_dir / "stdout.txt") ==
          "arg:run\narg:" + spec.base.string() + "\narg:--set\narg:workload.sizes=[64, 4096]\narg:--set\n"
          "arg:nic.tp.cut_through=false\narg:--out\narg:" + run_dir.string() + "\n");
    CHECK(sweeptest::read_file(run_dir / "stderr.txt") == "to stderr\n");
    // A finished run is skipped: the line succeeds without running it again.
    fs::remove(run_dir / "summary.csv");
    REQUIRE(std::system(("sh -c " + shell_quote(line)).c_str()) == 0);
    CHECK_FALSE(fs::exists(run_dir / "summary.csv"));
    // A run finished with other inputs (the base scenario was edited since) runs again.
    std::ofstream(layout::done(run_dir)) << "inputs: fedcba9876543210\nwall_s: 1\n";
    REQUIRE(std::system(("sh -c " + shell_quote(line)).c_str()) == 0);
    CHECK(fs::exists(run_dir / "summary.csv"));
    CHECK(run_state(run_dir, p.inputs) == RunState::Finished);

    // The Slurm wrapper runs line $SLURM_ARRAY_TASK_ID (1-based) of the list.
    const fs::path sbatch = list.string() + ".sbatch";
    const std::string s = sweeptest::read_file(sbatch);
    CHECK_THAT(s, Catch::Contains("#SBATCH --array=1-2\n"));
    CHECK_THAT(s, Catch::Contains("--merge-only --out " + out.string()));
    fs::create_directories(layout::run(out, q.id));
    REQUIRE(std::system(("SLURM_ARRAY_TASK_ID=2 bash '" + sbatch.string() + "'").c_str()) == 0);
    CHECK(run_finished(layout::run(out, q.id)));
    CHECK(WEXITSTATUS(std::system(("SLURM_ARRAY_TASK_ID=3 bash '" + sbatch.string() + "' 2>/dev/null").c_str())) == 2);
}
