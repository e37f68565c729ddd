// Receive-side DDP/RDMAP rules: placement and in-order delivery, and every hostile segment
// mapped to the Terminate layer/type/code of RFC 5040 / 5041 (tables in protocol.md).
#include <catch2/catch.hpp>

#include <random>

#include "proto/rdmap_receiver.h"
#include "proto/rdmap_segmenter.h"

using namespace nicsim::proto;

namespace {

constexpr uint32_t kPd = 3;

struct Fixture {
    Tpt tpt;
    RdmapReceiver rx{tpt, {kPd, 2}};
    RdmapSegmenter tx;
    Fixture() {
        tpt.add({0x100, kPd, 0x1000, 4096, kAccessRemoteWrite | kAccessLocalWrite, true, 0});
        tpt.add({0x200, kPd, 0, 1024, kAccessRemoteRead, true, 0});
        tpt.add({0x300, kPd + 1, 0, 1024, kAccessRemoteWrite | kAccessRemoteRead, true, 0});
        tpt.add({0x400, kPd, 0, 1024, kAccessLocalWrite, true, 0});
    }
    // Feeds a whole message; returns the outcome of its last segment (or of the first failure).
    ReceiveOutcome deliver(const RdmapMessage& m, size_t mulpdu = 1000, Bytes* placed = nullptr) {
        ReceiveOutcome last;
        for (const Bytes& u : tx.segment(m, mulpdu)) {
            last = rx.on_ulpdu(u);
            if (placed)
                for (auto& p : last.placements) placed->insert(placed->end(), p.data.data, p.data.data + p.data.size);
            if (last.terminate) break;
        }
        return last;
    }
};

RdmapMessage write(uint32_t stag, uint64_t to, size_t len) {
    RdmapMessage m;
    m.opcode = RdmapOpcode::RdmaWrite;
    m.stag = stag;
    m.to = to;
    m.payload.resize(len);
    for (size_t i = 0; i < len; ++i) m.payload[i] = uint8_t(i * 7 + 1);
    return m;
}

RdmapMessage send(size_t len, RdmapOpcode op = RdmapOpcode::Send) {
    RdmapMessage m;
    m.opcode = op;
    m.payload.assign(len, 0x33);
    return m;
}

TermCause cause_of(const ReceiveOutcome& o) {
    REQUIRE(o.terminate);
    return o.terminate->cause;
}

}  // namespace

TEST_CASE("Writes place their bytes at STag/TO across segments", "[rdmap][rx]") {
    Fixture f;
    RdmapMessage m = write(0x100, 0x1000 + 10, 2500);
    Bytes placed;
    ReceiveOutcome o = f.deliver(m, 514, &placed);
    REQUIRE_FALSE(o.terminate);
    REQUIRE(o.delivered);
    CHECK(o.delivered->length == 2500);
    CHECK(placed == m.payload);
}

TEST_CASE("Sends consume posted receives in order; Send with Invalidate invalidates", "[rdmap][rx]") {
    Fixture f;
    f.rx.post_receive({11, 100});
    f.rx.post_receive({12, 5000});
    ReceiveOutcome a = f.deliver(send(0));
    REQUIRE(a.delivered);
    CHECK(a.delivered->wr_id == 11);
    CHECK(a.delivered->length == 0);
    RdmapMessage b = send(3000, RdmapOpcode::SendSolicitedInvalidate);
    b.invalidate_stag = 0x100;
    ReceiveOutcome o = f.deliver(b);
    REQUIRE(o.delivered);
    CHECK(o.delivered->wr_id == 12);
    CHECK(o.delivered->msn == 2);
    CHECK(o.delivered->solicited);
    CHECK(o.delivered->invalidated_stag == 0x100u);
    CHECK_FALSE(f.tpt.find(0x100)->valid);
    // The invalidated STag can no longer be written: DDP tagged 0x00.
    CHECK(cause_of(f.deliver(write(0x100, 0x1000, 8))) == term::kDdpInvalidStag);
}

