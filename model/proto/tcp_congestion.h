// Congestion control of the TCP engine: slow start and congestion avoidance (RFC 5681) with
// fast retransmit / NewReno fast recovery (RFC 6582). Pure arithmetic on cwnd, ssthresh and
// `recover`; the connection tells it what the ACK stream did and acts on the answer.
#pragma once

#include <cstdint>

namespace nicsim::proto {

class TcpCongestion {
public:
    // `smss` is the sender's EMSS. `initial_cwnd_segments` 0 selects RFC 5681 §3.1's
    // min(4*SMSS, max(2*SMSS, 4380)); `initial_ssthresh` 0 means "arbitrarily high".
    // `recover` starts at the initial send sequence number (RFC 6582 §3.2 step 1).
    TcpCongestion(uint32_t smss, uint32_t initial_cwnd_segments, uint32_t initial_ssthresh,
                  uint32_t dupack_threshold, uint32_t iss);

    enum class Action {
        None,
        FastRetransmit,  // 3rd duplicate ACK: retransmit the first unacknowledged segment
        PartialAck,      // NewReno partial ACK: retransmit the first unacknowledged segment
    };

    // An ACK that advanced SND.UNA to `ack`, acknowledging `acked` bytes; `flight_after` is
    // SND.MAX - SND.UNA after it. Grows cwnd (RFC 5681 §3.1) outside recovery; handles partial
    // and full ACKs inside it (RFC 6582 §3.2 steps 5 and 6).
    Action on_new_ack(uint32_t ack, uint32_t acked, uint32_t flight_after);

    // A duplicate ACK (RFC 5681 §2 definition, checked by the caller) for SND.UNA = `ack`
    // while `flight` bytes are outstanding and SND.MAX = `snd_max`.
    Action on_duplicate_ack(uint32_t ack, uint32_t flight, uint32_t snd_max);

    // Retransmission timeout (RFC 5681 §3.1 eq. 4 and "loss window", RFC 6582 §4 for recover).
    // ssthresh only shrinks on the first expiry of a segment (`first_expiry`).
    void on_timeout(uint32_t flight, uint32_t snd_max, bool first_expiry);

    uint32_t cwnd() const { return cwnd_; }
    uint32_t ssthresh() const { return ssthresh_; }
    uint32_t smss() const { return smss_; }
    bool in_recovery() const { return in_recovery_; }
    uint32_t duplicate_acks() const { return dupacks_; }
    uint32_t recover() const { return recover_; }  // RFC 6582 "recover" + 1 (= SND.MAX then)
    bool in_slow_start() const { return cwnd_ < ssthresh_; }

private:
    uint32_t loss_ssthresh(uint32_t flight) const;  // max(FlightSize / 2, 2 * SMSS)
    uint32_t smss_;
    uint32_t dupthresh_;
    uint32_t cwnd_;
    uint32_t ssthresh_;
    uint32_t recover_;         // one past RFC 6582's `recover`
    uint32_t dupacks_ = 0;
    uint32_t bytes_acked_ = 0;  // congestion-avoidance byte counter (RFC 5681 §3.1, RFC 3465)
    bool in_recovery_ = false;
};

}  // namespace nicsim::proto
