#include "tcp_rtt_estimator.h"

#include <algorithm>

namespace nicsim::proto {

TcpRttEstimator::TcpRttEstimator(const TcpRttConfig& cfg) : cfg_(cfg) {
    if (cfg_.max_rto_ps < cfg_.min_rto_ps) cfg_.max_rto_ps = cfg_.min_rto_ps;
    rto_ = clamp(cfg_.initial_rto_ps);
}

uint64_t TcpRttEstimator::clamp(uint64_t rto) const {
    // RFC 6298 §2.4 (lower bound) and §2.5 (upper bound).
    return std::min(std::max(rto, cfg_.min_rto_ps), cfg_.max_rto_ps);
}

void TcpRttEstimator::add_sample(uint64_t r) {
    if (!has_sample_) {
        srtt_ = r;  // §2.2
        rttvar_ = r / 2;
        has_sample_ = true;
    } else {
        // §2.3: RTTVAR is updated with the old SRTT, then SRTT.
        const uint64_t diff = srtt_ > r ? srtt_ - r : r - srtt_;
        rttvar_ = (3 * rttvar_ + diff) / 4;
        srtt_ = (7 * srtt_ + r) / 8;
    }
    backoffs_ = 0;
    rto_ = clamp(srtt_ + std::max(cfg_.clock_granularity_ps, 4 * rttvar_));
}

void TcpRttEstimator::back_off() {
    ++backoffs_;
    // Saturating doubling: max_rto caps it well before overflow matters.
    rto_ = rto_ > cfg_.max_rto_ps / 2 ? cfg_.max_rto_ps : clamp(rto_ * 2);
}

void TcpRttEstimator::reset_rto(uint64_t rto_ps) { rto_ = clamp(rto_ps); }

}  // namespace nicsim::proto
