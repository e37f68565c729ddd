// The TCP offload engine's behaviour as a sans-I/O state machine (RFC 9293): one object per
// connection, no sockets, no clocks, no threads. The caller (a test's event loop, or the
// timed NIC's TP block, which adds *when*) drives it with four kinds of input and drains
// two kinds of output:
//
//   inputs                                   outputs
//   open_active / open_passive / close /     poll_segment(now, seg)  -> segments to put on the
//     abort                                                              wire, one per call
//   send_record / send_stream                poll_event(ev)          -> Established, data
//   on_segment(now, header, payload)                                    readable, out-of-order
//   on_timer(now) at next_timer()                                       data, bytes acked, FIN,
//   consume(n) after reading readable()                                 reset, closed, ...
//
// Contract: after any input, call poll_segment() until it returns false (each call may
// depend on the current time: pass the time at which the segment leaves), then poll_event()
// until false, then re-read next_timer() and call on_timer() when that time is reached.
// Time is integer picoseconds. Demultiplexing (ports/addresses -> connection) is the
// caller's: on_segment does not look at the ports. For segments that match no connection,
// tcp_reset_for_unmatched() builds the RFC 9293 §3.10.7.1 reply.
//
// What is implemented: active/passive open with MSS, window scale and timestamps (no SACK:
// SACK-permitted is never offered and SACK blocks are ignored); sliding window with receiver
// SWS avoidance and window updates; delayed ACK (N segments / timer, or off); Nagle off;
// RFC 6298 RTO with Karn's rule (one timed segment at a time; timestamps are echoed but not
// used for RTT: a 1 ms TS tick is too coarse for data-centre RTTs); RFC 5681 slow start /
// congestion avoidance; fast retransmit with RFC 6582 NewReno; go-back-N after a timeout
// that re-sends the segments as first built; persist timer with window probes; FIN/RST
// including RFC 5961 challenge ACKs, simultaneous open and close. Not implemented: SACK,
// PAWS, urgent data, keep-alive, a FIN-WAIT-2 timeout, congestion-window restart after idle,
// limited transmit (RFC 3042), ECN. An RST in a passively opened SYN-RECEIVED closes the
// connection (Reset event) instead of returning to LISTEN: listening is the caller's business.
//
// Record alignment (RFC 5044 §5, protocol.md §1.4): data enters as *records* (MPA FPDUs) or
// *stream* bytes. A segment never starts inside a record unless that record is longer than
// the EMSS: such a record is split into EMSS-sized pieces (the last piece holds the
// remainder) and the next record starts a new segment. Records that fit are never split:
// the sender waits for window space for the whole record (exception: a peer whose largest
// window ever advertised is smaller than the record gets it split to the window, counted in
// stats().split_for_window). Stream bytes (the MPA Request/Reply) never share a segment with
// anything else. Once built, a segment keeps its boundaries: fast retransmit, NewReno and
// timeout retransmissions re-send exactly the same [seq, seq+len) ranges.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

#include "bytes.h"
#include "tcp_config.h"
#include "tcp_congestion.h"
#include "tcp_header.h"
#include "tcp_reassembly.h"
#include "tcp_rtt_estimator.h"

