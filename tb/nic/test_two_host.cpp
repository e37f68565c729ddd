// Two hosts with T5-class NICs over 40GbE, end to end through the timed pipeline: every
// operation's bytes are compared with what landed in the peer's host memory.
#include <catch2/catch.hpp>

#include <cstdio>

#include "two_host_fixture.h"

using namespace nicsim;
using namespace nicsim::testing;
using timing::Ps;
using verbs::WcOpcode;
using verbs::WcStatus;

namespace {

sim::TestbedParams traced() {
    sim::TestbedParams p;
    p.hosts[0].nic.trace = p.hosts[1].nic.trace = true;
    return p;
}

void no_errors(sim::Testbed& sys) {
    for (int i = 0; i < 2; ++i) {
        auto& h = sys.host(i);
        INFO("host " << i);
        CHECK(h.sge.errors().empty());
        CHECK(h.nic.errors().empty());
        CHECK(h.nic.stats().payload_mismatches == 0);
        CHECK(h.nic.stats().burst_mismatches == 0);
        CHECK(h.nic.stats().rx_bad_frames == 0);
        CHECK(h.nic.stats().rx_no_connection == 0);
        for (auto& e : h.sge.errors()) UNSCOPED_INFO(e);
        for (auto& e : h.nic.errors()) UNSCOPED_INFO(e);
    }
}

}  // namespace

