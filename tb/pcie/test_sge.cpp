// Host driver + PCIe link + SGE, with a loopback stand-in for the RDMA pipeline.
#include <catch2/catch.hpp>

#include <cerrno>
#include <cstring>

#include "pcie/pcie_analytic.h"
#include "sge_top.h"

using namespace nicsim;
using namespace nicsim::testing;
namespace an = nicsim::pcie::analytic;
namespace ring = nicsim::host::ring;
using timing::Ps;
using verbs::SendWr;
using verbs::WcStatus;
using verbs::WrOpcode;

namespace {
bool has_error(const nic::sge::Sge& s, const std::string& needle) {
    for (auto& e : s.errors())
        if (e.find(needle) != std::string::npos) return true;
    return false;
}
std::vector<uint8_t> pattern(size_t n, uint8_t seed) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = uint8_t(i * 31 + seed);
    return v;
}
}  // namespace

TEST_CASE("RDMA Write, Read and Send/Recv move real bytes through the SGE and complete") {
    timing::init_time_resolution();
    SgeTop top("top");
    bool done = false;
    top.body = [&] {
        auto c = top.open();
        auto src = pattern(3000, 7);
        top.mem.write(c.buf, src);
        // RDMA Write of 3000 B from buf to buf+64K (two SGEs).
        SendWr w;
        w.wr_id = 1;
        w.opcode = WrOpcode::RdmaWrite;
        w.sg_list = {{c.buf, 1000, c.mr->lkey}, {c.buf + 1000, 2000, c.mr->lkey}};
        w.remote_addr = c.buf + 65536;
        w.rkey = c.mr->rkey;
        REQUIRE(top.dev.post_send(c.qp, {w}) == 0);
        auto wc = top.poll(c.cq, 1);
        REQUIRE(wc.size() == 1);
        CHECK(wc[0].status == WcStatus::Success);
        CHECK(wc[0].opcode == verbs::WcOpcode::RdmaWrite);
        CHECK(wc[0].byte_len == 3000);
        CHECK(top.mem.read(c.buf + 65536, 3000) == src);

        // RDMA Read back into buf+128K.
        SendWr r;
        r.wr_id = 2;
        r.opcode = WrOpcode::RdmaRead;
        r.sg_list = {{c.buf + 131072, 3000, c.mr->lkey}};
        r.remote_addr = c.buf + 65536;
        r.rkey = c.mr->rkey;
        REQUIRE(top.dev.post_send(c.qp, {r}) == 0);
        wc = top.poll(c.cq, 1);
        REQUIRE(wc.size() == 1);
        CHECK(wc[0].status == WcStatus::Success);
        CHECK(wc[0].opcode == verbs::WcOpcode::RdmaRead);
        CHECK(top.mem.read(c.buf + 131072, 3000) == src);

        // Inline Send with solicited event, and Send with Invalidate, each into a posted receive.
        REQUIRE(top.dev.post_recv(c.qp, {{10, {{c.buf + 200000, 256, c.mr->lkey}}}, {11, {{c.buf + 300000, 256, c.mr->lkey}}}}) == 0);
        auto msg = pattern(40, 99);
        top.mem.write(c.buf + 4096, msg);
        SendWr s;
        s.wr_id = 3;
        s.opcode = WrOpcode::SendSe;
        s.send_flags = verbs::IBV_SEND_SIGNALED | verbs::IBV_SEND_INLINE;
        s.sg_list = {{c.buf + 4096, 40, 0}};
        SendWr si;
        si.wr_id = 4;
        si.opcode = WrOpcode::SendInv;
        si.invalidate_rkey = 0xabcd;
        si.sg_list = {{c.buf + 4096, 40, c.mr->lkey}};
        REQUIRE(top.dev.post_send(c.qp, {s, si}) == 0);
        wc = top.poll(c.cq, 4);
        REQUIRE(wc.size() == 4);
        int recvs = 0;
        for (auto& x : wc) {
            CHECK(x.status == WcStatus::Success);
            if (x.opcode == verbs::WcOpcode::Recv) {
                ++recvs;
                CHECK(x.byte_len == 40);
                if (x.wr_id == 10) CHECK((x.wc_flags & ring::kWcSolicited));
                if (x.wr_id == 11) {
                    CHECK((x.wc_flags & ring::kWcWithInv));
                    CHECK(x.invalidated_rkey == 0xabcd);
                }
            }
        }
        CHECK(recvs == 2);
        CHECK(top.mem.read(c.buf + 200000, 40) == msg);
        CHECK(top.mem.read(c.buf + 300000, 40) == msg);
        CHECK(top.ulp.connected == std::vector<uint32_t>{c.qp->qpn});
        done = true;
    };
    sc_core::sc_start();
    CHECK(done);
    CHECK(top.sge.errors().empty());
    // Two-WR post used the plain doorbell, single-WR posts the push.
    CHECK(top.dev.stats().doorbells_push == 2);
    CHECK(top.dev.stats().doorbells_plain == 1);  // only the two-WR post
}

