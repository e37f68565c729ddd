// Ethernet, IPv4 and TCP header codecs and whole-frame build/parse: exact bytes for the
// layouts that matter, round trips with random field values, and every decode error status.
#include <catch2/catch.hpp>

#include <random>

#include "proto/inet_checksum.h"
#include "proto/packet.h"

using namespace nicsim::proto;

namespace {

MacAddress mac(const char* s) { return *MacAddress::parse(s); }
Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }

}  // namespace

TEST_CASE("MAC addresses parse and print", "[net][ethernet]") {
    auto m = MacAddress::parse("02:00:00:00:00:01");
    REQUIRE(m);
    CHECK(m->octets == std::array<uint8_t, 6>{2, 0, 0, 0, 0, 1});
    CHECK(m->to_string() == "02:00:00:00:00:01");
    CHECK(MacAddress::parse("AA-bb-CC-dd-EE-ff")->to_string() == "aa:bb:cc:dd:ee:ff");
    for (const char* bad : {"", "02:00:00:00:00", "02:00:00:00:00:01:", "02:00:00:00:00:0g",
                            "02:00-00:00:00:01", "0200:00:00:00:01:", "02:00:00:00:00:001"})
        CHECK_FALSE(MacAddress::parse(bad));
}

TEST_CASE("IPv4 addresses parse and print", "[net][ipv4]") {
    CHECK(ip("10.0.0.1").value == 0x0A000001u);
    CHECK(ip("255.255.255.255").value == 0xFFFFFFFFu);
    CHECK(Ipv4Address{0xC0A800C7}.to_string() == "192.168.0.199");
    for (const char* bad : {"", "1.2.3", "1.2.3.4.", "1.2.3.256", "1..2.3", "a.b.c.d", "1.2.3.4 ",
                            "1234.1.1.1", "-1.2.3.4"})
        CHECK_FALSE(Ipv4Address::parse(bad));
}

TEST_CASE("Ethernet header encode/decode, with and without 802.1Q", "[net][ethernet]") {
    EthernetHeader h;
    h.dst = mac("ff:ff:ff:ff:ff:ff");
    h.src = mac("02:00:00:00:00:01");
    h.ether_type = kEtherTypeIpv4;
    Bytes b;
    encode_ethernet_header(b, h);
    CHECK(to_hex(b) == to_hex(from_hex("ffffffffffff 020000000001 0800")));
    b.push_back(0x99);
    EthernetDecode d = decode_ethernet(b);
    REQUIRE(d.status == EthernetDecode::Status::Ok);
    CHECK(d.header.dst == h.dst);
    CHECK(d.header.src == h.src);
    CHECK(!d.header.vlan);
    CHECK(d.header.ether_type == 0x0800);
    CHECK(d.payload.size == 1);

    h.vlan = VlanTag{5, true, 0xABC};
    Bytes t;
    encode_ethernet_header(t, h);
    REQUIRE(t.size() == 18);
    CHECK(load_be16(&t[12]) == 0x8100);
    CHECK(load_be16(&t[14]) == (5 << 13 | 1 << 12 | 0xABC));
    EthernetDecode dt = decode_ethernet(t);
    REQUIRE(dt.status == EthernetDecode::Status::Ok);
    REQUIRE(dt.header.vlan);
    CHECK(dt.header.vlan->pcp == 5);
    CHECK(dt.header.vlan->dei);
    CHECK(dt.header.vlan->vid == 0xABC);
    CHECK(dt.header.ether_type == 0x0800);
    CHECK(dt.header.size() == 18);

    CHECK(decode_ethernet(ByteView(b).sub(0, 13)).status == EthernetDecode::Status::Truncated);
    CHECK(decode_ethernet(ByteView(t).sub(0, 17)).status == EthernetDecode::Status::Truncated);
}

