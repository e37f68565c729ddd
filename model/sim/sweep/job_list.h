// The command of each point, for the local process pool and for external schedulers.
//
// write_job_list() writes one self-contained shell command per line (absolute paths; it runs
// in the folder the sweep was started in, skips a run whose `done` records the point's inputs, writes
// stdout.txt/stderr.txt and `done` as the local pool does), so `parallel -j N --sshloginfile hosts < FILE` on a shared filesystem runs it
// unchanged, and FILE.sbatch, a Slurm array script whose task i runs line i.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sim/sweep/sweep_points.h"

namespace nicsim::sweep {

// `exe run BASE --set k=v ... --out RUN_DIR`.
std::vector<std::string> run_argv(const std::string& exe, const SweepSpec& spec, const SweepPoint& point,
                                  const std::filesystem::path& run_dir);

// POSIX shell single-quoting ('it'\''s').
std::string shell_quote(const std::string& s);

// One shell line for the point (see above).
std::string job_line(const std::string& exe, const SweepSpec& spec, const SweepPoint& point,
                     const std::filesystem::path& out_dir);

// Writes `file` (one job_line per point) and `file`.sbatch. Throws std::runtime_error if it
// cannot write them.
void write_job_list(const std::filesystem::path& file, const std::string& exe, const SweepSpec& spec,
                    const std::vector<SweepPoint>& points, const std::filesystem::path& out_dir);

}  // namespace nicsim::sweep