TEST_CASE("The push doorbell saves exactly the WR fetch round trip") {
    timing::init_time_resolution();
    SgeTop top("top");
    Ps t_plain_post = 0, t_push_post = 0;
    top.body = [&] {
        auto c = top.open();
        SendWr w;
        w.opcode = WrOpcode::RdmaWrite;
        w.send_flags = verbs::IBV_SEND_SIGNALED | verbs::IBV_SEND_INLINE;
        w.remote_addr = c.buf + 8192;
        w.rkey = c.mr->rkey;
        w.sg_list = {{c.buf, 16, 0}};
        sc_core::wait(sc_core::sc_time(1001, sc_core::SC_NS));  // off the clock grid
        top.dev.set_doorbell_mode(verbs::DoorbellMode::Plain);
        w.wr_id = 1;
        t_plain_post = timing::now_ps();
        REQUIRE(top.dev.post_send(c.qp, {w}) == 0);
        REQUIRE(top.poll(c.cq, 1).size() == 1);
        sc_core::wait(sc_core::sc_time(3333, sc_core::SC_NS));
        top.dev.set_doorbell_mode(verbs::DoorbellMode::Auto);  // one 1-slot WR -> push
        w.wr_id = 2;
        t_push_post = timing::now_ps();
        REQUIRE(top.dev.post_send(c.qp, {w}) == 0);
        REQUIRE(top.poll(c.cq, 1).size() == 1);
    };
    sc_core::sc_start();
    REQUIRE(top.ulp.works.size() == 2);
    CHECK_FALSE(top.ulp.works[0].pushed);
    CHECK(top.ulp.works[1].pushed);
    CHECK(top.dev.stats().doorbells_plain == 1);
    CHECK(top.dev.stats().doorbells_push == 1);
    CHECK(top.sge.stats().wr_fetches == 1);

    const pcie::PcieParams p;
    const auto& clk = top.sge.clock();
    const nic::sge::SgeParams sp;
    const Ps cpu = verbs::DriverParams{}.post_cpu_ps, mem = host::HostMemoryParams{}.read_latency;
    // Plain: 8 B KDOORBELL, decode, then a 64 B DMA read of the slot, then parse.
    Ps db = t_plain_post + cpu + p.mmio_latency + an::serialize_ps(p, 24 + 8);
    Ps fetch = clk.after(db, sp.doorbell_cycles);
    Ps back = fetch + an::serialize_ps(p, 24) + p.rc_read_latency.median() + mem + an::serialize_ps(p, 20 + 64);
    Ps ready_plain = clk.after(back, sp.wr_parse_cycles);
    // Push: the 64 B WR itself crosses the link, is decoded and parsed.
    Ps push = t_push_post + cpu + p.mmio_latency + an::serialize_ps(p, 24 + 64);
    Ps ready_push = clk.after(clk.after(push, sp.doorbell_cycles), sp.wr_parse_cycles);

    Ps plain_lat = top.ulp.works[0].ready - t_plain_post;
    Ps push_lat = top.ulp.works[1].ready - t_push_post;
    INFO("plain " << plain_lat << " ps, push " << push_lat << " ps");
    CHECK(top.ulp.works[0].ready == ready_plain);
    CHECK(top.ulp.works[1].ready == ready_push);
    // The saving is the fetch round trip minus the push's larger MMIO TLP, give or take clock alignment.
    Ps rtt = an::serialize_ps(p, 24) + p.rc_read_latency.median() + mem + an::serialize_ps(p, 84);
    Ps extra_mmio = an::serialize_ps(p, 88) - an::serialize_ps(p, 32);
    CHECK(double(plain_lat - push_lat) == Approx(double(rtt - extra_mmio)).margin(2 * clk.period()));
    CHECK(plain_lat - push_lat > 500 * timing::kNs);
}