namespace nicsim::proto {

constexpr uint64_t kTcpNoTimer = UINT64_MAX;

enum class TcpState : uint8_t {
    Closed, Listen, SynSent, SynReceived, Established,
    FinWait1, FinWait2, CloseWait, Closing, LastAck, TimeWait,
};
const char* to_string(TcpState s);

enum class TcpEventKind : uint8_t {
    Established,     // three-way handshake complete
    DataReadable,    // `length` in-order bytes at receive offset `offset` joined readable()
    OutOfOrderData,  // `length` bytes at receive offset `offset` (TCP seq `seq`) were queued
                     // beyond a hole; they are in reassembly() until the hole fills
    Acked,           // `length` more sent bytes acknowledged; `offset` = total acknowledged
    PeerClosed,      // the peer's FIN arrived (after all its data): no more data will come
    Closed,          // orderly close finished (LAST-ACK acked, or TIME-WAIT expired)
    Reset,           // an acceptable RST arrived (refused or reset by the peer)
    TimedOut,        // retransmission limit reached; an RST was sent, the connection is closed
};
const char* to_string(TcpEventKind k);

struct TcpEvent {
    TcpEventKind kind = TcpEventKind::Established;
    uint64_t offset = 0;  // receive- or send-stream byte offset (0 = first data byte)
    uint32_t length = 0;
    uint32_t seq = 0;
};

// One segment to transmit. The caller keeps one TcpSegment and passes it to every
// poll_segment call: the payload's capacity is reused, so the steady state allocates nothing.
struct TcpSegment {
    TcpHeader header;      // ports, seq, ack, flags, window (as sent, scaled), options
    Bytes payload;
    bool retransmission = false;  // the same [seq, seq+len) was sent before
    uint32_t records = 0;         // whole records (or record pieces) in the payload
};

struct TcpStats {
    uint64_t segments_sent = 0;
    uint64_t data_segments_sent = 0;       // first transmissions carrying data
    uint64_t retransmitted_segments = 0;   // SYN, data or FIN segments sent again
    uint64_t fast_retransmits = 0;         // entries into fast recovery
    uint64_t partial_ack_retransmits = 0;  // NewReno partial ACKs
    uint64_t timeouts = 0;                 // RTO expiries with data outstanding
    uint64_t window_probes = 0;
    uint64_t resets_sent = 0;
    uint64_t challenge_acks = 0;           // RFC 5961 (in-window RST, SYN, old ACK)
    uint64_t segments_received = 0;
    uint64_t unacceptable_segments = 0;    // failed the RFC 9293 §3.10.7.4 sequence test
    uint64_t duplicate_segments = 0;       // data entirely below RCV.NXT
    uint64_t out_of_order_segments = 0;
    uint64_t rtt_samples = 0;
    uint64_t split_for_window = 0;         // records cut because the peer's window is tiny
};

class TcpConnection {
public:
    // `iss`: initial send sequence number (the caller chooses it, so runs are reproducible).
    TcpConnection(const TcpConfig& config, uint16_t local_port, uint16_t remote_port, uint32_t iss);

    // --- Opening and closing (RFC 9293 §3.10.1, §3.10.4, §3.10.5) ---
    void open_active(uint64_t now);  // CLOSED -> SYN-SENT; the SYN comes out of poll_segment
    void open_passive();             // CLOSED -> LISTEN; accepts the first SYN that arrives
    // Sends FIN after everything queued (FIN-WAIT-1 / LAST-ACK). No more sends afterwards.
    void close(uint64_t now);
    // Drops everything; an RST comes out of poll_segment if the connection was synchronized.
    void abort(uint64_t now);

    // --- Sending ---
    // Queues one record (an MPA FPDU). Returns its send-stream offset, or nothing if sending
    // is no longer possible (closed, or close() was called). Empty records are ignored.
    std::optional<uint64_t> send_record(ByteView record);
    // Queues raw stream bytes that will not share a segment with anything else (MPA
    // Request/Reply); split at the EMSS if longer.
    std::optional<uint64_t> send_stream(ByteView bytes);

    // --- Wire and time ---
    void on_segment(uint64_t now, const TcpHeader& header, ByteView payload);
    void on_timer(uint64_t now);
    uint64_t next_timer() const;  // earliest armed deadline, or kTcpNoTimer
    bool poll_segment(uint64_t now, TcpSegment& out);
    bool poll_event(TcpEvent& out);

    // --- Receiving ---
    ByteView readable() const { return ByteView(rbuf_.data() + rbuf_head_, rbuf_.size() - rbuf_head_); }
    // Frees `n` read bytes of the receive buffer (opens the window; may trigger an update).
    void consume(size_t n);
    const TcpReassembly& reassembly() const { return reasm_; }

