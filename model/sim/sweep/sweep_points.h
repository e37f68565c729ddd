// The runs of a sweep: the cartesian product of the matrix axes, times the zip (whose lists
// advance together, as one more axis). The last axis varies fastest, so a matrix
// {a: [1, 2], b: [x, y]} gives a=1 b=x, a=1 b=y, a=2 b=x, a=2 b=y.
#pragma once

#include <string>
#include <vector>

#include "sim/sweep/sweep_spec.h"

namespace nicsim::sweep {

struct SweepPoint {
    size_t index = 0;
    std::string id;                  // run_id.h
    std::vector<Assignment> swept;   // one per swept key, in SweepSpec::swept_keys() order
    std::vector<Assignment> all;     // what the run receives: the fixed overrides, then `swept`
    std::string inputs;              // run_inputs.h: digest of what the run reads; filled by the
                                     // driver once the points are valid ("" until then)

    std::vector<std::string> assignments() const;  // `all` as key=value
};

// A typo (an extra axis, a list pasted twice) should not allocate billions of points.
constexpr size_t kMaxPoints = 1'000'000;

// Throws config::ConfigError if the zip lists differ in length or there are more than
// kMaxPoints points. An empty matrix and zip give
// one point (the base with the fixed overrides).
std::vector<SweepPoint> expand_points(const SweepSpec& spec);

}  // namespace nicsim::sweep