TEST_CASE("Payload is gathered as beats at the cycle each completion lands") {
    timing::init_time_resolution();
    SgeTop top("top");
    std::vector<uint8_t> src = pattern(4096, 3);
    top.body = [&] {
        auto c = top.open();
        top.mem.write(c.buf, src);
        SendWr w;
        w.wr_id = 77;
        w.opcode = WrOpcode::RdmaWrite;
        w.sg_list = {{c.buf, 4096, c.mr->lkey}};
        w.remote_addr = c.buf + 65536;
        w.rkey = c.mr->rkey;
        top.dev.post_send(c.qp, {w});
        REQUIRE(top.poll(c.cq, 1).size() == 1);
        CHECK(top.mem.read(c.buf + 65536, 4096) == src);
    };
    sc_core::sc_start();
    const auto& clk = top.sge.clock();
    const pcie::PcieParams p;
    REQUIRE(top.ulp.works.size() == 1);
    std::vector<uint8_t> got;
    uint32_t beats = 0;
    Ps prev_end = 0;
    for (auto& b : top.ulp.bursts) {
        CHECK(b.wr_id == 77);
        CHECK(b.offset == got.size());
        CHECK(b.beat_period == clk.period());
        CHECK(b.first_beat % clk.period() == 0);
        CHECK(b.first_beat >= prev_end);  // one beat per cycle, never overlapping
        prev_end = b.first_beat + b.beats * b.beat_period;
        got.insert(got.end(), b.data.begin(), b.data.end());
        beats += b.beats;
    }
    CHECK(got == src);
    CHECK(beats == 4096 / 32);
    CHECK(top.ulp.bursts.back().last);
    // First burst: the first 256 B completion of the first 512 B MRd, on the next SGE edge.
    Ps ready = top.ulp.works[0].ready;
    Ps first = ready + an::serialize_ps(p, 24) + p.rc_read_latency.median() + host::HostMemoryParams{}.read_latency +
               an::serialize_ps(p, 20 + 256);
    CHECK(top.ulp.bursts.front().first_beat == clk.next_edge(first));
    CHECK(top.ulp.bursts.front().beats == 256 / 32);
}

