// Hostile input for the TCP engine: targeted RFC 9293 / RFC 5961 cases with exact answers
// (SYN in ESTABLISHED, ACK of unsent data, old ACKs, out-of-window data), then random
// headers and decoded garbage bytes thrown at endpoints in every state. Nothing may crash,
// and the engine's invariants must hold afterwards.
#include <catch2/catch.hpp>

#include <random>

#include "tcp_test_channel.h"

using namespace nicsim::proto;
using nicsim::test::TcpTestChannel;

namespace {

constexpr uint64_t sec = kPsPerSecond;

struct Pair {
    TcpConnection a;
    TcpConnection b;
    TcpTestChannel ch;
    explicit Pair(const TcpConfig& c = TcpConfig{}) : a(c, 40000, 7174, 5000), b(c, 7174, 40000, 9000), ch(a, b) {}
    bool connect() {
        b.open_passive();
        a.open_active(ch.now());
        return ch.run_until([&] { return a.state() == TcpState::Established && b.state() == TcpState::Established; },
                            ch.now() + 10 * sec);
    }
};

TcpHeader from_a(const TcpConnection& b, uint8_t flags, uint32_t seq, uint32_t ack) {
    TcpHeader h;
    h.src_port = 40000;
    h.dst_port = 7174;
    h.flags = flags;
    h.seq = seq;
    h.ack = ack;
    h.window = 1000;
    (void)b;
    return h;
}

// Feeds one segment to B and returns what B sent in reply.
std::vector<nicsim::test::WireSegment> feed_b(Pair& p, const TcpHeader& h, ByteView payload = {}) {
    const size_t before = p.ch.log.size();
    p.b.on_segment(p.ch.now(), h, payload);
    p.ch.pump();
    return std::vector<nicsim::test::WireSegment>(p.ch.log.begin() + ptrdiff_t(before), p.ch.log.end());
}

void check_invariants(const TcpConnection& c) {
    // SND.UNA <= SND.NXT <= SND.MAX in sequence space; flight bounded.
    CHECK(int32_t(c.snd_nxt() - c.snd_una()) >= 0);
    CHECK(int32_t(c.snd_max() - c.snd_nxt()) >= 0);
    CHECK(c.bytes_in_flight() < (1u << 30));
}

}  // namespace

TEST_CASE("Hostile: SYN in ESTABLISHED, unsent ACK, old ACK, out-of-window data", "[tcp][hostile]") {
    Pair p;
    REQUIRE(p.connect());
    p.ch.auto_consume[1] = false;
    const uint32_t rn = p.b.rcv_nxt();
    const uint32_t su = p.b.snd_una();

    // SYN in a synchronized state: challenge ACK, connection unchanged (RFC 5961 §4).
    auto out = feed_b(p, from_a(p.b, kTcpSyn, rn + 7, 0));
    REQUIRE(out.size() == 1);
    CHECK(out[0].header.flags == kTcpAck);
    CHECK(out[0].header.ack == rn);
    CHECK(p.b.state() == TcpState::Established);

    // ACK for data never sent: ACK back and drop (RFC 9293 §3.10.7.4).
    const Bytes junk(100, 0xAB);
    out = feed_b(p, from_a(p.b, kTcpAck, rn, su + 5000), junk);
    REQUIRE(out.size() == 1);
    CHECK(out[0].header.ack == rn);  // the data was not taken
    CHECK(p.b.readable().size == 0);
    CHECK(p.b.snd_una() == su);

    // Data far beyond the window: unacceptable, ACK sent, nothing queued.
    out = feed_b(p, from_a(p.b, kTcpAck, rn + 0x10000000u, su), junk);
    REQUIRE(out.size() == 1);
    CHECK(p.b.reassembly().empty());
    CHECK(p.b.stats().unacceptable_segments == 1);

    // An ACK too old (below SND.UNA - MAX.SND.WND): challenge ACK, dropped (RFC 5961 §5).
    out = feed_b(p, from_a(p.b, kTcpAck, rn, su - 0x20000000u), junk);
    REQUIRE(out.size() == 1);
    CHECK(p.b.readable().size == 0);

    // A segment without ACK in ESTABLISHED is dropped silently.
    out = feed_b(p, from_a(p.b, 0, rn, 0), junk);
    CHECK(out.empty());
    CHECK(p.b.readable().size == 0);

    // Data overlapping RCV.NXT from below is trimmed, the new part delivered.
    out = feed_b(p, from_a(p.b, kTcpAck, rn - 50, su), junk);
    CHECK(p.b.readable().size == 50);

    // A stray ACK to a LISTEN endpoint gets RST seq=SEG.ACK (RFC 9293 §3.10.7.2).
    TcpConnection l(TcpConfig{}, 7174, 40000, 1);
    l.open_passive();
    l.on_segment(0, from_a(l, kTcpAck, 1, 777), ByteView());
    TcpSegment seg;
    REQUIRE(l.poll_segment(0, seg));
    CHECK(seg.header.flags == kTcpRst);
    CHECK(seg.header.seq == 777);
    CHECK(l.state() == TcpState::Listen);

    // The connection still works: a transfer after all this completes.
    const Bytes data(5000, 0x5A);
    REQUIRE(p.a.send_record(ByteView(data).sub(0, 1000)));
    REQUIRE(p.a.send_stream(ByteView(data).sub(1000)));
    REQUIRE(p.ch.run_until([&] { return p.a.bytes_in_flight() == 0 && p.a.unsent_bytes() == 0; }, p.ch.now() + sec));
    const Bytes got(p.b.readable().data + 50, p.b.readable().data + p.b.readable().size);
    // The 50 bytes injected at RCV.NXT took that sequence space (in-window data is accepted,
    // as in any TCP), so B trims A's first 50 bytes as already received.
    CHECK(got == Bytes(data.begin() + 50, data.end()));
}

