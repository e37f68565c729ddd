#include "pcie/latency_dist.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace nicsim::pcie {

LatencyDist LatencyDist::constant(timing::Ps v) {
    LatencyDist d;
    d.points_ = {{0.0, v}};
    return d;
}

LatencyDist LatencyDist::empirical(std::vector<std::pair<double, timing::Ps>> points) {
    if (points.size() < 2) throw std::invalid_argument("LatencyDist: need at least two quantile points");
    if (points.front().first != 0.0 || points.back().first != 1.0)
        throw std::invalid_argument("LatencyDist: quantiles must start at 0 and end at 1");
    for (size_t i = 1; i < points.size(); ++i) {
        if (!(points[i].first > points[i - 1].first))
            throw std::invalid_argument("LatencyDist: quantiles must be strictly increasing");
        if (points[i].second < points[i - 1].second)
            throw std::invalid_argument("LatencyDist: latencies must be non-decreasing");
    }
    LatencyDist d;
    d.points_ = std::move(points);
    return d;
}

LatencyDist LatencyDist::pciebench_e5_64b(int64_t offset_ps) {
    auto sh = [offset_ps](int64_t ns) {
        int64_t v = ns * 1000 + offset_ps;
        if (v < 0) throw std::invalid_argument("LatencyDist: offset makes latency negative");
        return timing::Ps(v);
    };
    // min 520, median 546, p99.9 586 ns (lat_dma_sizes.txt, Haswell E5-2620 v3).
    return empirical({{0.0, sh(520)}, {0.5, sh(546)}, {0.999, sh(586)}, {1.0, sh(586)}});
}

timing::Ps LatencyDist::median() const {
    if (is_constant()) return points_[0].second;
    for (size_t i = 1; i < points_.size(); ++i) {
        if (points_[i].first >= 0.5) {
            auto [q0, v0] = points_[i - 1];
            auto [q1, v1] = points_[i];
            return timing::Ps(std::llround(double(v0) + (double(v1) - double(v0)) * (0.5 - q0) / (q1 - q0)));
        }
    }
    return points_.back().second;
}

timing::Ps LatencyDist::sample(std::mt19937_64& rng) const {
    if (is_constant()) return points_[0].second;
    double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
    for (size_t i = 1; i < points_.size(); ++i) {
        if (u <= points_[i].first) {
            auto [q0, v0] = points_[i - 1];
            auto [q1, v1] = points_[i];
            return timing::Ps(std::llround(double(v0) + (double(v1) - double(v0)) * (u - q0) / (q1 - q0)));
        }
    }
    return points_.back().second;
}

std::string LatencyDist::describe() const {
    std::ostringstream os;
    if (is_constant()) {
        os << points_[0].second << " ps";
    } else {
        os << "empirical{";
        for (size_t i = 0; i < points_.size(); ++i)
            os << (i ? ", " : "") << "q" << points_[i].first << "=" << points_[i].second << "ps";
        os << "}";
    }
    return os.str();
}

}  // namespace nicsim::pcie
