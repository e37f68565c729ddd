// Marker placement and FPDUPTR values, checked against the layouts in protocol.md §1.3
// (tshark-verified) and against a brute-force byte-by-byte construction.
#include <catch2/catch.hpp>

#include <random>

#include "proto/crc32c.h"
#include "proto/mpa_fpdu.h"
#include "proto/mpa_markers.h"

using namespace nicsim::proto;


TEST_CASE("Marker layout of the protocol.md example FPDUs", "[mpa][markers]") {
    // Send, ULPDU 1018 bytes at stream 0: markers at FPDU offsets 0, 512, 1024; FPDU 1036 B.
    Bytes ulpdu(1018, 0xAB);
    Bytes f = mpa_frame_fpdu(ulpdu, {true, true}, 0);
    REQUIRE(f.size() == 1036);
    CHECK(mpa_fpdu_wire_length(1018, true, 0) == 1036);
    CHECK(load_be32(&f[0]) == 0);        // leading marker, FPDUPTR 0
    CHECK(load_be16(&f[4]) == 1018);     // ULPDU_Length after it
    CHECK(load_be32(&f[512]) == 508);    // counted from the ULPDU_Length field at offset 4
    CHECK(load_be32(&f[1024]) == 1020);
    // The CRC covers the markers.
    CHECK(load_le32(&f[1032]) == crc32c(ByteView(f).sub(0, 1032)));

    // Next FPDU starts at stream 1036... the example uses one at stream 1076 with markers at
    // FPDU offsets 460, 972, 1484, 1996 holding the same values.
    Bytes big(2000, 0x11);
    Bytes g = mpa_frame_fpdu(big, {true, true}, 1076);
    for (size_t off : {460u, 972u, 1484u, 1996u}) {
        INFO("marker at FPDU offset " << off);
        CHECK(load_be16(&g[off]) == 0);
        CHECK(load_be16(&g[off + 2]) == off);
    }
    CHECK(g.size() == mpa_plain_fpdu_length(2000) + 16);
}

TEST_CASE("A marker right before the CRC belongs to the current FPDU", "[mpa][markers]") {
    // FPDU at stream 500 with 8 plain bytes before the CRC... choose ULPDU so that the
    // length+ULPDU+PAD ends exactly at stream 512.
    size_t ulpdu_len = 10;  // 2 + 10 = 12 bytes, no pad
    Bytes f = mpa_frame_fpdu(Bytes(ulpdu_len, 1), {true, true}, 500);
    REQUIRE(f.size() == 12 + 4 + 4);
    CHECK(load_be16(&f[12]) == 0);
    CHECK(load_be16(&f[14]) == 12);  // FPDUPTR back to the ULPDU_Length field
    CHECK(markers_in_fpdu(500, mpa_plain_fpdu_length(ulpdu_len)) == 1);
    // One word earlier: the CRC ends exactly at 512, the marker belongs to the next FPDU.
    CHECK(markers_in_fpdu(496, mpa_plain_fpdu_length(ulpdu_len)) == 0);
    CHECK(mpa_frame_fpdu(Bytes(ulpdu_len, 1), {true, true}, 496).size() == 16);
}

TEST_CASE("Markers every 512 bytes for random FPDUs; FPDUPTR locates the header", "[mpa][markers]") {
    std::mt19937 rng(7);
    uint64_t stream = 0;
    for (int i = 0; i < 300; ++i) {
        size_t n = rng() % 3000;
        Bytes f = mpa_frame_fpdu(Bytes(n, 0x5A), {true, true}, stream);
        REQUIRE(f.size() == mpa_fpdu_wire_length(n, true, stream));
        size_t markers = 0;
        for (size_t off = 0; off < f.size(); off += 4) {
            if (!is_marker_offset(stream + off)) continue;
            ++markers;
            uint16_t ptr = load_be16(&f[off + 2]);
            CHECK(load_be16(&f[off]) == 0);
            CHECK(fpdu_start_from_marker(stream + off, ptr) == stream);
        }
        CHECK(f.size() == mpa_plain_fpdu_length(n) + 4 * markers);
        stream += f.size();
    }
}

TEST_CASE("MULPDU arithmetic", "[mpa]") {
    CHECK(mpa_mulpdu(1448, false) == 1442);
    CHECK(mpa_mulpdu(1448, true) == 1430);
    CHECK(mpa_mulpdu(1460, false) == 1454);
    // The FPDU of a MULPDU-sized ULPDU fits EMSS at every marker phase.
    for (size_t emss : {536u, 1448u, 1460u, 8948u, 8960u})
        for (uint64_t phase = 0; phase < 512; phase += 4) {
            size_t m = mpa_mulpdu(emss, true);
            CHECK(mpa_fpdu_wire_length(m, true, phase) <= emss);
            CHECK(mpa_fpdu_wire_length(mpa_mulpdu(emss, false), false, 0) <= emss);
        }
}
