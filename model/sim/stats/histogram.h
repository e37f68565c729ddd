// A histogram of samples in fixed-width (linear) or power-of-two (log2) buckets, with exact
// count/sum/min/max alongside (an Accumulator) and percentiles estimated from the buckets.
//
//   linear(lo, width, n): bucket k holds [lo + k*width, lo + (k+1)*width), k < n
//   log2(n):              bucket 0 holds [0, 1), bucket k >= 1 holds [2^(k-1), 2^k), k < n
// Samples below the first bucket go to underflow, at or above the last one to overflow.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/stats/accumulator.h"

namespace nicsim::sim::stats {

struct HistogramSpec {
    enum class Scale { Linear, Log2 };
    Scale scale = Scale::Log2;
    double lo = 0, width = 1;  // linear only
    uint32_t buckets = 48;     // log2 default: up to 2^47 (~140 s in ps, ~140 TB in bytes)

    // Throws std::invalid_argument for width <= 0 or zero buckets.
    static HistogramSpec linear(double lo, double width, uint32_t buckets);
    static HistogramSpec log2(uint32_t buckets = 48);
};

class Histogram {
public:
    explicit Histogram(HistogramSpec spec = HistogramSpec::log2());

    void add(double x);

    const HistogramSpec& spec() const { return spec_; }
    const Accumulator& summary() const { return acc_; }  // exact, independent of the buckets
    uint32_t bucket_count() const { return uint32_t(counts_.size()); }
    double bucket_lo(uint32_t k) const;
    double bucket_hi(uint32_t k) const;
    uint64_t count_in(uint32_t k) const { return counts_.at(k); }
    uint64_t underflow() const { return under_; }
    uint64_t overflow() const { return over_; }

    // The p-th percentile (0 <= p <= 100, clamped) by nearest rank: the sample of rank
    // max(1, ceil(p/100 * count)) is located in its bucket, and its value is interpolated
    // linearly inside the bucket (so the error is at most one bucket width), then clamped
    // to [min, max]. Underflow/overflow use [min, first lo] / [last hi, max]. 0 when empty.
    double percentile(double p) const;

private:
    HistogramSpec spec_;
    std::vector<uint64_t> counts_;
    uint64_t under_ = 0, over_ = 0;
    Accumulator acc_;
};

}  // namespace nicsim::sim::stats
