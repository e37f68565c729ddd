// Retransmission timeout computation of RFC 6298 (SRTT, RTTVAR, RTO, backoff), in integer
// picoseconds. Which segments give samples (Karn's rule) is the connection's business.
#pragma once

#include <cstdint>

namespace nicsim::proto {

struct TcpRttConfig {
    uint64_t initial_rto_ps;
    uint64_t min_rto_ps;
    uint64_t max_rto_ps;
    uint64_t clock_granularity_ps;  // G
};

class TcpRttEstimator {
public:
    explicit TcpRttEstimator(const TcpRttConfig& cfg);

    // RFC 6298 §2.2 (first sample) and §2.3 (later ones), alpha = 1/8, beta = 1/4.
    // Integer arithmetic: RTTVAR <- (3*RTTVAR + |SRTT - R|) / 4, SRTT <- (7*SRTT + R) / 8,
    // each rounded down. Clears any backoff (§5.7 applies the new RTO).
    void add_sample(uint64_t rtt_ps);

    // §5.5: the timer expired; RTO doubles, up to the maximum.
    void back_off();

    // §5.7 style reset to a given value (used after a lost SYN); clamped.
    void reset_rto(uint64_t rto_ps);

    uint64_t rto_ps() const { return rto_; }
    uint64_t srtt_ps() const { return srtt_; }
    uint64_t rttvar_ps() const { return rttvar_; }
    bool has_sample() const { return has_sample_; }
    uint32_t backoffs() const { return backoffs_; }

private:
    uint64_t clamp(uint64_t rto) const;
    TcpRttConfig cfg_;
    uint64_t srtt_ = 0;
    uint64_t rttvar_ = 0;
    uint64_t rto_;
    bool has_sample_ = false;
    uint32_t backoffs_ = 0;
};

}  // namespace nicsim::proto
