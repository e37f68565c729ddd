// DIR/results.csv: one row per (finished run, row of its summary.csv):
//   run_id, <one column per swept key>, <the summary.csv columns>
// The summary columns are the run contract's (summary_header()) in its order, then any extra
// column a run wrote, in first-seen order; a run lacking a column leaves its cell empty.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sim/sweep/sweep_manifest.h"

namespace nicsim::sweep {

// `nicsim run --out DIR` writes DIR/summary.csv with exactly these columns.
const std::vector<std::string>& summary_header();

struct MergeReport {
    size_t runs_merged = 0;
    size_t rows = 0;
    std::vector<std::string> unfinished;  // ids without a done marker, or whose marker records
                                          // other inputs than the manifest's (also in `stale`)
    std::vector<std::string> stale;       // ids finished with other inputs (run_inputs.h)
    std::vector<std::string> problems;    // "<id>: summary.csv: line 3: ..." (run skipped)
};

// Reads runs/<id>/summary.csv of every finished point of `m` and writes DIR/results.csv. A point
// with an inputs digest is finished only if its done marker records that digest.
// Throws std::runtime_error if results.csv cannot be written.
MergeReport merge_results(const std::filesystem::path& out_dir, const Manifest& m);

}  // namespace nicsim::sweep
