// Two iWARP endpoints (TCP + MPA + DDP/RDMAP, golden model only) over a simulated wire:
// connection setup with the RTR, every operation end to end with the placed bytes compared,
// Terminates with the RFC codes, and loss recovered by TCP without corrupting a byte.
#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <queue>
#include <random>

#include "proto/iwarp_endpoint.h"
#include "random_bytes.h"

using namespace nicsim::proto;

namespace {

constexpr uint32_t kPd = 7;
constexpr uint64_t kUs = 1'000'000;

// Host memory: registered regions by STag and posted receive buffers by wr_id.
struct Memory : EndpointMemory {
    std::map<uint32_t, std::pair<uint64_t, Bytes>> regions;
    std::map<uint64_t, Bytes> receives;
    Tpt tpt;

    void add_region(uint32_t stag, uint64_t base, size_t len, uint32_t access, uint8_t fill) {
        regions[stag] = {base, Bytes(len, fill)};
        tpt.add({stag, kPd, base, len, access, true, 0});
    }
    void write_tagged(uint32_t stag, uint64_t to, ByteView d) override {
        auto& r = regions.at(stag);
        std::copy(d.data, d.data + d.size, r.second.begin() + long(to - r.first));
    }
    void write_receive(uint64_t id, uint32_t off, ByteView d) override {
        std::copy(d.data, d.data + d.size, receives.at(id).begin() + off);
    }
    Bytes read_tagged(uint32_t stag, uint64_t to, uint32_t len) override {
        auto& r = regions.at(stag);
        auto b = r.second.begin() + long(to - r.first);
        return Bytes(b, b + len);
    }
    Bytes region_bytes(uint32_t stag, uint64_t to, size_t len) { return read_tagged(stag, to, uint32_t(len)); }
};

// Both endpoints and the wire between them: 10 Gb/s, 2 us each way, optional drops.
struct Pair {
    Memory mem[2];
    std::unique_ptr<IwarpEndpoint> ep[2];
    std::vector<WorkCompletion> done[2];
    std::function<bool(int from, const TcpSegment&, uint64_t index)> drop;
    uint64_t sent[2] = {0, 0};
    uint64_t retransmissions = 0;
    uint64_t now = 0;

    struct InFlight {
        uint64_t t;
        uint64_t order;
        int to;
        TcpHeader h;
        Bytes payload;
        bool operator>(const InFlight& o) const { return t != o.t ? t > o.t : order > o.order; }
    };
    std::priority_queue<InFlight, std::vector<InFlight>, std::greater<InFlight>> wire;
    uint64_t order = 0, free_at[2] = {0, 0};

    Pair(bool markers, bool crc = true, uint8_t rtr = kRtrZeroLengthRead) {
        IwarpEndpointConfig cfg;
        cfg.pd = kPd;
        cfg.mpa.markers_rx = markers;
        cfg.mpa.crc = crc;
        cfg.mpa.rtr_types = rtr;
        cfg.tcp.min_rto_ps = 1000 * kUs;  // 1 ms: keeps loss tests short
        cfg.tcp.initial_rto_ps = 1000 * kUs;
        for (int i = 0; i < 2; ++i) {
            mem[i].add_region(0x100, 0x10000, 1 << 20, kAccessRemoteWrite | kAccessLocalWrite | kAccessRemoteRead, 0);
            mem[i].add_region(0x200, 0, 1 << 20, kAccessRemoteRead, uint8_t(0x30 + i));
            mem[i].add_region(0x300, 0, 1 << 20, kAccessLocalWrite, 0);
        }
        ep[0] = std::make_unique<IwarpEndpoint>(cfg, 40000, 7174, 1000, mem[0].tpt, mem[0]);
        ep[1] = std::make_unique<IwarpEndpoint>(cfg, 7174, 40000, 900000, mem[1].tpt, mem[1]);
        ep[1]->listen();
        ep[0]->connect(0);
        pump();
    }

    void post_recv(int i, uint64_t id, uint32_t len) {
        mem[i].receives[id] = Bytes(len, 0);
        ep[i]->post_recv({id, len});
    }

