// Checks every value of every point of a sweep before anything runs: each parameter value
// against the registry (type, range), each section value (workload, topology, outputs) through check_workload_override(),
// then each point's whole configuration through the config loader (cross-parameter rules such
// as pcie.rcb <= pcie.mps). Problems are reported at the value's place in the sweep file.
#pragma once

#include <vector>

#include "sim/config/diagnostic.h"
#include "sim/sweep/sweep_points.h"

namespace nicsim::sweep {

// Empty when every point can run. At most `max_point_errors` per-point (cross-parameter)
// problems are listed, then a count of the rest.
std::vector<config::Diagnostic> validate_points(const SweepSpec& spec, const std::vector<SweepPoint>& points,
                                                size_t max_point_errors = 20);

}  // namespace nicsim::sweep
