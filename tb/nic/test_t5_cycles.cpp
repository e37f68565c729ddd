// The exact cycle at which a 64-byte RDMA Write's (and Send's) frame leaves every stage of
// both NICs, and when the peer's placement and completion are written, computed by hand from
// docs/pipeline_timing.md for one simple configuration; then store-and-forward at one stage
// at a time, which must shift that stage and everything after it by exactly the frame's beat
// count.
//
// THE CONFIGURATION (both NICs, set below; nothing else is changed from the defaults):
//   * all 11 stages at 156.25 MHz, T = 6400 ps, 32-byte beats, 64-beat FIFOs, cut-through on a
//     1-byte header (so one header beat). At 40 Gb/s a byte takes 200 ps, so one 32 B beat is
//     exactly one cycle on the wire: the chains run at line rate.
//   * latencies (cycles): TX  ULP_TX 2, TP 3, MPA_TX 1, MAC_TX 2
//                         RX  MAC_RX 2, MPS 1, LE 3, TP 2, MPA_RX 1, ULP_RX 3, TPT 2
//   * link 40 Gb/s, 5 ns propagation; TCP timestamps off, MPA CRC on, markers off;
//     PCIe link and root-complex write latencies 0 (a posted write is in memory when its TLP
//     has been serialized).
//
// THE FRAMES (FCS-less Ethernet frame, the bytes the chains carry):
//   RDMA Write of 64 B: Ethernet 14 + IPv4 20 + TCP 20 + MPA FPDU, where the FPDU is
//     MPA length 2 + DDP/RDMAP tagged header 14 (DDP ctl 1, RDMAP ctl 1, STag 4, TO 8) + 64
//     = 80, a multiple of 4 so no pad, + CRC 4 = 84 B of TCP payload -> 138 B frame.
//   Send of 64 B: the untagged header is 18 B (ctl 2, Inv STag 4, QN 4, MSN 4, MO 4):
//     FPDU 2 + 18 + 64 = 84, no pad, + 4 = 88 B -> 142 B frame.
//   Both are ceil(138/32) = ceil(142/32) = 5 beats (B = 5) at every stage.
//
// THE HAND COMPUTATION (rules of docs/pipeline_timing.md; all times relative to E below).
// The SGE decides when the frame is offered to ULP_TX (time O, from the trace: WR fetch,
// payload DMA); everything after O is the pipeline's. The source writes beat k at O + kT.
//   E = the first edge strictly after O (a beat written at O is seen on the next edge).
//   TX, a cut-through stage with latency L pops beat k one cycle after the stage above output
//   it (written on an edge, seen on the next), one beat per cycle, and outputs it L cycles
//   later:
//     ULP_TX: pop E+0T,  first beat out E+2T   (last beat: +4T, i.e. E+6T)
//     TP:     pop E+3T,  out E+6T              (last E+10T)
//     MPA_TX: pop E+7T,  out E+8T              (last E+12T)
//     MAC_TX: pop E+9T,  out E+11T             (last E+15T)
//   Wire: the link is idle, so the first byte leaves after the 8-byte preamble:
//     E + 11T + 8 * 200 ps = E + 11T + 1600.
//   RX: the first byte arrives 5000 ps later, F = E + 11T + 6600. MAC_RX is offered beat k
//   when its last byte is in, F + 32*200*(k+1) = E + (12+k)T + 6600; the first edge after
//   that is E + (14+k)T (6600 > 6400), when MAC_RX pops it:
//     MAC_RX: pop E+14T, out E+16T             (last E+20T)
//     MPS:    pop E+17T, out E+18T             (last E+22T)
//     LE:     pop E+19T, out E+22T             (last E+26T)
//     TP:     pop E+23T, out E+25T             (last E+29T)
//     MPA_RX: pop E+26T, out E+27T             (last E+31T)
//     ULP_RX: pop E+28T, out E+31T             (last E+35T)
//     TPT:    pop E+32T, out E+34T             (last E+38T)
//   The endpoint runs when the last beat leaves TPT, D = E + 38T, and issues the placement
//   DMA write then (64 B, one MWr: 24 B of TLP overhead + 64, serialized in
//   S(88) = pcie::analytic::serialize_ps(88)): placement written at D + S(88).
//   For the Send, the receive completes at D too; the SGE issues its 32 B CQE write
//   cqe_cycles (2) SGE cycles after the next 2 ns SGE edge, i.e. by D + 6000 < D + S(88), so
//   it waits for the link behind the placement: CQE written at D + S(88) + S(24 + 32).
//
// STORE-AND-FORWARD at stage s waits for the whole frame plus one cycle (registered flag)
// before popping the first beat: edge_after(w[last]) + T, with w[last] = w[first] + 4T, i.e.
// B = 5 cycles later than cut-through; the rest of the frame follows one beat per cycle, so
// every beat of s, of every later stage of the chain, and (for a TX stage) the whole RX side,
// the wire and the placement move by exactly 5T. Nothing before s moves.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "pcie/pcie_analytic.h"
#include "two_host_fixture.h"

