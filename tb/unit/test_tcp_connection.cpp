// The sans-I/O TCP engine end to end: two engines joined by the deterministic test channel
// (tcp_test_channel.h). Handshake options, byte-exact data both ways, FIN and RST, windows,
// delayed ACK, and the loss-recovery paths, with expectations computed by hand from the RFCs.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <set>

#include "random_bytes.h"
#include "tcp_test_channel.h"

using namespace nicsim::proto;
using nicsim::test::Fate;
using nicsim::test::TcpTestChannel;
using nicsim::test::WireSegment;

namespace {

constexpr uint64_t us = kPsPerUs;
constexpr uint64_t ms = kPsPerMs;
constexpr uint64_t sec = kPsPerSecond;

TcpConfig quick_config() {
    TcpConfig c;
    c.delayed_ack_segments = 1;  // ACK every segment unless a test wants otherwise
    c.time_wait_ps = 10 * ms;
    return c;
}

Bytes pattern(size_t n, uint32_t seed) { return nicsim::test::random_bytes(n, seed); }

// Opens A (active, port 40000, ISS a_iss) to B (passive, port 7174) and runs the handshake.
struct Pair {
    TcpConnection a;
    TcpConnection b;
    TcpTestChannel ch;
    Pair(const TcpConfig& ca, const TcpConfig& cb, TcpTestChannel::Link link = {}, uint32_t a_iss = 1000,
         uint32_t b_iss = 0x7FFFFF00u)
        : a(ca, 40000, 7174, a_iss), b(cb, 7174, 40000, b_iss), ch(a, b, link) {}
    bool connect() {
        b.open_passive();
        a.open_active(ch.now());
        return ch.run_until([&] { return a.state() == TcpState::Established && b.state() == TcpState::Established; },
                            ch.now() + 10 * sec);
    }
    bool transfer_done(size_t to_b, size_t to_a = 0) {
        return ch.received[1].size() == to_b && ch.received[0].size() == to_a && a.bytes_in_flight() == 0 &&
               b.bytes_in_flight() == 0 && a.unsent_bytes() == 0 && b.unsent_bytes() == 0;
    }
};

std::vector<WireSegment> data_from(const TcpTestChannel& ch, int from) { return ch.data_segments(from); }

}  // namespace

TEST_CASE("Handshake negotiates MSS, window scale and timestamps; no SACK offered", "[tcp][handshake]") {
    TcpConfig ca = quick_config();
    TcpConfig cb = quick_config();
    cb.mss = 1000;
    cb.window_scale_shift = 3;
    Pair p(ca, cb);
    REQUIRE(p.connect());
    REQUIRE(p.ch.log.size() == 3);
    const TcpHeader& syn = p.ch.log[0].header;
    const TcpHeader& synack = p.ch.log[1].header;
    const TcpHeader& ack = p.ch.log[2].header;
    CHECK(syn.flags == kTcpSyn);
    CHECK(syn.seq == 1000);
    CHECK(syn.options.mss == uint16_t(1460));
    CHECK(syn.options.window_scale == uint8_t(7));
    REQUIRE(syn.options.timestamps);
    CHECK(syn.options.timestamps->echo_reply == 0);
    CHECK_FALSE(syn.options.sack_permitted);
    CHECK(syn.window == 65535);  // never scaled in a SYN
    CHECK(synack.flags == (kTcpSyn | kTcpAck));
    CHECK(synack.seq == 0x7FFFFF00u);
    CHECK(synack.ack == 1001);
    CHECK(synack.options.mss == uint16_t(1000));
    CHECK(synack.options.window_scale == uint8_t(3));
    REQUIRE(synack.options.timestamps);
    CHECK(synack.options.timestamps->echo_reply == syn.options.timestamps->value);
    CHECK_FALSE(synack.options.sack_permitted);
    CHECK(ack.flags == kTcpAck);
    CHECK(ack.ack == 0x7FFFFF01u);
    CHECK(ack.seq == 1001);
    CHECK(ack.window == (256 * 1024) >> 7);  // A's whole buffer in units of 2^7
    // EMSS = min(peer MSS, own MSS) - 12 bytes of timestamps option.
    CHECK(p.a.emss() == 1000 - 12);
    CHECK(p.b.emss() == 1000 - 12);
    CHECK(p.a.timestamps_enabled());
    CHECK(p.a.send_window_shift() == 3);
    CHECK(p.b.send_window_shift() == 7);
    CHECK(p.ch.count_events(0, TcpEventKind::Established) == 1);
    CHECK(p.ch.count_events(1, TcpEventKind::Established) == 1);
    CHECK(p.a.snd_wnd() == uint32_t(synack.window));
    CHECK(p.b.snd_wnd() == uint32_t(ack.window) << 7);
}