TEST_CASE("Hostile: a sender ignoring the window cannot overrun the receive buffer", "[tcp][hostile][window]") {
    TcpConfig c;
    c.receive_buffer = 8000;  // with window scale 7: the advertised window is rounded down
    Pair p(c);
    REQUIRE(p.connect());
    p.ch.auto_consume[1] = false;
    const uint32_t rn = p.b.rcv_nxt();
    const Bytes chunk(1000, 0x11);
    // In order, then far ahead (out of order), all beyond the 8000 bytes B can hold.
    for (uint32_t i = 0; i < 20; ++i) feed_b(p, from_a(p.b, kTcpAck, rn + i * 1000, p.b.snd_una()), chunk);
    for (uint32_t i = 0; i < 20; ++i) feed_b(p, from_a(p.b, kTcpAck, rn + 9000 + i * 1000, p.b.snd_una()), chunk);
    CHECK(p.b.readable().size + p.b.reassembly().buffered_bytes() <= 8000);
    CHECK(p.b.readable().size == 8000);
    // The last ACK B sent advertises a zero window.
    CHECK(p.ch.log.back().from == 1);
    CHECK(p.ch.log.back().header.window == 0);
}

TEST_CASE("Hostile: random headers to endpoints in every state never crash", "[tcp][hostile][fuzz]") {
    std::mt19937 rng(12345);
    TcpSegment seg;
    Bytes payload(3000);
    for (auto& x : payload) x = uint8_t(rng());
    size_t segments_out = 0;
    for (int round = 0; round < 40; ++round) {
        TcpConfig c;
        c.window_scale_shift = uint8_t(rng() % 16);  // includes out-of-range shifts
        c.mss = uint16_t(rng() % 2000);
        c.receive_buffer = 1 + rng() % 100000;
        c.delayed_ack_segments = rng() % 3;
        Pair p(c);
        const int phase = round % 4;
        if (phase >= 1) {
            p.b.open_passive();
            p.a.open_active(0);
            p.ch.pump();
        }
        if (phase >= 2) p.connect();
        if (phase == 3) {
            p.a.send_record(ByteView(payload).sub(0, 1500));
            p.a.close(p.ch.now());
            p.ch.run_for(1000000);
        }
        uint64_t now = p.ch.now();
        for (int i = 0; i < 800; ++i) {
            TcpHeader h;
            h.src_port = uint16_t(rng());
            h.dst_port = uint16_t(rng());
            const uint32_t base = (rng() % 2) ? p.b.rcv_nxt() : uint32_t(rng());
            h.seq = base + uint32_t(int32_t(rng() % 200000) - 100000);
            h.ack = ((rng() % 2) ? p.b.snd_una() : uint32_t(rng())) + uint32_t(int32_t(rng() % 4000) - 2000);
            h.flags = uint8_t(rng());
            h.window = uint16_t(rng());
            if (rng() % 3 == 0) h.options.mss = uint16_t(rng());
            if (rng() % 3 == 0) h.options.window_scale = uint8_t(rng());
            if (rng() % 3 == 0) h.options.timestamps = TcpTimestamps{uint32_t(rng()), uint32_t(rng())};
            const size_t len = (rng() % 3 == 0) ? 0 : rng() % payload.size();
            TcpConnection& target = (rng() % 2) ? p.b : p.a;
            now += rng() % 1000000;
            target.on_segment(now, h, ByteView(payload).sub(0, len));
            if (rng() % 10 == 0 && target.next_timer() <= now + 2 * sec) target.on_timer(std::max(now, target.next_timer()));
            while (target.poll_segment(now, seg)) ++segments_out;
            TcpEvent ev;
            while (target.poll_event(ev)) {
            }
            if (rng() % 4 == 0) target.consume(rng() % 5000);
            check_invariants(target);
        }
    }
    CHECK(segments_out > 0);
}

TEST_CASE("Hostile: decoded garbage bytes fed as segments never crash", "[tcp][hostile][fuzz]") {
    std::mt19937 rng(777);
    Pair p;
    REQUIRE(p.connect());
    TcpSegment seg;
    uint64_t now = p.ch.now();
    for (int i = 0; i < 20000; ++i) {
        Bytes raw(rng() % 120);
        for (auto& x : raw) x = uint8_t(rng());
        TcpDecode d = decode_tcp(raw);
        if (d.status != TcpDecode::Status::Ok) continue;
        now += 1000;
        p.b.on_segment(now, d.header, d.payload);
        while (p.b.poll_segment(now, seg)) {
        }
        TcpEvent ev;
        while (p.b.poll_event(ev)) {
        }
        check_invariants(p.b);
    }
    CHECK(p.b.stats().segments_received > 1000);
}
