#include "sim/stats/accumulator.h"

#include <algorithm>
#include <cmath>

namespace nicsim::sim::stats {

void Accumulator::add(double x) {
    if (count_ == 0) {
        min_ = max_ = x;
    } else {
        min_ = std::min(min_, x);
        max_ = std::max(max_, x);
    }
    ++count_;
    sum_ += x;
    sum_sq_ += x * x;
}

void Accumulator::merge(const Accumulator& o) {
    if (o.count_ == 0) return;
    if (count_ == 0) {
        *this = o;
        return;
    }
    count_ += o.count_;
    sum_ += o.sum_;
    sum_sq_ += o.sum_sq_;
    min_ = std::min(min_, o.min_);
    max_ = std::max(max_, o.max_);
}

double Accumulator::stddev() const {
    if (count_ < 2) return 0.0;
    const double m = mean();
    const double var = sum_sq_ / double(count_) - m * m;
    return var > 0 ? std::sqrt(var) : 0.0;
}

}  // namespace nicsim::sim::stats
