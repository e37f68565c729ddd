#include "tcp_connection.h"

#include <algorithm>

namespace nicsim::proto {

namespace {

// Sequence-number comparisons modulo 2^32 (RFC 9293 §3.4).
bool seq_lt(uint32_t a, uint32_t b) { return int32_t(a - b) < 0; }
bool seq_leq(uint32_t a, uint32_t b) { return int32_t(a - b) <= 0; }
bool seq_gt(uint32_t a, uint32_t b) { return int32_t(a - b) > 0; }
bool seq_geq(uint32_t a, uint32_t b) { return int32_t(a - b) >= 0; }

constexpr uint32_t kTimestampOptionBytes = 12;  // NOP NOP kind len TSval TSecr
constexpr uint8_t kMaxWindowShift = 14;         // RFC 7323 §2.3

bool synchronized(TcpState s) {
    return s != TcpState::Closed && s != TcpState::Listen && s != TcpState::SynSent;
}

}  // namespace

const char* to_string(TcpState s) {
    switch (s) {
    case TcpState::Closed: return "CLOSED";
    case TcpState::Listen: return "LISTEN";
    case TcpState::SynSent: return "SYN-SENT";
    case TcpState::SynReceived: return "SYN-RECEIVED";
    case TcpState::Established: return "ESTABLISHED";
    case TcpState::FinWait1: return "FIN-WAIT-1";
    case TcpState::FinWait2: return "FIN-WAIT-2";
    case TcpState::CloseWait: return "CLOSE-WAIT";
    case TcpState::Closing: return "CLOSING";
    case TcpState::LastAck: return "LAST-ACK";
    case TcpState::TimeWait: return "TIME-WAIT";
    }
    return "?";
}

const char* to_string(TcpEventKind k) {
    switch (k) {
    case TcpEventKind::Established: return "Established";
    case TcpEventKind::DataReadable: return "DataReadable";
    case TcpEventKind::OutOfOrderData: return "OutOfOrderData";
    case TcpEventKind::Acked: return "Acked";
    case TcpEventKind::PeerClosed: return "PeerClosed";
    case TcpEventKind::Closed: return "Closed";
    case TcpEventKind::Reset: return "Reset";
    case TcpEventKind::TimedOut: return "TimedOut";
    }
    return "?";
}

std::optional<TcpHeader> tcp_reset_for_unmatched(const TcpHeader& in, size_t payload_length) {
    if (in.has(kTcpRst)) return std::nullopt;  // never answer an RST
    TcpHeader r;
    r.src_port = in.dst_port;
    r.dst_port = in.src_port;
    r.window = 0;
    if (in.has(kTcpAck)) {
        r.seq = in.ack;
        r.flags = kTcpRst;
    } else {
        const uint32_t seg_len = uint32_t(payload_length) + (in.has(kTcpSyn) ? 1 : 0) + (in.has(kTcpFin) ? 1 : 0);
        r.seq = 0;
        r.ack = in.seq + seg_len;
        r.flags = kTcpRst | kTcpAck;
    }
    return r;
}

TcpConnection::TcpConnection(const TcpConfig& config, uint16_t local_port, uint16_t remote_port, uint32_t iss)
    : cfg_(config),
      local_port_(local_port),
      remote_port_(remote_port),
      iss_(iss),
      snd_una_(iss),
      snd_nxt_(iss),
      snd_max_(iss),
      sbuf_seq_(iss + 1),
      rtt_(TcpRttConfig{config.initial_rto_ps, config.min_rto_ps, config.max_rto_ps,
                        config.clock_granularity_ps}) {
    cfg_.window_scale_shift = std::min(cfg_.window_scale_shift, kMaxWindowShift);
    if (cfg_.mss < 64) cfg_.mss = 64;  // keeps the EMSS positive with every option in use
    if (cfg_.timestamp_tick_ps == 0) cfg_.timestamp_tick_ps = 1;
    emss_ = rcv_emss();
}

// ---------------------------------------------------------------------------------------
// User calls

void TcpConnection::open_active(uint64_t now) {
    if (state_ != TcpState::Closed) return;
    state_ = TcpState::SynSent;
    txq_.push_back(TxSegment{iss_, 0, kTcpSyn, 0, 0, 0});
    snd_max_ = iss_ + 1;  // the SYN is "built"; snd_nxt_ < snd_max_ makes poll send it
    (void)now;
}

void TcpConnection::open_passive() {
    if (state_ == TcpState::Closed) state_ = TcpState::Listen;
}

void TcpConnection::close(uint64_t now) {
    (void)now;
    switch (state_) {
    case TcpState::Listen:
    case TcpState::SynSent:
        enter_closed();
        events_.push_back(TcpEvent{TcpEventKind::Closed});
        return;
    case TcpState::SynReceived:
    case TcpState::Established:
        state_ = TcpState::FinWait1;  // RFC 9293 §3.10.4: FIN follows the queued data
        break;
    case TcpState::CloseWait:
        state_ = TcpState::LastAck;
        break;
    default:
        return;  // already closing
    }
    close_requested_ = true;
}

void TcpConnection::abort(uint64_t now) {
    (void)now;
    if (synchronized(state_) && state_ != TcpState::TimeWait) queue_control(snd_max_, 0, kTcpRst);
    enter_closed();
}

std::optional<uint64_t> TcpConnection::send_record(ByteView record) { return queue_unit(record, false); }
std::optional<uint64_t> TcpConnection::send_stream(ByteView bytes) { return queue_unit(bytes, true); }

std::optional<uint64_t> TcpConnection::queue_unit(ByteView bytes, bool stream) {
    const bool open = state_ == TcpState::SynSent || state_ == TcpState::SynReceived ||
                      state_ == TcpState::Established || state_ == TcpState::CloseWait;
    if (!open || close_requested_) return std::nullopt;
    const uint64_t offset = queued_total_;
    // Records are appended whole; one wire segment holds at most 64 KiB anyway, so a unit's
    // length is capped at 2^32-1 by splitting very large sends into several units.
    size_t done = 0;
    while (done < bytes.size) {
        const uint32_t n = uint32_t(std::min<size_t>(bytes.size - done, UINT32_MAX));
        units_.push_back(SendUnit{n, 0, stream});
        done += n;
    }
    sbuf_.insert(sbuf_.end(), bytes.data, bytes.data + bytes.size);
    queued_total_ += bytes.size;
    unsent_bytes_ += bytes.size;
    return offset;
}

void TcpConnection::consume(size_t n) {
    const size_t avail = rbuf_.size() - rbuf_head_;
    n = std::min(n, avail);
    if (n == 0) return;
    rbuf_head_ += n;
    if (rbuf_head_ == rbuf_.size()) {
        rbuf_.clear();
        rbuf_head_ = 0;
    } else if (rbuf_head_ > 65536 && rbuf_head_ > rbuf_.size() / 2) {
        rbuf_.erase(rbuf_.begin(), rbuf_.begin() + ptrdiff_t(rbuf_head_));
        rbuf_head_ = 0;
    }
    // Window update (RFC 9293 §3.8.6.2.2, BSD practice): tell the sender once the window
    // could open by two segments or half the buffer, or by one segment if it was nearly shut.
    if (state_ != TcpState::Established && state_ != TcpState::FinWait1 && state_ != TcpState::FinWait2)
        return;
    const uint32_t adv = seq_gt(rcv_adv_, rcv_nxt_) ? rcv_adv_ - rcv_nxt_ : 0;
    const uint32_t free_now = receive_free();
    if (free_now <= adv) return;
    const uint32_t increase = free_now - adv;
    const uint32_t half = cfg_.receive_buffer / 2;
    if (increase >= std::min(half, 2 * rcv_emss()) || (adv < rcv_emss() && increase >= std::min(half, rcv_emss())))
        ack_now_ = true;
}

bool TcpConnection::poll_event(TcpEvent& out) {
    if (events_.empty()) return false;
    out = events_.front();
    events_.pop_front();
    return true;
}

uint64_t TcpConnection::next_timer() const {
    return std::min({rto_deadline_, delack_deadline_, persist_deadline_, timewait_deadline_});
}

// ---------------------------------------------------------------------------------------
// Segment arrival (RFC 9293 §3.10.7)

void TcpConnection::on_segment(uint64_t now, const TcpHeader& h, ByteView payload) {
    ++stats_.segments_received;
    switch (state_) {
    case TcpState::Closed:
        // §3.10.7.1: everything but an RST is answered with an RST.
        if (auto r = tcp_reset_for_unmatched(h, payload.size)) queue_control(r->seq, r->ack, r->flags);
        return;
    case TcpState::Listen:
        handle_listen(now, h);
        return;
    case TcpState::SynSent:
        handle_syn_sent(now, h);
        return;
    default:
        handle_synchronized(now, h, payload);
        return;
    }
}

void TcpConnection::handle_listen(uint64_t now, const TcpHeader& h) {
    (void)now;
    // §3.10.7.2: ignore RST; an ACK gets an RST; a SYN starts the handshake. Data on the SYN
    // is not queued (the peer retransmits it).
    if (h.has(kTcpRst)) return;
    if (h.has(kTcpAck)) {
        queue_control(h.ack, 0, kTcpRst);
        return;
    }
    if (!h.has(kTcpSyn)) return;
    irs_ = h.seq;
    rcv_nxt_ = irs_ + 1;
    rcv_adv_ = rcv_nxt_;
    learn_syn_options(h);
    snd_wnd_ = h.window;  // windows in SYNs are never scaled (RFC 7323 §2.2)
    max_snd_wnd_ = snd_wnd_;
    snd_wl1_ = h.seq;
    snd_wl2_ = iss_;
    state_ = TcpState::SynReceived;
    txq_.push_back(TxSegment{iss_, 0, kTcpSyn, 0, 0, 0});
    snd_max_ = iss_ + 1;
    snd_nxt_ = iss_;
}

void TcpConnection::handle_syn_sent(uint64_t now, const TcpHeader& h) {
    // §3.10.7.3.
    const bool has_ack = h.has(kTcpAck);
    if (has_ack && (seq_leq(h.ack, iss_) || seq_gt(h.ack, snd_max_))) {
        if (!h.has(kTcpRst)) queue_control(h.ack, 0, kTcpRst);
        return;
    }
    if (h.has(kTcpRst)) {
        if (has_ack) {  // connection refused
            events_.push_back(TcpEvent{TcpEventKind::Reset});
            enter_closed();
        }
        return;
    }
    if (!h.has(kTcpSyn)) return;
    irs_ = h.seq;
    rcv_nxt_ = irs_ + 1;
    rcv_adv_ = rcv_nxt_;
    learn_syn_options(h);
    if (has_ack) {
        snd_wnd_ = h.window;  // unscaled in a SYN
        max_snd_wnd_ = snd_wnd_;
        snd_wl1_ = h.seq;
        snd_wl2_ = h.ack;
        handle_new_ack(now, h.ack);  // acknowledges our SYN (RTT sample unless retransmitted)
        state_ = TcpState::Established;
        enter_established(now);
        ack_now_ = true;
    } else {
        // Simultaneous open: our SYN is re-sent as SYN-ACK.
        state_ = TcpState::SynReceived;
        snd_wnd_ = h.window;
        max_snd_wnd_ = snd_wnd_;
        snd_nxt_ = snd_una_;
    }
}

void TcpConnection::learn_syn_options(const TcpHeader& h) {
    const TcpOptions& o = h.options;
    peer_mss_ = o.mss ? std::max<uint16_t>(*o.mss, 64) : 536;
    // RFC 7323: window scaling and timestamps only if both SYNs carry the option. A passive
    // side answers with the option only if the peer offered it (and we are configured).
    ws_enabled_ = cfg_.window_scaling && o.window_scale.has_value();
    snd_wscale_ = ws_enabled_ ? std::min(*o.window_scale, kMaxWindowShift) : 0;
    rcv_wscale_ = ws_enabled_ ? cfg_.window_scale_shift : 0;
    ts_enabled_ = cfg_.timestamps && o.timestamps.has_value();
    if (ts_enabled_) ts_recent_ = o.timestamps->value;
    const uint32_t opt = ts_enabled_ ? kTimestampOptionBytes : 0;
    emss_ = std::min<uint32_t>(peer_mss_, cfg_.mss) - opt;  // RFC 9293 §3.7.1, RFC 6691
}

void TcpConnection::enter_established(uint64_t now) {
    (void)now;
    cc_.emplace(emss_, cfg_.initial_cwnd_segments, cfg_.initial_ssthresh, cfg_.dupack_threshold, iss_);
    // RFC 6298 §5.7: a lost SYN (and no RTT sample) restarts data with a 3 s RTO.
    if (syn_retransmitted_ && !rtt_.has_sample() && cfg_.rto_after_syn_loss_ps)
        rtt_.reset_rto(cfg_.rto_after_syn_loss_ps);
    events_.push_back(TcpEvent{TcpEventKind::Established});
}

void TcpConnection::handle_synchronized(uint64_t now, const TcpHeader& h, ByteView payload) {
    const uint32_t seg_len = uint32_t(payload.size) + (h.has(kTcpSyn) ? 1 : 0) + (h.has(kTcpFin) ? 1 : 0);
    const uint32_t rcv_wnd = seq_gt(rcv_adv_, rcv_nxt_) ? rcv_adv_ - rcv_nxt_ : 0;

    // First: the sequence-number acceptability test (§3.10.7.4 table).
    bool acceptable;
    if (seg_len == 0)
        acceptable = rcv_wnd == 0 ? h.seq == rcv_nxt_
                                  : seq_geq(h.seq, rcv_nxt_) && seq_lt(h.seq, rcv_nxt_ + rcv_wnd);
    else if (rcv_wnd == 0)
        acceptable = h.seq == rcv_nxt_;  // "special allowance" for ACKs/RSTs; text is trimmed
    else
        acceptable = (seq_geq(h.seq, rcv_nxt_) && seq_lt(h.seq, rcv_nxt_ + rcv_wnd)) ||
                     (seq_geq(h.seq + seg_len - 1, rcv_nxt_) && seq_lt(h.seq + seg_len - 1, rcv_nxt_ + rcv_wnd));
    if (!acceptable) {
        ++stats_.unacceptable_segments;
        if (!payload.empty() && seq_lt(h.seq, rcv_nxt_)) ++stats_.duplicate_segments;
        if (h.has(kTcpRst)) return;
        ack_now_ = true;  // "send an acknowledgment ... and drop the segment"
        if (state_ == TcpState::SynReceived) snd_nxt_ = snd_una_;  // re-send our SYN-ACK
        if (state_ == TcpState::TimeWait && h.has(kTcpFin)) enter_time_wait(now);  // restart 2MSL
        return;
    }

    // Second: RST (RFC 5961 §3 as adopted by §3.10.7.4): exact match resets, otherwise
    // challenge ACK.
    if (h.has(kTcpRst)) {
        if (h.seq == rcv_nxt_) {
            events_.push_back(TcpEvent{TcpEventKind::Reset});
            enter_closed();
        } else {
            ++stats_.challenge_acks;
            ack_now_ = true;
        }
        return;
    }

    // Fourth: a SYN in a synchronized state gets a challenge ACK (RFC 5961 §4).
    if (h.has(kTcpSyn)) {
        ++stats_.challenge_acks;
        ack_now_ = true;
        if (state_ == TcpState::SynReceived) snd_nxt_ = snd_una_;
        return;
    }

    // Fifth: ACK processing.
    if (!h.has(kTcpAck)) return;
    if (ts_enabled_ && h.options.timestamps && seq_geq(h.options.timestamps->value, ts_recent_) &&
        seq_leq(h.seq, last_ack_sent_))
        ts_recent_ = h.options.timestamps->value;  // RFC 7323 §4.3

    if (state_ == TcpState::SynReceived) {
        if (!(seq_gt(h.ack, snd_una_) && seq_leq(h.ack, snd_max_))) {
            queue_control(h.ack, 0, kTcpRst);
            return;
        }
        state_ = TcpState::Established;
        snd_wl1_ = h.seq;
        snd_wl2_ = h.ack;
        snd_wnd_ = uint32_t(h.window) << snd_wscale_;
        max_snd_wnd_ = std::max(max_snd_wnd_, snd_wnd_);
        handle_new_ack(now, h.ack);
        enter_established(now);
    }

    if (seq_gt(h.ack, snd_max_)) {  // acknowledges something not yet sent
        ack_now_ = true;
        return;
    }
    if (seq_lt(h.ack, snd_una_ - std::max<uint32_t>(max_snd_wnd_, 1))) {  // RFC 5961 §5
        ++stats_.challenge_acks;
        ack_now_ = true;
        return;
    }
    if (seq_gt(h.ack, snd_una_)) {
        handle_new_ack(now, h.ack);
    } else if (h.ack == snd_una_ && payload.empty() && !h.has(kTcpFin) && snd_max_ != snd_una_ &&
               (uint32_t(h.window) << snd_wscale_) == snd_wnd_ && cc_) {
        // RFC 5681 §2 duplicate ACK.
        const auto action = cc_->on_duplicate_ack(h.ack, snd_max_ - snd_una_, snd_max_);
        if (action == TcpCongestion::Action::FastRetransmit) {
            ++stats_.fast_retransmits;
            fast_rexmit_pending_ = true;
            partial_ack_seen_ = false;
        }
    }
    update_send_window(h);

    switch (state_) {
    case TcpState::FinWait1:
        if (fin_acked()) state_ = TcpState::FinWait2;
        break;
    case TcpState::Closing:
        if (fin_acked()) enter_time_wait(now);
        break;
    case TcpState::LastAck:
        if (fin_acked()) {
            enter_closed();
            events_.push_back(TcpEvent{TcpEventKind::Closed});
            return;
        }
        break;
    default:
        break;
    }

    // Seventh: segment text, then eighth: FIN.
    handle_text(now, h, payload);
}

void TcpConnection::update_send_window(const TcpHeader& h) {
    // §3.10.7.4: update only from segments newer than the last window update.
    if (seq_lt(h.ack, snd_una_) || seq_gt(h.ack, snd_max_)) return;
    if (seq_lt(snd_wl1_, h.seq) || (snd_wl1_ == h.seq && seq_leq(snd_wl2_, h.ack))) {
        snd_wnd_ = uint32_t(h.window) << snd_wscale_;
        snd_wl1_ = h.seq;
        snd_wl2_ = h.ack;
        max_snd_wnd_ = std::max(max_snd_wnd_, snd_wnd_);
    }
}

void TcpConnection::handle_new_ack(uint64_t now, uint32_t ack) {
    const uint32_t acked_seq = ack - snd_una_;
    // Data bytes acknowledged: sequence space minus the SYN and FIN it covers.
    uint32_t data_acked = acked_seq;
    if (seq_leq(snd_una_, iss_) && data_acked) --data_acked;  // our SYN
    if (fin_sent_ && seq_leq(snd_una_, fin_seq_) && seq_gt(ack, fin_seq_) && data_acked) --data_acked;

    // Karn's rule: the timed segment was never retransmitted (timing stops on retransmission).
    if (rtt_timing_ && seq_geq(ack, rtt_seq_)) {
        rtt_.add_sample(now - rtt_start_);
        rtt_timing_ = false;
        ++stats_.rtt_samples;
    }
    retries_ = 0;
    snd_una_ = ack;
    if (seq_lt(snd_nxt_, ack)) snd_nxt_ = ack;
    while (!txq_.empty() && seq_leq(txq_.front().end(), ack)) txq_.pop_front();
    release_acked_bytes();
    if (data_acked) {
        acked_total_ += data_acked;
        events_.push_back(TcpEvent{TcpEventKind::Acked, acked_total_, data_acked, ack});
    }

    bool restart_timer = true;
    if (cc_) {
        const bool was_in_recovery = cc_->in_recovery();
        const auto action = cc_->on_new_ack(ack, acked_seq, snd_max_ - snd_una_);
        if (action == TcpCongestion::Action::PartialAck) {
            ++stats_.partial_ack_retransmits;
            fast_rexmit_pending_ = true;
            // RFC 6582 §3.2 step 5 ("impatient"): reset the timer on the first partial ACK only.
            restart_timer = !partial_ack_seen_;
            partial_ack_seen_ = true;
        } else if (was_in_recovery) {
            fast_rexmit_pending_ = false;
        }
    }
    // RFC 6298 §5.2 / §5.3.
    if (snd_una_ == snd_max_) {
        rto_deadline_ = kTcpNoTimer;
    } else if (restart_timer) {
        rto_deadline_ = now + rtt_.rto_ps();
    }
}

void TcpConnection::release_acked_bytes() {
    // Bytes stay buffered until their whole segment is acked: retransmissions re-send the
    // segment as built.
    uint32_t keep_from;
    if (!txq_.empty()) {
        const TxSegment& f = txq_.front();
        keep_from = f.seq + ((f.ctl & kTcpSyn) ? 1 : 0);
    } else {
        keep_from = snd_max_ - (fin_sent_ ? 1 : 0);
    }
    if (!seq_gt(keep_from, sbuf_seq_)) return;
    const size_t drop = std::min<size_t>(keep_from - sbuf_seq_, sbuf_.size() - sbuf_head_);
    sbuf_head_ += drop;
    sbuf_seq_ += uint32_t(drop);
    if (sbuf_head_ == sbuf_.size()) {
        sbuf_.clear();
        sbuf_head_ = 0;
    } else if (sbuf_head_ > 65536 && sbuf_head_ > sbuf_.size() / 2) {
        sbuf_.erase(sbuf_.begin(), sbuf_.begin() + ptrdiff_t(sbuf_head_));
        sbuf_head_ = 0;
    }
}

void TcpConnection::handle_text(uint64_t now, const TcpHeader& h, ByteView payload) {
    const bool receiving = state_ == TcpState::Established || state_ == TcpState::FinWait1 ||
                           state_ == TcpState::FinWait2;
    if (!receiving) return;  // after the peer's FIN, more text is bogus (§3.10.7.4 seventh)

    uint32_t seq = h.seq;
    ByteView data = payload;
    if (h.has(kTcpFin)) {
        const uint32_t fin = h.seq + uint32_t(payload.size);
        if (seq_geq(fin, rcv_nxt_) && seq_lt(fin, rcv_adv_ + 1)) peer_fin_seq_ = fin;
    }
    if (!data.empty()) {
        // Trim what is already received, then what lies beyond the advertised window.
        if (seq_lt(seq, rcv_nxt_)) {
            const uint32_t cut = rcv_nxt_ - seq;
            if (cut >= data.size) {
                ++stats_.duplicate_segments;
                data = ByteView();
            } else {
                data = data.sub(cut);
            }
            seq = rcv_nxt_;
            ack_now_ = true;  // RFC 5681 §4.2: duplicate data -> immediate ACK
        }
        const uint32_t right = seq_gt(rcv_adv_, rcv_nxt_) ? rcv_adv_ : rcv_nxt_;
        if (!data.empty()) {
            const uint32_t room = seq_gt(right, seq) ? right - seq : 0;
            if (room < data.size) {
                data = data.sub(0, room);
                ack_now_ = true;  // tell the sender where the window really ends
            }
        }
    }
    if (!data.empty()) {
        if (seq == rcv_nxt_) {
            const bool filled_hole = !reasm_.empty();
            deliver_in_order(data);
            if (filled_hole) ack_now_ = true;  // RFC 5681 §4.2: gap (partly) filled
            // Delayed ACK (RFC 9293 §3.8.6.3): ack every N segments or on the timer.
            ++unacked_segments_;
            if (cfg_.delayed_ack_segments <= 1 || cfg_.delayed_ack_timeout_ps == 0 ||
                unacked_segments_ >= cfg_.delayed_ack_segments)
                ack_now_ = true;
            else if (delack_deadline_ == kTcpNoTimer)
                delack_deadline_ = now + cfg_.delayed_ack_timeout_ps;
        } else {
            const uint64_t offset = rcv_offset_ + (seq - rcv_nxt_);
            reasm_.insert(offset, data);
            ++stats_.out_of_order_segments;
            events_.push_back(TcpEvent{TcpEventKind::OutOfOrderData, offset, uint32_t(data.size), seq});
            ack_now_ = true;  // RFC 5681 §4.2: out-of-order -> immediate duplicate ACK
        }
    }
    if (peer_fin_seq_ && *peer_fin_seq_ == rcv_nxt_) process_fin(now);
}

void TcpConnection::deliver_in_order(ByteView data) {
    const uint64_t start = rcv_offset_;
    rbuf_.insert(rbuf_.end(), data.data, data.data + data.size);
    rcv_nxt_ += uint32_t(data.size);
    rcv_offset_ += data.size;
    // Anything queued out of order that is now contiguous follows.
    size_t more;
    while ((more = reasm_.pop_in_order(rcv_offset_, rbuf_)) > 0) {
        rcv_nxt_ += uint32_t(more);
        rcv_offset_ += more;
    }
    events_.push_back(TcpEvent{TcpEventKind::DataReadable, start, uint32_t(rcv_offset_ - start), rcv_nxt_});
}

void TcpConnection::process_fin(uint64_t now) {
    peer_fin_seq_.reset();
    rcv_nxt_ += 1;
    ack_now_ = true;
    events_.push_back(TcpEvent{TcpEventKind::PeerClosed});
    switch (state_) {
    case TcpState::SynReceived:
    case TcpState::Established:
        state_ = TcpState::CloseWait;
        break;
    case TcpState::FinWait1:
        if (fin_acked())
            enter_time_wait(now);
        else
            state_ = TcpState::Closing;
        break;
    case TcpState::FinWait2:
        enter_time_wait(now);
        break;
    default:
        break;
    }
}

bool TcpConnection::fin_acked() const { return fin_sent_ && seq_gt(snd_una_, fin_seq_); }

void TcpConnection::enter_time_wait(uint64_t now) {
    state_ = TcpState::TimeWait;
    timewait_deadline_ = now + cfg_.time_wait_ps;
    rto_deadline_ = persist_deadline_ = delack_deadline_ = kTcpNoTimer;
}

void TcpConnection::enter_closed() {
    state_ = TcpState::Closed;
    units_.clear();
    txq_.clear();
    sbuf_.clear();
    sbuf_head_ = 0;
    unsent_bytes_ = 0;
    reasm_.clear();
    rto_deadline_ = delack_deadline_ = persist_deadline_ = timewait_deadline_ = kTcpNoTimer;
    fast_rexmit_pending_ = probe_pending_ = ack_now_ = false;
    close_requested_ = true;  // no more sends
}

void TcpConnection::queue_control(uint32_t seq, uint32_t ack, uint8_t flags) {
    // A few pending RSTs at most: more are dropped (RST rate limiting, RFC 5961 §7).
    if (control_count_ < sizeof(controls_) / sizeof(controls_[0])) controls_[control_count_++] = Control{seq, ack, flags};
}

// ---------------------------------------------------------------------------------------
// Timers

void TcpConnection::on_timer(uint64_t now) {
    if (timewait_deadline_ <= now) {
        enter_closed();
        events_.push_back(TcpEvent{TcpEventKind::Closed});
        return;
    }
    if (delack_deadline_ <= now) {
        delack_deadline_ = kTcpNoTimer;
        ack_now_ = true;
    }
    if (rto_deadline_ <= now) on_rto(now);
    if (persist_deadline_ <= now) {
        // Persist timer (RFC 9293 §3.8.6.1): probe the zero window, back off like the RTO.
        probe_pending_ = true;
        ++persist_backoff_;
        uint64_t interval = rtt_.rto_ps();
        for (uint32_t i = 0; i < persist_backoff_ && interval < cfg_.max_rto_ps; ++i) interval *= 2;
        persist_deadline_ = now + std::min(interval, cfg_.max_rto_ps);
    }
}

void TcpConnection::on_rto(uint64_t now) {
    rto_deadline_ = kTcpNoTimer;
    if (snd_una_ == snd_max_) return;
    ++retries_;
    const bool handshake = state_ == TcpState::SynSent || state_ == TcpState::SynReceived;
    if (retries_ > (handshake ? cfg_.max_syn_retries : cfg_.max_retransmissions)) {
        if (synchronized(state_)) queue_control(snd_max_, rcv_nxt_, kTcpRst | kTcpAck);
        events_.push_back(TcpEvent{TcpEventKind::TimedOut});
        enter_closed();
        return;
    }
    ++stats_.timeouts;
    if (handshake) syn_retransmitted_ = true;
    if (cc_) cc_->on_timeout(snd_max_ - snd_una_, snd_max_, retries_ == 1);
    rtt_.back_off();      // RFC 6298 §5.5
    rtt_timing_ = false;  // Karn
    fast_rexmit_pending_ = false;
    snd_nxt_ = snd_una_;  // go-back-N over the segments as built (§5.4: earliest first)
    rto_deadline_ = now + rtt_.rto_ps();  // §5.6
}

// ---------------------------------------------------------------------------------------
// Output

uint32_t TcpConnection::rcv_emss() const { return cfg_.mss - (cfg_.timestamps ? kTimestampOptionBytes : 0); }

uint32_t TcpConnection::receive_free() const {
    const size_t used = rbuf_.size() - rbuf_head_;
    return used >= cfg_.receive_buffer ? 0 : uint32_t(cfg_.receive_buffer - used);
}

uint16_t TcpConnection::window_field(bool syn) {
    const uint32_t free_now = receive_free();
    if (syn) {  // RFC 7323 §2.2: the window in a SYN is never scaled
        const uint32_t w = std::min<uint32_t>(free_now, 65535);
        if (seq_gt(rcv_nxt_ + w, rcv_adv_)) rcv_adv_ = rcv_nxt_ + w;
        return uint16_t(w);
    }
    // Receiver SWS avoidance (RFC 9293 §3.8.6.2.2): move the right edge only by at least
    // min(buffer/2, MSS); never move it left (§3.8.6).
    const uint32_t cur = seq_gt(rcv_adv_, rcv_nxt_) ? rcv_adv_ - rcv_nxt_ : 0;
    uint32_t wnd = cur;
    if (free_now > cur && free_now - cur >= std::min(cfg_.receive_buffer / 2, rcv_emss())) wnd = free_now;
    // Scaling rounds down (never promise more than the buffer holds). The edge may then look
    // a little lower than the one advertised before (RFC 7323 §2.4 allows that); the receive
    // test keeps accepting data up to the old edge.
    const uint32_t field = std::min<uint32_t>(wnd >> rcv_wscale_, 65535);
    const uint32_t right = rcv_nxt_ + (field << rcv_wscale_);
    if (seq_gt(right, rcv_adv_)) rcv_adv_ = right;
    return uint16_t(field);
}

void TcpConnection::fill_header(uint64_t now, TcpSegment& out, uint32_t seq, uint8_t flags) {
    TcpHeader& h = out.header;
    h.src_port = local_port_;
    h.dst_port = remote_port_;
    h.seq = seq;
    h.flags = flags;
    h.urgent_pointer = 0;
    h.checksum = 0;
    h.options.mss.reset();
    h.options.window_scale.reset();
    h.options.sack_permitted = false;
    h.options.timestamps.reset();
    h.options.sack_blocks.clear();
    const bool syn = (flags & kTcpSyn) != 0;
    if (syn) {
        h.options.mss = cfg_.mss;
        // SYN-SENT offers what is configured; SYN-RECEIVED answers only what was offered.
        const bool offer_ws = state_ == TcpState::SynSent ? cfg_.window_scaling : ws_enabled_;
        if (offer_ws) h.options.window_scale = cfg_.window_scale_shift;
        const bool offer_ts = state_ == TcpState::SynSent ? cfg_.timestamps : ts_enabled_;
        if (offer_ts) h.options.timestamps = TcpTimestamps{uint32_t(now / cfg_.timestamp_tick_ps), ts_enabled_ ? ts_recent_ : 0};
    } else if (ts_enabled_) {
        h.options.timestamps = TcpTimestamps{uint32_t(now / cfg_.timestamp_tick_ps), ts_recent_};
    }
    if (flags & kTcpAck) {
        h.ack = rcv_nxt_;
        h.window = window_field(syn);
        last_ack_sent_ = rcv_nxt_;
        ack_now_ = false;
        unacked_segments_ = 0;
        delack_deadline_ = kTcpNoTimer;
    } else {
        h.ack = 0;
        h.window = syn ? window_field(true) : 0;
    }
    ++stats_.segments_sent;
}

void TcpConnection::emit_tx(uint64_t now, TxSegment& tx, TcpSegment& out) {
    uint8_t flags = tx.ctl | tx.push;
    if (!(state_ == TcpState::SynSent)) flags |= kTcpAck;
    out.payload.clear();
    if (tx.data_len) {
        const uint32_t data_seq = tx.seq + ((tx.ctl & kTcpSyn) ? 1 : 0);
        const size_t at = sbuf_head_ + (data_seq - sbuf_seq_);
        out.payload.insert(out.payload.end(), sbuf_.begin() + ptrdiff_t(at), sbuf_.begin() + ptrdiff_t(at + tx.data_len));
    }
    ++tx.tx_count;
    out.retransmission = tx.tx_count > 1;
    out.records = tx.records;
    if (out.retransmission) {
        ++stats_.retransmitted_segments;
        rtt_timing_ = false;  // Karn's rule: no sample from anything retransmitted
    } else if (!rtt_timing_) {
        rtt_timing_ = true;
        rtt_seq_ = tx.end();
        rtt_start_ = now;
    }
    fill_header(now, out, tx.seq, flags);
    arm_rto(now);
}

size_t TcpConnection::find_tx(uint32_t seq) const {
    // First segment whose end is beyond `seq` (txq_ is in sequence order).
    auto it = std::partition_point(txq_.begin(), txq_.end(),
                                   [&](const TxSegment& t) { return seq_leq(t.end(), seq); });
    return size_t(it - txq_.begin());
}

uint32_t TcpConnection::send_limit() const {
    return std::min(cc_ ? cc_->cwnd() : emss_, snd_wnd_);
}

bool TcpConnection::can_send_data() const {
    switch (state_) {
    case TcpState::Established:
    case TcpState::CloseWait:
    case TcpState::FinWait1:
    case TcpState::LastAck:
        return !fin_sent_;
    default:
        return false;
    }
}

bool TcpConnection::build_new_segment(uint64_t now, TcpSegment& out) {
    if (units_.empty() || !can_send_data()) return false;
    // Cut the next segment at record boundaries (see the header comment).
    const SendUnit& first = units_.front();
    const uint32_t first_left = first.length - first.built;
    uint32_t len = std::min(first_left, emss_);
    uint16_t records = 1;
    if (cfg_.record_packing == TcpRecordPacking::PackToEmss && !first.stream && first.built == 0 &&
        first_left <= emss_) {
        for (size_t i = 1; i < units_.size(); ++i) {
            const SendUnit& u = units_[i];
            if (u.stream || len + u.length > emss_) break;
            len += u.length;
            ++records;
        }
    }
    const uint32_t limit = send_limit();
    const uint32_t in_flight = snd_max_ - snd_una_;
    if (in_flight + len > limit) {
        // A peer whose window never reached this segment's size would stall us forever:
        // split to its window when nothing is outstanding (loses alignment, counted).
        if (in_flight == 0 && snd_wnd_ > 0 && max_snd_wnd_ < len) {
            len = std::min(len, snd_wnd_);
            records = 1;
            ++stats_.split_for_window;
        } else {
            return false;
        }
    }
    TxSegment tx{snd_max_, len, 0, 0, records, 0};
    // Consume units.
    uint32_t left = len;
    while (left > 0) {
        SendUnit& u = units_.front();
        const uint32_t take = std::min(left, u.length - u.built);
        u.built += take;
        left -= take;
        if (u.built == u.length) {
            units_.pop_front();
            tx.push = kTcpPsh;  // ends a record / stream send
        } else {
            tx.push = 0;
        }
    }
    unsent_bytes_ -= len;
    txq_.push_back(tx);
    snd_max_ += len;
    snd_nxt_ = snd_max_;
    ++stats_.data_segments_sent;
    emit_tx(now, txq_.back(), out);
    return true;
}

void TcpConnection::update_persist(uint64_t now) {
    // Armed while data waits, nothing is outstanding and the peer's window holds it back.
    const bool blocked = !units_.empty() && can_send_data() && snd_una_ == snd_max_ &&
                         snd_wnd_ < std::min(units_.front().length - units_.front().built, emss_);
    if (!blocked) {
        persist_deadline_ = kTcpNoTimer;
        persist_backoff_ = 0;
        probe_pending_ = false;
    } else if (persist_deadline_ == kTcpNoTimer) {
        persist_deadline_ = now + rtt_.rto_ps();
    }
}

bool TcpConnection::poll_segment(uint64_t now, TcpSegment& out) {
    out.retransmission = false;
    out.records = 0;
    // RSTs first: they do not depend on the connection's sequence state.
    if (control_count_ > 0) {
        const Control c = controls_[0];
        for (size_t i = 1; i < control_count_; ++i) controls_[i - 1] = controls_[i];
        --control_count_;
        out.payload.clear();
        TcpHeader& h = out.header;
        h = TcpHeader{};
        h.src_port = local_port_;
        h.dst_port = remote_port_;
        h.seq = c.seq;
        h.ack = c.ack;
        h.flags = c.flags;
        h.window = 0;
        ++stats_.segments_sent;
        ++stats_.resets_sent;
        return true;
    }
    if (state_ == TcpState::Closed || state_ == TcpState::Listen) return false;

    if (state_ != TcpState::TimeWait) {
        // Fast retransmit / NewReno partial ACK: the first unacknowledged segment, as built.
        if (fast_rexmit_pending_) {
            fast_rexmit_pending_ = false;
            if (!txq_.empty()) {
                emit_tx(now, txq_.front(), out);
                return true;
            }
        }
        // Go-back-N after a timeout (and the first SYN): re-send built segments in order.
        if (seq_lt(snd_nxt_, snd_max_)) {
            const size_t i = find_tx(snd_nxt_);
            if (i < txq_.size()) {
                TxSegment& tx = txq_[i];
                const bool first = seq_leq(tx.seq, snd_una_);  // always allowed: acts as a probe
                const bool control_only = tx.data_len == 0;
                if (first || control_only || tx.end() - snd_una_ <= send_limit()) {
                    snd_nxt_ = tx.end();
                    emit_tx(now, tx, out);
                    return true;
                }
            } else {
                snd_nxt_ = snd_max_;
            }
        } else if (build_new_segment(now, out)) {
            return true;
        } else if (close_requested_ && !fin_sent_ && units_.empty() &&
                   (state_ == TcpState::FinWait1 || state_ == TcpState::LastAck)) {
            fin_sent_ = true;
            fin_seq_ = snd_max_;
            txq_.push_back(TxSegment{snd_max_, 0, kTcpFin, 0, 0, 0});
            snd_max_ += 1;
            snd_nxt_ = snd_max_;
            emit_tx(now, txq_.back(), out);
            return true;
        }
        update_persist(now);
    }
    if (state_ == TcpState::SynSent) return false;  // nothing to acknowledge yet
    if (ack_now_) {
        out.payload.clear();
        fill_header(now, out, snd_max_, kTcpAck);
        return true;
    }
    if (probe_pending_) {
        // Window probe: an old sequence number makes the peer answer with its window
        // (RFC 9293 §3.8.6.1 allows a probe with or without data; no data keeps alignment).
        probe_pending_ = false;
        ++stats_.window_probes;
        out.payload.clear();
        fill_header(now, out, snd_una_ - 1, kTcpAck);
        return true;
    }
    return false;
}

}  // namespace nicsim::proto
