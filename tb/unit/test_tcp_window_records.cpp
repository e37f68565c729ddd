// Receive window and flow control (never beyond the advertised scaled window, window
// updates, zero-window probes), delayed ACK, out-of-order delivery, and the MPA-aware record
// alignment of segments, retransmissions included (RFC 5044 §5 / protocol.md §1.4).
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

bool seq_leq(uint32_t a, uint32_t b) { return int32_t(a - b) <= 0; }

Bytes pattern(size_t n, uint32_t seed) { return nicsim::test::random_bytes(n, seed); }

struct Pair {
    TcpConnection a;
    TcpConnection b;
    TcpTestChannel ch;
    Pair(const TcpConfig& ca, const TcpConfig& cb, TcpTestChannel::Link link = {})
        : a(ca, 40000, 7174, 0xFFFFF000u), b(cb, 7174, 40000, 12345), ch(a, b, link) {}
    bool connect() {
        b.open_passive();
        a.open_active(ch.now());
        return ch.run_until([&] { return a.state() == TcpState::Established && b.state() == TcpState::Established; },
                            ch.now() + 10 * sec);
    }
};

TcpConfig base() {
    TcpConfig c;
    c.delayed_ack_segments = 1;
    return c;
}

}  // namespace

TEST_CASE("Flow control: never beyond the scaled window; zero window, lost update, probe", "[tcp][window]") {
    TcpConfig cb = base();
    cb.receive_buffer = 16000;
    cb.window_scale_shift = 2;
    Pair p(base(), cb);
    p.ch.auto_consume[1] = false;
    // The right edge A has learnt from B's segments (wire values, scaled by hand).
    uint32_t edge = 0;
    bool have_edge = false;
    p.ch.after_delivery = [&](int to, const TcpHeader& h) {
        if (to != 0 || !h.has(kTcpAck)) return;
        const uint32_t e = h.ack + (h.has(kTcpSyn) ? uint32_t(h.window) : uint32_t(h.window) << 2);
        if (!have_edge || int32_t(e - edge) > 0) edge = e;
        have_edge = true;
    };
    int violations = 0;
    p.ch.tap = [&](const WireSegment& s) {
        if (s.from == 0 && !s.payload.empty() && !seq_leq(s.header.seq + uint32_t(s.payload.size()), edge))
            ++violations;
    };
    REQUIRE(p.connect());
    REQUIRE(p.a.send_window_shift() == 2);
    const Bytes data = pattern(40 * 1000, 11);
    for (int i = 0; i < 40; ++i) REQUIRE(p.a.send_record(ByteView(data).sub(i * 1000, 1000)));

    // Phase 1: B's application does not read. 16 records fill the 16000-byte buffer exactly,
    // B advertises a zero window and A stops with 24 records queued, probing the window.
    p.ch.run_for(1 * sec);
    CHECK(p.b.readable().size == 16000);
    CHECK(p.a.unsent_bytes() == 24000);
    CHECK(p.a.snd_wnd() == 0);
    CHECK(p.a.bytes_in_flight() == 0);
    const auto probes_phase1 = p.a.stats().window_probes;
    CHECK(probes_phase1 >= 1);
    // A's probe is answered by B with the (still zero) window.
    CHECK(p.b.stats().unacceptable_segments >= probes_phase1);

    // Phase 2: B reads everything; the window update it sends is lost, so only A's persist
    // timer can discover the open window.
    bool dropped_update = false;
    p.ch.fate = [&](const WireSegment& s) {
        if (s.from == 1 && s.payload.empty() && s.header.window > 0 && !dropped_update) {
            dropped_update = true;
            return Fate{Fate::Drop};
        }
        return Fate{};
    };
    p.ch.read_all(1);
    p.ch.auto_consume[1] = true;
    REQUIRE(p.ch.run_until([&] { return p.ch.received[1].size() == data.size() && p.a.bytes_in_flight() == 0; },
                           p.ch.now() + 30 * sec));
    CHECK(dropped_update);
    CHECK(p.a.stats().window_probes > probes_phase1);
    CHECK(p.ch.received[1] == data);
    CHECK(violations == 0);
    CHECK(p.a.stats().retransmitted_segments == 0);
}