using namespace nicsim;
using namespace nicsim::testing;
using timing::Ps;

namespace {

constexpr Ps T = 6400;         // 156.25 MHz
constexpr uint64_t kBeats = 5;  // ceil(138/32) and ceil(142/32)

// The hand-computed pop cycle of the first beat at each stage, relative to E (see above).
// A stage's first beat leaves L cycles after its pop; its last beat 4 cycles after its first.
const uint32_t kTxLatency[4] = {2, 3, 1, 2};
const Ps kTxPop[4] = {0, 3, 7, 9};
const uint32_t kRxLatency[7] = {2, 1, 3, 2, 1, 3, 2};
const Ps kRxPop[7] = {14, 17, 19, 23, 26, 28, 32};

nic::StageConfig stage(const char* name, uint32_t latency, bool cut_through) {
    nic::StageConfig c;
    c.name = name;
    c.clock = timing::ClockDomain(T);
    c.width_bytes = 32;
    c.latency_cycles = latency;
    c.fifo_depth_beats = 64;
    c.cut_through = cut_through;
    c.header_bytes = 1;
    return c;
}

// saf: index of the store-and-forward stage, TX stages 0..3 then RX stages 4..10; -1: none.
sim::TestbedParams simple_config(int saf) {
    static const char* tx[4] = {"ulp_tx", "tp", "mpa_tx", "mac_tx"};
    static const char* rx[7] = {"mac_rx", "mps", "le", "tp", "mpa_rx", "ulp_rx", "tpt"};
    sim::TestbedParams p;
    p.link.rate_gbps = 40.0;
    p.link.propagation = 5000;
    for (sim::HostSideParams* h : {&p.hosts[0], &p.hosts[1]}) {
        h->nic.pipeline.tx.clear();
        h->nic.pipeline.rx.clear();
        for (int s = 0; s < 4; ++s) h->nic.pipeline.tx.push_back(stage(tx[s], kTxLatency[s], saf != s));
        for (int s = 0; s < 7; ++s) h->nic.pipeline.rx.push_back(stage(rx[s], kRxLatency[s], saf != 4 + s));
        h->nic.tcp.timestamps = false;
        h->nic.trace = true;
        h->pcie.link_latency = 0;
        h->pcie.rc_write_latency = 0;
    }
    return p;
}

// What one 64 B message did, read from the traces.
struct Observed {
    bool ok = false;
    uint32_t frame_bytes = 0, payload = 0;
    Ps offered = 0;
    nic::FrameTiming tx, rx;
    Ps wire_first = 0, rx_first_byte = 0, delivered = 0;
    Ps place_issued = 0, place_done = 0;
    Ps completion = 0;  // receive completion handed to the SGE (Send only)
    Ps cqe_seen = 0;    // first picosecond B's CQ showed the CQE (Send only)
};

// The message's frame from A, its arrival at B and B's placement, all after t_post.
void read_traces(sim::Testbed& sys, Ps t_post, Observed& o) {
    const nic::TxFrameRecord* tx = nullptr;
    for (const auto& f : sys.a().nic.trace().tx)
        if (!tx && f.payload > 0 && f.emitted >= t_post) tx = &f;
    REQUIRE(tx);
    const nic::RxFrameRecord* rx = nullptr;
    for (const auto& f : sys.b().nic.trace().rx)
        if (f.frame_id == tx->frame_id) rx = &f;
    REQUIRE(rx);
    const nic::PlacementRecord* pl = nullptr;
    for (const auto& p : sys.b().nic.trace().placements)
        if (!pl && p.issued >= rx->delivered) pl = &p;
    REQUIRE(pl);
    o.frame_bytes = tx->frame_bytes;
    o.payload = tx->payload;
    o.offered = tx->offered;
    o.tx = tx->chain;
    o.wire_first = tx->wire_first_byte;
    o.rx = rx->chain;
    o.rx_first_byte = rx->first_byte;
    o.delivered = rx->delivered;
    o.place_issued = pl->issued;
    o.place_done = pl->done;
    for (const auto& c : sys.b().nic.trace().completions)
        if (c.recv && c.at >= t_post) o.completion = c.at;
    o.ok = true;
}

// Posts one 64 B WR from A (a Write, or a Send into a posted receive) at time `at`, on a quiet
// link, and waits until it has landed (and, for the Send, until B's CQ shows the CQE: polled
// every picosecond once the data is there). A fixed post time makes runs whose connection
// setup took different times comparable.
void one_message(sim::Testbed& sys, const sim::QpEnd& a, const sim::QpEnd& b, bool send, Ps at, Observed& o) {
    REQUIRE(timing::now_ps() + 20 * timing::kUs <= at);  // quiet: no ACK or frame in flight
    sc_core::wait(timing::to_sc(at - timing::now_ps()));
    const uint64_t off = send ? 8192 : 0;
    auto data = pattern(64, send ? 2 : 1);
    sys.a().mem.write(a.buf + off, data);
    const Ps t_post = timing::now_ps();
    REQUIRE(sys.a().dev.post_send(a.qp, {send ? send_wr(7, a, off, 64) : write_wr(7, a, off, 64, b, off)}) == 0);
    REQUIRE(sys.wait_until([&] { return sys.b().mem.read(b.buf + off, 64) == data; }, 20 * timing::kUs, timing::kNs));
    if (send) {
        verbs::WorkCompletion wc;
        REQUIRE(sys.wait_until([&] { return sys.b().dev.poll_cq(b.cq, 1, &wc) == 1; }, 1 * timing::kUs, 1));
        o.cqe_seen = timing::now_ps();
        CHECK(wc.byte_len == 64);
    }
    sc_core::wait(timing::to_sc(5 * timing::kUs));
    read_traces(sys, t_post, o);
}

// Every stage of both chains against the hand table, store-and-forward at `saf` adding B
// cycles from that stage on.
void check_against_hand(const Observed& o, int saf) {
    REQUIRE(o.ok);
    const Ps E = (o.offered / T + 1) * T;  // first edge strictly after the offer
    const Ps shift = kBeats * T;
    INFO("offered at " << o.offered << " ps, E = " << E << " ps, store-and-forward at " << saf);
    for (int s = 0; s < 4; ++s) {
        INFO("TX stage " << s);
        const Ps pop = E + kTxPop[s] * T + (saf >= 0 && s >= saf ? shift : 0);
        CHECK(o.tx.stages[s].first_pop == pop);
        CHECK(o.tx.stages[s].first_out == pop + kTxLatency[s] * T);
        CHECK(o.tx.stages[s].last_pop == pop + (kBeats - 1) * T);
        CHECK(o.tx.stages[s].last_out == pop + (kTxLatency[s] + kBeats - 1) * T);
    }
    const Ps tx_shift = saf >= 0 && saf < 4 ? shift : 0;  // a TX stage delays the whole RX side
    CHECK(o.wire_first == E + 11 * T + 1600 + tx_shift);
    CHECK(o.rx_first_byte == E + 11 * T + 6600 + tx_shift);
    for (int s = 0; s < 7; ++s) {
        INFO("RX stage " << s);
        const Ps pop = E + kRxPop[s] * T + tx_shift + (saf >= 4 && s >= saf - 4 ? shift : 0);
        CHECK(o.rx.stages[s].first_pop == pop);
        CHECK(o.rx.stages[s].first_out == pop + kRxLatency[s] * T);
        CHECK(o.rx.stages[s].last_pop == pop + (kBeats - 1) * T);
        CHECK(o.rx.stages[s].last_out == pop + (kRxLatency[s] + kBeats - 1) * T);
    }
    const Ps D = E + 38 * T + (saf >= 0 ? shift : 0);
    CHECK(o.delivered == D);
    CHECK(o.place_issued == D);
}

}  // namespace

