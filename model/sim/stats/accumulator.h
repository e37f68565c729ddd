// A running summary of samples: count, sum, sum of squares, min and max, from which the mean
// and standard deviation follow. Two accumulators merge exactly (sums add), so per-frame
// samples can be summarised per stage and the stages combined afterwards.
#pragma once

#include <cstdint>

namespace nicsim::sim::stats {

class Accumulator {
public:
    void add(double x);
    void merge(const Accumulator& o);

    uint64_t count() const { return count_; }
    double sum() const { return sum_; }
    double sum_sq() const { return sum_sq_; }
    double min() const { return count_ ? min_ : 0.0; }  // 0 when empty
    double max() const { return count_ ? max_ : 0.0; }
    double mean() const { return count_ ? sum_ / double(count_) : 0.0; }
    // Population standard deviation sqrt(E[x^2] - E[x]^2) (0 for fewer than two samples; never
    // negative: rounding in the subtraction is clamped).
    double stddev() const;

private:
    uint64_t count_ = 0;
    double sum_ = 0, sum_sq_ = 0, min_ = 0, max_ = 0;
};

}  // namespace nicsim::sim::stats