TEST_CASE("Bad WRs complete with errors and flush the QP, never crash") {
    timing::init_time_resolution();
    SgeTop top("top");
    top.body = [&] {
        auto c = top.open(1 << 16);
        SendWr bad;
        bad.wr_id = 1;
        bad.raw_opcode = 0x17;
        bad.sg_list = {{c.buf, 64, c.mr->lkey}};
        SendWr ok;
        ok.wr_id = 2;
        ok.opcode = WrOpcode::RdmaWrite;
        ok.sg_list = {{c.buf, 64, c.mr->lkey}};
        ok.remote_addr = c.buf + 4096;
        ok.rkey = c.mr->rkey;
        REQUIRE(top.dev.post_send(c.qp, {bad, ok}) == 0);
        auto wc = top.poll(c.cq, 2);
        REQUIRE(wc.size() == 2);
        CHECK(wc[0].wr_id == 1);
        CHECK(wc[0].status == WcStatus::LocQpOpErr);
        CHECK(wc[1].wr_id == 2);
        CHECK(wc[1].status == WcStatus::WrFlushErr);
        CHECK(has_error(top.sge, "invalid opcode 0x17"));

        // Length beyond the MR on a fresh QP.
        auto d = top.open(1 << 16);
        SendWr big;
        big.wr_id = 3;
        big.opcode = WrOpcode::Send;
        big.sg_list = {{d.buf + (1 << 16) - 100, 200, d.mr->lkey}};
        REQUIRE(top.dev.post_send(d.qp, {big}) == 0);
        wc = top.poll(d.cq, 1);
        REQUIRE(wc.size() == 1);
        CHECK(wc[0].status == WcStatus::LocProtErr);
        CHECK(has_error(top.sge, "outside MR"));
        // An lkey from nowhere.
        auto e = top.open(1 << 16);
        SendWr nokey = big;
        nokey.sg_list = {{e.buf, 16, 0xdead00}};
        REQUIRE(top.dev.post_send(e.qp, {nokey}) == 0);
        wc = top.poll(e.cq, 1);
        REQUIRE(wc.size() == 1);
        CHECK(wc[0].status == WcStatus::LocProtErr);
        CHECK(has_error(top.sge, "not registered"));
    };
    sc_core::sc_start();
    CHECK(top.sge.stats().error_wrs == 4);
}

TEST_CASE("Ring overflow and doorbells for missing queues give clear errors") {
    timing::init_time_resolution();
    SgeTop top("top");
    top.body = [&] {
        top.ulp.hold = true;  // nothing completes: the SQ fills up
        auto c = top.open(1 << 16, {0, 1, false}, 4, 2);
        SendWr w;
        w.opcode = WrOpcode::Send;
        w.sg_list = {{c.buf, 8, c.mr->lkey}};
        std::vector<SendWr> five(5, w);
        size_t bad_wr = 99;
        CHECK(top.dev.post_send(c.qp, five, &bad_wr) == ENOMEM);
        CHECK(bad_wr == 4);  // the first four were posted
        CHECK(top.dev.last_error().find("send queue full") != std::string::npos);
        CHECK(top.dev.post_send(c.qp, {w}) == ENOMEM);
        sc_core::wait(sc_core::sc_time(5, sc_core::SC_US));
        CHECK(top.ulp.works.size() == 4);

        // Raw doorbells the driver would never write.
        auto raw = [&](uint64_t reg, uint32_t id, uint16_t inc) {
            uint8_t db[8] = {};
            std::memcpy(db, &id, 4);
            std::memcpy(db + 4, &inc, 2);
            top.link.mmio_write(reg, db, 8);
        };
        raw(ring::bar::kSqDoorbell, 999, 1);
        raw(ring::bar::kRqDoorbell, 998, 1);
        raw(ring::bar::kCqDoorbell, 77, 1);
        raw(ring::bar::kSqDoorbell, c.qp->qpn, 1000);  // more than the ring holds
        uint8_t junk[4] = {1, 2, 3, 4};
        top.link.mmio_write(0x4321, junk, 4);
        std::vector<uint8_t> push(64, 0);
        top.link.mmio_write(ring::bar::kWcPushBase + 64 * 555, push.data(), 64);
        sc_core::wait(sc_core::sc_time(5, sc_core::SC_US));
    };
    sc_core::sc_start();
    CHECK(has_error(top.sge, "QP 999, which does not exist"));
    CHECK(has_error(top.sge, "QP 998, which does not exist"));
    CHECK(has_error(top.sge, "CQ 77, which does not exist"));
    CHECK(has_error(top.sge, "overflows"));
    CHECK(has_error(top.sge, "matches no register"));
    CHECK(has_error(top.sge, "WC push for QP 555"));
}

