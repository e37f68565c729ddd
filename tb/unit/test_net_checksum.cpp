// Internet checksum (RFC 1071) and Ethernet CRC-32: known-answer vectors, the incremental
// properties the TCP encoder relies on, and the RFC 1624 field update.
#include <catch2/catch.hpp>

#include <random>

#include "proto/ethernet.h"
#include "proto/inet_checksum.h"

using namespace nicsim::proto;

TEST_CASE("RFC 1071 §3 worked example", "[net][checksum]") {
    // 0001 f203 f4f5 f6f7: one's-complement sum ddf2, checksum field 220d.
    Bytes data = from_hex("00 01 f2 03 f4 f5 f6 f7");
    InetChecksum c;
    c.add(data);
    CHECK(c.sum() == 0xDDF2);
    CHECK(c.finish() == 0x220D);
    CHECK(inet_checksum(data) == 0x220D);
}

TEST_CASE("Checksum of a real IPv4 header", "[net][checksum]") {
    // 192.168.0.1 -> 192.168.0.199, UDP, TTL 64, DF; its checksum field is b861. Summing the
    // header including the field gives 0xFFFF, so the checksum over it is 0.
    Bytes hdr = from_hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7");
    CHECK(inet_checksum(hdr) == 0);
    hdr[10] = hdr[11] = 0;
    CHECK(inet_checksum(hdr) == 0xB861);
}

TEST_CASE("Odd lengths pad with zero; sums chain across pieces of any length", "[net][checksum]") {
    CHECK(inet_checksum(from_hex("ab")) == uint16_t(~0xAB00));
    CHECK(inet_checksum(from_hex("12 34 56")) == uint16_t(~(0x1234 + 0x5600)));

    std::mt19937 rng(1071);
    for (int iter = 0; iter < 2000; ++iter) {
        Bytes data(rng() % 200);
        for (auto& b : data) b = uint8_t(rng());
        const uint16_t whole = inet_checksum(data);
        // Split into random pieces, odd boundaries included.
        InetChecksum c;
        size_t pos = 0;
        while (pos < data.size()) {
            size_t n = std::min<size_t>(data.size() - pos, rng() % 7);
            c.add(ByteView(data).sub(pos, n));
            pos += n;
        }
        REQUIRE(c.finish() == whole);
        // add_be16/add_be32 at an odd offset equal adding the same bytes.
        if (data.size() >= 7) {
            InetChecksum d;
            d.add(ByteView(data).sub(0, 1));
            d.add_be16(load_be16(&data[1]));
            d.add_be32(load_be32(&data[3]));
            d.add(ByteView(data).sub(7));
            REQUIRE(d.finish() == whole);
        }
    }
}

TEST_CASE("Long runs of 0xFF fold the carries correctly", "[net][checksum]") {
    // 0xFFFF words sum to 0xFFFF in one's complement, whatever their number.
    Bytes ff(100000, 0xFF);
    InetChecksum c;
    c.add(ff);
    CHECK(c.sum() == 0xFFFF);
    CHECK(c.finish() == 0);
    // An all-zero buffer sums to zero: the two zeros of one's complement stay distinct here.
    CHECK(inet_checksum(Bytes(64, 0)) == 0xFFFF);
}

TEST_CASE("Pseudo-header sum is the sum of its 12 bytes", "[net][checksum]") {
    InetChecksum a;
    add_ipv4_pseudo_header(a, 0xC0A80001, 0xC0A800C7, 6, 0x0123);
    InetChecksum b;
    b.add(from_hex("c0a8 0001 c0a8 00c7 0006 0123"));
    CHECK(a.sum() == b.sum());
    CHECK(a.sum() == uint16_t(0xC0A8 + 0x0001 + 0xC0A8 + 0x00C7 + 0x0006 + 0x0123 - 0xFFFF));
}

TEST_CASE("RFC 1624 incremental update equals recomputation", "[net][checksum]") {
    std::mt19937 rng(1624);
    for (int iter = 0; iter < 5000; ++iter) {
        Bytes data(2 * (1 + rng() % 30));
        for (auto& b : data) b = uint8_t(rng());
        const uint16_t before = inet_checksum(data);
        const size_t w = 2 * (rng() % (data.size() / 2));
        const uint16_t old_word = load_be16(&data[w]);
        const uint16_t new_word = iter % 3 == 0 ? 0 : uint16_t(rng());
        store_be16(&data[w], new_word);
        // Equal as one's-complement values: 0x0000 and 0xFFFF both mean zero.
        uint16_t updated = inet_checksum_update(before, old_word, new_word);
        uint16_t recomputed = inet_checksum(data);
        INFO("before " << before << " old " << old_word << " new " << new_word);
        REQUIRE((updated == recomputed || (updated % 0xFFFF == 0 && recomputed % 0xFFFF == 0)));
    }
}

TEST_CASE("Ethernet CRC-32 known answers and FCS", "[net][fcs]") {
    const std::string check = "123456789";
    ByteView v(reinterpret_cast<const uint8_t*>(check.data()), check.size());
    CHECK(ethernet_crc32(v) == 0xCBF43926u);  // the CRC-32/ISO-HDLC check value
    CHECK(ethernet_crc32(ByteView()) == 0);
    // Chaining.
    CHECK(ethernet_crc32(v.sub(4), ethernet_crc32(v.sub(0, 4))) == 0xCBF43926u);

    Bytes frame = from_hex("ffffffffffff 020000000001 0806") ;
    frame.resize(60, 0);
    Bytes with_fcs = frame;
    append_ethernet_fcs(with_fcs);
    REQUIRE(with_fcs.size() == 64);
    CHECK(load_le32(&with_fcs[60]) == ethernet_crc32(frame));
    CHECK(ethernet_fcs_ok(with_fcs));
    // The 802.3 residue: CRC over a frame and its own FCS is constant.
    CHECK(ethernet_crc32(with_fcs) == 0x2144DF1Cu);
    with_fcs[20] ^= 0x04;
    CHECK_FALSE(ethernet_fcs_ok(with_fcs));
    CHECK_FALSE(ethernet_fcs_ok(from_hex("0102")));
}

TEST_CASE("Wire bytes of a frame include padding, FCS, preamble and gap", "[net][fcs]") {
    CHECK(ethernet_wire_bytes(54) == 8 + 60 + 4 + 12);
    CHECK(ethernet_wire_bytes(60) == 84);
    CHECK(ethernet_wire_bytes(1514) == 1538);
}