TEST_CASE("Window updates unblock the sender without probes when not lost", "[tcp][window]") {
    TcpConfig cb = base();
    cb.receive_buffer = 8000;
    Pair p(base(), cb);
    REQUIRE(p.connect());
    p.ch.auto_consume[1] = false;
    const Bytes data = pattern(20 * 1000, 12);
    for (int i = 0; i < 20; ++i) REQUIRE(p.a.send_record(ByteView(data).sub(i * 1000, 1000)));
    p.ch.run_for(1 * ms);
    CHECK(p.b.readable().size == 8000);
    // Reading half the buffer (4000 >= min(buffer/2, 2*MSS)) triggers an update at once.
    const size_t before = p.ch.log.size();
    p.b.consume(4000);
    p.ch.pump();
    REQUIRE(p.ch.log.size() == before + 1);
    CHECK(p.ch.log.back().header.window > 0);
    p.ch.auto_consume[1] = true;
    p.ch.read_all(1);
    REQUIRE(p.ch.run_until([&] { return p.ch.received[1].size() == 16000 && p.a.bytes_in_flight() == 0; },
                           p.ch.now() + sec));
    CHECK(p.a.stats().window_probes == 0);
    Bytes expect(data.begin() + 4000, data.end());
    CHECK(p.ch.received[1] == expect);
}

TEST_CASE("Delayed ACK: every 2nd segment at once, a lone segment after the timer", "[tcp][delack]") {
    TcpConfig cb = base();
    cb.delayed_ack_segments = 2;
    cb.delayed_ack_timeout_ps = 40 * ms;
    TcpTestChannel::Link link;
    link.bits_per_second = 0;
    link.delay_ps = 10 * us;
    Pair p(base(), cb, link);
    REQUIRE(p.connect());
    const Bytes data = pattern(5000, 13);
    // Warm-up: B's first ACK after its SYN-ACK also opens its window beyond the 65535 bytes a
    // SYN can carry (a window update, sent at once); after that only delayed ACKs remain.
    REQUIRE(p.a.send_record(Bytes(100, 1)));
    REQUIRE(p.ch.run_until([&] { return p.a.bytes_in_flight() == 0; }, p.ch.now() + sec));
    p.ch.received[1].clear();
    // One record: B acknowledges it 40 ms after it arrives.
    const uint64_t t0 = p.ch.now();
    REQUIRE(p.a.send_record(ByteView(data).sub(0, 1000)));
    REQUIRE(p.ch.run_until([&] { return p.a.bytes_in_flight() == 0; }, t0 + sec));
    const WireSegment& ack1 = p.ch.log.back();
    CHECK(ack1.from == 1);
    CHECK(ack1.time_ps == t0 + 10 * us + 40 * ms);
    // Four records in one burst: ACKs for the 2nd and 4th only, without delay.
    const size_t before = p.ch.log.size();
    const uint64_t t1 = p.ch.now();
    for (int i = 1; i <= 4; ++i) REQUIRE(p.a.send_record(ByteView(data).sub(i * 1000, 1000)));
    REQUIRE(p.ch.run_until([&] { return p.a.bytes_in_flight() == 0; }, t1 + sec));
    std::vector<WireSegment> acks;
    for (size_t i = before; i < p.ch.log.size(); ++i)
        if (p.ch.log[i].from == 1) acks.push_back(p.ch.log[i]);
    REQUIRE(acks.size() == 2);
    CHECK(acks[0].header.ack == p.a.iss() + 1 + 100 + 3000);
    CHECK(acks[1].header.ack == p.a.iss() + 1 + 100 + 5000);
    CHECK(acks[1].time_ps == t1 + 10 * us);
    CHECK(p.ch.received[1] == data);
}

