// The pcaps of both NIC ports dissected by tshark (an independent iWARP implementation):
// the MPA Request and Reply, every FPDU the endpoints sent recognised with a Good CRC32, no
// malformed frame, and the closing Terminate's layer/type/code as the model sent it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

#include "proto/rdmap.h"
#include "tshark_oracle.h"
#include "two_host_fixture.h"

using namespace nicsim;
using namespace nicsim::testing;
using namespace nicsim::test;
using timing::Ps;

namespace {

std::string temp_dir() {
    auto dir = std::filesystem::temp_directory_path() / ("nicsim-two-host-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    return dir.string();
}

// Stream offsets (from each direction's first FPDU) at which A's and B's FPDUs end, from the
// NICs' TX traces: every data segment holds one FPDU, the first one per direction is the MPA
// Request/Reply, so FPDUs start with the second.
std::vector<uint64_t> fpdu_ends(const nic::NicTrace& t) {
    std::vector<uint64_t> ends;
    int data = 0;
    uint32_t base = 0, max_end = 0;
    for (const auto& f : t.tx) {
        if (f.payload == 0) continue;
        if (++data == 1) continue;  // MPA Request or Reply
        if (data == 2) base = f.seq;
        uint32_t end = f.seq - base + f.payload;
        if (data > 2 && end <= max_end) continue;  // a retransmission
        max_end = end;
        ends.push_back(end);
    }
    return ends;
}

void check_captures(bool markers) {
    if (!tshark_available()) FAIL("tshark not found on PATH: run scripts/setup (apt-get install tshark)");
    timing::init_time_resolution();
    const std::string dir = temp_dir();
    sim::TestbedParams p;
    p.hosts[0].nic.trace = p.hosts[1].nic.trace = true;
    p.pcaps[0] = dir + "/port_a.pcap";
    p.pcaps[1] = dir + "/port_b.pcap";
    sim::Testbed sys("sys", p);
    bool done = false;
    sys.body = [&] {
        host::ConnParams cp;
        cp.mpa.markers = markers;  // both ask: markers in both directions (tshark needs them symmetric)
        auto [a, b] = sys.connect_pair(cp);
        sys.a().mem.write(a.buf, pattern(70000, 1));
        // With markers the Read length is chosen so that no FPDU ends on a marker position.
        const uint32_t read_len = markers ? 4990 : 5000;
        sys.b().mem.write(b.buf + 200000, pattern(read_len, 2));
        REQUIRE(sys.b().dev.post_recv(b.qp, {{1, {{b.buf + 300000, 4096, b.mr->lkey}}}}) == 0);
        sc_core::wait(timing::to_sc(2 * timing::kUs));
        // Write 64 B, Write 64 KiB, Send 3000 B, Read ~5000 B: then a Send with no receive left.
        REQUIRE(sys.a().dev.post_send(a.qp, {write_wr(1, a, 0, 64, b, 0)}) == 0);
        REQUIRE(sys.a().dev.post_send(a.qp, {write_wr(2, a, 0, 65536, b, 65536)}) == 0);
        REQUIRE(sys.a().dev.post_send(a.qp, {send_wr(3, a, 0, 3000)}) == 0);
        verbs::SendWr r;
        r.wr_id = 4;
        r.opcode = verbs::WrOpcode::RdmaRead;
        r.sg_list = {{a.buf + 100000, read_len, a.mr->lkey}};
        r.remote_addr = b.buf + 200000;
        r.rkey = b.mr->rkey;
        REQUIRE(sys.a().dev.post_send(a.qp, {r}) == 0);
        auto c = sys.poll(0, a.cq, 4, 100'000 * timing::kUs, 1 * timing::kUs);
        REQUIRE(c.size() == 4);
        for (auto& wc : c) CHECK(wc.status == verbs::WcStatus::Success);
        auto src = pattern(70000, 1);
        CHECK(sys.b().mem.read(b.buf, 64) == std::vector<uint8_t>(src.begin(), src.begin() + 64));
        CHECK(sys.b().mem.read(b.buf + 65536, 65536) == std::vector<uint8_t>(src.begin(), src.begin() + 65536));
        CHECK(sys.b().mem.read(b.buf + 300000, 3000) == std::vector<uint8_t>(src.begin(), src.begin() + 3000));
        CHECK(sys.a().mem.read(a.buf + 100000, read_len) == pattern(read_len, 2));
        REQUIRE(sys.a().dev.post_send(a.qp, {send_wr(5, a, 0, 10)}) == 0);
        REQUIRE(sys.wait_until([&] { return sys.a().nic.endpoint(0)->terminate_received().has_value(); },
                               1000 * timing::kUs));
        sc_core::wait(timing::to_sc(10 * timing::kUs));
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    REQUIRE(done);
    sys.close_pcaps();
    const uint64_t fpdus = sys.a().nic.endpoint(0)->fpdus_sent() + sys.b().nic.endpoint(0)->fpdus_sent();
    INFO("FPDUs sent by both endpoints: " << fpdus);
    REQUIRE(fpdus > 50);
    REQUIRE(sys.a().nic.endpoint(0)->session()->markers_initiator_to_responder == markers);
    REQUIRE(sys.a().nic.endpoint(0)->session()->markers_responder_to_initiator == markers);
    if (markers) {
        // Wireshark 4.0 mis-frames an FPDU ending exactly on a marker position (architecture.md):
        // this traffic has none, so any tshark complaint below is about the model.
        for (const nic::NicTrace* t : {&sys.a().nic.trace(), &sys.b().nic.trace()})
            for (uint64_t e : fpdu_ends(*t)) {
                INFO("FPDU ends at stream offset " << e);
                CHECK(e % 512 != 0);
            }
    }
    for (const std::string& pcap : {p.pcaps[0], p.pcaps[1]}) {
        INFO("capture " << pcap);
        CHECK(count_lines(tshark(pcap, "-Y iwarp_mpa.req")) == 1);
        CHECK(count_lines(tshark(pcap, "-Y iwarp_mpa.rep")) == 1);
        CHECK(count_lines(tshark(pcap, "-Y _ws.malformed")) == 0);
        CHECK(count_lines(tshark(pcap, "-Y 'tcp.analysis.flags && !tcp.analysis.window_update'")) == 0);
        std::string pdml = tshark(pcap, "-T pdml");
        CHECK(count_substr(pdml, "Bad CRC32") == 0);
        CHECK(count_substr(pdml, "Good CRC32") == fpdus);
        auto rows = tshark_fields(pcap, "iwarp_mpa.fpdu", {"frame.number", "iwarp_rdma.opcode"});
        CHECK(rows.size() == fpdus);
        auto term = tshark_fields(pcap, "iwarp_rdma.terminate",
                                  {"iwarp_rdma.term_layer", "iwarp_rdma.term_etype_ddp",
                                   "iwarp_rdma.term_errcode_ddp_untagged"});
        REQUIRE(term.size() == 1);
        CHECK(term[0][0] == "0x01");  // DDP
        CHECK(term[0][1] == "0x02");  // untagged buffer error
        CHECK(term[0][2] == "0x02");  // invalid MSN: no buffer available
        if (markers) CHECK(count_lines(tshark(pcap, "-Y iwarp_mpa.marker_fpduptr")) > 0);
    }
    std::filesystem::remove_all(dir);
}

}  // namespace

TEST_CASE("tshark decodes both ports' captures: every FPDU, Good CRC32, the Terminate", "[two_host][tshark]") {
    check_captures(false);
}

TEST_CASE("tshark decodes both ports' captures with MPA markers", "[two_host][tshark]") { check_captures(true); }
