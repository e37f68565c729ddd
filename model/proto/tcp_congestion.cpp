#include "tcp_congestion.h"

#include <algorithm>
#include <cstdint>

namespace nicsim::proto {

namespace {
// Sequence-space "a >= b" with 32-bit wrap (RFC 9293 §3.4).
bool seq_geq(uint32_t a, uint32_t b) { return int32_t(a - b) >= 0; }
}  // namespace

TcpCongestion::TcpCongestion(uint32_t smss, uint32_t initial_cwnd_segments, uint32_t initial_ssthresh,
                             uint32_t dupack_threshold, uint32_t iss)
    : smss_(std::max<uint32_t>(smss, 1)),
      dupthresh_(std::max<uint32_t>(dupack_threshold, 1)),
      ssthresh_(initial_ssthresh ? initial_ssthresh : UINT32_MAX / 2),
      recover_(iss + 1) {
    if (initial_cwnd_segments == 0)  // RFC 5681 §3.1 IW
        cwnd_ = std::min(4 * smss_, std::max(2 * smss_, 4380u));
    else
        cwnd_ = initial_cwnd_segments * smss_;
}

uint32_t TcpCongestion::loss_ssthresh(uint32_t flight) const {
    return std::max(flight / 2, 2 * smss_);  // RFC 5681 eq. (4)
}

TcpCongestion::Action TcpCongestion::on_new_ack(uint32_t ack, uint32_t acked, uint32_t flight_after) {
    dupacks_ = 0;
    if (in_recovery_) {
        if (!seq_geq(ack, recover_)) {
            // RFC 6582 §3.2 step 5, partial ACK: deflate by the newly acked data, add back
            // one SMSS if at least that much was acked, retransmit the next hole.
            cwnd_ = cwnd_ > acked ? cwnd_ - acked : 0;
            if (acked >= smss_) cwnd_ += smss_;
            cwnd_ = std::max(cwnd_, smss_);
            return Action::PartialAck;
        }
        // Step 6, full ACK: option (1), cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS).
        cwnd_ = std::min(ssthresh_, std::max(flight_after, smss_) + smss_);
        in_recovery_ = false;
        bytes_acked_ = 0;
        return Action::None;
    }
    if (cwnd_ < ssthresh_) {
        cwnd_ += std::min(acked, smss_);  // slow start, RFC 5681 eq. (2)
    } else {
        // Congestion avoidance by byte counting (RFC 5681 §3.1, the alternative to eq. (3)):
        // one SMSS per cwnd of acknowledged data.
        bytes_acked_ += acked;
        if (bytes_acked_ >= cwnd_) {
            bytes_acked_ -= cwnd_;
            cwnd_ += smss_;
        }
    }
    return Action::None;
}

TcpCongestion::Action TcpCongestion::on_duplicate_ack(uint32_t ack, uint32_t flight, uint32_t snd_max) {
    ++dupacks_;
    if (in_recovery_) {
        cwnd_ += smss_;  // RFC 6582 §3.2 step 3: inflate for the segment that left the network
        return Action::None;
    }
    if (dupacks_ != dupthresh_) return Action::None;
    // Step 2: enter fast retransmit only if this ACK is beyond the previous recovery point,
    // so one window of losses does not trigger several reductions.
    if (!seq_geq(ack, recover_)) return Action::None;
    recover_ = snd_max;
    ssthresh_ = loss_ssthresh(flight);
    cwnd_ = ssthresh_ + dupthresh_ * smss_;  // step 2 (RFC 5681 §3.2 step 3)
    in_recovery_ = true;
    return Action::FastRetransmit;
}

void TcpCongestion::on_timeout(uint32_t flight, uint32_t snd_max, bool first_expiry) {
    if (first_expiry) ssthresh_ = loss_ssthresh(flight);
    cwnd_ = smss_;  // loss window, RFC 5681 §3.1
    recover_ = snd_max;  // RFC 6582 §4: no fast retransmit for dupacks of the old window
    in_recovery_ = false;
    dupacks_ = 0;
    bytes_acked_ = 0;
}

}  // namespace nicsim::proto