TEST_CASE("Out-of-order segments are reported, queued and delivered in order", "[tcp][ooo]") {
    TcpTestChannel::Link link;
    link.bits_per_second = 0;
    Pair p(base(), base(), link);
    REQUIRE(p.connect());
    const Bytes data = pattern(4 * 1000, 14);
    for (int i = 0; i < 4; ++i) REQUIRE(p.a.send_record(ByteView(data).sub(i * 1000, 1000)));
    p.ch.fate = [&](const WireSegment& s) {
        // Record 2 (offset 1000) is overtaken by records 3 and 4.
        if (s.from == 0 && s.header.seq == p.a.iss() + 1 + 1000 && !s.retransmission)
            return Fate{Fate::Deliver, 50 * us};
        return Fate{};
    };
    size_t max_blocks = 0;
    p.ch.after_delivery = [&](int to, const TcpHeader&) {
        if (to == 1) max_blocks = std::max(max_blocks, p.b.reassembly().block_count());
    };
    REQUIRE(p.ch.run_until([&] { return p.ch.received[1].size() == data.size() && p.a.bytes_in_flight() == 0; },
                           p.ch.now() + sec));
    CHECK(p.ch.received[1] == data);
    CHECK(max_blocks == 1);  // records 3+4 merged into one block
    std::vector<TcpEvent> ooo;
    for (const auto& e : p.ch.events[1])
        if (e.kind == TcpEventKind::OutOfOrderData) ooo.push_back(e);
    REQUIRE(ooo.size() == 2);
    CHECK(ooo[0].offset == 2000);
    CHECK(ooo[0].length == 1000);
    CHECK(ooo[0].seq == p.a.iss() + 1 + 2000);
    CHECK(ooo[1].offset == 3000);
    // The in-order delivery after the hole fills covers records 2..4 in one event.
    const TcpEvent& last = [&]() -> const TcpEvent& {
        for (auto it = p.ch.events[1].rbegin(); it != p.ch.events[1].rend(); ++it)
            if (it->kind == TcpEventKind::DataReadable) return *it;
        return p.ch.events[1].front();
    }();
    CHECK(last.offset == 1000);
    CHECK(last.length == 3000);
    // Two dupacks were sent but not a fast retransmit (threshold 3); nothing was resent.
    CHECK(p.a.stats().retransmitted_segments == 0);
    CHECK(p.b.stats().out_of_order_segments == 2);
}