TEST_CASE("Untagged errors: no buffer, too long, bad QN, MSN, MO", "[rdmap][rx]") {
    {
        Fixture f;  // nothing posted
        CHECK(cause_of(f.deliver(send(10))) == term::kDdpNoBuffer);
        CHECK(f.rx.failed());
    }
    {
        Fixture f;
        f.rx.post_receive({1, 100});
        CHECK(cause_of(f.deliver(send(101))) == term::kDdpMessageTooLong);
    }
    auto tamper = [](auto edit, TermCause expect) {
        Fixture f;
        f.rx.post_receive({1, 5000});
        auto segs = f.tx.segment(send(3000), 1018);
        edit(segs);
        ReceiveOutcome last;
        for (auto& u : segs) {
            last = f.rx.on_ulpdu(u);
            if (last.terminate) break;
        }
        CHECK(cause_of(last) == expect);
        // The Terminate copies the offending untagged header (M and D set), unless the
        // segment was too short to hold one.
        bool copied = expect.layer != TermLayer::Llp;
        CHECK(last.terminate->ddp_header.size() == (copied ? kDdpUntaggedHeaderSize : 0));
        CHECK(last.terminate->ddp_segment_length.has_value() == copied);
    };
    tamper([](std::vector<Bytes>& s) { store_be32(&s[0][6], 5); }, term::kDdpInvalidQn);
    tamper([](std::vector<Bytes>& s) { store_be32(&s[0][6], 1); }, term::kDdpInvalidQn);  // Send on QN 1
    tamper([](std::vector<Bytes>& s) { store_be32(&s[0][10], 2); }, term::kDdpMsnRange);
    tamper([](std::vector<Bytes>& s) { store_be32(&s[1][10], 7); }, term::kDdpMsnRange);
    tamper([](std::vector<Bytes>& s) { store_be32(&s[1][14], 999); }, term::kDdpInvalidMo);
    tamper([](std::vector<Bytes>& s) { std::swap(s[1], s[2]); }, term::kDdpInvalidMo);
    tamper([](std::vector<Bytes>& s) { s[0][0] = uint8_t((s[0][0] & ~3) | 2); }, term::kDdpUntaggedInvalidVersion);
    tamper([](std::vector<Bytes>& s) { s[0][1] = uint8_t((s[0][1] & 0x3F) | 0x80); }, term::kRdmapInvalidVersion);
    tamper([](std::vector<Bytes>& s) { s[0][1] = uint8_t((s[0][1] & 0xF0) | 0x0C); }, term::kRdmapUnexpectedOpcode);
    tamper([](std::vector<Bytes>& s) { s[0][1] = uint8_t((s[0][1] & 0xF0) | 0x00); }, term::kRdmapUnexpectedOpcode);
    tamper([](std::vector<Bytes>& s) { s[0].resize(17); }, term::kMpaMarkerMismatch);  // underflow
}

TEST_CASE("Tagged protection errors carry the RFC codes", "[rdmap][rx]") {
    auto one = [](RdmapMessage m) {
        Fixture f;
        return cause_of(f.deliver(m));
    };
    CHECK(one(write(0x999, 0, 8)) == term::kDdpInvalidStag);
    CHECK(one(write(0x100, 0x1000 + 4090, 8)) == term::kDdpBaseBounds);
    CHECK(one(write(0x100, 0xFFF, 8)) == term::kDdpBaseBounds);
    CHECK(one(write(0x100, ~uint64_t(0) - 3, 8)) == term::kDdpToWrap);
    CHECK(one(write(0x300, 0, 8)) == term::kDdpStagNotAssociated);  // PD mismatch
    CHECK(one(write(0x200, 0, 8)) == term::kRdmapAccessRights);      // read-only region
    // Tagged DDP version error and the copied tagged header.
    Fixture f;
    auto segs = f.tx.segment(write(0x100, 0x1000, 8), 100);
    segs[0][0] = uint8_t((segs[0][0] & ~3) | 0);
    ReceiveOutcome o = f.rx.on_ulpdu(segs[0]);
    CHECK(cause_of(o) == term::kDdpTaggedInvalidVersion);
    CHECK(o.terminate->ddp_header.size() == kDdpTaggedHeaderSize);
    // A zero-length Write (an RTR) is accepted whatever its STag.
    Fixture g;
    ReceiveOutcome z = g.deliver(write(1, 0, 0));
    CHECK_FALSE(z.terminate);
    REQUIRE(z.delivered);
}