TEST_CASE("A CQ that is not drained overflows with an error, not memory corruption") {
    timing::init_time_resolution();
    SgeTop top("top");
    top.body = [&] {
        auto c = top.open(1 << 16, {0, 1, false}, 64, 2);
        SendWr w;
        w.opcode = WrOpcode::RdmaWrite;
        w.sg_list = {{c.buf, 8, c.mr->lkey}};
        w.remote_addr = c.buf + 4096;
        w.rkey = c.mr->rkey;
        std::vector<SendWr> three(3, w);
        for (int i = 0; i < 3; ++i) three[i].wr_id = 100 + i;
        REQUIRE(top.dev.post_send(c.qp, three) == 0);
        sc_core::wait(sc_core::sc_time(10, sc_core::SC_US));
        auto wc = top.poll(c.cq, 3, 1 * timing::kUs);
        CHECK(wc.size() == 2);  // the third CQE was refused, not written over the first
        if (wc.size() == 2) CHECK(wc[0].wr_id == 100);
    };
    sc_core::sc_start();
    CHECK(has_error(top.sge, "CQ 0 overflow"));
}

TEST_CASE("Verbs calls reject bad arguments with errno-style codes") {
    timing::init_time_resolution();
    SgeTop top("top");
    top.body = [&] {
        auto* pd = top.dev.alloc_pd();
        CHECK(top.dev.reg_mr(nullptr, 0x1000, 10, 0) == nullptr);
        CHECK(top.dev.reg_mr(pd, 0x1000, 0, 0) == nullptr);
        CHECK(top.dev.reg_mr(pd, 0x1000, 10, host::kRemoteWrite) == nullptr);  // needs local write
        CHECK(top.dev.last_error().find("LOCAL_WRITE") != std::string::npos);
        CHECK(top.dev.create_cq(3) == nullptr);
        auto* cq = top.dev.create_cq(16, {0, 1, false});
        verbs::QpInitAttr qa;
        qa.send_cq = qa.recv_cq = cq;
        qa.max_inline_data = 1000;
        CHECK(top.dev.create_qp(pd, qa) == nullptr);
        qa.max_inline_data = 64;
        auto* qp = top.dev.create_qp(pd, qa);
        REQUIRE(qp);
        SendWr w;
        CHECK(top.dev.post_send(qp, {w}) == EINVAL);  // not connected
        host::ConnParams cp;
        cp.mpa.rev = 3;
        CHECK(top.dev.connect(qp, cp) == EINVAL);
        cp.mpa.rev = 1;  // rev 1 has no peer-to-peer RTR
        CHECK(top.dev.connect(qp, cp) == EINVAL);
        cp.mpa.p2p = host::P2pRtr::None;
        cp.ird = 200;
        CHECK(top.dev.connect(qp, cp) == EINVAL);
        cp.ird = 8;
        CHECK(top.dev.accept(qp, cp) == 0);
        w.send_flags = verbs::IBV_SEND_INLINE;
        w.sg_list = {{0x1000, 100, 0}};
        CHECK(top.dev.post_send(qp, {w}) == EINVAL);  // above max_inline_data 64
        CHECK(top.dev.poll_cq(nullptr, 1, nullptr) < 0);
    };
    sc_core::sc_start();
}

