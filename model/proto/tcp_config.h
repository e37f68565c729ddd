// Parameters of the sans-I/O TCP engine (tcp_connection.h). Every field has a documented
// default; times are integer picoseconds like everywhere in the model.
#pragma once

#include <cstdint>

namespace nicsim::proto {

constexpr uint64_t kPsPerUs = 1'000'000ull;
constexpr uint64_t kPsPerMs = 1'000'000'000ull;
constexpr uint64_t kPsPerSecond = 1'000'000'000'000ull;

// How the sender turns queued records (MPA FPDUs) into segments (RFC 5044 §5 / protocol.md
// §1.4: every segment starts at a record boundary and holds whole records).
enum class TcpRecordPacking {
    OnePerSegment,  // each segment carries exactly one record (or one piece of a big record)
    PackToEmss,     // consecutive records share a segment while their total fits the EMSS
};

struct TcpConfig {
    // --- Segment sizes and options (RFC 9293 §3.7.1, RFC 7323) ---
    // MSS we advertise in our SYN, and the largest segment we send (1460 = 1500 MTU - 40).
    uint16_t mss = 1460;
    // Window-scale shift we offer (RFC 7323 §2; capped at 14). Negotiated only if both SYNs
    // carry the option.
    bool window_scaling = true;
    uint8_t window_scale_shift = 7;
    // Timestamps option (RFC 7323 §3) offered on our SYN; used only if both sides send it.
    // It takes 12 option bytes from every segment, reducing the EMSS.
    bool timestamps = true;
    // TSval clock tick. RFC 7323 §5.4 asks for 1 ms .. 1 s; 1 ms is what Linux uses.
    uint64_t timestamp_tick_ps = kPsPerMs;

    // --- Receive side ---
    // Bytes the receiver can hold (in-order unread + out-of-order); the advertised window.
    uint32_t receive_buffer = 256 * 1024;
    // Delayed ACK (RFC 9293 §3.8.6.3, RFC 5681 §4.2): acknowledge at the latest after this
    // many in-order data segments (any size: stricter than the RFC's "every second full-sized
    // segment", and it suits one-FPDU-per-segment traffic). 1 (or 0) disables delayed ACK.
    // Out-of-order, duplicate and hole-filling segments are always acknowledged at once.
    uint32_t delayed_ack_segments = 2;
    // ... or when this much time has passed since the first unacknowledged in-order segment
    // (RFC 9293 requires < 0.5 s; Linux's minimum is 40 ms). 0 disables delayed ACK.
    uint64_t delayed_ack_timeout_ps = 40 * kPsPerMs;

    // --- Retransmission (RFC 6298) ---
    uint64_t initial_rto_ps = 1 * kPsPerSecond;  // RFC 6298 §2.1
    // RFC 6298 §2.4 says 1 s; Linux uses 200 ms, offload NICs often less. Configurable.
    uint64_t min_rto_ps = 200 * kPsPerMs;
    uint64_t max_rto_ps = 60 * kPsPerSecond;  // RFC 6298 §2.5 allows any maximum >= 60 s
    uint64_t clock_granularity_ps = 1 * kPsPerUs;  // G of RFC 6298 §2
    // RFC 6298 §5.7: after a lost SYN, the RTO restarts here once data flows (0 = keep).
    uint64_t rto_after_syn_loss_ps = 3 * kPsPerSecond;
    // Consecutive timer expiries without progress before the connection is aborted
    // (RFC 9293 §3.8.3 R2); SYNs use max_syn_retries.
    uint32_t max_retransmissions = 15;
    uint32_t max_syn_retries = 6;

    // --- Congestion control (RFC 5681, RFC 6582 NewReno) ---
    // Initial window in segments (RFC 6928: 10). 0 selects RFC 5681 §3.1's
    // min(4*SMSS, max(2*SMSS, 4380)).
    uint32_t initial_cwnd_segments = 10;
    // Initial slow-start threshold in bytes; 0 = "arbitrarily high" (RFC 5681 §3.1).
    uint32_t initial_ssthresh = 0;
    uint32_t dupack_threshold = 3;  // RFC 5681 §3.2

    // --- Record alignment (RFC 5044 §5 "MPA-aware TCP") ---
    TcpRecordPacking record_packing = TcpRecordPacking::OnePerSegment;

    // --- Connection teardown ---
    uint64_t time_wait_ps = 60 * kPsPerSecond;  // 2*MSL (RFC 9293 §3.4.2), Linux's 60 s
};

}  // namespace nicsim::proto
