// RFC 6298 RTO arithmetic, RFC 5681 / RFC 6582 congestion-window arithmetic and the
// out-of-order queue, each checked against values computed by hand from the RFC formulas.
#include <catch2/catch.hpp>

#include "proto/tcp_congestion.h"
#include "proto/tcp_config.h"
#include "proto/tcp_reassembly.h"
#include "proto/tcp_rtt_estimator.h"

using namespace nicsim::proto;

namespace {
constexpr uint64_t ms = kPsPerMs;
constexpr uint64_t us = kPsPerUs;
}  // namespace

TEST_CASE("RFC 6298: RTO after a sequence of RTT samples", "[tcp][rtt]") {
    TcpRttEstimator e(TcpRttConfig{1000 * ms, 1 * us, 60000 * ms, 1 * us});
    CHECK(e.rto_ps() == 1000 * ms);  // §2.1 initial RTO
    CHECK_FALSE(e.has_sample());

    // §2.2: R = 100 ms -> SRTT 100, RTTVAR 50, RTO = 100 + 4*50 = 300 ms.
    e.add_sample(100 * ms);
    CHECK(e.srtt_ps() == 100 * ms);
    CHECK(e.rttvar_ps() == 50 * ms);
    CHECK(e.rto_ps() == 300 * ms);

    // §2.3: R = 140 ms -> RTTVAR = 3/4*50 + 1/4*|100-140| = 47.5; SRTT = 7/8*100 + 1/8*140 = 105;
    // RTO = 105 + 4*47.5 = 295 ms.
    e.add_sample(140 * ms);
    CHECK(e.rttvar_ps() == 47'500 * us);
    CHECK(e.srtt_ps() == 105 * ms);
    CHECK(e.rto_ps() == 295 * ms);

    // R = 60 ms -> RTTVAR = 3/4*47.5 + 1/4*45 = 46.875; SRTT = 7/8*105 + 1/8*60 = 99.375;
    // RTO = 99.375 + 187.5 = 286.875 ms.
    e.add_sample(60 * ms);
    CHECK(e.rttvar_ps() == 46'875 * us);
    CHECK(e.srtt_ps() == 99'375 * us);
    CHECK(e.rto_ps() == 286'875 * us);
}

TEST_CASE("RFC 6298: backoff doubles, clamps at max, a new sample restores the estimate",
          "[tcp][rtt]") {
    TcpRttEstimator e(TcpRttConfig{1000 * ms, 1 * us, 1000 * ms, 1 * us});
    e.add_sample(100 * ms);
    e.add_sample(140 * ms);
    e.add_sample(60 * ms);
    REQUIRE(e.rto_ps() == 286'875 * us);
    e.back_off();
    CHECK(e.rto_ps() == 573'750 * us);  // §5.5 doubles
    e.back_off();
    CHECK(e.rto_ps() == 1000 * ms);  // 1147.5 ms clamped to the 1 s maximum (§2.5)
    e.back_off();
    CHECK(e.rto_ps() == 1000 * ms);
    CHECK(e.backoffs() == 3);
    // Next sample 99.375 ms = SRTT: RTTVAR = 3/4*46.875 = 35.15625; RTO = 99.375 + 140.625.
    e.add_sample(99'375 * us);
    CHECK(e.backoffs() == 0);
    CHECK(e.rttvar_ps() == 35'156'250'000ull);
    CHECK(e.srtt_ps() == 99'375 * us);
    CHECK(e.rto_ps() == 240 * ms);
}

TEST_CASE("RFC 6298: minimum RTO and clock granularity", "[tcp][rtt]") {
    // §2.4: an RTO below the minimum is rounded up (RFC value 1 s).
    TcpRttEstimator rfc(TcpRttConfig{1000 * ms, 1000 * ms, 60000 * ms, 1 * us});
    rfc.add_sample(100 * ms);  // 300 ms computed
    CHECK(rfc.rto_ps() == 1000 * ms);
    // G dominates 4*RTTVAR for tiny RTTs: R = 4 us, G = 1 ms -> RTO = 4 us + 1 ms.
    TcpRttEstimator g(TcpRttConfig{1000 * ms, 1 * us, 60000 * ms, 1 * ms});
    g.add_sample(4 * us);
    CHECK(g.rto_ps() == 1 * ms + 4 * us);
    // The initial value is clamped too, and doubling saturates at max.
    TcpRttEstimator lo(TcpRttConfig{1 * ms, 5 * ms, 7 * ms, 1 * us});
    CHECK(lo.rto_ps() == 5 * ms);
    lo.back_off();
    CHECK(lo.rto_ps() == 7 * ms);
}

TEST_CASE("RFC 5681: initial window formula and configured IW", "[tcp][cc]") {
    CHECK(TcpCongestion(1460, 0, 0, 3, 0).cwnd() == 4380);  // min(5840, max(2920, 4380))
    CHECK(TcpCongestion(1000, 0, 0, 3, 0).cwnd() == 4000);  // min(4000, 4380)
    CHECK(TcpCongestion(2500, 0, 0, 3, 0).cwnd() == 5000);  // min(10000, max(5000, 4380))
    CHECK(TcpCongestion(1448, 10, 0, 3, 0).cwnd() == 14480);
}

TEST_CASE("RFC 5681: slow start then congestion avoidance by byte counting", "[tcp][cc]") {
    TcpCongestion cc(1000, 2, 5000, 3, 0);
    REQUIRE(cc.cwnd() == 2000);
    REQUIRE(cc.in_slow_start());
    uint32_t ack = 1;
    auto new_ack = [&](uint32_t n) { ack += n; return cc.on_new_ack(ack, n, 10000); };
    new_ack(1000);
    CHECK(cc.cwnd() == 3000);  // += min(N, SMSS)
    new_ack(1000);
    CHECK(cc.cwnd() == 4000);
    new_ack(500);
    CHECK(cc.cwnd() == 4500);  // N < SMSS
    new_ack(2000);
    CHECK(cc.cwnd() == 5500);  // capped at SMSS per ACK
    CHECK_FALSE(cc.in_slow_start());
    // CA: one SMSS per cwnd (5500) of acknowledged bytes.
    for (int i = 0; i < 5; ++i) new_ack(1000);
    CHECK(cc.cwnd() == 5500);  // 5000 counted
    new_ack(1000);
    CHECK(cc.cwnd() == 6500);  // 6000 >= 5500: +SMSS, 500 carried over
    for (int i = 0; i < 5; ++i) new_ack(1000);
    CHECK(cc.cwnd() == 6500);  // 5500 counted
    new_ack(1000);
    CHECK(cc.cwnd() == 7500);  // 6500 >= 6500
}

TEST_CASE("RFC 6582: fast retransmit, inflation, partial and full ACK", "[tcp][cc][newreno]") {
    const uint32_t iss = 0xFFFFF000u;  // sequence numbers wrap during the test
    TcpCongestion cc(1000, 10, 0, 3, iss);
    const uint32_t una = iss + 1;
    const uint32_t snd_max = una + 10000;
    CHECK(cc.on_duplicate_ack(una, 10000, snd_max) == TcpCongestion::Action::None);
    CHECK(cc.on_duplicate_ack(una, 10000, snd_max) == TcpCongestion::Action::None);
    CHECK(cc.on_duplicate_ack(una, 10000, snd_max) == TcpCongestion::Action::FastRetransmit);
    CHECK(cc.in_recovery());
    CHECK(cc.ssthresh() == 5000);     // max(FlightSize/2, 2*SMSS)
    CHECK(cc.cwnd() == 8000);         // ssthresh + 3*SMSS
    CHECK(cc.recover() == snd_max);
    cc.on_duplicate_ack(una, 10000, snd_max);
    CHECK(cc.cwnd() == 9000);  // +SMSS per further dupack
    // Partial ACK of 3000: cwnd = 9000 - 3000 + 1000.
    CHECK(cc.on_new_ack(una + 3000, 3000, 7000) == TcpCongestion::Action::PartialAck);
    CHECK(cc.cwnd() == 7000);
    CHECK(cc.in_recovery());
    // Partial ACK of 500 (< SMSS): no add-back: 7000 - 500.
    CHECK(cc.on_new_ack(una + 3500, 500, 6500) == TcpCongestion::Action::PartialAck);
    CHECK(cc.cwnd() == 6500);
    // Full ACK with 6000 bytes of new data outstanding: min(5000, max(6000, 1000) + 1000).
    CHECK(cc.on_new_ack(snd_max, 6500, 6000) == TcpCongestion::Action::None);
    CHECK_FALSE(cc.in_recovery());
    CHECK(cc.cwnd() == 5000);
}

TEST_CASE("RFC 6582: full ACK with little outstanding; no re-entry below recover", "[tcp][cc][newreno]") {
    TcpCongestion cc(1000, 10, 0, 3, 0);
    for (int i = 0; i < 3; ++i) cc.on_duplicate_ack(1, 12000, 12001);
    REQUIRE(cc.ssthresh() == 6000);
    cc.on_new_ack(12001, 12000, 0);
    CHECK(cc.cwnd() == 2000);  // min(6000, max(0, SMSS) + SMSS)
    // After a timeout, recover = SND.MAX: dupacks for older data do not trigger again.
    TcpCongestion t(1000, 10, 0, 3, 0);
    t.on_timeout(8000, 8001, true);
    CHECK(t.ssthresh() == 4000);
    CHECK(t.cwnd() == 1000);
    t.on_timeout(8000, 8001, false);  // second expiry: ssthresh held (RFC 5681 §3.1)
    CHECK(t.ssthresh() == 4000);
    for (int i = 0; i < 3; ++i) CHECK(t.on_duplicate_ack(4001, 4000, 8001) == TcpCongestion::Action::None);
    CHECK_FALSE(t.in_recovery());
    // Small flight: ssthresh floor is 2*SMSS.
    TcpCongestion s(1000, 10, 0, 3, 0);
    s.on_timeout(1500, 1501, true);
    CHECK(s.ssthresh() == 2000);
}

TEST_CASE("Reassembly queue keeps disjoint blocks and delivers in order", "[tcp][reassembly]") {
    TcpReassembly q;
    Bytes stream(100);
    for (size_t i = 0; i < stream.size(); ++i) stream[i] = uint8_t(i + 1);
    auto piece = [&](size_t a, size_t b) { return ByteView(stream.data() + a, b - a); };
    CHECK(q.insert(20, piece(20, 30)) == 10);
    CHECK(q.insert(40, piece(40, 50)) == 10);
    CHECK(q.insert(25, piece(25, 45)) == 10);  // only the gap 30..40 is new
    CHECK(q.block_count() == 1);               // 20..50 merged
    CHECK(q.insert(60, piece(60, 70)) == 10);
    CHECK(q.insert(10, piece(10, 15)) == 5);
    CHECK(q.block_count() == 3);
    CHECK(q.buffered_bytes() == 45);
    Bytes out;
    CHECK(q.pop_in_order(0, out) == 0);  // hole at 0..10
    CHECK(q.pop_in_order(12, out) == 3);  // 12..15 (10..12 discarded as already delivered)
    CHECK(out == Bytes(stream.begin() + 12, stream.begin() + 15));
    out.clear();
    CHECK(q.pop_in_order(20, out) == 30);
    CHECK(out == Bytes(stream.begin() + 20, stream.begin() + 50));
    q.discard_before(65);
    CHECK(q.buffered_bytes() == 5);
    out.clear();
    CHECK(q.pop_in_order(65, out) == 5);
    CHECK(out == Bytes(stream.begin() + 65, stream.begin() + 70));
    CHECK(q.empty());
}
