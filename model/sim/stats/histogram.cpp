#include "sim/stats/histogram.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace nicsim::sim::stats {

HistogramSpec HistogramSpec::linear(double lo, double width, uint32_t buckets) {
    if (!(width > 0)) throw std::invalid_argument("histogram: bucket width must be > 0");
    if (buckets == 0) throw std::invalid_argument("histogram: needs at least one bucket");
    HistogramSpec s;
    s.scale = Scale::Linear;
    s.lo = lo;
    s.width = width;
    s.buckets = buckets;
    return s;
}

HistogramSpec HistogramSpec::log2(uint32_t buckets) {
    if (buckets == 0) throw std::invalid_argument("histogram: needs at least one bucket");
    HistogramSpec s;
    s.scale = Scale::Log2;
    s.buckets = buckets;
    return s;
}

Histogram::Histogram(HistogramSpec spec) : spec_(spec), counts_(spec.buckets, 0) {
    if (spec_.buckets == 0 || (spec_.scale == HistogramSpec::Scale::Linear && !(spec_.width > 0)))
        throw std::invalid_argument("histogram: bad bucket specification");
}

double Histogram::bucket_lo(uint32_t k) const {
    if (spec_.scale == HistogramSpec::Scale::Linear) return spec_.lo + double(k) * spec_.width;
    return k == 0 ? 0.0 : std::ldexp(1.0, int(k) - 1);
}

double Histogram::bucket_hi(uint32_t k) const {
    if (spec_.scale == HistogramSpec::Scale::Linear) return spec_.lo + double(k + 1) * spec_.width;
    return std::ldexp(1.0, int(k));
}

void Histogram::add(double x) {
    acc_.add(x);
    const uint32_t n = bucket_count();
    if (std::isnan(x)) {
        ++over_;  // not comparable: kept out of the buckets, still counted
        return;
    }
    if (x < bucket_lo(0)) {
        ++under_;
        return;
    }
    if (x >= bucket_hi(n - 1)) {
        ++over_;
        return;
    }
    uint32_t k;
    if (spec_.scale == HistogramSpec::Scale::Linear) {
        k = uint32_t((x - spec_.lo) / spec_.width);
    } else {
        int e = 0;
        std::frexp(x, &e);  // x = m * 2^e with 0.5 <= m < 1, so 2^(e-1) <= x < 2^e
        k = x < 1.0 ? 0u : uint32_t(e);
    }
    // Guard against rounding at a bucket's edge.
    k = std::min(k, n - 1);
    while (k > 0 && x < bucket_lo(k)) --k;
    while (k + 1 < n && x >= bucket_hi(k)) ++k;
    ++counts_[k];
}

double Histogram::percentile(double p) const {
    const uint64_t total = acc_.count();
    if (total == 0) return 0.0;
    p = std::clamp(p, 0.0, 100.0);
    const uint64_t rank = std::max<uint64_t>(1, uint64_t(std::ceil(p / 100.0 * double(total))));
    const double lo_all = acc_.min(), hi_all = acc_.max();
    auto place = [&](double lo, double hi, uint64_t before, uint64_t in) {
        const double v = lo + (hi - lo) * double(rank - before) / double(in);
        return std::clamp(v, lo_all, hi_all);
    };
    uint64_t cum = 0;
    if (under_ && rank <= cum + under_) return place(lo_all, bucket_lo(0), cum, under_);
    cum += under_;
    for (uint32_t k = 0; k < bucket_count(); ++k) {
        if (counts_[k] && rank <= cum + counts_[k]) return place(bucket_lo(k), bucket_hi(k), cum, counts_[k]);
        cum += counts_[k];
    }
    return place(bucket_hi(bucket_count() - 1), hi_all, cum, std::max<uint64_t>(over_, 1));
}

}  // namespace nicsim::sim::stats
