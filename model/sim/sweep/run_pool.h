// Runs the sweep's points as child processes, at most `max_parallel` at once. Each child runs
// in the sweep's working folder (relative paths in --set values mean what they mean to
// `nicsim run`); its stdout and stderr go to stdout.txt and stderr.txt in its run folder; `done` is written there
// only when it exits with 0, and removed before it starts (a killed run is never "done").
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace nicsim::sweep {

struct RunJob {
    std::string id;
    std::filesystem::path dir;      // exists; receives stdout.txt, stderr.txt, done
    std::vector<std::string> argv;  // argv[0] is the program's path
    std::string inputs;             // recorded in `done` (run_inputs.h)
};

struct RunOutcome {
    std::string id;
    bool ok = false;
    std::string status;  // "ok", "exit 1", "signal 9", "cannot start: ..."
    double wall_s = 0;
};

// Prints one progress line per finished run: "[n/N] <id> <status> <wall> s". Returns the
// outcomes in the order of `jobs`.
std::vector<RunOutcome> run_jobs(const std::vector<RunJob>& jobs, unsigned max_parallel, std::ostream& progress);

// The last `lines` lines of the run's stderr.txt ("" if none).
std::string stderr_tail(const std::filesystem::path& run_dir, size_t lines = 8);

}  // namespace nicsim::sweep
