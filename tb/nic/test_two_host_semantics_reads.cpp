// RDMA Read limits end to end through the timed two-host system (verbs at both hosts):
// the ORD/IRD exchange of RFC 6581 in the MPA frames, a requester that never has more than
// ORD Reads on the wire, and a responder that answers more than IRD outstanding Read Requests
// with the RFC 5040 Terminate. tshark reads the captures as the independent oracle.
#include <catch2/catch.hpp>

#include <algorithm>

#include "semantics_fixture.h"

using namespace nicsim;
using namespace nicsim::testing;
using verbs::WcOpcode;
using verbs::WcStatus;

namespace {

void require_clean(sim::Testbed& sys) {
    for (int i = 0; i < 2; ++i) {
        auto& h = sys.host(i);
        INFO("host " << i);
        for (auto& e : h.sge.errors()) UNSCOPED_INFO(e);
        for (auto& e : h.nic.errors()) UNSCOPED_INFO(e);
        CHECK(h.nic.errors().empty());
        CHECK(h.nic.stats().payload_mismatches == 0);
        CHECK(h.nic.stats().burst_mismatches == 0);
    }
}

// The 16-bit IRD/ORD words of an MPA Request/Reply's private data (RFC 6581 §9.1: the first
// four bytes, big-endian, the top two bits of each being flags).
std::pair<unsigned, unsigned> ird_ord(const std::string& hex) {
    REQUIRE(hex.size() >= 8);
    unsigned ird = unsigned(std::stoul(hex.substr(0, 4), nullptr, 16)) & 0x3FFF;
    unsigned ord = unsigned(std::stoul(hex.substr(4, 4), nullptr, 16)) & 0x3FFF;
    return {ird, ord};
}

}  // namespace