namespace {

// Checks every data segment A sent against the record layout: starts and ends on record
// (or big-record piece) boundaries, and retransmissions repeat the first transmission.
struct AlignmentCheck {
    std::set<uint64_t> starts, ends;
    std::map<uint64_t, uint64_t> piece_end;  // piece start -> piece end
    std::set<uint64_t> whole_record_starts;
    uint32_t emss = 0;
};

void run_alignment(TcpRecordPacking packing, uint32_t seed) {
    TcpConfig c = base();
    c.record_packing = packing;
    c.delayed_ack_segments = 2;
    c.delayed_ack_timeout_ps = 1 * ms;
    c.min_rto_ps = 5 * ms;
    Pair p(c, c);
    REQUIRE(p.connect());
    const uint32_t emss = p.a.emss();
    std::mt19937 rng(seed);
    // The MPA Request-like stream send first, then records of 4..4000 bytes (some > EMSS).
    AlignmentCheck chk;
    Bytes all;
    const Bytes req = pattern(24, seed);
    REQUIRE(p.a.send_stream(req) == uint64_t(0));
    all.insert(all.end(), req.begin(), req.end());
    chk.starts.insert(0);
    chk.ends.insert(24);
    chk.piece_end[0] = 24;
    uint64_t off = 24;
    for (int i = 0; i < 300; ++i) {
        const size_t len = (rng() % 8 == 0) ? 1449 + rng() % 2600 : 4 + 4 * (rng() % 200);
        const Bytes r = pattern(len, seed * 1000 + uint32_t(i));
        REQUIRE(p.a.send_record(r) == off);
        if (len <= emss) chk.whole_record_starts.insert(off);
        for (uint64_t s = off; s < off + len; s += emss) {
            chk.starts.insert(s);
            chk.piece_end[s] = std::min<uint64_t>(s + emss, off + len);
        }
        chk.ends.insert(off + len);
        all.insert(all.end(), r.begin(), r.end());
        off += len;
    }
    // 3% loss in both directions, 2% reordering, 1% duplication.
    p.ch.fate = [&](const WireSegment& s) {
        if (s.header.has(kTcpSyn) || s.header.has(kTcpFin)) return Fate{};
        const uint32_t x = rng() % 100;
        if (x < 3) return Fate{Fate::Drop};
        if (x < 5) return Fate{Fate::Deliver, 30 * us};
        if (x < 6) return Fate{Fate::Duplicate};
        return Fate{};
    };
    REQUIRE(p.ch.run_until([&] { return p.ch.received[1].size() == all.size() && p.a.bytes_in_flight() == 0; },
                           p.ch.now() + 120 * sec));
    CHECK(p.ch.received[1] == all);
    std::map<uint32_t, size_t> first_len;
    size_t checked = 0, rexmits = 0;
    for (const auto& s : p.ch.data_segments(0)) {
        const uint64_t so = uint32_t(s.header.seq - (p.a.iss() + 1));
        const uint64_t se = so + s.payload.size();
        INFO("segment at stream offset " << so << " length " << s.payload.size());
        CHECK(s.payload.size() <= emss);
        REQUIRE(chk.starts.count(so) == 1);
        if (packing == TcpRecordPacking::OnePerSegment || !chk.whole_record_starts.count(so)) {
            CHECK(se == chk.piece_end[so]);  // exactly one record or piece
        } else {
            CHECK(chk.ends.count(se) == 1);  // whole records only
        }
        CHECK(Bytes(all.begin() + ptrdiff_t(so), all.begin() + ptrdiff_t(se)) == s.payload);
        auto [it, fresh] = first_len.emplace(s.header.seq, s.payload.size());
        if (s.retransmission) {
            ++rexmits;
            CHECK_FALSE(fresh);
            CHECK(it->second == s.payload.size());  // same boundaries as the first time
        } else {
            CHECK(fresh);
        }
        ++checked;
    }
    CHECK(checked > (packing == TcpRecordPacking::OnePerSegment ? 300u : 100u));
    CHECK(rexmits > 0);  // the loss pattern did exercise retransmission
    CHECK(p.a.stats().split_for_window == 0);
    if (packing == TcpRecordPacking::PackToEmss) {
        CHECK(p.a.stats().data_segments_sent < 300);  // small records were packed
        CHECK(p.ch.data_segments(0).front().payload.size() == 24);  // stream bytes alone
    }
}

}  // namespace

TEST_CASE("Record alignment, one record per segment, with loss and reordering", "[tcp][records]") {
    run_alignment(TcpRecordPacking::OnePerSegment, 21);
}

TEST_CASE("Record alignment, records packed up to the EMSS, with loss and reordering", "[tcp][records]") {
    run_alignment(TcpRecordPacking::PackToEmss, 22);
}

TEST_CASE("A peer window smaller than a record: the record is split to the window", "[tcp][window][records]") {
    TcpConfig cb = base();
    cb.receive_buffer = 1000;
    Pair p(base(), cb);
    REQUIRE(p.connect());
    const Bytes rec = pattern(1400, 15);
    REQUIRE(p.a.send_record(rec));
    REQUIRE(p.ch.run_until([&] { return p.ch.received[1].size() == rec.size() && p.a.bytes_in_flight() == 0; },
                           p.ch.now() + 10 * sec));
    CHECK(p.ch.received[1] == rec);
    CHECK(p.a.stats().split_for_window == 1);
    const auto segs = p.ch.data_segments(0);
    REQUIRE(segs.size() == 2);
    CHECK(segs[0].payload.size() == 1000);
    CHECK(segs[1].payload.size() == 400);
}