    void pump() {
        for (int i = 0; i < 2; ++i) {
            TcpSegment seg;
            while (ep[i]->poll_segment(now, seg)) {
                uint64_t index = sent[i]++;
                retransmissions += seg.retransmission;
                uint64_t bytes = 54 + seg.payload.size();
                uint64_t start = std::max(now, free_at[i]);
                free_at[i] = start + bytes * 800;  // 10 Gb/s
                if (drop && drop(i, seg, index)) continue;
                wire.push({free_at[i] + 2 * kUs, order++, 1 - i, seg.header, seg.payload});
            }
            WorkCompletion wc;
            while (ep[i]->poll_completion(wc)) done[i].push_back(wc);
        }
    }

    bool run_until(const std::function<bool()>& pred, uint64_t limit = 2'000'000 * kUs) {
        for (int guard = 0; guard < 2'000'000; ++guard) {
            pump();
            if (pred()) return true;
            uint64_t next = UINT64_MAX;
            if (!wire.empty()) next = wire.top().t;
            for (auto& e : ep) next = std::min(next, e->next_timer());
            if (next == UINT64_MAX || next > limit) return pred();
            now = std::max(now, next);
            while (!wire.empty() && wire.top().t <= now) {
                InFlight f = wire.top();
                wire.pop();
                ep[f.to]->on_segment(now, f.h, f.payload);
                pump();
            }
            for (auto& e : ep)
                if (e->next_timer() <= now) e->on_timer(now);
        }
        return pred();
    }

    bool ready() { return ep[0]->state() == EndpointState::Ready && ep[1]->state() == EndpointState::Ready; }
    size_t count(int i, CompletionStatus s) {
        size_t n = 0;
        for (auto& c : done[i]) n += c.status == s;
        return n;
    }
};

Bytes pattern(size_t n, uint32_t seed) { return nicsim::test::random_bytes(n, seed); }

WorkRequest write_wr(uint64_t id, Bytes data, uint64_t to, uint32_t stag = 0x100) {
    WorkRequest w;
    w.wr_id = id;
    w.opcode = WorkOpcode::Write;
    w.payload = std::move(data);
    w.remote_stag = stag;
    w.remote_to = to;
    return w;
}

}  // namespace

TEST_CASE("Endpoints connect through MPA with a Read RTR, markers off and on", "[iwarp]") {
    for (bool markers : {false, true}) {
        Pair p(markers);
        REQUIRE(p.run_until([&] { return p.ready(); }));
        REQUIRE(p.ep[0]->session());
        CHECK(p.ep[0]->session()->rtr == kRtrZeroLengthRead);
        CHECK(p.ep[0]->session()->markers_initiator_to_responder == markers);
        CHECK(p.ep[1]->fpdus_sent() == 1);  // the zero-length Read Response to the RTR
        CHECK(p.done[0].empty());           // the RTR completes nothing
    }
}

TEST_CASE("RDMA Writes of every size land byte-exact and complete when acknowledged", "[iwarp]") {
    for (bool markers : {false, true}) {
        Pair p(markers);
        REQUIRE(p.run_until([&] { return p.ready(); }));
        uint64_t to = 0x10000;
        std::vector<std::pair<uint64_t, Bytes>> sent;
        for (size_t len : {0u, 1u, 64u, 1442u, 1443u, 5000u, 65536u, 300000u}) {
            Bytes d = pattern(len, uint32_t(len));
            p.ep[0]->post_send(p.now, write_wr(len, d, to));
            sent.push_back({to, d});
            to += len + 8;
        }
        REQUIRE(p.run_until([&] { return p.done[0].size() == sent.size(); }));
        CHECK(p.count(0, CompletionStatus::Success) == sent.size());
        for (auto& [at, d] : sent) CHECK(p.mem[1].region_bytes(0x100, at, d.size()) == d);
    }
}

