// `nicsim sweep`: validate every point, then run them (or write a job list), then merge.
// The command line (apps/nicsim/sweep_command.cpp) only fills SweepOptions.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace nicsim::sweep {

struct SweepOptions {
    std::string sweep_file;         // may be empty with merge_only
    std::string out;                // "" -> out/sweeps/<sweep name>
    unsigned jobs = 0;              // 0 -> the number of CPUs
    bool resume = false;            // skip runs whose `done` exists
    std::vector<std::string> sets;  // key=value for every point
    std::string emit_jobs;          // write the job list here instead of running
    bool merge_only = false;
    std::string exe;                // the nicsim binary emitted jobs run (absolute); local runs
                                    // run /proc/self/exe, the very binary running the sweep
};

// Returns the exit code: 0 success, 1 a run failed (or results cannot be written), 2 bad input
// (then nothing is written). Progress and problems go to `err`, the final summary to `out`.
int run_sweep(const SweepOptions& opt, std::ostream& out, std::ostream& err);

}  // namespace nicsim::sweep