TEST_CASE("Read Requests: IRD limit, source checks, RDMAP header copied", "[rdmap][rx]") {
    Fixture f;  // IRD 2
    RdmapMessage rr;
    rr.opcode = RdmapOpcode::ReadRequest;
    rr.read = {0x55, 0, 512, 0x200, 0};
    ReceiveOutcome o = f.deliver(rr);
    REQUIRE(o.delivered);
    CHECK(o.delivered->read.src_stag == 0x200);
    CHECK(o.delivered->length == 512);
    f.deliver(rr);
    ReceiveOutcome third = f.deliver(rr);  // IRD exhausted
    CHECK(cause_of(third) == term::kRdmapCatastrophicStream);
    CHECK(third.terminate->rdmap_header.size() == kReadRequestHeaderSize);

    auto one = [](ReadRequestHeader h) {
        Fixture g;
        RdmapMessage m;
        m.opcode = RdmapOpcode::ReadRequest;
        m.read = h;
        return cause_of(g.deliver(m));
    };
    CHECK(one({1, 0, 8, 0x999, 0}) == term::kRdmapInvalidStag);
    CHECK(one({1, 0, 2000, 0x200, 0}) == term::kRdmapBaseBounds);
    CHECK(one({1, 0, 8, 0x100, 0x1000}) == term::kRdmapAccessRights);  // no remote read
    CHECK(one({1, 0, 8, 0x300, 0}) == term::kRdmapStagNotAssociated);
}

TEST_CASE("Read Responses must match an outstanding Read", "[rdmap][rx]") {
    Fixture f;
    RdmapMessage resp = write(0x400, 0, 700);
    resp.opcode = RdmapOpcode::ReadResponse;
    CHECK(cause_of(f.deliver(resp)) == term::kRdmapUnexpectedOpcode);  // none outstanding

    Fixture g;
    g.rx.expect_read_response({0x400, 0, 700, 0x200, 0});
    Bytes placed;
    ReceiveOutcome ok = g.deliver(resp, 300, &placed);
    REQUIRE(ok.delivered);
    CHECK(ok.delivered->opcode == RdmapOpcode::ReadResponse);
    CHECK(placed == resp.payload);

    Fixture h;
    h.rx.expect_read_response({0x400, 0, 100, 0x200, 0});
    CHECK(cause_of(h.deliver(resp)) == term::kDdpBaseBounds);  // longer than requested
}

TEST_CASE("Random garbage ULPDUs never crash and always terminate or deliver", "[rdmap][rx][hostile]") {
    std::mt19937 rng(2024);
    Fixture f;
    for (int i = 0; i < 200000; ++i) {
        Bytes u(rng() % 64);
        for (auto& b : u) b = uint8_t(rng());
        if (!u.empty() && rng() % 2) u[0] = uint8_t((u[0] & ~3) | 1);  // valid DV more often
        if (u.size() > 1 && rng() % 2) u[1] = uint8_t((u[1] & 0x0F) | 0x40);
        RdmapReceiver rx(f.tpt, {kPd, 4});
        rx.post_receive({1, 64});
        ReceiveOutcome o = rx.on_ulpdu(u);
        CHECK((o.terminate.has_value() || !rx.failed()));
        for (auto& p : o.placements) {
            CHECK(p.data.data >= u.data());
            CHECK(p.data.data + p.data.size <= u.data() + u.size());
        }
    }
}
