// Protection errors end to end through the timed two-host system: ten connections, each
// taken down by one bad RDMA Write (checked by DDP at the Data Sink), Read (checked by RDMAP
// at the Data Source) or Send with Invalidate (RDMAP "cannot invalidate"): invalid STag,
// base/bounds, access rights, PD mismatch. Each
// must produce the RFC 5040/5041 Terminate (layer/type/code, tshark reads it off the wire),
// the bad WR's completion with the remote access error, WR_FLUSH_ERR for what follows at
// both ends, in posting order, and nothing placed in the responder's memory.
#include <catch2/catch.hpp>

#include <map>

#include "semantics_fixture.h"

using namespace nicsim;
using namespace nicsim::testing;
using verbs::WcOpcode;
using verbs::WcStatus;

namespace {

enum class Bad { InvalidStag, Bounds, Access, OtherPd };

enum class Kind { Write, Read, SendInv };

struct Case {
    const char* name;
    Kind kind;
    Bad bad;
    proto::TermCause cause;
};

const Case kCases[] = {
    {"Write: invalid STag", Kind::Write, Bad::InvalidStag, proto::term::kDdpInvalidStag},
    {"Write: base/bounds", Kind::Write, Bad::Bounds, proto::term::kDdpBaseBounds},
    {"Write: no remote write access", Kind::Write, Bad::Access, proto::term::kRdmapAccessRights},
    {"Write: STag of another PD", Kind::Write, Bad::OtherPd, proto::term::kDdpStagNotAssociated},
    {"Read: invalid STag", Kind::Read, Bad::InvalidStag, proto::term::kRdmapInvalidStag},
    {"Read: base/bounds", Kind::Read, Bad::Bounds, proto::term::kRdmapBaseBounds},
    {"Read: no remote read access", Kind::Read, Bad::Access, proto::term::kRdmapAccessRights},
    {"Read: STag of another PD", Kind::Read, Bad::OtherPd, proto::term::kRdmapStagNotAssociated},
    {"Send with Invalidate: invalid STag", Kind::SendInv, Bad::InvalidStag, proto::term::kRdmapCannotInvalidate},
    {"Send with Invalidate: STag of another PD", Kind::SendInv, Bad::OtherPd, proto::term::kRdmapCannotInvalidate},
};
constexpr size_t kN = sizeof kCases / sizeof kCases[0];

std::string hex2(unsigned v) {
    const char* d = "0123456789abcdef";
    return std::string("0x") + d[(v >> 4) & 15] + d[v & 15];
}

}  // namespace