TEST_CASE("IPv4 header exact bytes and decode", "[net][ipv4]") {
    // The well-known header 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7.
    Ipv4Header h;
    h.identification = 0;
    h.ttl = 64;
    h.protocol = kIpProtoUdp;
    h.src = ip("192.168.0.1");
    h.dst = ip("192.168.0.199");
    Bytes b;
    encode_ipv4_header(b, h, 0x73 - 20);
    CHECK(to_hex(b) == to_hex(from_hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7")));

    b.resize(0x73, 0xEE);
    b.push_back(0);  // link-layer padding after the packet
    Ipv4Decode d = decode_ipv4(b);
    REQUIRE(d.status == Ipv4Decode::Status::Ok);
    CHECK(d.checksum_ok);
    CHECK(d.header_length == 20);
    CHECK(d.header.checksum == 0xB861);
    CHECK(d.header.total_length == 0x73);
    CHECK(d.header.dont_fragment);
    CHECK_FALSE(d.header.is_fragment());
    CHECK(d.payload.size == 0x73 - 20);  // padding excluded
    CHECK(d.options.empty());

    Bytes bad = b;
    bad[8] = 63;  // TTL changed, checksum not: reported, not fatal
    Ipv4Decode dc = decode_ipv4(bad);
    CHECK(dc.status == Ipv4Decode::Status::Ok);
    CHECK_FALSE(dc.checksum_ok);
}

TEST_CASE("IPv4 decode errors", "[net][ipv4]") {
    Ipv4Header h;
    h.src = ip("10.0.0.1");
    h.dst = ip("10.0.0.2");
    Bytes good;
    encode_ipv4_header(good, h, 8);
    good.resize(28, 0);

    CHECK(decode_ipv4(ByteView(good).sub(0, 19)).status == Ipv4Decode::Status::Truncated);
    Bytes v6 = good;
    v6[0] = 0x65;
    CHECK(decode_ipv4(v6).status == Ipv4Decode::Status::BadVersion);
    Bytes ihl4 = good;
    ihl4[0] = 0x44;
    CHECK(decode_ipv4(ihl4).status == Ipv4Decode::Status::BadHeaderLength);
    Bytes ihl15 = good;
    ihl15[0] = 0x4F;  // 60-byte header in a 28-byte buffer
    CHECK(decode_ipv4(ihl15).status == Ipv4Decode::Status::Truncated);
    Bytes longer = good;
    store_be16(&longer[2], 29);
    CHECK(decode_ipv4(longer).status == Ipv4Decode::Status::BadTotalLength);
    Bytes shorter = good;
    store_be16(&shorter[2], 19);
    CHECK(decode_ipv4(shorter).status == Ipv4Decode::Status::BadTotalLength);

    // Options (IHL 6) are skipped and exposed.
    Bytes opt = from_hex("4600 0018 0000 4000 4006 0000 0a000001 0a000002 01010100");
    store_be16(&opt[10], inet_checksum(opt));
    Ipv4Decode d = decode_ipv4(opt);
    REQUIRE(d.status == Ipv4Decode::Status::Ok);
    CHECK(d.checksum_ok);
    CHECK(d.options.size == 4);
    CHECK(d.payload.size == 0);
    CHECK(std::string(to_string(Ipv4Decode::Status::BadVersion)) != "ok");
}

TEST_CASE("TCP SYN options use Linux's layout", "[net][tcp]") {
    TcpOptions o;
    o.mss = 1460;
    o.sack_permitted = true;
    o.timestamps = TcpTimestamps{0x01020304, 0};
    o.window_scale = 7;
    Bytes b;
    encode_tcp_options(b, o);
    // mss 1460, sackOK, TS val 0x01020304 ecr 0, nop, wscale 7: 20 bytes.
    CHECK(to_hex(b) == to_hex(from_hex("020405b4 0402080a 01020304 00000000 01030307")));
    CHECK(encoded_tcp_options_size(o) == 20);

    TcpOptions sack_only;
    sack_only.sack_permitted = true;
    Bytes s;
    encode_tcp_options(s, sack_only);
    CHECK(to_hex(s) == to_hex(from_hex("01010402")));

    TcpOptions ts_only;
    ts_only.timestamps = TcpTimestamps{5, 6};
    Bytes t;
    encode_tcp_options(t, ts_only);
    CHECK(to_hex(t) == to_hex(from_hex("0101080a 00000005 00000006")));

    TcpOptions none;
    Bytes n;
    encode_tcp_options(n, none);
    CHECK(n.empty());
}

TEST_CASE("SACK blocks: encoded up to what fits, decoded exactly", "[net][tcp]") {
    TcpOptions o;
    for (uint32_t i = 0; i < 6; ++i) o.sack_blocks.push_back({1000 * i, 1000 * i + 500});
    Bytes b;
    encode_tcp_options(b, o);
    CHECK(b.size() == 4 + 4 * 8);  // 4 blocks without timestamps
    CHECK(b[2] == kTcpOptSack);
    CHECK(b[3] == 2 + 32);
    TcpOptionsDecode d = decode_tcp_options(b);
    REQUIRE(d.status == TcpOptionsDecode::Status::Ok);
    REQUIRE(d.options.sack_blocks.size() == 4);
    CHECK(d.options.sack_blocks[3] == TcpSackBlock{3000, 3500});

    o.timestamps = TcpTimestamps{1, 2};
    CHECK(encoded_tcp_options_size(o) == 12 + 4 + 3 * 8);  // 3 blocks beside timestamps
    Bytes b2;
    encode_tcp_options(b2, o);
    CHECK(b2.size() == 40);
    TcpOptionsDecode d2 = decode_tcp_options(b2);
    CHECK(d2.options.sack_blocks.size() == 3);
    REQUIRE(d2.options.timestamps);
    CHECK(d2.options.timestamps->echo_reply == 2);
}

TEST_CASE("Every TCP option round-trips with random values", "[net][tcp]") {
    std::mt19937 rng(793);
    for (int iter = 0; iter < 20000; ++iter) {
        TcpOptions o;
        if (rng() & 1) o.mss = uint16_t(rng());
        if (rng() & 1) o.window_scale = uint8_t(rng() % 15);
        o.sack_permitted = rng() & 1;
        if (rng() & 1) o.timestamps = TcpTimestamps{uint32_t(rng()), uint32_t(rng())};
        size_t nblocks = rng() % 5;
        for (size_t i = 0; i < nblocks; ++i) o.sack_blocks.push_back({uint32_t(rng()), uint32_t(rng())});

        Bytes b;
        encode_tcp_options(b, o);
        REQUIRE(b.size() == encoded_tcp_options_size(o));
        REQUIRE(b.size() % 4 == 0);
        REQUIRE(b.size() <= kTcpMaxOptionsSize);
        TcpOptionsDecode d = decode_tcp_options(b);
        REQUIRE(d.status == TcpOptionsDecode::Status::Ok);
        REQUIRE(d.unknown_options == 0);
        CHECK(d.options.mss == o.mss);
        CHECK(d.options.window_scale == o.window_scale);
        CHECK(d.options.sack_permitted == o.sack_permitted);
        REQUIRE(bool(d.options.timestamps) == bool(o.timestamps));
        if (o.timestamps) {
            CHECK(d.options.timestamps->value == o.timestamps->value);
            CHECK(d.options.timestamps->echo_reply == o.timestamps->echo_reply);
        }
        // Blocks are a prefix of what was asked, as many as fit.
        REQUIRE(d.options.sack_blocks.size() <= o.sack_blocks.size());
        for (size_t i = 0; i < d.options.sack_blocks.size(); ++i)
            CHECK(d.options.sack_blocks[i] == o.sack_blocks[i]);
        size_t room = 40 - (o.mss ? 4 : 0) - (o.timestamps ? 12 : o.sack_permitted ? 4 : 0) -
                      (o.window_scale ? 4 : 0);
        size_t fit = room >= 12 ? (room - 4) / 8 : 0;
        CHECK(d.options.sack_blocks.size() == std::min(fit, o.sack_blocks.size()));
    }
}

TEST_CASE("Hostile TCP option bytes are reported, never looped on", "[net][tcp]") {
    using S = TcpOptionsDecode::Status;
    // Length 0 and 1 on an unknown kind: cannot be skipped.
    CHECK(decode_tcp_options(from_hex("fe 00 01 01")).status == S::BadLength);
    CHECK(decode_tcp_options(from_hex("fe 01 01 01")).status == S::BadLength);
    CHECK(decode_tcp_options(from_hex("02 00 05 b4")).status == S::BadLength);
    // Kind without a length byte; body past the end.
    CHECK(decode_tcp_options(from_hex("01 01 01 02")).status == S::Truncated);
    CHECK(decode_tcp_options(from_hex("08 0a 00 00 00 01")).status == S::Truncated);
    CHECK(decode_tcp_options(from_hex("05 0a 00 00 00 01 00 00 00")).status == S::Truncated);
    // Wrong length for a known kind: ignored, the next option still decoded.
    auto d = decode_tcp_options(from_hex("02 03 05 04 02 01 01 01"));
    CHECK(d.status == S::BadLengthForKind);
    CHECK(!d.options.mss);
    CHECK(d.options.sack_permitted);
    CHECK(decode_tcp_options(from_hex("03 04 07 00")).status == S::BadLengthForKind);
    CHECK(decode_tcp_options(from_hex("04 03 00 01")).status == S::BadLengthForKind);
    CHECK(decode_tcp_options(from_hex("08 08 00 00 00 00 00 00")).status == S::BadLengthForKind);
    CHECK(decode_tcp_options(from_hex("05 02 01 01")).status == S::BadLengthForKind);
    CHECK(decode_tcp_options(from_hex("05 0b 00 00 00 01 00 00 00 02 00 01")).status ==
          S::BadLengthForKind);
    // Unknown kinds skipped by length; MSS after them still found.
    auto u = decode_tcp_options(from_hex("1e 06 00 00 00 00 fd 02 02 04 05 b4"));
    CHECK(u.status == S::Ok);
    CHECK(u.unknown_options == 2);
    REQUIRE(u.options.mss);
    CHECK(*u.options.mss == 1460);
    // EOL ends the list: garbage after it is padding.
    auto e = decode_tcp_options(from_hex("03 03 08 00 fe 00 ff ff"));
    CHECK(e.status == S::Ok);
    CHECK(e.options.window_scale == uint8_t(8));
    // Pure NOP padding.
    CHECK(decode_tcp_options(Bytes(40, kTcpOptNop)).status == S::Ok);
}

TEST_CASE("TCP header decode: fields, data offset errors, checksum", "[net][tcp]") {
    TcpHeader h;
    h.src_port = 7174;
    h.dst_port = 40000;
    h.seq = 0xDEADBEEF;
    h.ack = 0x01020304;
    h.flags = kTcpAck | kTcpPsh | kTcpEce | kTcpCwr;
    h.window = 512;
    h.urgent_pointer = 0;
    h.options.timestamps = TcpTimestamps{7, 8};
    Bytes payload = from_hex("68 65 6c 6c 6f");
    const Ipv4Address a = ip("10.0.0.1"), b = ip("10.0.0.2");
    Bytes seg;
    encode_tcp_segment(seg, h, payload, a, b);
    REQUIRE(seg.size() == 32 + 5);
    CHECK(seg[12] == 8 << 4);
    CHECK(tcp_checksum_ok(seg, a, b));
    CHECK_FALSE(tcp_checksum_ok(seg, a, ip("10.0.0.3")));

    TcpDecode d = decode_tcp(seg);
    REQUIRE(d.status == TcpDecode::Status::Ok);
    CHECK(d.header_length == 32);
    CHECK(d.header.src_port == 7174);
    CHECK(d.header.dst_port == 40000);
    CHECK(d.header.seq == 0xDEADBEEF);
    CHECK(d.header.ack == 0x01020304);
    CHECK(d.header.flags == (kTcpAck | kTcpPsh | kTcpEce | kTcpCwr));
    CHECK(d.header.has(kTcpCwr));
    CHECK_FALSE(d.header.has(kTcpSyn));
    CHECK(d.header.window == 512);
    CHECK(d.options_status == TcpOptionsDecode::Status::Ok);
    CHECK(d.payload.to_bytes() == payload);

    for (size_t i = 0; i < seg.size(); ++i) {  // any single-bit error is detected
        Bytes c = seg;
        c[i] ^= uint8_t(1u << (i % 8));
        CHECK_FALSE(tcp_checksum_ok(c, a, b));
    }

    Bytes off4 = seg;
    off4[12] = 4 << 4;
    CHECK(decode_tcp(off4).status == TcpDecode::Status::BadDataOffset);
    Bytes off0 = seg;
    off0[12] = 0;
    CHECK(decode_tcp(off0).status == TcpDecode::Status::BadDataOffset);
    CHECK(decode_tcp(ByteView(seg).sub(0, 31)).status == TcpDecode::Status::Truncated);
    CHECK(decode_tcp(ByteView(seg).sub(0, 19)).status == TcpDecode::Status::Truncated);
    Bytes off15 = seg;
    off15[12] = 15 << 4;  // 60-byte header in 37 bytes
    CHECK(decode_tcp(off15).status == TcpDecode::Status::Truncated);
    // Bad options do not fail the header.
    Bytes badopt = seg;
    badopt[20] = 0xFE;
    badopt[21] = 0;
    TcpDecode db = decode_tcp(badopt);
    CHECK(db.status == TcpDecode::Status::Ok);
    CHECK(db.options_status == TcpOptionsDecode::Status::BadLength);
}

TEST_CASE("Whole frames round-trip with random fields", "[net][packet]") {
    std::mt19937 rng(9293);
    for (int iter = 0; iter < 3000; ++iter) {
        TcpFrameSpec s;
        for (auto& o : s.flow.src.mac.octets) o = uint8_t(rng());
        for (auto& o : s.flow.dst.mac.octets) o = uint8_t(rng());
        s.flow.src.ip.value = uint32_t(rng());
        s.flow.dst.ip.value = uint32_t(rng());
        s.flow.src.port = uint16_t(rng());
        s.flow.dst.port = uint16_t(rng());
        s.seq = uint32_t(rng());
        s.ack = uint32_t(rng());
        s.flags = uint8_t(rng());
        s.window = uint16_t(rng());
        s.ip_id = uint16_t(rng());
        s.ttl = uint8_t(rng());
        s.dscp = uint8_t(rng() % 64);
        s.ecn = uint8_t(rng() % 4);
        if (rng() & 1) s.options.mss = uint16_t(rng());
        if (rng() & 1) s.options.timestamps = TcpTimestamps{uint32_t(rng()), uint32_t(rng())};
        Bytes payload(rng() % 3 == 0 ? 0 : rng() % 2000);
        for (auto& p : payload) p = uint8_t(rng());
        s.payload = payload;

        Bytes f = build_tcp_frame(s);
        const size_t natural = tcp_frame_length(s.options, payload.size());
        REQUIRE(f.size() == std::max<size_t>(natural, 60));
        ParsedTcpFrame p = parse_tcp_frame(f);
        REQUIRE(p.status == ParsedTcpFrame::Status::Ok);
        CHECK(p.ip_checksum_ok);
        CHECK(p.tcp_checksum_ok);
        CHECK(p.eth.src == s.flow.src.mac);
        CHECK(p.eth.dst == s.flow.dst.mac);
        CHECK(p.ip.src == s.flow.src.ip);
        CHECK(p.ip.dst == s.flow.dst.ip);
        CHECK(p.ip.identification == s.ip_id);
        CHECK(p.ip.ttl == s.ttl);
        CHECK(p.ip.dscp == s.dscp);
        CHECK(p.ip.ecn == s.ecn);
        CHECK(p.ip.total_length == natural - 14);
        CHECK(p.tcp.src_port == s.flow.src.port);
        CHECK(p.tcp.dst_port == s.flow.dst.port);
        CHECK(p.tcp.seq == s.seq);
        CHECK(p.tcp.ack == s.ack);
        CHECK(p.tcp.flags == s.flags);
        CHECK(p.tcp.window == s.window);
        CHECK(p.tcp.options.mss == s.options.mss);
        CHECK(p.payload.to_bytes() == payload);  // Ethernet padding excluded
        CHECK(p.flow().src.port == s.flow.src.port);
        CHECK(p.flow().reversed().src.ip == s.flow.dst.ip);
    }
}

TEST_CASE("Frame parse classifies what it cannot take", "[net][packet]") {
    using S = ParsedTcpFrame::Status;
    TcpFrameSpec s;
    s.flow.src = {mac("02:00:00:00:00:01"), ip("10.0.0.1"), 7174};
    s.flow.dst = {mac("02:00:00:00:00:02"), ip("10.0.0.2"), 40000};
    s.pad_to_minimum = false;
    Bytes f = build_tcp_frame(s);
    REQUIRE(f.size() == 54);
    CHECK(parse_tcp_frame(ByteView(f).sub(0, 10)).status == S::BadEthernet);
    Bytes arp = f;
    store_be16(&arp[12], kEtherTypeArp);
    CHECK(parse_tcp_frame(arp).status == S::NotIpv4);
    CHECK(parse_tcp_frame(ByteView(f).sub(0, 30)).status == S::BadIpv4);
    Bytes udp = f;
    udp[23] = kIpProtoUdp;
    CHECK(parse_tcp_frame(udp).status == S::NotTcp);
    Bytes frag = f;
    frag[20] |= 0x20;  // MF
    CHECK(parse_tcp_frame(frag).status == S::Fragment);
    Bytes badtcp = f;
    badtcp[14 + 20 + 12] = 0x30;
    ParsedTcpFrame pb = parse_tcp_frame(badtcp);
    CHECK(pb.status == S::BadTcp);
    CHECK(pb.tcp_status == TcpDecode::Status::BadDataOffset);
    Bytes badsum = f;
    badsum[14 + 20 + 4] ^= 1;  // seq bit
    ParsedTcpFrame ps = parse_tcp_frame(badsum);
    CHECK(ps.status == S::Ok);
    CHECK(ps.ip_checksum_ok);
    CHECK_FALSE(ps.tcp_checksum_ok);

    // A VLAN-tagged frame still parses.
    Bytes tagged(f.begin(), f.begin() + 12);
    put_be16(tagged, kEtherTypeVlan);
    put_be16(tagged, 42);
    tagged.insert(tagged.end(), f.begin() + 12, f.end());
    ParsedTcpFrame pt = parse_tcp_frame(tagged);
    REQUIRE(pt.status == S::Ok);
    CHECK(pt.eth.vlan->vid == 42);
    CHECK(pt.tcp_checksum_ok);

    // Oversized payloads are refused by the builder, not truncated.
    Bytes huge(65535 - 40 + 1);
    s.payload = huge;
    CHECK_THROWS_AS(build_tcp_frame(s), std::invalid_argument);
}

TEST_CASE("A SYN frame matches bytes tshark verified", "[net][packet]") {
    // Built once and checked with tshark 4.0.17 (ip.checksum 0x0a74 and tcp.checksum 0xb292,
    // both status Good; options decoded as mss 1460, SACK_PERM, TSval 0xa1b2c3d4, wscale 7).
    TcpFrameSpec s;
    s.flow.src = {mac("02:00:00:00:00:01"), ip("10.0.0.1"), 40000};
    s.flow.dst = {mac("02:00:00:00:00:02"), ip("10.0.0.2"), 7174};
    s.seq = 0x12345678;
    s.flags = kTcpSyn;
    s.window = 64240;
    s.ip_id = 0x1c46;
    s.options.mss = 1460;
    s.options.sack_permitted = true;
    s.options.timestamps = TcpTimestamps{0xa1b2c3d4, 0};
    s.options.window_scale = 7;
    const Bytes expected = from_hex(
        "020000000002 020000000001 0800"
        "4500 003c 1c46 4000 4006 0a74 0a000001 0a000002"
        "9c40 1c06 12345678 00000000 a002 faf0 b292 0000"
        "020405b4 0402080a a1b2c3d4 00000000 01030307");
    CHECK(to_hex(build_tcp_frame(s)) == to_hex(expected));
}
