// DDP/RDMAP encoding against the full FPDUs of protocol.md §1.5, which tshark 4.0.17 decodes
// as Good CRC32; and segmentation rules (MSN from 1 per queue, MO/TO advance, L bit).
#include <catch2/catch.hpp>

#include "proto/mpa_fpdu.h"
#include "proto/rdmap_segmenter.h"

using namespace nicsim::proto;

namespace {
std::string fpdu_hex(const Bytes& ulpdu) { return to_hex(mpa_frame_fpdu(ulpdu, {false, true}), 4); }
}

TEST_CASE("FPDUs match the tshark-verified reference vectors", "[ddp][rdmap]") {
    RdmapSegmenter seg;
    RdmapMessage send;
    send.opcode = RdmapOpcode::Send;
    std::string hello = "hello iWARP!!";
    send.payload.assign(hello.begin(), hello.end());
    auto u = seg.segment(send, 1000);
    REQUIRE(u.size() == 1);
    CHECK(fpdu_hex(u[0]) == "001f4143 00000000 00000000 00000001 00000000 68656c6c 6f206957 41525021 21000000 f6b1dc3f");

    RdmapMessage write;
    write.opcode = RdmapOpcode::RdmaWrite;
    write.stag = 0x1234;
    write.to = 0x1000;
    for (int i = 0; i < 32; ++i) write.payload.push_back(uint8_t(i));
    u = seg.segment(write, 1000);
    CHECK(fpdu_hex(u[0]) ==
          "002ec140 00001234 00000000 00001000 00010203 04050607 08090a0b 0c0d0e0f 10111213 14151617 "
          "18191a1b 1c1d1e1f 3d5e3bb9");

    RdmapMessage rr;
    rr.opcode = RdmapOpcode::ReadRequest;
    rr.read = {0xAAAA, 0x2000, 64, 0xBBBB, 0x3000};
    u = seg.segment(rr, 1000);
    CHECK(fpdu_hex(u[0]) ==
          "002e4141 00000000 00000001 00000001 00000000 0000aaaa 00000000 00002000 00000040 0000bbbb "
          "00000000 00003000 3c052e56");

    RdmapMessage zero;
    zero.opcode = RdmapOpcode::Send;
    u = seg.segment(zero, 1000);  // second message on QN 0: MSN 2
    CHECK(fpdu_hex(u[0]) == "00124143 00000000 00000000 00000002 00000000 accbdb8c");
}

TEST_CASE("Segmentation: MULPDU-sized segments, TO/MO advance, L on the last", "[ddp][rdmap]") {
    RdmapSegmenter seg;
    RdmapMessage w;
    w.opcode = RdmapOpcode::RdmaWrite;
    w.stag = 7;
    w.to = 100;
    w.payload.resize(3000, 0x42);
    auto u = seg.segment(w, 1014);  // 1000 payload bytes per segment
    REQUIRE(u.size() == 3);
    for (size_t i = 0; i < u.size(); ++i) {
        auto d = decode_ddp_segment(u[i]);
        REQUIRE(d.segment);
        CHECK(d.segment->header.tagged);
        CHECK(d.segment->header.to == 100 + 1000 * i);
        CHECK(d.segment->header.last == (i == 2));
        CHECK(d.segment->payload.size == 1000);
        CHECK(u[i].size() <= 1014);
    }
    RdmapMessage s;
    s.opcode = RdmapOpcode::SendSolicitedInvalidate;
    s.invalidate_stag = 0xDEADBEEF;
    s.payload.resize(2500);
    u = seg.segment(s, 1018);
    REQUIRE(u.size() == 3);
    uint32_t mos[] = {0, 1000, 2000};
    for (size_t i = 0; i < 3; ++i) {
        auto d = decode_ddp_segment(u[i]);
        REQUIRE(d.segment);
        CHECK(d.segment->header.msn == 1);
        CHECK(d.segment->header.mo == mos[i]);
        CHECK(d.segment->header.ulp_word == 0xDEADBEEF);
        CHECK((d.segment->header.ulp_control & 0x0F) == 6);
    }
    CHECK(seg.next_msn(kQnSend) == 2);
    CHECK(seg.next_msn(kQnReadRequest) == 1);
    CHECK_THROWS(seg.segment(s, 18));
}

TEST_CASE("Terminate messages round-trip with copied headers", "[rdmap]") {
    TerminateMessage t;
    t.cause = term::kDdpBaseBounds;
    t.ddp_segment_length = 1014;
    DdpHeader h;
    h.tagged = true;
    h.stag = 0x55;
    h.to = 0x1000;
    encode_ddp_header(h, t.ddp_header);
    Bytes b;
    encode_terminate(t, b);
    CHECK(to_hex(ByteView(b).sub(0, 4)) == "1101c000");  // layer 1 etype 1, code 1, M|D
    auto back = decode_terminate(b);
    REQUIRE(back);
    CHECK(back->cause == term::kDdpBaseBounds);
    CHECK(back->ddp_segment_length == 1014);
    CHECK(back->ddp_header == t.ddp_header);
    CHECK(back->rdmap_header.empty());
    for (size_t n = 0; n < b.size(); ++n) CHECK_FALSE(decode_terminate(ByteView(b).sub(0, n)));
}