TEST_CASE("Send/Recv, Send with Invalidate and Solicited Event", "[iwarp]") {
    Pair p(false);
    p.post_recv(1, 11, 4096);
    p.post_recv(1, 12, 100000);
    p.post_recv(1, 13, 16);
    REQUIRE(p.run_until([&] { return p.ready(); }));
    WorkRequest s;
    s.wr_id = 1;
    s.opcode = WorkOpcode::Send;
    s.payload = pattern(3000, 1);
    p.ep[0]->post_send(p.now, s);
    WorkRequest big = s;
    big.wr_id = 2;
    big.opcode = WorkOpcode::SendSolicitedInvalidate;
    big.invalidate_stag = 0x300;
    big.payload = pattern(70000, 2);
    p.ep[0]->post_send(p.now, big);
    WorkRequest zero = s;
    zero.wr_id = 3;
    zero.opcode = WorkOpcode::SendSolicited;
    zero.payload.clear();
    p.ep[0]->post_send(p.now, zero);
    REQUIRE(p.run_until([&] { return p.done[1].size() == 3 && p.done[0].size() == 3; }));
    CHECK(p.done[1][0].wr_id == 11);
    CHECK(p.done[1][0].byte_len == 3000);
    CHECK(Bytes(p.mem[1].receives[11].begin(), p.mem[1].receives[11].begin() + 3000) == s.payload);
    CHECK(p.done[1][1].wr_id == 12);
    CHECK(p.done[1][1].solicited);
    CHECK(p.done[1][1].invalidated_stag == 0x300u);
    CHECK(Bytes(p.mem[1].receives[12].begin(), p.mem[1].receives[12].begin() + 70000) == big.payload);
    CHECK_FALSE(p.mem[1].tpt.find(0x300)->valid);
    CHECK(p.done[1][2].byte_len == 0);
    CHECK(p.done[1][2].solicited);
    CHECK(p.count(0, CompletionStatus::Success) == 3);
}

TEST_CASE("RDMA Read returns the peer's bytes into the local sink", "[iwarp]") {
    Pair p(true);
    REQUIRE(p.run_until([&] { return p.ready(); }));
    WorkRequest r;
    r.wr_id = 5;
    r.opcode = WorkOpcode::Read;
    r.remote_stag = 0x200;
    r.remote_to = 1000;
    r.local_stag = 0x300;
    r.local_to = 64;
    r.read_length = 50000;
    p.ep[0]->post_send(p.now, r);
    WorkRequest z = r;
    z.wr_id = 6;
    z.read_length = 0;
    p.ep[0]->post_send(p.now, z);
    REQUIRE(p.run_until([&] { return p.done[0].size() == 2; }));
    CHECK(p.done[0][0].wr_id == 5);
    CHECK(p.done[0][0].status == CompletionStatus::Success);
    CHECK(p.done[0][0].byte_len == 50000);
    CHECK(p.done[0][1].byte_len == 0);
    CHECK(p.mem[0].region_bytes(0x300, 64, 50000) == p.mem[1].region_bytes(0x200, 1000, 50000));
}

TEST_CASE("The ORD holds Reads and what follows; completions leave in posting order", "[iwarp]") {
    Pair p(false);  // IRD = ORD = 16 at both ends
    REQUIRE(p.run_until([&] { return p.ready(); }));
    REQUIRE(p.ep[0]->ord() == 16);
    REQUIRE(p.ep[1]->ird() == 16);
    // A long Read, a Write behind it (ACKed long before the Read's Response ends), then 20
    // small Reads: at most 16 on the wire, the Write's completion waits for the Read's.
    WorkRequest big;
    big.wr_id = 1;
    big.opcode = WorkOpcode::Read;
    big.remote_stag = 0x200;
    big.local_stag = 0x300;
    big.read_length = 200000;
    p.ep[0]->post_send(p.now, big);
    p.ep[0]->post_send(p.now, write_wr(2, pattern(100, 7), 0x10000));
    for (uint64_t k = 0; k < 20; ++k) {
        WorkRequest r = big;
        r.wr_id = 10 + k;
        r.remote_to = 300000 + 100 * k;
        r.local_to = 300000 + 100 * k;
        r.read_length = 100;
        p.ep[0]->post_send(p.now, r);
    }
    CHECK_FALSE(p.ep[0]->transmits_now(big));  // 16 Reads are out, the rest wait
    CHECK(p.ep[0]->reads_outstanding() == 16);
    REQUIRE(p.run_until([&] { return p.done[0].size() == 22; }));
    CHECK(p.ep[0]->max_reads_outstanding() == 16);
    CHECK(p.done[0][0].wr_id == 1u);
    CHECK(p.done[0][1].wr_id == 2u);
    for (size_t k = 0; k < 20; ++k) CHECK(p.done[0][2 + k].wr_id == 10 + k);
    CHECK(p.count(0, CompletionStatus::Success) == 22);
    CHECK(p.mem[0].region_bytes(0x300, 0, 200000) == p.mem[1].region_bytes(0x200, 0, 200000));
    CHECK(p.mem[0].region_bytes(0x300, 300000, 2000) == p.mem[1].region_bytes(0x200, 300000, 2000));
    CHECK(p.mem[1].region_bytes(0x100, 0x10000, 100) == pattern(100, 7));
    CHECK_FALSE(p.ep[1]->terminate_sent());
}