TEST_CASE("Protection errors: Terminate codes on the wire, completions at both ends", "[two_host][semantics][terminate]") {
    const SemCapture cap = sem_capture("prot", 1);
    const std::string& dir = cap.dir;
    const sim::TestbedParams& p = cap.params;
    sim::Testbed sys("sys", p);
    bool done = false;
    std::vector<SemConn> conns;
    std::vector<std::vector<verbs::WorkCompletion>> a_wc(kN), b_wc(kN), a_late(kN);
    std::vector<bool> b_untouched(kN);
    std::vector<verbs::AsyncEvent> a_events, b_events;
    sys.body = [&] {
        for (size_t k = 0; k < kN; ++k) conns.push_back(connect_sem(sys, {}, {}, uint16_t(k), 256 << 10));
        verbs::Device& db = sys.b().dev;
        // B's regions that the bad WRs aim at (each case uses its own connection's PD, so
        // `other_pd` belongs to none of them).
        const uint64_t rd_only = db.alloc_dma(65536, 4096), wr_only = db.alloc_dma(65536, 4096),
                       foreign = db.alloc_dma(65536, 4096);
        verbs::Pd* other_pd = db.alloc_pd();
        uint32_t foreign_rkey = 0;
        sys.b().mem.write(foreign, pattern(65536, 50));
        for (size_t k = 0; k < kN; ++k) {
            const Case& cs = kCases[k];
            SemEnd& a = conns[k].e[0];
            SemEnd& b = conns[k].e[1];
            verbs::Mr* ro = db.reg_mr(b.pd, rd_only, 65536, host::kLocalWrite | host::kRemoteRead);
            verbs::Mr* wo = db.reg_mr(b.pd, wr_only, 65536, host::kLocalWrite | host::kRemoteWrite);
            verbs::Mr* fo = db.reg_mr(other_pd, foreign, 65536, host::kLocalWrite | host::kRemoteWrite | host::kRemoteRead);
            REQUIRE((ro && wo && fo));
            foreign_rkey = fo->rkey;
            uint32_t rkey = b.mr->rkey;
            uint64_t raddr = b.buf + 4096;
            uint32_t len = 2000;
            switch (cs.bad) {
            case Bad::InvalidStag: rkey = 0x00dead5a; break;
            case Bad::Bounds: raddr = b.buf + (256 << 10) - 1000; break;  // 1000 B past the end
            case Bad::Access: {
                const bool read = cs.kind == Kind::Read;
                rkey = read ? wo->rkey : ro->rkey, raddr = read ? wr_only : rd_only;
                break;
            }
            case Bad::OtherPd: rkey = fo->rkey, raddr = foreign; break;
            }
            // B has a receive posted; A posts the bad WR and a good Write behind it.
            REQUIRE(db.post_recv(b.qp, {{900 + k, {{b.buf + 0x20000, 4096, b.mr->lkey}}}}) == 0);
            sys.a().mem.write(a.buf, pattern(len, uint32_t(60 + k)));
            verbs::SendWr bad =
                cs.kind == Kind::Read    ? read_wr(1, a.buf + 0x10000, len, a.mr->lkey, raddr, rkey)
                : cs.kind == Kind::Write ? rdma_write_wr(1, a.buf, len, a.mr->lkey, raddr, rkey)
                                         : any_send_wr(1, verbs::WrOpcode::SendInv, a.buf, len, a.mr->lkey, rkey);
            REQUIRE(sys.a().dev.post_send(a.qp, {bad, rdma_write_wr(2, a.buf, 64, a.mr->lkey, b.buf + 0x30000,
                                                                    b.mr->rkey)}) == 0);
        }
        for (size_t k = 0; k < kN; ++k) {
            a_wc[k] = poll_n(sys, 0, conns[k].e[0].scq, 2);
            b_wc[k] = poll_n(sys, 1, conns[k].e[1].rcq, 1);
            // After the Terminate every new WR flushes, at both ends.
            SemEnd& a = conns[k].e[0];
            REQUIRE(sys.a().dev.post_send(a.qp, {rdma_write_wr(3, a.buf, 8, a.mr->lkey, 0, 0)}) == 0);
            a_late[k] = poll_n(sys, 0, a.scq, 1);
            SemEnd& b = conns[k].e[1];
            REQUIRE(db.post_recv(b.qp, {{950 + k, {{b.buf + 0x28000, 4096, b.mr->lkey}}}}) == 0);
            auto late = poll_n(sys, 1, b.rcq, 1);
            b_wc[k].insert(b_wc[k].end(), late.begin(), late.end());
            // (A flushed receive's buffer may hold bytes placed before the error: not checked.)
            b_untouched[k] = sys.b().mem.read(b.buf, 0x20000) == std::vector<uint8_t>(0x20000, 0) &&
                             sys.b().mem.read(b.buf + 0x21000, (256 << 10) - 0x21000) ==
                                 std::vector<uint8_t>((256 << 10) - 0x21000, 0) &&
                             sys.b().mem.read(rd_only, 65536) == std::vector<uint8_t>(65536, 0) &&
                             sys.b().mem.read(wr_only, 65536) == std::vector<uint8_t>(65536, 0) &&
                             sys.b().mem.read(foreign, 65536) == pattern(65536, 50);
            CHECK(sys.b().nic.tpt().find(foreign_rkey)->valid);  // a refused invalidation changes nothing
        }
        verbs::AsyncEvent ev;
        while (sys.b().dev.get_async_event(ev)) b_events.push_back(ev);
        while (sys.a().dev.get_async_event(ev)) a_events.push_back(ev);
        sc_core::wait(timing::to_sc(5 * timing::kUs));
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    REQUIRE(done);
    sys.close_pcaps();

    // The wire, per connection (B's TCP port 9000 + k): one Terminate from B with the code.
    auto term = test::tshark_fields(p.pcaps[1], "iwarp_rdma.terminate",
                                    {"tcp.srcport", "iwarp_rdma.term_layer", "iwarp_rdma.term_etype_rdma",
                                     "iwarp_rdma.term_errcode_rdma", "iwarp_rdma.hdrct_d", "iwarp_rdma.hdrct_r",
                                     "iwarp_rdma.term_etype_ddp", "iwarp_rdma.term_errcode_ddp_tagged"});
    std::map<size_t, std::vector<std::string>> by_conn;
    for (const auto& row : term) {
        size_t k = size_t(std::stoul(row[0])) - 9000;
        CHECK(by_conn.count(k) == 0);  // one Terminate per connection
        by_conn[k] = row;
    }
    for (size_t k = 0; k < kN; ++k) {
        const Case& cs = kCases[k];
        INFO(cs.name);
        const auto* ea = sys.a().nic.endpoint(conns[k].e[0].qpn());
        const auto* eb = sys.b().nic.endpoint(conns[k].e[1].qpn());
        REQUIRE(ea);
        REQUIRE(eb);
        REQUIRE(eb->terminate_sent());
        CHECK(proto::describe(*eb->terminate_sent()) == proto::describe(cs.cause));
        REQUIRE(ea->terminate_received());
        CHECK(*ea->terminate_received() == cs.cause);
        REQUIRE(by_conn.count(k) == 1);
        const auto& row = by_conn[k];
        CHECK(row[1] == hex2(unsigned(cs.cause.layer)));
        const bool ddp = cs.cause.layer == proto::TermLayer::Ddp;  // tshark names the fields per layer
        CHECK(row[ddp ? 6 : 2] == hex2(cs.cause.etype));
        CHECK(row[ddp ? 7 : 3] == hex2(cs.cause.code));
        CHECK((row[4] == "1" || row[4] == "True"));  // the offending DDP header is attached
        const bool rdmap_hdr = cs.kind == Kind::Read;  // ... and a Read Request's RDMAP header
        CHECK((row[5] == "1" || row[5] == "True") == rdmap_hdr);
        // A: the bad WR reports the remote access error, the good one behind it flushes.
        REQUIRE(a_wc[k].size() == 2);
        CHECK(a_wc[k][0].wr_id == 1);
        CHECK(a_wc[k][0].status == WcStatus::RemAccessErr);
        CHECK(a_wc[k][0].opcode == (cs.kind == Kind::Read    ? WcOpcode::RdmaRead
                                    : cs.kind == Kind::Write ? WcOpcode::RdmaWrite
                                                             : WcOpcode::Send));
        CHECK(a_wc[k][1].wr_id == 2);
        CHECK(a_wc[k][1].status == WcStatus::WrFlushErr);
        REQUIRE(a_late[k].size() == 1);
        CHECK(a_late[k][0].wr_id == 3);
        CHECK(a_late[k][0].status == WcStatus::WrFlushErr);
        // B: its posted receive flushed; nothing of A's landed.
        REQUIRE(b_wc[k].size() == 2);
        for (size_t i = 0; i < 2; ++i) {
            CHECK(b_wc[k][i].wr_id == (i == 0 ? 900 : 950) + k);  // posted before / after the error
            CHECK(b_wc[k][i].status == WcStatus::WrFlushErr);
            CHECK(b_wc[k][i].opcode == WcOpcode::Recv);
        }
        CHECK(b_untouched[k]);
        CHECK(sys.a().mem.read(conns[k].e[0].buf + 0x10000, 2000) == std::vector<uint8_t>(2000, 0));
    }
    // B detected each error: one affiliated access error per QP (IBV_EVENT_QP_ACCESS_ERR),
    // seen through its receive CQ before the flushed receive. A, which was told, gets none.
    CHECK(a_events.empty());
    REQUIRE(b_events.size() == kN);
    for (size_t k = 0; k < kN; ++k) {
        CHECK(b_events[k].qp_num == conns[k].e[1].qpn());
        CHECK(b_events[k].type == verbs::AsyncEventType::QpAccessErr);
        CHECK(b_events[k].status == WcStatus::LocAccessErr);
    }
    std::filesystem::remove_all(dir);
}
