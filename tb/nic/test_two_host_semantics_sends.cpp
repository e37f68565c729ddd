// Send with Invalidate and Send with Solicited Event end to end through the timed two-host
// system: what the receive CQE carries (verbs IBV_WC_WITH_INV + invalidated rkey, the
// solicited flag), the CQ event a solicited-only arm raises, and the STag the Send
// invalidated being refused afterwards with the DDP invalid-STag Terminate (tshark oracle).
#include <catch2/catch.hpp>

#include "semantics_fixture.h"

using namespace nicsim;
using namespace nicsim::testing;
using verbs::WcOpcode;
using verbs::WcStatus;
using verbs::WrOpcode;

TEST_CASE("Send with Invalidate: the STag is invalidated, then refused", "[two_host][semantics][send]") {
    const SemCapture cap = sem_capture("inv", 1);
    const std::string& dir = cap.dir;
    const sim::TestbedParams& p = cap.params;
    sim::Testbed sys("sys", p);
    bool done = false;
    uint32_t inv_rkey = 0;
    sys.body = [&] {
        SemConn c = connect_sem(sys, {}, {}, 0, 1 << 20);
        SemEnd& a = c.e[0];
        SemEnd& b = c.e[1];
        // B's second region: the one A's Send will invalidate.
        const uint64_t r2 = sys.b().dev.alloc_dma(65536, 4096);
        verbs::Mr* mr2 = sys.b().dev.reg_mr(b.pd, r2, 65536, host::kLocalWrite | host::kRemoteWrite | host::kRemoteRead);
        REQUIRE(mr2);
        inv_rkey = mr2->rkey;
        REQUIRE(sys.b().dev.post_recv(b.qp, {{1, {{b.buf + 0x10000, 4096, b.mr->lkey}}},
                                             {2, {{b.buf + 0x20000, 4096, b.mr->lkey}}}}) == 0);
        auto first = pattern(1000, 31), msg = pattern(300, 32), second = pattern(500, 33);
        sys.a().mem.write(a.buf, first);
        sys.a().mem.write(a.buf + 4096, msg);
        sys.a().mem.write(a.buf + 8192, second);
        sc_core::wait(timing::to_sc(2 * timing::kUs));  // receive WQEs prefetched
        REQUIRE(sys.a().dev.post_send(a.qp, {rdma_write_wr(10, a.buf, 1000, a.mr->lkey, r2, mr2->rkey),
                                             any_send_wr(11, WrOpcode::SendInv, a.buf + 4096, 300, a.mr->lkey,
                                                         mr2->rkey)}) == 0);
        auto rwc = poll_n(sys, 1, b.rcq, 1);
        REQUIRE(rwc.size() == 1);
        CHECK(rwc[0].wr_id == 1);
        CHECK(rwc[0].status == WcStatus::Success);
        CHECK(rwc[0].opcode == WcOpcode::Recv);
        CHECK(rwc[0].byte_len == 300);
        CHECK((rwc[0].wc_flags & host::ring::kWcWithInv) != 0);
        CHECK((rwc[0].wc_flags & host::ring::kWcSolicited) == 0);
        CHECK(rwc[0].invalidated_rkey == mr2->rkey);
        CHECK(sys.b().mem.read(b.buf + 0x10000, 300) == msg);
        CHECK(sys.b().mem.read(r2, 1000) == first);  // the Write before the invalidation landed
        const proto::MemoryRegion* reg = sys.b().nic.tpt().find(mr2->rkey);
        REQUIRE(reg);
        CHECK_FALSE(reg->valid);
        auto swc = poll_n(sys, 0, a.scq, 2);
        REQUIRE(swc.size() == 2);
        CHECK(swc[0].wr_id == 10);
        CHECK(swc[0].status == WcStatus::Success);
        CHECK(swc[1].wr_id == 11);
        CHECK(swc[1].status == WcStatus::Success);
        CHECK(swc[1].opcode == WcOpcode::Send);

        // The invalidated STag is refused: that Write reports the remote access error, the WR
        // behind it flushes, and so does B's remaining receive.
        REQUIRE(sys.a().dev.post_send(a.qp, {rdma_write_wr(12, a.buf + 8192, 500, a.mr->lkey, r2, mr2->rkey),
                                             rdma_write_wr(13, a.buf, 64, a.mr->lkey, b.buf + 0x30000,
                                                           b.mr->rkey)}) == 0);
        swc = poll_n(sys, 0, a.scq, 2);
        REQUIRE(swc.size() == 2);
        CHECK(swc[0].wr_id == 12);
        CHECK(swc[0].status == WcStatus::RemAccessErr);
        CHECK(swc[0].opcode == WcOpcode::RdmaWrite);
        CHECK(swc[1].wr_id == 13);
        CHECK(swc[1].status == WcStatus::WrFlushErr);
        rwc = poll_n(sys, 1, b.rcq, 1);
        REQUIRE(rwc.size() == 1);
        CHECK(rwc[0].wr_id == 2);
        CHECK(rwc[0].status == WcStatus::WrFlushErr);
        verbs::AsyncEvent ev;  // B saw the access to the invalidated STag
        REQUIRE(sys.b().dev.get_async_event(ev));
        CHECK(ev.type == verbs::AsyncEventType::QpAccessErr);
        CHECK(ev.qp_num == b.qpn());
        CHECK(sys.b().mem.read(r2, 1000) == first);                                  // untouched
        CHECK(sys.b().mem.read(b.buf + 0x30000, 64) == std::vector<uint8_t>(64, 0));  // dropped
        sc_core::wait(timing::to_sc(5 * timing::kUs));
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    REQUIRE(done);
    sys.close_pcaps();
    const auto* eb = sys.b().nic.endpoint(0);
    REQUIRE(eb);
    REQUIRE(eb->terminate_sent());
    CHECK(*eb->terminate_sent() == proto::term::kDdpInvalidStag);
    // tshark: the Send with Invalidate names B's STag; B's Terminate is DDP / tagged / 0x00.
    auto inv = test::tshark_fields(p.pcaps[1], "iwarp_rdma.opcode == 0x04", {"iwarp_rdma.inval_stag"});
    REQUIRE(inv.size() == 1);
    CHECK(inv[0][0] == std::to_string(inv_rkey));  // tshark prints this field in decimal
    auto term = test::tshark_fields(p.pcaps[1], "iwarp_rdma.terminate",
                                    {"ip.src", "iwarp_rdma.term_layer", "iwarp_rdma.term_etype_ddp",
                                     "iwarp_rdma.term_errcode_ddp_tagged", "iwarp_rdma.hdrct_d"});
    REQUIRE(term.size() == 1);
    CHECK(term[0][0] == "10.0.0.2");
    CHECK(term[0][1] == "0x01");
    CHECK(term[0][2] == "0x01");
    CHECK(term[0][3] == "0x00");
    CHECK((term[0][4] == "1" || term[0][4] == "True"));
    std::filesystem::remove_all(dir);
}

TEST_CASE("Send with Solicited Event: CQE flag and solicited-only CQ event", "[two_host][semantics][send]") {
    const SemCapture cap = sem_capture("se", 0);
    const std::string& dir = cap.dir;
    const sim::TestbedParams& p = cap.params;
    sim::Testbed sys("sys", p);
    bool done = false;
    sys.body = [&] {
        // B's receive CQ raises MSI-X (vector 0, holdoff timer 0: 1 us).
        SemConn c = connect_sem(sys, {}, {}, 0, 1 << 20, verbs::CqAttr{0, 0, true});
        SemEnd& a = c.e[0];
        SemEnd& b = c.e[1];
        const uint64_t r2 = sys.b().dev.alloc_dma(4096, 4096);
        verbs::Mr* mr2 = sys.b().dev.reg_mr(b.pd, r2, 4096, host::kLocalWrite | host::kRemoteWrite);
        REQUIRE(mr2);
        std::vector<verbs::RecvWr> recvs;
        for (uint64_t k = 0; k < 4; ++k) recvs.push_back({k + 1, {{b.buf + 0x10000 * (k + 1), 4096, b.mr->lkey}}});
        REQUIRE(sys.b().dev.post_recv(b.qp, recvs) == 0);
        for (int k = 0; k < 4; ++k) sys.a().mem.write(a.buf + 4096 * uint64_t(k), pattern(100 + 10 * size_t(k), 40 + k));
        sc_core::wait(timing::to_sc(3 * timing::kUs));
        REQUIRE(sys.b().dev.req_notify_cq(b.rcq, true) == 0);  // solicited only
        auto send = [&](uint64_t id, WrOpcode op, int k, uint32_t inv = 0) {
            REQUIRE(sys.a().dev.post_send(a.qp, {any_send_wr(id, op, a.buf + 4096 * uint64_t(k), 100 + 10 * uint32_t(k),
                                                             a.mr->lkey, inv)}) == 0);
            auto wc = poll_n(sys, 1, b.rcq, 1);
            REQUIRE(wc.size() == 1);
            CHECK(wc[0].status == WcStatus::Success);
            CHECK(wc[0].byte_len == 100 + 10 * uint32_t(k));
            CHECK(sys.b().mem.read(b.buf + 0x10000 * uint64_t(k + 1), 100 + 10 * size_t(k)) ==
                  pattern(100 + 10 * size_t(k), 40 + k));
            sc_core::wait(timing::to_sc(20 * timing::kUs));  // well past the holdoff
            return wc[0];
        };
        // A plain Send completes the receive but does not wake a solicited-only CQ.
        auto w1 = send(21, WrOpcode::Send, 0);
        CHECK(w1.wr_id == 1);
        CHECK((w1.wc_flags & host::ring::kWcSolicited) == 0);
        CHECK(b.rcq->events == 0);
        // Send with Solicited Event: flagged in the CQE, and the armed CQ raises its event.
        auto w2 = send(22, WrOpcode::SendSe, 1);
        CHECK(w2.wr_id == 2);
        CHECK((w2.wc_flags & host::ring::kWcSolicited) != 0);
        CHECK((w2.wc_flags & host::ring::kWcWithInv) == 0);
        CHECK(b.rcq->events == 1);
        // The event disarmed the CQ: another solicited Send raises nothing until re-armed.
        REQUIRE(sys.b().dev.req_notify_cq(b.rcq, true) == 0);
        auto w3 = send(23, WrOpcode::SendSeInv, 2, mr2->rkey);
        CHECK(w3.wr_id == 3);
        CHECK((w3.wc_flags & host::ring::kWcSolicited) != 0);
        CHECK((w3.wc_flags & host::ring::kWcWithInv) != 0);
        CHECK(w3.invalidated_rkey == mr2->rkey);
        CHECK(b.rcq->events == 2);
        auto w4 = send(24, WrOpcode::SendSe, 3);  // not re-armed
        CHECK((w4.wc_flags & host::ring::kWcSolicited) != 0);
        CHECK(b.rcq->events == 2);
        auto swc = poll_n(sys, 0, a.scq, 4);
        REQUIRE(swc.size() == 4);
        for (size_t k = 0; k < 4; ++k) {
            CHECK(swc[k].wr_id == 21 + k);
            CHECK(swc[k].status == WcStatus::Success);
        }
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    REQUIRE(done);
    sys.close_pcaps();
    // tshark: A sent Send, Send with SE, Send with SE and Invalidate, Send with SE (after the RTR).
    std::vector<std::string> ops;
    for (const auto& r : tshark_occurrences(p.pcaps[0], "iwarp_mpa.fpdu && ip.src == 10.0.0.1", {"iwarp_rdma.opcode"}))
        for (const auto& o : r[0])
            if (o != "0x00") ops.push_back(o);  // skip the zero-length Write RTR
    CHECK(ops == std::vector<std::string>{"0x03", "0x05", "0x06", "0x05"});
    std::filesystem::remove_all(dir);
}