TEST_CASE("Reads beyond the negotiated ORD wait: at most ORD on the wire, in order", "[two_host][semantics][read]") {
    const SemCapture cap = sem_capture("ord", 0);
    const std::string& dir = cap.dir;
    const sim::TestbedParams& p = cap.params;
    sim::Testbed sys("sys", p);
    // A asks for 8 outstanding Reads and serves 16; B serves only 3: A's ORD becomes 3.
    host::ConnParams ca, cb;
    ca.ird = 16;
    ca.ord = 8;
    cb.ird = 3;
    cb.ord = 5;
    const std::vector<uint32_t> sizes = {1, 40000, 0, 4096, 100000, 7, 65536, 12345, 1500, 3000, 90001, 64};
    bool done = false;
    sys.body = [&] {
        SemConn c = connect_sem(sys, ca, cb, 0, 4 << 20);
        SemEnd& a = c.e[0];
        SemEnd& b = c.e[1];
        auto src = pattern(2 << 20, 21);
        sys.b().mem.write(b.buf, src);
        std::vector<verbs::SendWr> wrs;
        uint64_t sink = a.buf + (2 << 20), src_off = 0;
        std::vector<std::pair<uint64_t, uint64_t>> where;  // (sink, source offset)
        for (size_t k = 0; k < sizes.size(); ++k) {
            wrs.push_back(read_wr(100 + k, sink, sizes[k], a.mr->lkey, b.buf + src_off, b.mr->rkey));
            where.push_back({sink, src_off});
            sink += sizes[k] + 64;
            src_off += 777 + sizes[k] / 3;
        }
        REQUIRE(sys.a().dev.post_send(a.qp, wrs) == 0);
        auto wc = poll_n(sys, 0, a.scq, sizes.size());
        REQUIRE(wc.size() == sizes.size());
        for (size_t k = 0; k < sizes.size(); ++k) {
            INFO("Read " << k << " of " << sizes[k] << " B");
            CHECK(wc[k].wr_id == 100 + k);  // in posting order
            CHECK(wc[k].status == WcStatus::Success);
            CHECK(wc[k].opcode == WcOpcode::RdmaRead);
            CHECK(wc[k].byte_len == sizes[k]);
            CHECK(sys.a().mem.read(where[k].first, sizes[k]) ==
                  std::vector<uint8_t>(src.begin() + long(where[k].second),
                                       src.begin() + long(where[k].second + sizes[k])));
            CHECK(sys.a().mem.read(where[k].first + sizes[k], 64) == std::vector<uint8_t>(64, 0));
        }
        sc_core::wait(timing::to_sc(5 * timing::kUs));
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    REQUIRE(done);
    sys.close_pcaps();
    require_clean(sys);
    const auto* ea = sys.a().nic.endpoint(0);
    const auto* eb = sys.b().nic.endpoint(0);
    REQUIRE(ea);
    REQUIRE(eb);
    // RFC 6581: the responder lowers its IRD to the initiator's ORD and its ORD to the
    // initiator's IRD; the initiator's ORD becomes the responder's IRD.
    REQUIRE(ea->session()->enhanced);
    CHECK(ea->session()->initiator_ord == 3);
    CHECK(eb->session()->responder_ird == 3);
    CHECK(eb->session()->responder_ord == 5);
    CHECK(ea->ord() == 3);
    CHECK(eb->ird() == 3);
    CHECK(ea->max_reads_outstanding() == 3);  // the limit was reached, and never passed

    // The oracle: tshark decodes the MPA frames' IRD/ORD and every Read Request / Read Response.
    auto req = test::tshark_fields(p.pcaps[0], "iwarp_mpa.req", {"iwarp_mpa.privatedata"});
    auto rep = test::tshark_fields(p.pcaps[0], "iwarp_mpa.rep", {"iwarp_mpa.privatedata"});
    REQUIRE(req.size() == 1);
    REQUIRE(rep.size() == 1);
    CHECK(ird_ord(req[0][0]) == std::make_pair(16u, 8u));
    CHECK(ird_ord(rep[0][0]) == std::make_pair(3u, 5u));
    // Walking A's port capture in time order: Read Requests A sent minus Read Responses
    // completed (L = 1) is the number outstanding; it must never exceed 3.
    const std::string a_ip = "10.0.0.1";
    auto rows = tshark_occurrences(p.pcaps[0], "iwarp_mpa.fpdu", {"ip.src", "iwarp_rdma.opcode", "iwarp_ddp.last_flag"});
    REQUIRE(!rows.empty());
    int outstanding = 0, max_out = 0, requests = 0, responses = 0;
    for (const auto& r : rows) {
        const bool from_a = !r[0].empty() && r[0][0] == a_ip;
        for (size_t k = 0; k < r[1].size(); ++k) {
            const std::string& op = r[1][k];
            const std::string last = k < r[2].size() ? r[2][k] : "";
            if (from_a && op == "0x01") ++requests, ++outstanding;
            if (!from_a && op == "0x02" && (last == "1" || last == "True")) ++responses, --outstanding;
            max_out = std::max(max_out, outstanding);
            CHECK(outstanding >= 0);
        }
    }
    CHECK(requests == int(sizes.size()));  // the RTR is a zero-length Write (the default)
    CHECK(responses == int(sizes.size()));
    CHECK(max_out == 3);
    std::filesystem::remove_all(dir);
}

TEST_CASE("More Read Requests than the IRD: the RDMAP Terminate 0x07", "[two_host][semantics][read]") {
    const SemCapture cap = sem_capture("ird", 0);
    const std::string& dir = cap.dir;
    const sim::TestbedParams& p = cap.params;
    sim::Testbed sys("sys", p);
    // MPA revision 1 exchanges no IRD/ORD: each end keeps its own, and A's ORD 8 overruns
    // B's IRD 2 (the misconfiguration RFC 6581 exists to prevent).
    host::ConnParams ca, cb;
    ca.mpa.rev = 1;
    ca.mpa.p2p = host::P2pRtr::None;
    ca.ord = 8;
    cb.ird = 2;
    const uint32_t len = 256 << 10;
    const int n = 6;
    bool done = false;
    std::vector<verbs::WorkCompletion> wc, rwc_b;
    std::vector<bool> data_ok;
    sys.body = [&] {
        SemConn c = connect_sem(sys, ca, cb, 0, 4 << 20);
        SemEnd& a = c.e[0];
        SemEnd& b = c.e[1];
        auto src = pattern(2 << 20, 22);
        sys.b().mem.write(b.buf, src);
        // B has a receive posted: it flushes when B's QP dies.
        REQUIRE(sys.b().dev.post_recv(b.qp, {{555, {{b.buf + (3 << 20), 1024, b.mr->lkey}}}}) == 0);
        std::vector<verbs::SendWr> wrs;
        for (int k = 0; k < n; ++k)
            wrs.push_back(read_wr(200 + k, a.buf + uint64_t(k) * len, len, a.mr->lkey, b.buf + uint64_t(k) * 1000,
                                  b.mr->rkey));
        REQUIRE(sys.a().dev.post_send(a.qp, wrs) == 0);
        wc = poll_n(sys, 0, a.scq, n);
        rwc_b = poll_n(sys, 1, b.rcq, 1);
        // B detected the overrun: an affiliated fatal error (not a protection one) for its QP.
        verbs::AsyncEvent ev;
        REQUIRE(sys.b().dev.get_async_event(ev));
        CHECK(ev.qp_num == b.qpn());
        CHECK(ev.type == verbs::AsyncEventType::QpFatal);
        CHECK(ev.status == WcStatus::FatalErr);
        CHECK_FALSE(sys.b().dev.get_async_event(ev));
        CHECK_FALSE(sys.a().dev.get_async_event(ev));
        for (int k = 0; k < n; ++k)
            data_ok.push_back(sys.a().mem.read(a.buf + uint64_t(k) * len, len) ==
                              std::vector<uint8_t>(src.begin() + k * 1000, src.begin() + k * 1000 + len));
        // A WR posted after the Terminate flushes.
        REQUIRE(sys.a().dev.post_send(a.qp, {read_wr(299, a.buf, 8, a.mr->lkey, b.buf, b.mr->rkey)}) == 0);
        auto more = poll_n(sys, 0, a.scq, 1);
        REQUIRE(more.size() == 1);
        CHECK(more[0].wr_id == 299);
        CHECK(more[0].status == WcStatus::WrFlushErr);
        sc_core::wait(timing::to_sc(5 * timing::kUs));
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    REQUIRE(done);
    sys.close_pcaps();
    const auto* ea = sys.a().nic.endpoint(0);
    const auto* eb = sys.b().nic.endpoint(0);
    REQUIRE(ea);
    REQUIRE(eb);
    CHECK_FALSE(ea->session()->enhanced);
    CHECK(ea->ord() == 8);
    CHECK(eb->ird() == 2);
    REQUIRE(eb->terminate_sent());
    CHECK(*eb->terminate_sent() == proto::term::kRdmapCatastrophicStream);
    // The six requests reach B within microseconds, while its first two 256 KiB Responses are
    // still being sent (TCP's initial window and A's 256 KiB receive window hold them back), so
    // both IRD slots are taken when the third arrives. B answered the first two Reads; the third
    // reports the remote operation error, the rest flush, all in posting order.
    REQUIRE(wc.size() == size_t(n));
    for (int k = 0; k < n; ++k) {
        INFO("Read " << k);
        CHECK(wc[k].wr_id == uint64_t(200 + k));
        WcStatus want = k < 2 ? WcStatus::Success : k == 2 ? WcStatus::RemOpErr : WcStatus::WrFlushErr;
        CHECK(wc[k].status == want);
        if (k < 2) CHECK(data_ok[size_t(k)]);
    }
    REQUIRE(rwc_b.size() == 1);
    CHECK(rwc_b[0].wr_id == 555);
    CHECK(rwc_b[0].status == WcStatus::WrFlushErr);
    // On the wire: exactly one Terminate, RDMAP / remote operation / 0x07, carrying the DDP and
    // the Read Request header of the third request (MSN 3).
    auto term = test::tshark_fields(p.pcaps[0], "iwarp_rdma.terminate",
                                    {"iwarp_rdma.term_layer", "iwarp_rdma.term_etype_rdma",
                                     "iwarp_rdma.term_errcode_rdma", "iwarp_rdma.hdrct_d", "iwarp_rdma.hdrct_r",
                                     "ip.src"});
    REQUIRE(term.size() == 1);
    CHECK(term[0][0] == "0x00");
    CHECK(term[0][1] == "0x02");
    CHECK(term[0][2] == "0x07");
    CHECK((term[0][3] == "1" || term[0][3] == "True"));
    CHECK((term[0][4] == "1" || term[0][4] == "True"));
    CHECK(term[0][5] == "10.0.0.2");
    size_t nreq = 0;
    for (const auto& r : tshark_occurrences(p.pcaps[0], "iwarp_mpa.fpdu", {"ip.src", "iwarp_rdma.opcode"}))
        if (!r[0].empty() && r[0][0] == "10.0.0.1") nreq += size_t(std::count(r[1].begin(), r[1].end(), "0x01"));
    CHECK(nreq == size_t(n));  // A itself kept to its (too large) ORD of 8
    std::filesystem::remove_all(dir);
}