TEST_CASE("Options the peer does not offer are not used", "[tcp][handshake]") {
    TcpConfig ca = quick_config();
    ca.timestamps = false;
    ca.window_scaling = false;
    Pair p(ca, quick_config());
    REQUIRE(p.connect());
    const TcpHeader& synack = p.ch.log[1].header;
    CHECK_FALSE(synack.options.timestamps);
    CHECK_FALSE(synack.options.window_scale);
    CHECK(p.a.emss() == 1460);
    CHECK(p.b.emss() == 1460);
    CHECK_FALSE(p.b.timestamps_enabled());
    CHECK(p.b.receive_window_shift() == 0);
    // Without scaling the 256 KiB buffer is advertised as 65535.
    CHECK(p.ch.log[2].header.window == 65535);
}

TEST_CASE("Data both ways arrives byte-exact, then FIN closes both directions", "[tcp][data][fin]") {
    Pair p(quick_config(), quick_config());
    REQUIRE(p.connect());
    const Bytes to_b = pattern(100'000, 1);
    const Bytes to_a = pattern(33'333, 2);
    for (size_t off = 0; off < to_b.size(); off += 1400)
        REQUIRE(p.a.send_record(ByteView(to_b).sub(off, 1400)));
    REQUIRE(p.b.send_stream(to_a));
    REQUIRE(p.ch.run_until([&] { return p.transfer_done(to_b.size(), to_a.size()); }, p.ch.now() + sec));
    CHECK(p.ch.received[1] == to_b);
    CHECK(p.ch.received[0] == to_a);
    CHECK(p.a.next_send_offset() == to_b.size());
    CHECK(p.a.acked_offset() == to_b.size());
    CHECK(p.b.receive_offset() == to_b.size());
    CHECK(p.ch.count_events(0, TcpEventKind::Acked) > 0);
    uint64_t last_acked = 0, acked_sum = 0;
    for (const auto& e : p.ch.events[0])
        if (e.kind == TcpEventKind::Acked) {
            last_acked = e.offset;
            acked_sum += e.length;
        }
    CHECK(last_acked == to_b.size());
    CHECK(acked_sum == to_b.size());
    CHECK(p.a.stats().retransmitted_segments == 0);
    CHECK(p.b.stats().retransmitted_segments == 0);

    p.a.close(p.ch.now());
    CHECK(p.a.state() == TcpState::FinWait1);
    CHECK_FALSE(p.a.send_record(to_b));  // no sends after close
    REQUIRE(p.ch.run_until([&] { return p.b.state() == TcpState::CloseWait && p.a.state() == TcpState::FinWait2; },
                           p.ch.now() + sec));
    CHECK(p.a.state() == TcpState::FinWait2);
    CHECK(p.ch.count_events(1, TcpEventKind::PeerClosed) == 1);
    // B can still send after A's FIN (half close).
    const Bytes tail = pattern(5000, 3);
    REQUIRE(p.b.send_record(tail));
    p.b.close(p.ch.now());
    CHECK(p.b.state() == TcpState::LastAck);
    REQUIRE(p.ch.run_until([&] { return p.b.state() == TcpState::Closed; }, p.ch.now() + sec));
    CHECK(p.a.state() == TcpState::TimeWait);
    CHECK(p.ch.count_events(1, TcpEventKind::Closed) == 1);
    CHECK(p.ch.count_events(0, TcpEventKind::PeerClosed) == 1);
    // TIME-WAIT lasts the configured 2*MSL, then A is closed too.
    const uint64_t tw_start = p.ch.now();
    REQUIRE(p.ch.run_until([&] { return p.a.state() == TcpState::Closed; }, p.ch.now() + sec));
    CHECK(p.ch.now() - tw_start <= 10 * ms);
    CHECK(p.ch.count_events(0, TcpEventKind::Closed) == 1);
    CHECK(Bytes(p.ch.received[0].end() - 5000, p.ch.received[0].end()) == tail);
    // The FINs: each side sent exactly one, at the end of its data.
    int fins[2] = {0, 0};
    for (const auto& s : p.ch.log)
        if (s.header.has(kTcpFin)) ++fins[s.from];
    CHECK(fins[0] == 1);
    CHECK(fins[1] == 1);
}

TEST_CASE("RST: refused connection, abort, challenge ACK, out-of-window RST ignored", "[tcp][rst]") {
    SECTION("SYN to a closed endpoint is answered with RST+ACK and A reports Reset") {
        Pair p(quick_config(), quick_config());
        p.a.open_active(0);  // B never listens
        REQUIRE(p.ch.run_until([&] { return p.a.state() == TcpState::Closed; }, sec));
        REQUIRE(p.ch.log.size() == 2);
        const TcpHeader& rst = p.ch.log[1].header;
        CHECK(rst.flags == (kTcpRst | kTcpAck));
        CHECK(rst.seq == 0);
        CHECK(rst.ack == 1001);
        CHECK(p.ch.count_events(0, TcpEventKind::Reset) == 1);
    }
    SECTION("abort sends an RST the peer accepts") {
        Pair p(quick_config(), quick_config());
        REQUIRE(p.connect());
        p.a.abort(p.ch.now());
        REQUIRE(p.ch.run_until([&] { return p.b.state() == TcpState::Closed; }, p.ch.now() + sec));
        const TcpHeader& rst = p.ch.log.back().header;
        CHECK(rst.has(kTcpRst));
        CHECK(rst.seq == 1001);
        CHECK(p.ch.count_events(1, TcpEventKind::Reset) == 1);
        CHECK(p.a.state() == TcpState::Closed);
    }
    SECTION("in-window RST not at RCV.NXT gets a challenge ACK (RFC 5961); outside is ignored") {
        Pair p(quick_config(), quick_config());
        REQUIRE(p.connect());
        const size_t before = p.ch.log.size();
        TcpHeader r;
        r.src_port = 40000;
        r.dst_port = 7174;
        r.flags = kTcpRst;
        r.seq = p.b.rcv_nxt() + 100;
        p.b.on_segment(p.ch.now(), r, ByteView());
        p.ch.pump();
        CHECK(p.b.state() == TcpState::Established);
        REQUIRE(p.ch.log.size() == before + 1);
        CHECK(p.ch.log.back().header.flags == kTcpAck);
        CHECK(p.ch.log.back().header.ack == p.b.rcv_nxt());
        CHECK(p.b.stats().challenge_acks == 1);
        r.seq = p.b.rcv_nxt() + 0x40000000u;  // far outside the window: dropped
        p.b.on_segment(p.ch.now(), r, ByteView());
        p.ch.pump();
        CHECK(p.b.state() == TcpState::Established);
        CHECK(p.ch.log.size() == before + 1);  // no reply to an RST
        r.seq = p.b.rcv_nxt();  // exact: reset
        p.b.on_segment(p.ch.now(), r, ByteView());
        CHECK(p.b.state() == TcpState::Closed);
    }
    SECTION("tcp_reset_for_unmatched follows RFC 9293 §3.10.7.1") {
        TcpHeader in;
        in.src_port = 1;
        in.dst_port = 2;
        in.seq = 500;
        in.ack = 900;
        in.flags = kTcpAck | kTcpPsh;
        auto r = tcp_reset_for_unmatched(in, 10);
        REQUIRE(r);
        CHECK(r->flags == kTcpRst);
        CHECK(r->seq == 900);
        CHECK(r->src_port == 2);
        CHECK(r->dst_port == 1);
        in.flags = kTcpSyn | kTcpFin;
        r = tcp_reset_for_unmatched(in, 10);
        REQUIRE(r);
        CHECK(r->flags == (kTcpRst | kTcpAck));
        CHECK(r->seq == 0);
        CHECK(r->ack == 500 + 10 + 2);
        in.flags = kTcpRst;
        CHECK_FALSE(tcp_reset_for_unmatched(in, 0));
    }
}

TEST_CASE("SYN loss: retransmitted with backoff, RTO 3 s once established (RFC 6298 §5.7)", "[tcp][handshake][rto]") {
    TcpConfig c = quick_config();
    Pair p(c, c);
    int syns = 0;
    p.ch.fate = [&](const WireSegment& s) {
        if (s.header.flags == kTcpSyn && syns++ < 2) return Fate{Fate::Drop};
        return Fate{};
    };
    REQUIRE(p.connect());
    // SYN at 0, again at 1 s (initial RTO), again at 1 + 2 s.
    std::vector<uint64_t> syn_times;
    for (const auto& s : p.ch.log)
        if (s.header.flags == kTcpSyn) syn_times.push_back(s.time_ps);
    REQUIRE(syn_times.size() == 3);
    CHECK(syn_times[1] == 1 * sec);
    CHECK(syn_times[2] == 3 * sec);
    CHECK(p.a.rto_ps() == 3 * sec);
    CHECK(p.a.stats().retransmitted_segments == 2);
}

TEST_CASE("RTO follows the RTT samples of the connection (Karn, RFC 6298)", "[tcp][rto]") {
    TcpConfig c = quick_config();
    c.min_rto_ps = 1 * us;
    c.clock_granularity_ps = 1 * us;
    TcpTestChannel::Link link;
    link.delay_ps = 50 * us;
    link.bits_per_second = 0;  // RTT = 100 us exactly
    Pair p(c, c, link);
    REQUIRE(p.connect());
    // SYN RTT = 100 us: SRTT 100, RTTVAR 50, RTO 300 us.
    CHECK(p.a.rtt().srtt_ps() == 100 * us);
    CHECK(p.a.rto_ps() == 300 * us);
    // One record, acked after 100 us: RTTVAR = 3/4*50 = 37.5, RTO = 100 + 150 = 250 us.
    REQUIRE(p.a.send_record(pattern(1000, 1)));
    REQUIRE(p.ch.run_until([&] { return p.transfer_done(1000); }, p.ch.now() + sec));
    CHECK(p.a.stats().rtt_samples == 2);
    CHECK(p.a.rtt().rttvar_ps() == 37'500'000ull);
    CHECK(p.a.rto_ps() == 250 * us);
}

TEST_CASE("Slow start and congestion avoidance: cwnd per ACK matches RFC 5681", "[tcp][cc]") {
    TcpConfig c = quick_config();
    c.initial_cwnd_segments = 2;
    TcpTestChannel::Link link;
    link.bits_per_second = 0;
    Pair p(c, c, link);
    REQUIRE(p.connect());
    const uint32_t smss = p.a.emss();
    REQUIRE(smss == 1448);
    // ssthresh is fixed by configuration at connection start: 8 segments.
    TcpConfig c8 = c;
    c8.initial_ssthresh = 8 * smss;
    Pair q(c8, c, link);
    REQUIRE(q.connect());
    REQUIRE(q.a.cwnd() == 2 * smss);
    std::vector<uint32_t> cwnd_after_ack;
    uint32_t last_una = q.a.snd_una();
    q.ch.after_delivery = [&](int to, const TcpHeader&) {
        if (to == 0 && q.a.snd_una() != last_una) {
            last_una = q.a.snd_una();
            cwnd_after_ack.push_back(q.a.cwnd());
        }
    };
    const Bytes data = pattern(30 * smss, 9);
    for (int i = 0; i < 30; ++i) REQUIRE(q.a.send_record(ByteView(data).sub(i * smss, smss)));
    REQUIRE(q.ch.run_until([&] { return q.transfer_done(data.size()); }, q.ch.now() + sec));
    CHECK(q.ch.received[1] == data);
    // Every ACK acks one full segment. Slow start: 2+k segments after k ACKs up to 8;
    // then one SMSS per cwnd of acked bytes: 8 more ACKs -> 9, 9 more -> 10.
    std::vector<uint32_t> expect;
    for (int k = 1; k <= 6; ++k) expect.push_back((2 + k) * smss);   // ACKs 1..6: 3..8
    for (int k = 7; k <= 13; ++k) expect.push_back(8 * smss);        // 7 ACKs counted
    expect.push_back(9 * smss);                                       // ACK 14: 8*SMSS counted
    for (int k = 15; k <= 22; ++k) expect.push_back(9 * smss);
    expect.push_back(10 * smss);                                      // ACK 23
    for (int k = 24; k <= 30; ++k) expect.push_back(10 * smss);
    CHECK(cwnd_after_ack == expect);
}

TEST_CASE("NewReno: one lost segment -> fast retransmit after 3 dupacks, cwnd per RFC 6582", "[tcp][newreno]") {
    TcpConfig c = quick_config();
    TcpTestChannel::Link link;
    link.bits_per_second = 0;  // whole flights arrive together: the ACK clock is hand-traceable
    Pair p(c, c, link);
    REQUIRE(p.connect());
    const uint32_t smss = p.a.emss();
    const Bytes data = pattern(20 * smss, 4);
    for (int i = 0; i < 20; ++i) REQUIRE(p.a.send_record(ByteView(data).sub(i * smss, smss)));
    uint32_t lost_seq = 0;
    p.ch.fate = [&](const WireSegment& s) {
        if (s.from == 0 && !s.payload.empty() && !s.retransmission && s.header.seq == p.a.iss() + 1 + 2 * smss) {
            lost_seq = s.header.seq;
            return Fate{Fate::Drop};  // the third data segment
        }
        return Fate{};
    };
    uint32_t entry_ssthresh = 0, entry_cwnd = 0, max_cwnd_in_recovery = 0, cwnd_after_recovery = 0;
    bool was_in_recovery = false;
    int dupacks_seen = 0, dupacks_at_rexmit = -1;
    bool first_ack_at_hole = false;
    p.ch.tap = [&](const WireSegment& s) {
        if (s.from == 0 && s.retransmission && dupacks_at_rexmit < 0) dupacks_at_rexmit = dupacks_seen;
    };
    p.ch.after_delivery = [&](int to, const TcpHeader& h) {
        if (to != 0) return;
        // ACKs stuck at the hole: the first (for segment 2) is new, the rest are duplicates.
        if (lost_seq && h.ack == lost_seq) {
            if (first_ack_at_hole)
                ++dupacks_seen;
            first_ack_at_hole = true;
        }
        if (p.a.in_fast_recovery()) {
            if (!was_in_recovery) {
                entry_ssthresh = p.a.ssthresh();
                entry_cwnd = p.a.cwnd();
            }
            max_cwnd_in_recovery = std::max(max_cwnd_in_recovery, p.a.cwnd());
        } else if (was_in_recovery) {
            cwnd_after_recovery = p.a.cwnd();
        }
        was_in_recovery = p.a.in_fast_recovery();
    };
    REQUIRE(p.ch.run_until([&] { return p.transfer_done(data.size()); }, p.ch.now() + 10 * sec));
    CHECK(p.ch.received[1] == data);
    CHECK(p.a.stats().fast_retransmits == 1);
    CHECK(p.a.stats().timeouts == 0);
    CHECK(p.a.stats().retransmitted_segments == 1);
    // Trace by hand (IW 10, ACK per segment): ACKs of segments 1 and 2 grow cwnd to 12 and
    // release segments 11-14; dupacks from 4, 5, 6 find 12 segments (3..14) outstanding:
    // ssthresh = 12*SMSS/2 = 6 SMSS, cwnd = 6+3 = 9 SMSS. Dupacks from 7..14 inflate to 17 SMSS.
    // The retransmission fills the hole: ACK up to 14 = recover, a full ACK with segments
    // 15..19 (5 SMSS) outstanding: cwnd = min(6, 5+1) SMSS = 6 SMSS.
    CHECK(dupacks_at_rexmit == 3);  // sent right after the third duplicate ACK
    CHECK(entry_ssthresh == 6 * smss);
    CHECK(entry_cwnd == 9 * smss);
    CHECK(max_cwnd_in_recovery == 17 * smss);
    CHECK(cwnd_after_recovery == 6 * smss);
    // The retransmission has the original boundaries.
    const auto segs = data_from(p.ch, 0);
    int rexmits = 0;
    for (const auto& s : segs)
        if (s.retransmission) {
            ++rexmits;
            CHECK(s.header.seq == lost_seq);
            CHECK(s.payload.size() == smss);
        }
    CHECK(rexmits == 1);
}

TEST_CASE("NewReno: the retransmission is lost too -> RTO recovers (go-back-N, same boundaries)", "[tcp][newreno][rto]") {
    TcpConfig c = quick_config();
    TcpTestChannel::Link link;
    link.bits_per_second = 0;
    Pair p(c, c, link);
    REQUIRE(p.connect());
    const uint32_t smss = p.a.emss();
    const Bytes data = pattern(20 * smss, 5);
    for (int i = 0; i < 20; ++i) REQUIRE(p.a.send_record(ByteView(data).sub(i * smss, smss)));
    const uint32_t lost = p.a.iss() + 1 + 2 * smss;
    int drops = 0;
    p.ch.fate = [&](const WireSegment& s) {
        if (s.from == 0 && s.header.seq == lost && !s.payload.empty() && drops < 2) {
            ++drops;
            return Fate{Fate::Drop};
        }
        return Fate{};
    };
    uint32_t ssthresh_at_rto = 0, cwnd_at_rto = 0, flight_at_rto = 0;
    uint64_t rto_time = 0, last_new_ack_time = 0;
    uint32_t last_una = p.a.snd_una();
    p.ch.after_delivery = [&](int to, const TcpHeader&) {
        if (to == 0 && p.a.snd_una() != last_una) {
            last_una = p.a.snd_una();
            if (p.a.stats().timeouts == 0) last_new_ack_time = p.ch.now();
        }
    };
    p.ch.tap = [&](const WireSegment& s) {
        if (s.from == 0 && s.retransmission && p.a.stats().timeouts == 1 && rto_time == 0) {
            rto_time = s.time_ps;
            ssthresh_at_rto = p.a.ssthresh();
            cwnd_at_rto = p.a.cwnd();
            flight_at_rto = p.a.bytes_in_flight();
        }
    };
    const uint64_t rto_before = p.a.rto_ps();
    REQUIRE(p.ch.run_until([&] { return p.transfer_done(data.size()); }, p.ch.now() + 10 * sec));
    CHECK(p.ch.received[1] == data);
    CHECK(p.a.stats().fast_retransmits == 1);
    CHECK(p.a.stats().timeouts == 1);
    // The timer was last restarted by the ACK of segment 2 (no partial ACK came).
    CHECK(rto_time == last_new_ack_time + rto_before);
    // All 20 segments were out when the timer fired (cwnd inflated to 22 during recovery):
    // FlightSize = 18 segments -> ssthresh 9 SMSS; cwnd = loss window = 1 SMSS.
    CHECK(flight_at_rto == 18 * smss);
    CHECK(ssthresh_at_rto == 9 * smss);
    CHECK(cwnd_at_rto == smss);
    // Exactly the lost segment was sent three times; B had everything else.
    int sends = 0;
    for (const auto& s : data_from(p.ch, 0))
        if (s.header.seq == lost) {
            ++sends;
            CHECK(s.payload.size() == smss);
        }
    CHECK(sends == 3);
    CHECK(p.a.stats().retransmitted_segments == 2);
    // Karn: the retransmitted segment gave no sample, so the backed-off RTO stays.
    CHECK(p.a.rto_ps() == 2 * rto_before);
}

TEST_CASE("Lost ACKs: cumulative ACKs cover a lost one; a lost final ACK costs one RTO", "[tcp][ack]") {
    TcpConfig c = quick_config();
    SECTION("a lost ACK in the middle: no retransmission") {
        Pair p(c, c);
        REQUIRE(p.connect());
        const Bytes data = pattern(20 * 1448, 6);
        for (int i = 0; i < 20; ++i) REQUIRE(p.a.send_record(ByteView(data).sub(i * 1448, 1448)));
        int acks = 0;
        p.ch.fate = [&](const WireSegment& s) {
            if (s.from == 1 && s.payload.empty() && ++acks == 5) return Fate{Fate::Drop};
            return Fate{};
        };
        REQUIRE(p.ch.run_until([&] { return p.transfer_done(data.size()); }, p.ch.now() + 10 * sec));
        CHECK(p.ch.received[1] == data);
        CHECK(p.a.stats().retransmitted_segments == 0);
        CHECK(p.a.stats().timeouts == 0);
    }
    SECTION("the last ACK lost: one timeout retransmission, which B acks as a duplicate") {
        Pair p(c, c);
        REQUIRE(p.connect());
        const Bytes data = pattern(3 * 1448, 7);
        for (int i = 0; i < 3; ++i) REQUIRE(p.a.send_record(ByteView(data).sub(i * 1448, 1448)));
        const uint32_t final_ack = p.a.iss() + 1 + uint32_t(data.size());
        bool dropped = false;
        p.ch.fate = [&](const WireSegment& s) {
            if (s.from == 1 && s.header.ack == final_ack && !dropped) {
                dropped = true;
                return Fate{Fate::Drop};
            }
            return Fate{};
        };
        REQUIRE(p.ch.run_until([&] { return p.transfer_done(data.size()); }, p.ch.now() + 10 * sec));
        CHECK(p.ch.received[1] == data);
        CHECK(p.a.stats().timeouts == 1);
        CHECK(p.a.stats().retransmitted_segments == 1);
        CHECK(p.b.stats().duplicate_segments == 1);
        const auto segs = data_from(p.ch, 0);
        REQUIRE(segs.size() == 4);
        CHECK(segs.back().retransmission);
        CHECK(segs.back().header.seq == p.a.iss() + 1 + 2 * 1448);
    }
}

TEST_CASE("Handshake survives a lost SYN-ACK and a lost third ACK", "[tcp][handshake]") {
    TcpConfig c = quick_config();
    Pair p(c, c);
    int synacks = 0, acks = 0;
    p.ch.fate = [&](const WireSegment& s) {
        if (s.header.flags == (kTcpSyn | kTcpAck) && synacks++ == 0) return Fate{Fate::Drop};
        if (s.from == 0 && s.header.flags == kTcpAck && s.payload.empty() && acks++ == 0) return Fate{Fate::Drop};
        return Fate{};
    };
    p.b.open_passive();
    p.a.open_active(0);
    REQUIRE(p.ch.run_until([&] { return p.a.state() == TcpState::Established; }, 10 * sec));
    // A's SYN was re-sent after 1 s; B, in SYN-RECEIVED, answered the duplicate SYN with a
    // new SYN-ACK. A's ACK is lost, so B only gets established by A's first data segment.
    CHECK(p.b.state() == TcpState::SynReceived);
    const Bytes data = pattern(3000, 8);
    REQUIRE(p.a.send_record(data));
    REQUIRE(p.ch.run_until([&] { return p.ch.received[1].size() == data.size() && p.a.bytes_in_flight() == 0; },
                           p.ch.now() + 10 * sec));
    CHECK(p.ch.received[1] == data);
    CHECK(p.b.state() == TcpState::Established);
    CHECK(p.ch.count_events(1, TcpEventKind::Established) == 1);
    CHECK(synacks >= 2);
}

TEST_CASE("A vanished peer: RTO backs off 0.2, 0.4, 0.8, 1.6 s, then the connection times out", "[tcp][rto]") {
    TcpConfig c = quick_config();
    c.max_retransmissions = 3;
    TcpTestChannel::Link link;
    link.bits_per_second = 0;
    Pair p(c, c, link);
    REQUIRE(p.connect());
    REQUIRE(p.a.rto_ps() == 200 * ms);  // tiny RTT: the 200 ms minimum applies
    bool gone = false;
    p.ch.fate = [&](const WireSegment&) { return gone ? Fate{Fate::Drop} : Fate{}; };
    gone = true;
    const uint64_t t0 = p.ch.now();
    REQUIRE(p.a.send_record(pattern(1000, 9)));
    REQUIRE(p.ch.run_until([&] { return p.a.state() == TcpState::Closed; }, t0 + 60 * sec));
    std::vector<uint64_t> sends;
    for (const auto& s : data_from(p.ch, 0)) sends.push_back(s.time_ps - t0);
    CHECK(sends == std::vector<uint64_t>{0, 200 * ms, 600 * ms, 1400 * ms});
    CHECK(p.ch.now() - t0 == 3000 * ms);  // the 4th expiry gives up
    CHECK(p.ch.count_events(0, TcpEventKind::TimedOut) == 1);
    CHECK(p.ch.log.back().header.has(kTcpRst));
    CHECK(p.a.stats().timeouts == 3);
}
