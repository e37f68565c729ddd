// A latency that is either a constant or drawn from an empirical distribution.
//
// The empirical form is a piecewise-linear inverse CDF through (quantile, ps) points, so a
// measured median and tail (e.g. pcie-bench: min 520, median 546, p99.9 586 ns) reproduce.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "timing/sim_time.h"

namespace nicsim::pcie {

class LatencyDist {
public:
    static LatencyDist constant(timing::Ps v);
    // points: (quantile in [0,1], latency) with quantiles strictly increasing from 0 to 1 and
    // latencies non-decreasing. Throws std::invalid_argument otherwise.
    static LatencyDist empirical(std::vector<std::pair<double, timing::Ps>> points);
    // The 64 B read distribution of pcie-bench on a Xeon E5-2620 v3 (perf_anchors §2.3), shifted
    // by `offset` (negative: subtract serialization and memory time to get the RC part).
    static LatencyDist pciebench_e5_64b(int64_t offset_ps);

    bool is_constant() const { return points_.size() == 1; }
    timing::Ps median() const;
    timing::Ps min() const { return points_.front().second; }
    timing::Ps sample(std::mt19937_64& rng) const;
    std::string describe() const;

private:
    std::vector<std::pair<double, timing::Ps>> points_;
};

}  // namespace nicsim::pcie