TEST_CASE("A 64-byte RDMA Write lands byte-exact and a Send completes a receive at B", "[two_host]") {
    timing::init_time_resolution();
    sim::Testbed sys("sys", traced());
    bool done = false;
    sys.body = [&] {
        auto [a, b] = sys.connect_pair();
        auto data = pattern(64, 1), msg = pattern(100, 2);
        sys.a().mem.write(a.buf, data);
        sys.a().mem.write(a.buf + 4096, msg);
        REQUIRE(sys.b().dev.post_recv(b.qp, {{77, {{b.buf + 8192, 256, b.mr->lkey}}}}) == 0);
        sc_core::wait(timing::to_sc(2 * timing::kUs));  // the receive WQE is prefetched by then
        REQUIRE(sys.a().dev.post_send(a.qp, {write_wr(1, a, 0, 64, b, 512)}) == 0);
        REQUIRE(sys.a().dev.post_send(a.qp, {send_wr(2, a, 4096, 100)}) == 0);
        auto rc = sys.poll(1, b.cq, 1, 100 * timing::kUs);
        REQUIRE(rc.size() == 1);
        CHECK(rc[0].wr_id == 77);
        CHECK(rc[0].opcode == WcOpcode::Recv);
        CHECK(rc[0].status == WcStatus::Success);
        CHECK(rc[0].byte_len == 100);
        CHECK(sys.b().mem.read(b.buf + 512, 64) == data);
        CHECK(sys.b().mem.read(b.buf + 8192, 100) == msg);
        CHECK(sys.b().mem.read(b.buf + 512 + 64, 16) == std::vector<uint8_t>(16, 0));  // nothing past the end
        // A's two WRs complete once B's TCP acknowledges them. Delayed ACK (defaults: every 2nd
        // segment or 40 ms): the RTR and the Write are acked at once, the lone Send after 40 ms.
        auto sc = sys.poll(0, a.cq, 2, 50'000 * timing::kUs, 1 * timing::kUs);
        REQUIRE(sc.size() == 2);
        CHECK(sc[0].wr_id == 1);
        CHECK(sc[0].opcode == WcOpcode::RdmaWrite);
        CHECK(sc[0].status == WcStatus::Success);
        CHECK(sc[1].wr_id == 2);
        CHECK(sc[1].opcode == WcOpcode::Send);
        CHECK(sc[1].status == WcStatus::Success);
        // Event-driven: once every timer has run out (RTO 200 ms), an idle NIC has nothing scheduled.
        sc_core::wait(timing::to_sc(1000 * 1000 * timing::kUs));
        CHECK(sys.a().nic.pending_events() == 0);
        CHECK(sys.b().nic.pending_events() == 0);
        CHECK(sys.a().nic.stats().timer_wakeups < 10);
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    CHECK(done);
    no_errors(sys);
    CHECK(sys.b().nic.stats().recv_prefetches == 1);
}

TEST_CASE("Multi-segment RDMA Writes of 64 KiB and 1 MiB land byte-exact", "[two_host]") {
    timing::init_time_resolution();
    sim::TestbedParams p;
    sim::Testbed sys("sys", p);
    bool done = false;
    Ps t_1m = 0;
    sys.body = [&] {
        auto [a, b] = sys.connect_pair({}, 4 << 20);
        auto d64 = pattern(65536, 3), d1m = pattern(1 << 20, 4);
        sys.a().mem.write(a.buf, d64);
        sys.a().mem.write(a.buf + (1 << 20), d1m);
        REQUIRE(sys.a().dev.post_send(a.qp, {write_wr(1, a, 0, 65536, b, 100)}) == 0);
        // The send CQE needs B's ACK of the last segment: up to the 40 ms delayed-ACK timeout.
        auto c = sys.poll(0, a.cq, 1, 100'000 * timing::kUs, 1 * timing::kUs);
        REQUIRE(c.size() == 1);
        CHECK(c[0].status == WcStatus::Success);
        CHECK(c[0].byte_len == 65536);
        CHECK(sys.b().mem.read(b.buf + 100, 65536) == d64);
        Ps t0 = timing::now_ps();
        const uint64_t placed0 = sys.b().nic.stats().place_bytes;
        REQUIRE(sys.a().dev.post_send(a.qp, {write_wr(2, a, 1 << 20, 1 << 20, b, 2 << 20)}) == 0);
        // Bandwidth: post -> the last placement DMA issued at B (the CQE waits for a delayed ACK).
        REQUIRE(sys.wait_until([&] { return sys.b().nic.stats().place_bytes >= placed0 + (1 << 20); },
                               10'000 * timing::kUs, 10 * timing::kNs));
        t_1m = timing::now_ps() - t0;
        c = sys.poll(0, a.cq, 1, 100'000 * timing::kUs, 1 * timing::kUs);
        REQUIRE(c.size() == 1);
        CHECK(c[0].status == WcStatus::Success);
        CHECK(c[0].byte_len == uint32_t(1 << 20));
        CHECK(sys.b().mem.read(b.buf + (2 << 20), 1 << 20) == d1m);
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    CHECK(done);
    no_errors(sys);
    // 1 MiB at the iWARP goodput ceiling (perf_anchors §2.1, 1500 MTU with timestamps:
    // 37.14 Gb/s) takes at least 226 us; PCIe and TCP slow start only add to that.
    double gbps = double(1 << 20) * 8 / (double(t_1m) / 1000.0);
    std::printf("1 MiB RDMA Write: %.1f us post -> last placement at B, %.2f Gb/s\n", double(t_1m) / 1e6, gbps);
    CHECK(gbps < 37.2);
    CHECK(gbps > 5.0);
}

TEST_CASE("An RDMA Read returns the peer's bytes", "[two_host]") {
    timing::init_time_resolution();
    sim::Testbed sys("sys", traced());
    bool done = false;
    sys.body = [&] {
        auto [a, b] = sys.connect_pair();
        auto src = pattern(10000, 5);
        sys.b().mem.write(b.buf + 3000, src);
        verbs::SendWr r;
        r.wr_id = 9;
        r.opcode = verbs::WrOpcode::RdmaRead;
        r.sg_list = {{a.buf + 64, 10000, a.mr->lkey}};
        r.remote_addr = b.buf + 3000;
        r.rkey = b.mr->rkey;
        REQUIRE(sys.a().dev.post_send(a.qp, {r}) == 0);
        auto c = sys.poll(0, a.cq, 1, 1000 * timing::kUs);
        REQUIRE(c.size() == 1);
        CHECK(c[0].wr_id == 9);
        CHECK(c[0].opcode == WcOpcode::RdmaRead);
        CHECK(c[0].status == WcStatus::Success);
        CHECK(sys.a().mem.read(a.buf + 64, 10000) == src);
        CHECK(sys.a().mem.read(a.buf, 64) == std::vector<uint8_t>(64, 0));
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    CHECK(done);
    no_errors(sys);
    // The Read Response's data was gathered by B's SGE (read_host), not only peeked.
    CHECK(sys.b().sge.stats().gather_bytes >= 10000);
}

TEST_CASE("A Send with no receive posted is answered by the DDP Terminate (untagged, code 0x02)", "[two_host]") {
    timing::init_time_resolution();
    sim::Testbed sys("sys", traced());
    bool done = false;
    sys.body = [&] {
        auto [a, b] = sys.connect_pair();
        sys.a().mem.write(a.buf, pattern(40, 6));
        REQUIRE(sys.a().dev.post_send(a.qp, {send_wr(1, a, 0, 40)}) == 0);
        // B's Terminate (it carries the ACK of the Send's segment) copies the Send's DDP header:
        // that Send completes with the remote operation error, and the QP is down.
        auto c = sys.poll(0, a.cq, 1, 100'000 * timing::kUs, 1 * timing::kUs);
        REQUIRE(c.size() == 1);
        CHECK(c[0].wr_id == 1);
        CHECK(c[0].status == WcStatus::RemOpErr);
        REQUIRE(sys.wait_until([&] { return sys.a().nic.endpoint(0)->terminate_received().has_value(); },
                               1000 * timing::kUs));
        REQUIRE(sys.a().dev.post_send(a.qp, {send_wr(2, a, 0, 40)}) == 0);
        c = sys.poll(0, a.cq, 1, 1000 * timing::kUs);
        REQUIRE(c.size() == 1);
        CHECK(c[0].wr_id == 2);
        CHECK(c[0].status == WcStatus::WrFlushErr);
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    CHECK(done);
    const auto* eb = sys.b().nic.endpoint(0);
    const auto* ea = sys.a().nic.endpoint(0);
    REQUIRE(ea);
    REQUIRE(eb);
    REQUIRE(eb->terminate_sent());
    CHECK(*eb->terminate_sent() == proto::term::kDdpNoBuffer);
    REQUIRE(ea->terminate_received());
    CHECK(ea->terminate_received()->layer == proto::TermLayer::Ddp);
    CHECK(ea->terminate_received()->etype == 2);  // untagged buffer error
    CHECK(ea->terminate_received()->code == 0x02);
    // Nothing was placed in B's memory.
    CHECK(sys.b().nic.stats().place_bytes == 0);
}

TEST_CASE("Through the cut-through switch the wire adds exactly the switch latency and a second cable", "[two_host]") {
    timing::init_time_resolution();
    sim::TestbedParams p = sim::TestbedParams::from_config(config::Config());
    p.use_switch = true;
    p.hosts[0].nic.trace = p.hosts[1].nic.trace = true;
    sim::Testbed sys("sys", p);
    sim::OpPath lb;
    bool done = false;
    sys.body = [&] {
        auto [a, b] = sys.connect_pair();
        sc_core::wait(timing::to_sc(20 * timing::kUs));
        auto data = pattern(32, 8);
        sys.a().mem.write(a.buf, data);
        Ps t = timing::now_ps();
        REQUIRE(sys.a().dev.post_send(a.qp, {write_wr(7, a, 0, 32, b, 128, true)}) == 0);
        REQUIRE(sys.wait_until([&] { return sys.b().mem.read(b.buf + 128, 32) == data; }, 20 * timing::kUs, 1000));
        const Ps t_done = timing::now_ps();
        sc_core::wait(timing::to_sc(1 * timing::kUs));
        lb = sim::critical_path(sys, op_record(sim::OpKind::Write, 32, a, 7, true, t, t_done));
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    REQUIRE(done);
    INFO(lb.why);
    REQUIRE(lb.matched);
    std::printf("\n32 B inline Write through the switch\n%s", sim::format_path(lb).c_str());
    CHECK(row_span(lb, "wire: propagation to the switch") == p.link.propagation);
    CHECK(row_span(lb, "switch: port to port (first byte)") == p.sw.latency);
    CHECK(row_span(lb, "wire: propagation switch -> peer") == p.link.propagation);
    no_errors(sys);
}

TEST_CASE("Malformed and unroutable frames are counted and dropped, and the connection keeps working", "[two_host]") {
    timing::init_time_resolution();
    sim::Testbed sys("sys", traced());
    bool done = false;
    sys.body = [&] {
        auto [a, b] = sys.connect_pair();
        auto inject = [&](proto::Bytes bytes) {
            net::FrameArrival f;
            f.frame.bytes = std::make_shared<const proto::Bytes>(std::move(bytes));
            f.frame.id = 999999;
            f.first_byte = timing::now_ps();
            f.byte_time = 200;
            f.last_byte = f.first_byte + f.frame.size() * 200;
            sys.b().nic.receive(f);
        };
        inject({});                          // empty
        inject(proto::Bytes(13, 0xff));      // shorter than an Ethernet header
        inject(proto::Bytes(60, 0x00));      // not IPv4
        inject(pattern(1500, 3));            // random bytes
        proto::TcpFrameSpec spec;            // valid TCP, but no such connection
        spec.flow = {{sys.params().hosts[0].nic.mac, sys.params().hosts[0].nic.ip, 1234}, {sys.params().hosts[1].nic.mac, sys.params().hosts[1].nic.ip, 4321}};
        const proto::Bytes payload = pattern(20, 4);  // must outlive build_tcp_frame
        spec.payload = payload;
        proto::Bytes good = proto::build_tcp_frame(spec);
        inject(good);
        proto::Bytes bad = good;             // same frame with a corrupted TCP checksum
        bad[50] ^= 0x01;
        inject(bad);
        sc_core::wait(timing::to_sc(2 * timing::kUs));
        CHECK(sys.b().nic.stats().rx_bad_frames == 5);
        CHECK(sys.b().nic.stats().rx_no_connection == 1);
        auto data = pattern(64, 9);
        sys.a().mem.write(a.buf, data);
        REQUIRE(sys.a().dev.post_send(a.qp, {write_wr(1, a, 0, 64, b, 0)}) == 0);
        CHECK(sys.wait_until([&] { return sys.b().mem.read(b.buf, 64) == data; }, 20 * timing::kUs));
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    CHECK(done);
    CHECK(sys.b().nic.errors().empty());
}

TEST_CASE("A lost data frame and a lost ACK are recovered by TCP: the Write still lands byte-exact", "[two_host][loss]") {
    timing::init_time_resolution();
    sim::TestbedParams p;
    p.hosts[0].nic.tcp.min_rto_ps = p.hosts[1].nic.tcp.min_rto_ps = 1000 * timing::kUs;  // 1 ms: keeps the test short
    sim::Testbed sys("sys", p);
    int data_seen = 0, acks_seen = 0, dropped = 0;
    bool done = false;
    sys.body = [&] {
        auto [a, b] = sys.connect_pair();
        // From now on: drop A's 5th data frame and B's 3rd pure ACK (fault injection on the links).
        sys.link_from(0).set_drop_filter([&](const net::EthFrame& f) {
            auto t = proto::parse_tcp_frame(proto::ByteView(*f.bytes));
            if (t.payload.size > 0 && ++data_seen == 5) return ++dropped, true;
            return false;
        });
        sys.link_from(1).set_drop_filter([&](const net::EthFrame& f) {
            auto t = proto::parse_tcp_frame(proto::ByteView(*f.bytes));
            if (t.payload.size == 0 && ++acks_seen == 3) return ++dropped, true;
            return false;
        });
        auto d = pattern(200000, 12);
        sys.a().mem.write(a.buf, d);
        REQUIRE(sys.a().dev.post_send(a.qp, {write_wr(1, a, 0, 200000, b, 300000)}) == 0);
        auto c = sys.poll(0, a.cq, 1, 500'000 * timing::kUs, 1 * timing::kUs);
        REQUIRE(c.size() == 1);
        CHECK(c[0].status == WcStatus::Success);
        CHECK(sys.b().mem.read(b.buf + 300000, 200000) == d);
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    CHECK(done);
    CHECK(dropped == 2);
    const auto* ep = sys.a().nic.endpoint(0);
    REQUIRE(ep);
    CHECK(ep->tcp().stats().retransmitted_segments >= 1);
    no_errors(sys);
}
