// MPA Request/Reply encoding (against the tshark-verified bytes of protocol.md §1.1) and the
// connection-setup rules of RFC 5044 / RFC 6581.
#include <catch2/catch.hpp>

#include "proto/mpa_negotiation.h"

using namespace nicsim::proto;

TEST_CASE("MPA Request and Reply frames match the reference bytes", "[mpa][startup]") {
    MpaStartupFrame req;
    req.kind = MpaFrameKind::Request;
    req.crc = true;
    req.revision = 1;
    CHECK(to_hex(encode_mpa_startup(req), 4) == "4d504120 49442052 65712046 72616d65 40010000");
    MpaStartupFrame rep = req;
    rep.kind = MpaFrameKind::Reply;
    CHECK(to_hex(encode_mpa_startup(rep), 4) == "4d504120 49442052 65702046 72616d65 40010000");

    // The Chelsio default: Rev 2, flags C + enhanced, IRD|A, ORD|Read-RTR, then ULP data.
    MpaStartupFrame v2;
    v2.revision = 2;
    v2.enhanced = MpaEnhancedParams{true, kRtrZeroLengthRead, 16, 8};
    v2.private_data = {0xAA, 0xBB};
    Bytes b = encode_mpa_startup(v2);
    CHECK(to_hex(ByteView(b).sub(16), 4) == "50020006 80104008 aabb");

    auto p = parse_mpa_startup(b, MpaFrameKind::Request);
    REQUIRE(p.status == MpaStartupParse::Status::Ok);
    CHECK(p.consumed == b.size());
    REQUIRE(p.frame.enhanced);
    CHECK(p.frame.enhanced->peer_to_peer);
    CHECK(p.frame.enhanced->rtr_types == kRtrZeroLengthRead);
    CHECK(p.frame.enhanced->ird == 16);
    CHECK(p.frame.enhanced->ord == 8);
    CHECK(p.frame.private_data == Bytes{0xAA, 0xBB});
}

TEST_CASE("MPA startup parsing rejects hostile frames and waits for partial ones", "[mpa][startup]") {
    Bytes b = encode_mpa_startup(MpaStartupFrame{});
    for (size_t n = 0; n < b.size(); ++n)
        CHECK(parse_mpa_startup(ByteView(b).sub(0, n), MpaFrameKind::Request).status ==
              MpaStartupParse::Status::NeedMore);
    CHECK(parse_mpa_startup(b, MpaFrameKind::Reply).status == MpaStartupParse::Status::Invalid);
    Bytes bad = b;
    bad[17] = 3;  // revision 3
    CHECK(parse_mpa_startup(bad, MpaFrameKind::Request).status == MpaStartupParse::Status::Invalid);
    bad = b;
    store_be16(&bad[18], 513);  // PD_Length over 512
    CHECK(parse_mpa_startup(bad, MpaFrameKind::Request).status == MpaStartupParse::Status::Invalid);
    bad = b;
    bad[16] |= 0x10;          // enhanced...
    store_be16(&bad[18], 2);  // ...but PD too short for IRD/ORD
    bad.resize(22);
    CHECK(parse_mpa_startup(bad, MpaFrameKind::Request).status == MpaStartupParse::Status::Invalid);
}

TEST_CASE("MPA negotiation: markers per direction, CRC if either asks", "[mpa][negotiation]") {
    for (int mask = 0; mask < 16; ++mask) {
        MpaPeerConfig ini, res;
        ini.markers_rx = mask & 1;
        res.markers_rx = mask & 2;
        ini.crc = mask & 4;
        res.crc = mask & 8;
        MpaStartupFrame req = make_mpa_request(ini);
        MpaResponse r = respond_to_mpa_request(res, req);
        REQUIRE(r.session);
        MpaReplyCheck c = accept_mpa_reply(ini, req, r.reply);
        REQUIRE(c.session);
        INFO("mask " << mask);
        CHECK(c.session->crc == (ini.crc || res.crc));
        CHECK(r.session->crc == c.session->crc);
        // M asks the *peer* to send markers.
        CHECK(c.session->markers_initiator_to_responder == res.markers_rx);
        CHECK(c.session->markers_responder_to_initiator == ini.markers_rx);
        CHECK(r.session->markers_initiator_to_responder == res.markers_rx);
        CHECK(r.session->markers_responder_to_initiator == ini.markers_rx);
    }
}

TEST_CASE("MPA negotiation: IRD/ORD and the RTR choice", "[mpa][negotiation]") {
    MpaPeerConfig ini, res;
    ini.ird = 8;
    ini.ord = 4;
    ini.rtr_types = kRtrZeroLengthSend | kRtrZeroLengthWrite;
    res.ird = 16;
    res.ord = 16;
    res.rtr_types = kRtrZeroLengthWrite | kRtrZeroLengthRead;
    MpaStartupFrame req = make_mpa_request(ini);
    MpaResponse r = respond_to_mpa_request(res, req);
    REQUIRE(r.session);
    REQUIRE(r.reply.enhanced);
    CHECK(r.reply.enhanced->peer_to_peer);                       // A echoed
    CHECK(r.reply.enhanced->rtr_types == kRtrZeroLengthWrite);   // the one common type
    CHECK(r.reply.enhanced->ird == 4);  // serves no more than the initiator will issue
    CHECK(r.reply.enhanced->ord == 8);  // issues no more than the initiator serves
    MpaReplyCheck c = accept_mpa_reply(ini, req, r.reply);
    REQUIRE(c.session);
    CHECK(c.session->rtr == kRtrZeroLengthWrite);
    CHECK(c.session->initiator_ord == 4);

    // No common RTR type: the responder rejects with LLP 0x07.
    res.rtr_types = kRtrZeroLengthRead;
    ini.rtr_types = kRtrZeroLengthSend;
    MpaResponse bad = respond_to_mpa_request(res, make_mpa_request(ini));
    CHECK(bad.reply.reject);
    REQUIRE(bad.error);
    CHECK(*bad.error == term::kMpaNoMatchingRtr);

    // A reply that does not echo A, or picks two types, gets LLP 0x07 from the initiator.
    ini.rtr_types = kRtrZeroLengthSend | kRtrZeroLengthRead;
    req = make_mpa_request(ini);
    MpaStartupFrame rep;
    rep.kind = MpaFrameKind::Reply;
    rep.enhanced = MpaEnhancedParams{false, kRtrZeroLengthRead, 4, 4};
    CHECK(*accept_mpa_reply(ini, req, rep).error == term::kMpaNoMatchingRtr);
    rep.enhanced = MpaEnhancedParams{true, kRtrZeroLengthRead | kRtrZeroLengthSend, 4, 4};
    CHECK(*accept_mpa_reply(ini, req, rep).error == term::kMpaNoMatchingRtr);
    // A responder ORD above our IRD: insufficient IRD (LLP 0x06).
    rep.enhanced = MpaEnhancedParams{true, kRtrZeroLengthRead, 4, uint16_t(ini.ird + 1)};
    CHECK(*accept_mpa_reply(ini, req, rep).error == term::kMpaInsufficientIrd);
}