TEST_CASE("MSI-X waits for the holdoff timer after arming, and polling mode never interrupts") {
    timing::init_time_resolution();
    SgeTop top("top");
    Ps t_arm = 0, t_event1 = 0, t_post2 = 0, t_event2 = 0;
    int seen_in_handler = 0;
    verbs::Cq* pcq = nullptr;
    top.body = [&] {
        auto c = top.open(1 << 16, {5, 1, true});  // vector 5, holdoff index 1 = 5 us
        auto poll_cq = top.open(1 << 16, {6, 0, false});  // polling mode
        pcq = c.cq;
        c.cq->on_event = [&](verbs::Cq* cq) {
            verbs::WorkCompletion wc[4];
            seen_in_handler += top.dev.poll_cq(cq, 4, wc);  // the CQE is visible when the interrupt is
            (t_event1 ? t_event2 : t_event1) = timing::now_ps();
        };
        SendWr w;
        w.opcode = WrOpcode::RdmaWrite;
        w.sg_list = {{c.buf, 8, c.mr->lkey}};
        w.remote_addr = c.buf + 4096;
        w.rkey = c.mr->rkey;
        sc_core::wait(sc_core::sc_time(777, sc_core::SC_NS));
        t_arm = timing::now_ps();
        top.dev.req_notify_cq(c.cq, false);
        top.dev.post_send(c.qp, {w});
        sc_core::wait(sc_core::sc_time(20, sc_core::SC_US));
        top.dev.req_notify_cq(c.cq, false);
        sc_core::wait(sc_core::sc_time(20, sc_core::SC_US));  // longer than the holdoff
        t_post2 = timing::now_ps();
        top.dev.post_send(c.qp, {w});
        // Polling-mode CQ: armed, yet only polling finds its completion.
        top.dev.req_notify_cq(poll_cq.cq, false);
        SendWr w2 = w;
        w2.sg_list = {{poll_cq.buf, 8, poll_cq.mr->lkey}};
        w2.remote_addr = poll_cq.buf + 4096;
        w2.rkey = poll_cq.mr->rkey;
        top.dev.post_send(poll_cq.qp, {w2});
        CHECK(top.poll(poll_cq.cq, 1).size() == 1);
        sc_core::wait(sc_core::sc_time(20, sc_core::SC_US));
    };
    sc_core::sc_start();
    const pcie::PcieParams p;
    const auto& clk = top.sge.clock();
    Ps armed_at = clk.after(t_arm + p.mmio_latency + an::serialize_ps(p, 32), nic::sge::SgeParams{}.doorbell_cycles);
    CHECK(t_event1 == armed_at + 5 * timing::kUs + an::serialize_ps(p, 24 + 4) + p.rc_write_latency);
    CHECK(t_event2 > t_post2);
    CHECK(t_event2 - t_post2 < 2 * timing::kUs);  // past the holdoff: right after the CQE
    CHECK(seen_in_handler == 2);
    CHECK(top.dev.stats().interrupts == 2);
    CHECK(top.sge.stats().interrupts == 2);
    CHECK(pcq->events == 2);
}

TEST_CASE("A 1 MiB gather streams through a bounded window at the link's read bandwidth") {
    timing::init_time_resolution();
    SgeTop top("top");
    const uint32_t len = 1 << 20;
    std::vector<uint8_t> src = pattern(len, 11);
    top.body = [&] {
        auto c = top.open(4 << 20);
        top.mem.write(c.buf, src);
        SendWr w;
        w.wr_id = 5;
        w.opcode = WrOpcode::RdmaWrite;
        w.sg_list = {{c.buf, len / 2, c.mr->lkey}, {c.buf + len / 2, len / 2, c.mr->lkey}};
        w.remote_addr = c.buf + (2 << 20);
        w.rkey = c.mr->rkey;
        REQUIRE(top.dev.post_send(c.qp, {w}) == 0);
        auto wc = top.poll(c.cq, 1, 1000 * timing::kUs, 100 * timing::kNs);
        REQUIRE(wc.size() == 1);
        CHECK(wc[0].status == WcStatus::Success);
        CHECK(top.mem.read(c.buf + (2 << 20), len) == src);
    };
    sc_core::sc_start();
    const nic::sge::SgeParams sp;
    const pcie::PcieParams p;
    // In flight never exceeds the window: at most window / MRRS read tags were ever in use.
    CHECK(top.link.stats().max_tags_in_use <= sp.gather_window / p.mrrs);
    Ps first = top.ulp.bursts.front().first_beat, last = top.ulp.bursts.back().last_beat();
    double sim = len * 8.0 * 1000.0 / double(last - first);
    // Placement writes share nothing with the read completions' direction, so the gather runs at
    // the read model's rate (the beat port, 32 B x 500 MHz = 128 Gb/s, is not the bottleneck).
    double model = an::read_eff_gbps(p, 4096);
    INFO("gather " << sim << " Gb/s, read model " << model);
    // First-to-last beat leaves out the first completion's serialization: allow 0.1% above.
    CHECK(sim <= model * 1.001);
    CHECK(sim >= model * 0.97);
}
