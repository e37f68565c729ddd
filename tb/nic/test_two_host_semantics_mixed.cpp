// Many connections at once through the timed two-host system: eight QPs, each carrying a
// random mix of RDMA Writes (including zero-length ones), Sends and RDMA Reads of 0 B to
// 256 KiB in both directions at the same time. Every byte that lands in either host's memory
// is compared with its source, and every queue's completions arrive in posting order with the
// right opcode, length and status.
#include <catch2/catch.hpp>

#include <random>

#include "semantics_fixture.h"

using namespace nicsim;
using namespace nicsim::testing;
using verbs::WcOpcode;
using verbs::WcStatus;
using verbs::WrOpcode;

namespace {

// Per connection end, a 16 MiB buffer: what this end sends from, where the peer's Writes
// land, its receive buffers, and where its own Reads land.
constexpr uint64_t kArea = 4 << 20;
constexpr uint64_t kSrc = 0, kWriteDst = kArea, kRecv = 2 * kArea, kReadSink = 3 * kArea;
constexpr uint32_t kMaxMsg = 256 << 10;
constexpr uint32_t kRecvSlots = 16;

struct Op {
    WrOpcode opcode;
    uint32_t len;
    uint64_t src_off;  // in the sender's source area (for a Read: the peer's source area)
    uint64_t dst_off;  // Write: in the peer's write area; Read: in the own read sink; Send: receive slot
};

uint32_t random_size(std::mt19937& rng) {
    std::uniform_int_distribution<int> cls(0, 3);
    switch (cls(rng)) {
    case 0: return std::uniform_int_distribution<uint32_t>(0, 64)(rng);
    case 1: return std::uniform_int_distribution<uint32_t>(65, 4096)(rng);
    case 2: return std::uniform_int_distribution<uint32_t>(4097, 65536)(rng);
    default: return std::uniform_int_distribution<uint32_t>(65537, kMaxMsg)(rng);
    }
}

// A random operation list for one direction of one connection; the first op is a
// zero-length Write so every list has one.
std::vector<Op> make_ops(std::mt19937& rng, size_t n) {
    std::vector<Op> ops;
    uint64_t write_cursor = 0, read_cursor = 0;
    uint32_t sends = 0;
    for (size_t i = 0; i < n; ++i) {
        Op o{};
        int kind = std::uniform_int_distribution<int>(0, 2)(rng);
        if (kind == 1 && sends == kRecvSlots) kind = 0;
        o.opcode = kind == 0 ? WrOpcode::RdmaWrite : kind == 1 ? WrOpcode::Send : WrOpcode::RdmaRead;
        o.len = i == 0 ? 0 : random_size(rng);
        if (i == 0) o.opcode = WrOpcode::RdmaWrite;
        o.src_off = std::uniform_int_distribution<uint64_t>(0, kArea - o.len)(rng);
        if (o.opcode == WrOpcode::Send) {
            o.dst_off = uint64_t(sends++) * kMaxMsg;
        } else {
            uint64_t& cursor = o.opcode == WrOpcode::RdmaRead ? read_cursor : write_cursor;
            if (cursor + o.len + 64 > kArea) o.len = 0;  // area full
            o.dst_off = cursor;
            cursor += o.len + 64;  // the gap catches overruns
        }
        ops.push_back(o);
    }
    return ops;
}

void run_mixed(const sim::TestbedParams& params, const host::ConnParams& cp, uint32_t seed, size_t kOpsPerDirection) {
    timing::init_time_resolution();
    constexpr size_t kQps = 8;
    sim::Testbed sys("sys", params);
    std::mt19937 rng(seed);
    bool done = false;
    std::vector<SemConn> conns;
    std::vector<std::vector<Op>> ops[2];  // [host][qp]
    std::vector<std::vector<verbs::WorkCompletion>> swc[2], rwc[2];
    uint64_t total_bytes = 0;
    timing::Ps t_start = 0, t_end = 0;
    sys.body = [&] {
        for (size_t k = 0; k < kQps; ++k) conns.push_back(connect_sem(sys, cp, cp, uint16_t(k), 4 * kArea));
        for (int h = 0; h < 2; ++h) {
            ops[h].resize(kQps);
            swc[h].resize(kQps);
            rwc[h].resize(kQps);
            for (size_t k = 0; k < kQps; ++k) {
                SemEnd& e = conns[k].e[h];
                sys.host(h).mem.write(e.buf + kSrc, pattern(kArea, uint32_t(1000 + 100 * h + k)));
                std::vector<verbs::RecvWr> recvs;
                for (uint32_t s = 0; s < kRecvSlots; ++s)
                    recvs.push_back({7000 + s, {{e.buf + kRecv + uint64_t(s) * kMaxMsg, kMaxMsg, e.mr->lkey}}});
                REQUIRE(sys.host(h).dev.post_recv(e.qp, recvs) == 0);
                ops[h][k] = make_ops(rng, kOpsPerDirection);
            }
        }
        sc_core::wait(timing::to_sc(50 * timing::kUs));  // every receive WQE prefetched
        t_start = timing::now_ps();
        for (int h = 0; h < 2; ++h)
            for (size_t k = 0; k < kQps; ++k) {
                SemEnd& me = conns[k].e[h];
                SemEnd& peer = conns[k].e[1 - h];
                std::vector<verbs::SendWr> wrs;
                for (size_t i = 0; i < ops[h][k].size(); ++i) {
                    const Op& o = ops[h][k][i];
                    total_bytes += o.len;
                    if (o.opcode == WrOpcode::RdmaWrite)
                        wrs.push_back(rdma_write_wr(i, me.buf + kSrc + o.src_off, o.len, me.mr->lkey,
                                                    peer.buf + kWriteDst + o.dst_off, peer.mr->rkey));
                    else if (o.opcode == WrOpcode::Send)
                        wrs.push_back(any_send_wr(i, WrOpcode::Send, me.buf + kSrc + o.src_off, o.len, me.mr->lkey));
                    else
                        wrs.push_back(read_wr(i, me.buf + kReadSink + o.dst_off, o.len, me.mr->lkey,
                                              peer.buf + kSrc + o.src_off, peer.mr->rkey));
                }
                REQUIRE(sys.host(h).dev.post_send(me.qp, wrs) == 0);
            }
        for (int h = 0; h < 2; ++h)
            for (size_t k = 0; k < kQps; ++k) {
                swc[h][k] = poll_n(sys, h, conns[k].e[h].scq, ops[h][k].size());
                size_t sends_in = 0;
                for (const Op& o : ops[1 - h][k]) sends_in += o.opcode == WrOpcode::Send;
                rwc[h][k] = poll_n(sys, h, conns[k].e[h].rcq, sends_in);
            }
        t_end = timing::now_ps();
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    REQUIRE(done);
    std::printf("8 QPs, %zu ops, %.1f MiB in both directions: %.1f us simulated\n", 2 * kQps * kOpsPerDirection,
                double(total_bytes) / (1 << 20), double(t_end - t_start) / 1e6);
    size_t zero_writes = 0, writes = 0, sends = 0, reads = 0;
    for (int h = 0; h < 2; ++h)
        for (size_t k = 0; k < kQps; ++k) {
            INFO("host " << h << " QP " << k);
            SemEnd& me = conns[k].e[h];
            SemEnd& peer = conns[k].e[1 - h];
            const auto& my_src = pattern(kArea, uint32_t(1000 + 100 * h + k));
            const auto& peer_src = pattern(kArea, uint32_t(1000 + 100 * (1 - h) + k));
            auto slice = [](const std::vector<uint8_t>& v, uint64_t off, uint32_t len) {
                return std::vector<uint8_t>(v.begin() + long(off), v.begin() + long(off + len));
            };
            const std::vector<Op>& mine = ops[h][k];
            REQUIRE(swc[h][k].size() == mine.size());
            for (size_t i = 0; i < mine.size(); ++i) {
                const Op& o = mine[i];
                const auto& wc = swc[h][k][i];
                INFO("WR " << i << " opcode " << int(o.opcode) << " length " << o.len);
                CHECK(wc.wr_id == i);  // posting order
                CHECK(wc.status == WcStatus::Success);
                CHECK(wc.byte_len == o.len);
                if (o.opcode == WrOpcode::RdmaWrite) {
                    ++writes;
                    zero_writes += o.len == 0;
                    CHECK(wc.opcode == WcOpcode::RdmaWrite);
                    CHECK(sys.host(1 - h).mem.read(peer.buf + kWriteDst + o.dst_off, o.len) == slice(my_src, o.src_off, o.len));
                    CHECK(sys.host(1 - h).mem.read(peer.buf + kWriteDst + o.dst_off + o.len, 64) == std::vector<uint8_t>(64, 0));
                } else if (o.opcode == WrOpcode::Send) {
                    ++sends;
                    CHECK(wc.opcode == WcOpcode::Send);
                    CHECK(sys.host(1 - h).mem.read(peer.buf + kRecv + o.dst_off, o.len) == slice(my_src, o.src_off, o.len));
                } else {
                    ++reads;
                    CHECK(wc.opcode == WcOpcode::RdmaRead);
                    CHECK(sys.host(h).mem.read(me.buf + kReadSink + o.dst_off, o.len) == slice(peer_src, o.src_off, o.len));
                    CHECK(sys.host(h).mem.read(me.buf + kReadSink + o.dst_off + o.len, 64) == std::vector<uint8_t>(64, 0));
                }
            }
            // The peer's Sends consumed this end's receives in order.
            std::vector<uint32_t> send_lens;
            for (const Op& o : ops[1 - h][k])
                if (o.opcode == WrOpcode::Send) send_lens.push_back(o.len);
            REQUIRE(rwc[h][k].size() == send_lens.size());
            for (size_t s = 0; s < send_lens.size(); ++s) {
                CHECK(rwc[h][k][s].wr_id == 7000 + s);
                CHECK(rwc[h][k][s].status == WcStatus::Success);
                CHECK(rwc[h][k][s].opcode == WcOpcode::Recv);
                CHECK(rwc[h][k][s].byte_len == send_lens[s]);
            }
            CHECK_FALSE(sys.host(h).nic.endpoint(me.qpn())->terminate_sent());
        }
    CHECK(zero_writes >= 2 * kQps);
    CHECK(writes > zero_writes);
    CHECK(sends > 10);
    CHECK(reads > 10);
    for (int h = 0; h < 2; ++h) {
        auto& host = sys.host(h);
        for (auto& e : host.sge.errors()) UNSCOPED_INFO(e);
        for (auto& e : host.nic.errors()) UNSCOPED_INFO(e);
        CHECK(host.sge.errors().empty());
        CHECK(host.nic.errors().empty());
        CHECK(host.nic.stats().payload_mismatches == 0);
        CHECK(host.nic.stats().burst_mismatches == 0);
    }
}

}  // namespace

TEST_CASE("Eight QPs, random Writes/Sends/Reads both ways: bytes and completion order", "[two_host][semantics][mixed]") {
    run_mixed(sim::TestbedParams(), {}, 20261123, 20);
}

TEST_CASE("Eight QPs, random traffic with MPA markers, through the switch", "[two_host][semantics][mixed]") {
    sim::TestbedParams p;
    p.use_switch = true;
    host::ConnParams cp;
    cp.mpa.markers = true;
    cp.mpa.p2p = host::P2pRtr::ZeroLengthRead;  // the Read RTR takes an ORD slot first
    run_mixed(p, cp, 7, 12);
}