TEST_CASE("Protection and buffer errors produce the RFC Terminate and flush", "[iwarp]") {
    {
        Pair p(false);
        REQUIRE(p.run_until([&] { return p.ready(); }));
        p.ep[0]->post_send(p.now, write_wr(1, pattern(100, 3), 0, 0x999));  // unknown STag
        WorkRequest after = write_wr(2, pattern(10, 4), 0x10000);
        REQUIRE(p.run_until([&] { return p.ep[0]->terminate_received().has_value(); }));
        CHECK(*p.ep[1]->terminate_sent() == term::kDdpInvalidStag);
        CHECK(*p.ep[0]->terminate_received() == term::kDdpInvalidStag);
        // The Terminate copies the Write's DDP header: that Write reports the remote error.
        REQUIRE(p.run_until([&] { return !p.done[0].empty(); }));
        CHECK(p.done[0][0].wr_id == 1u);
        CHECK(p.done[0][0].status == CompletionStatus::RemoteError);
        p.ep[0]->post_send(p.now, after);
        p.pump();
        CHECK(p.done[0].back().status == CompletionStatus::Flushed);
    }
    {
        Pair p(false);  // a Send with no receive posted
        REQUIRE(p.run_until([&] { return p.ready(); }));
        WorkRequest s;
        s.wr_id = 1;
        s.opcode = WorkOpcode::Send;
        s.payload = pattern(10, 5);
        p.ep[0]->post_send(p.now, s);
        REQUIRE(p.run_until([&] { return p.ep[0]->terminate_received().has_value(); }));
        CHECK(*p.ep[0]->terminate_received() == term::kDdpNoBuffer);
    }
    {
        Pair p(false);  // a Read of a region without remote-read access
        REQUIRE(p.run_until([&] { return p.ready(); }));
        WorkRequest r;
        r.wr_id = 9;
        r.opcode = WorkOpcode::Read;
        r.remote_stag = 0x300;
        r.local_stag = 0x300;
        r.read_length = 10;
        p.ep[0]->post_send(p.now, r);
        REQUIRE(p.run_until([&] { return p.ep[0]->terminate_received().has_value(); }));
        CHECK(*p.ep[0]->terminate_received() == term::kRdmapAccessRights);
        REQUIRE(p.run_until([&] { return !p.done[0].empty(); }));
        CHECK(p.done[0][0].wr_id == 9u);
        CHECK(p.done[0][0].status == CompletionStatus::RemoteError);  // the Read the Terminate names
    }
}

TEST_CASE("A dropped data segment and a dropped ACK are recovered byte-exact", "[iwarp][loss]") {
    for (bool markers : {false, true}) {
        Pair p(markers);
        REQUIRE(p.run_until([&] { return p.ready(); }));
        uint64_t base0 = p.sent[0], base1 = p.sent[1];
        int dropped_data = 0, dropped_ack = 0;
        p.drop = [&](int from, const TcpSegment& seg, uint64_t index) {
            if (from == 0 && index == base0 + 5 && !seg.payload.empty()) return ++dropped_data, true;
            if (from == 1 && index == base1 + 3 && seg.payload.empty()) return ++dropped_ack, true;
            return false;
        };
        Bytes d = pattern(200000, 9);
        p.ep[0]->post_send(p.now, write_wr(1, d, 0x10000));
        REQUIRE(p.run_until([&] { return p.done[0].size() == 1; }));
        CHECK(dropped_data == 1);
        CHECK(dropped_ack == 1);
        CHECK(p.retransmissions >= 1);
        CHECK(p.ep[0]->tcp().stats().retransmitted_segments >= 1);
        CHECK(p.done[0][0].status == CompletionStatus::Success);
        CHECK(p.mem[1].region_bytes(0x100, 0x10000, d.size()) == d);
        CHECK_FALSE(p.ep[1]->terminate_sent());
    }
}