    // --- Introspection ---
    TcpState state() const { return state_; }
    const TcpConfig& config() const { return cfg_; }
    uint16_t local_port() const { return local_port_; }
    uint16_t remote_port() const { return remote_port_; }
    // Effective send MSS (RFC 9293 §3.7.1): min(peer MSS, our MSS) minus TCP options in use.
    // MPA sizes its FPDUs from this (MULPDU, protocol.md §1.4). Valid once established.
    uint32_t emss() const { return emss_; }
    bool timestamps_enabled() const { return ts_enabled_; }
    uint8_t send_window_shift() const { return snd_wscale_; }  // peer's shift applied to its windows
    uint8_t receive_window_shift() const { return rcv_wscale_; }
    uint32_t iss() const { return iss_; }
    uint32_t irs() const { return irs_; }
    uint32_t snd_una() const { return snd_una_; }
    uint32_t snd_nxt() const { return snd_nxt_; }
    uint32_t snd_max() const { return snd_max_; }
    uint32_t snd_wnd() const { return snd_wnd_; }  // peer's advertised window, scaled
    uint32_t rcv_nxt() const { return rcv_nxt_; }
    uint32_t bytes_in_flight() const { return snd_max_ - snd_una_; }
    uint64_t unsent_bytes() const { return unsent_bytes_; }
    // Send-stream offset the next queued byte will get (MPA frames markers from it before
    // calling send_record), and how much of the send stream the peer has acknowledged.
    uint64_t next_send_offset() const { return queued_total_; }
    uint64_t acked_offset() const { return acked_total_; }
    // Receive-stream offset of RCV.NXT (bytes delivered in order so far).
    uint64_t receive_offset() const { return rcv_offset_; }
    uint32_t cwnd() const { return cc_ ? cc_->cwnd() : 0; }
    uint32_t ssthresh() const { return cc_ ? cc_->ssthresh() : 0; }
    bool in_fast_recovery() const { return cc_ && cc_->in_recovery(); }
    const TcpRttEstimator& rtt() const { return rtt_; }
    uint64_t rto_ps() const { return rtt_.rto_ps(); }
    const TcpStats& stats() const { return stats_; }

private:
    struct SendUnit {
        uint32_t length = 0;
        uint32_t built = 0;   // bytes already cut into segments
        bool stream = false;  // raw stream bytes: alone in their segments
    };
    struct TxSegment {          // a built segment, kept until acknowledged
        uint32_t seq = 0;
        uint32_t data_len = 0;
        uint8_t ctl = 0;        // kTcpSyn / kTcpFin occupying sequence space
        uint8_t push = 0;       // kTcpPsh if it ends a record
        uint16_t records = 0;
        uint32_t tx_count = 0;
        uint32_t end() const { return seq + data_len + ((ctl & kTcpSyn) ? 1 : 0) + ((ctl & kTcpFin) ? 1 : 0); }
    };
    struct Control {  // an RST to send, independent of the connection's sequence state
        uint32_t seq;
        uint32_t ack;
        uint8_t flags;
    };

    std::optional<uint64_t> queue_unit(ByteView bytes, bool stream);
    void handle_listen(uint64_t now, const TcpHeader& h);
    void handle_syn_sent(uint64_t now, const TcpHeader& h);
    void handle_synchronized(uint64_t now, const TcpHeader& h, ByteView payload);
    void learn_syn_options(const TcpHeader& h);
    void enter_established(uint64_t now);
    void handle_new_ack(uint64_t now, uint32_t ack);
    void update_send_window(const TcpHeader& h);
    void handle_text(uint64_t now, const TcpHeader& h, ByteView payload);
    void deliver_in_order(ByteView data);
    void process_fin(uint64_t now);
    void on_rto(uint64_t now);
    void enter_time_wait(uint64_t now);
    void enter_closed();
    void queue_control(uint32_t seq, uint32_t ack, uint8_t flags);
    bool fin_acked() const;
    bool can_send_data() const;