TEST_CASE("A 64-byte RDMA Write and Send: every stage's first/last beat cycle, the placement and the CQE, by hand",
          "[t5][cycles]") {
    timing::init_time_resolution();
    sim::TestbedParams p = simple_config(-1);
    sim::Testbed sys("sys", p);
    Observed write, send;
    sys.body = [&] {
        auto [a, b] = sys.connect_pair();
        REQUIRE(sys.b().dev.post_recv(b.qp, {{55, {{b.buf + 8192, 4096, b.mr->lkey}}}}) == 0);
        one_message(sys, a, b, false, 200 * timing::kUs, write);
        one_message(sys, a, b, true, 300 * timing::kUs, send);
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    REQUIRE(write.ok);
    REQUIRE(send.ok);
    // The frames are as documented: 84 B and 88 B of TCP payload, 138 B and 142 B frames.
    CHECK(write.payload == 84);
    CHECK(write.frame_bytes == 138);
    CHECK(send.payload == 88);
    CHECK(send.frame_bytes == 142);
    check_against_hand(write, -1);
    check_against_hand(send, -1);

    const pcie::PcieParams& pc = p.hosts[1].pcie;
    const Ps S88 = pcie::analytic::serialize_ps(pc, 24 + 64), S56 = pcie::analytic::serialize_ps(pc, 24 + 32);
    for (const Observed* o : {&write, &send}) CHECK(o->place_done == o->delivered + S88);
    // The Send's receive completion goes to the SGE as the frame is delivered; its CQE is in
    // B's memory once it has followed the placement over the link. The CQ is polled every
    // picosecond, so the poll sees it at that picosecond or (delta order) the next.
    CHECK(send.completion == send.delivered);
    const Ps cqe_written = send.delivered + S88 + S56;
    CHECK(send.cqe_seen >= cqe_written);
    CHECK(send.cqe_seen <= cqe_written + 1);
    const Ps E = (write.offered / T + 1) * T;
    std::printf("64 B Write: offered %llu ps, E %llu ps, MAC_TX first beat out E+11T, TPT last beat out E+38T = %llu ps,"
                " placement written %llu ps (S(88) = %llu ps)\n",
                (unsigned long long)write.offered, (unsigned long long)E, (unsigned long long)write.delivered,
                (unsigned long long)write.place_done, (unsigned long long)S88);
    std::printf("64 B Send: TPT last beat out %llu ps, CQE written %llu ps (S(56) = %llu ps), seen %llu ps\n",
                (unsigned long long)send.delivered, (unsigned long long)cqe_written, (unsigned long long)S56,
                (unsigned long long)send.cqe_seen);
}

TEST_CASE("Store-and-forward at one stage shifts it and every later stage by exactly the frame's beat count",
          "[t5][cycles]") {
    timing::init_time_resolution();
    // Twelve systems side by side in one simulation: all cut-through, then store-and-forward at
    // each of the 11 stages in turn (TX 0..3, RX 4..10); a thirteenth is all cut-through on the
    // per-edge reference engine (nic.pipeline.mode = reference), which must match the same
    // hand table. Each sends the same 64 B Write.
    constexpr int kRuns = 13;
    std::vector<std::unique_ptr<sim::Testbed>> systems;
    Observed obs[kRuns];
    int finished = 0;
    for (int r = 0; r < kRuns; ++r) {
        sim::TestbedParams p = simple_config(r < 12 ? r - 1 : -1);
        if (r == 12) p.hosts[0].nic.pipeline.mode = p.hosts[1].nic.pipeline.mode = nic::PipelineMode::Reference;
        systems.push_back(std::make_unique<sim::Testbed>(("sys" + std::to_string(r)).c_str(), p));
        sim::Testbed& sys = *systems.back();
        sys.body = [&sys, &obs, &finished, r] {
            auto [a, b] = sys.connect_pair();
            one_message(sys, a, b, false, 200 * timing::kUs, obs[r]);
            if (++finished == kRuns) sc_core::sc_stop();
        };
    }
    sc_core::sc_start();
    const Ps shift = kBeats * T;
    for (int r = 0; r < kRuns; ++r) {
        const int saf = r < 12 ? r - 1 : -1;
        INFO("run " << r << ": store-and-forward at stage " << saf);
        REQUIRE(obs[r].ok);
        check_against_hand(obs[r], saf);
        // Against the all-cut-through run directly: the SGE offered the frame at the same
        // time, stages before `saf` are untouched and every later exit is exactly B cycles late.
        const Observed& ct = obs[0];
        CHECK(obs[r].offered == ct.offered);
        if (saf < 0) continue;
        for (int s = 0; s < 11; ++s) {
            INFO("stage " << s);
            const nic::StageTiming& x = s < 4 ? ct.tx.stages[s] : ct.rx.stages[s - 4];
            const nic::StageTiming& y = s < 4 ? obs[r].tx.stages[s] : obs[r].rx.stages[s - 4];
            const Ps want = s >= saf ? shift : 0;
            CHECK(y.first_out - x.first_out == want);
            CHECK(y.last_out - x.last_out == want);
        }
        CHECK(obs[r].place_done - ct.place_done == shift);
    }
}
