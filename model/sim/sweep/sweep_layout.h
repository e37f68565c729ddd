// Where a sweep keeps its files under --out DIR:
//   DIR/points.yaml            the manifest: every point's id and swept values (sweep_manifest.h)
//   DIR/runs/<id>/point.yaml   the point's overrides, written before it runs
//   DIR/runs/<id>/stdout.txt, stderr.txt   what `nicsim run` printed
//   DIR/runs/<id>/summary.csv, ...         what `nicsim run --out` wrote
//   DIR/runs/<id>/done         written after the run succeeded: "inputs: <digest>" (run_inputs.h),
//                              then anything else; --resume skips runs whose digest is current
//   DIR/results.csv            the merge of every finished run's summary.csv
#pragma once

#include <filesystem>
#include <string>

#include "sim/sweep/sweep_points.h"

namespace nicsim::sweep {

namespace layout {
inline std::filesystem::path runs(const std::filesystem::path& out) { return out / "runs"; }
inline std::filesystem::path run(const std::filesystem::path& out, const std::string& id) { return runs(out) / id; }
inline std::filesystem::path done(const std::filesystem::path& run_dir) { return run_dir / "done"; }
inline std::filesystem::path point_file(const std::filesystem::path& run_dir) { return run_dir / "point.yaml"; }
inline std::filesystem::path manifest(const std::filesystem::path& out) { return out / "points.yaml"; }
inline std::filesystem::path results(const std::filesystem::path& out) { return out / "results.csv"; }
}  // namespace layout

// Creates the run's folder and writes its point.yaml (id, index, base, swept values, every
// override). Throws std::runtime_error if it cannot write.
void write_point_file(const std::filesystem::path& run_dir, const SweepSpec& spec, const SweepPoint& point);

// True when the run's `done` marker exists (whatever inputs it ran with).
bool run_finished(const std::filesystem::path& run_dir);

// The first line of a `done` marker: "inputs: <digest>".
std::string done_inputs_line(const std::string& inputs);

enum class RunState {
    NotFinished,          // no `done` marker
    Finished,             // `done` records `inputs`
    FinishedOtherInputs,  // `done` records other inputs (or none: a marker of an older nicsim)
};

// What the run's `done` marker says about a run with the digest `inputs`.
RunState run_state(const std::filesystem::path& run_dir, const std::string& inputs);

}  // namespace nicsim::sweep