    // Output helpers.
    void fill_header(uint64_t now, TcpSegment& out, uint32_t seq, uint8_t flags);
    void emit_tx(uint64_t now, TxSegment& tx, TcpSegment& out);
    bool build_new_segment(uint64_t now, TcpSegment& out);
    uint16_t window_field(bool syn);
    size_t find_tx(uint32_t seq) const;
    uint32_t send_limit() const;  // min(cwnd, snd_wnd)
    void release_acked_bytes();
    void arm_rto(uint64_t now) { if (rto_deadline_ == kTcpNoTimer) rto_deadline_ = now + rtt_.rto_ps(); }
    void update_persist(uint64_t now);
    uint32_t receive_free() const;
    uint32_t rcv_emss() const;

    TcpConfig cfg_;
    uint16_t local_port_;
    uint16_t remote_port_;
    TcpState state_ = TcpState::Closed;

    // Send sequence space (RFC 9293 §3.3.1). snd_max_ is the highest sequence sent + 1;
    // snd_nxt_ drops back to snd_una_ after a timeout (go-back-N).
    uint32_t iss_;
    uint32_t snd_una_;
    uint32_t snd_nxt_;
    uint32_t snd_max_;
    uint32_t snd_wnd_ = 0;
    uint32_t max_snd_wnd_ = 0;
    uint32_t snd_wl1_ = 0;
    uint32_t snd_wl2_ = 0;
    uint8_t snd_wscale_ = 0;
    uint8_t rcv_wscale_ = 0;
    uint16_t peer_mss_ = 536;  // RFC 9293 §3.7.1 default
    uint32_t emss_ = 536;
    bool ws_enabled_ = false;
    bool ts_enabled_ = false;
    uint32_t ts_recent_ = 0;
    uint32_t last_ack_sent_ = 0;

    Bytes sbuf_;             // queued data from sbuf_seq_ on (sent and unsent)
    size_t sbuf_head_ = 0;
    uint32_t sbuf_seq_;      // sequence number of sbuf_[sbuf_head_]
    std::deque<SendUnit> units_;  // records / stream chunks not yet fully built
    std::deque<TxSegment> txq_;   // built segments not yet acknowledged
    uint64_t queued_total_ = 0;   // send-stream bytes ever queued
    uint64_t unsent_bytes_ = 0;
    uint64_t acked_total_ = 0;
    bool close_requested_ = false;
    bool fin_sent_ = false;
    uint32_t fin_seq_ = 0;
    bool fast_rexmit_pending_ = false;
    bool probe_pending_ = false;
    bool syn_retransmitted_ = false;
    bool partial_ack_seen_ = false;  // RFC 6582 "impatient": timer reset on the first only
    uint32_t retries_ = 0;

    TcpRttEstimator rtt_;
    bool rtt_timing_ = false;
    uint32_t rtt_seq_ = 0;
    uint64_t rtt_start_ = 0;
    std::optional<TcpCongestion> cc_;

    // Receive sequence space.
    uint32_t irs_ = 0;
    uint32_t rcv_nxt_ = 0;
    uint64_t rcv_offset_ = 0;  // receive-stream offset of rcv_nxt_
    uint32_t rcv_adv_ = 0;     // right edge of the window we advertised
    Bytes rbuf_;
    size_t rbuf_head_ = 0;
    TcpReassembly reasm_;
    std::optional<uint32_t> peer_fin_seq_;  // FIN seen beyond a hole
    bool ack_now_ = false;
    uint32_t unacked_segments_ = 0;

    uint64_t rto_deadline_ = kTcpNoTimer;
    uint64_t delack_deadline_ = kTcpNoTimer;
    uint64_t persist_deadline_ = kTcpNoTimer;
    uint32_t persist_backoff_ = 0;
    uint64_t timewait_deadline_ = kTcpNoTimer;

    Control controls_[4] = {};
    size_t control_count_ = 0;
    std::deque<TcpEvent> events_;
    TcpStats stats_;
};

// RFC 9293 §3.10.7.1: the reply to a segment that reached no connection (or a CLOSED one):
// nothing for an RST; otherwise an RST with seq = SEG.ACK if the segment had ACK, else
// RST+ACK with seq 0 and ack = SEG.SEQ + SEG.LEN. Ports are swapped; options empty.
std::optional<TcpHeader> tcp_reset_for_unmatched(const TcpHeader& in, size_t payload_length);

}  // namespace nicsim::proto
