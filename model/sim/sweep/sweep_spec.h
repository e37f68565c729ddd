// A sweep file: a base scenario, fixed overrides and the axes whose values are combined into
// runs (sweep_points.h expands them).
//
//   name: pcie_gen                  # optional; defaults to the file's stem
//   description: ...                # optional
//   base: ../scenarios/quickstart.yaml   # the scenario every point runs (relative to this file)
//   set:                            # fixed overrides of every point
//     workload.iterations: 500
//   matrix:                         # cartesian product: every value of every key
//     pcie.gen: [1, 2, 3, 4]
//     pcie.lanes: [4, 8]
//   zip:                            # equal-length lists varied together (one more axis of
//     nic.core.width_bytes: [16, 32, 64]       # the product)
//     nic.core.clock_mhz: [1000, 500, 250]
//
// Keys are parameter keys (`nicsim params`) or section keys (`workload.<key>`, `topology.<key>`,
// `outputs.<key>`: what `nicsim run --set` accepts); values are YAML values,
// passed to `nicsim run` as `--set key=value` (lists and maps in flow style).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "sim/config/diagnostic.h"

namespace nicsim::sweep {

// One `key=value` the run receives; `where` is the value in the sweep file (or "--set").
struct Assignment {
    std::string key;
    std::string value;  // the text after '=' of --set
    config::Location where;
    std::string path;   // key path for messages: "set.pcie.mps", "matrix.pcie.gen[2]", "--set pcie.mps"

    std::string text() const { return key + "=" + value; }
};

// A swept key and its values, in file order.
struct Axis {
    std::string key;
    config::Location where;  // the key in the sweep file
    std::vector<Assignment> values;
};

struct SweepSpec {
    std::string file;               // the sweep file as given
    std::string name;
    std::string description;
    std::filesystem::path base;     // the base scenario, absolute
    config::Location base_where;
    std::vector<Assignment> fixed;  // `set:` in file order, then the command line's --set
    std::vector<Axis> matrix;
    std::vector<Axis> zip;

    // Swept keys in column order: the matrix's, then the zip's.
    std::vector<std::string> swept_keys() const;
};

// Reads and checks the structure of a sweep file (keys known, values present, lists
// non-empty, no key twice, zip lists of equal length, base file exists); `cli_sets` are
// `key=value` strings appended to the fixed overrides. Parameter values are checked per point
// by validate_points(). Throws config::ConfigError with every problem found.
SweepSpec load_sweep_spec(const std::string& path, const std::vector<std::string>& cli_sets = {});

}  // namespace nicsim::sweep
