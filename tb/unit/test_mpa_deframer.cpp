// The receive de-framer: random message sequences are framed, the stream is cut at random
// points and fed back; the same ULPDUs must come out, with and without markers. Every
// single-bit corruption of an FPDU must be caught; hostile lengths map to the RFC causes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "proto/crc32c.h"
#include "proto/mpa_deframer.h"
#include "proto/mpa_fpdu.h"
#include "proto/mpa_markers.h"

using namespace nicsim::proto;

namespace {

struct Stream {
    Bytes bytes;
    std::vector<Bytes> ulpdus;
    std::vector<uint64_t> offsets;
};

Stream make_stream(std::mt19937& rng, bool markers, int count, size_t max_len = 3000) {
    Stream s;
    for (int i = 0; i < count; ++i) {
        size_t n = 14 + rng() % max_len;
        Bytes u(n);
        for (auto& b : u) b = uint8_t(rng());
        s.offsets.push_back(s.bytes.size());
        put_bytes(s.bytes, mpa_frame_fpdu(u, {markers, true}, s.bytes.size()));
        s.ulpdus.push_back(std::move(u));
    }
    return s;
}

std::vector<ReceivedFpdu> feed_cut(const Bytes& bytes, MpaReceiveOptions opt, std::mt19937& rng,
                                   std::optional<TermCause>* err = nullptr) {
    MpaDeframer d(opt);
    std::vector<ReceivedFpdu> out;
    size_t at = 0;
    while (at < bytes.size()) {
        size_t n = std::min<size_t>(bytes.size() - at, 1 + rng() % 1600);
        d.feed(ByteView(bytes).sub(at, n), out);
        at += n;
    }
    if (err) *err = d.error();
    return out;
}

}  // namespace

TEST_CASE("De-framer recovers every ULPDU from a randomly cut stream", "[mpa][deframer]") {
    for (bool markers : {false, true}) {
        for (uint32_t seed = 1; seed <= 20; ++seed) {
            std::mt19937 rng(seed);
            Stream s = make_stream(rng, markers, 30);
            std::optional<TermCause> err;
            auto out = feed_cut(s.bytes, {markers, true}, rng, &err);
            INFO("markers " << markers << " seed " << seed);
            REQUIRE_FALSE(err);
            REQUIRE(out.size() == s.ulpdus.size());
            for (size_t i = 0; i < out.size(); ++i) {
                CHECK(out[i].ulpdu == s.ulpdus[i]);
                CHECK(out[i].stream_offset == s.offsets[i]);
            }
        }
    }
}

TEST_CASE("De-framer handles one byte at a time and FPDUs of 64 KiB", "[mpa][deframer]") {
    std::mt19937 rng(99);
    for (bool markers : {false, true}) {
        // Without markers the largest ULPDU; with them the largest whose FPDUPTRs fit 16 bits.
        Bytes big(markers ? 0xFFFF - 600 : 0xFFFF);
        for (auto& b : big) b = uint8_t(rng());
        Bytes wire = mpa_frame_fpdu(big, {markers, true}, 0);
        put_bytes(wire, mpa_frame_fpdu(Bytes(20, 1), {markers, true}, wire.size()));
        MpaDeframer d({markers, true});
        std::vector<ReceivedFpdu> out;
        for (size_t i = 0; i < wire.size(); ++i) d.feed(ByteView(wire).sub(i, 1), out);
        REQUIRE(out.size() == 2);
        CHECK(out[0].ulpdu == big);
        CHECK(out[0].wire_length == mpa_fpdu_wire_length(big.size(), markers, 0));
        CHECK(d.buffered() == 0);
    }
}

TEST_CASE("Every single-bit corruption of an FPDU is caught", "[mpa][deframer]") {
    for (bool markers : {false, true}) {
        // Second FPDU of the stream, so markers sit mid-FPDU and at its start.
        Bytes first = mpa_frame_fpdu(Bytes(498, 7), {markers, true}, 0);
        Bytes victim_ulpdu(700);
        for (size_t i = 0; i < victim_ulpdu.size(); ++i) victim_ulpdu[i] = uint8_t(i * 13);
        Bytes victim = mpa_frame_fpdu(victim_ulpdu, {markers, true}, first.size());
        for (size_t bit = 0; bit < victim.size() * 8; ++bit) {
            Bytes wire = first;
            Bytes bad = victim;
            bad[bit / 8] ^= uint8_t(1u << (bit % 8));
            put_bytes(wire, bad);
            // Whatever follows: enough bytes that a corrupted length cannot hide by waiting.
            put_bytes(wire, Bytes(70000, 0));
            MpaDeframer d({markers, true});
            std::vector<ReceivedFpdu> out;
            d.feed(wire, out);
            INFO("markers " << markers << " bit " << bit);
            REQUIRE(d.error());
            CHECK((*d.error() == term::kMpaCrcError || *d.error() == term::kMpaMarkerMismatch));
            CHECK(out.size() == 1);  // the good first FPDU only
        }
    }
}

TEST_CASE("ULPDU_Length underflow and overflow are LLP 0x03; CRC off is not checked", "[mpa][deframer]") {
    Bytes under = mpa_frame_fpdu(Bytes(13, 0), {false, true});
    MpaDeframer d({false, true});
    std::vector<ReceivedFpdu> out;
    d.feed(under, out);
    REQUIRE(d.error());
    CHECK(*d.error() == term::kMpaMarkerMismatch);

    MpaReceiveOptions small{false, true};
    small.max_ulpdu = 16384;
    MpaDeframer d2(small);
    Bytes over = mpa_frame_fpdu(Bytes(16385, 0), {false, true});
    d2.feed(ByteView(over).sub(0, 4), out);  // the length alone is enough to refuse
    REQUIRE(d2.error());
    CHECK(*d2.error() == term::kMpaMarkerMismatch);

    Bytes nocrc = mpa_frame_fpdu(Bytes(20, 5), {false, false});
    CHECK(load_le32(&nocrc[nocrc.size() - 4]) == 0);
    MpaDeframer d3({false, false});
    d3.feed(nocrc, out);
    CHECK_FALSE(d3.error());
    CHECK(out.back().ulpdu == Bytes(20, 5));
}

TEST_CASE("A marker whose FPDUPTR disagrees is LLP 0x03 even with a valid CRC", "[mpa][deframer]") {
    Bytes u(1200, 3);
    Bytes f = mpa_frame_fpdu(u, {true, true}, 0);
    store_be16(&f[512 + 2], 400);  // points into the middle of the FPDU
    Bytes fixed(f.begin(), f.end() - 4);
    put_le32(fixed, crc32c(fixed));  // re-sign so only the marker is wrong
    MpaDeframer d({true, true});
    std::vector<ReceivedFpdu> out;
    d.feed(fixed, out);
    REQUIRE(d.error());
    CHECK(*d.error() == term::kMpaMarkerMismatch);
    CHECK(out.empty());
}

TEST_CASE("Markers locate FPDUs inside an out-of-order segment", "[mpa][deframer]") {
    std::mt19937 rng(5);
    Stream s = make_stream(rng, true, 40, 1500);
    int located_total = 0;
    for (int trial = 0; trial < 200; ++trial) {
        size_t start = rng() % (s.bytes.size() - 3000);
        size_t len = 1000 + rng() % 2000;
        auto found = locate_fpdus(ByteView(s.bytes).sub(start, len), start, {true, true});
        for (const auto& f : found) {
            auto it = std::find(s.offsets.begin(), s.offsets.end(), f.stream_offset);
            REQUIRE(it != s.offsets.end());
            CHECK(f.ulpdu == s.ulpdus[size_t(it - s.offsets.begin())]);
            CHECK(f.stream_offset >= start);
            CHECK(f.stream_offset + f.wire_length <= start + len);
        }
        // Whenever a whole FPDU and a marker of it lie in the segment, it must be found.
        for (size_t i = 0; i < s.offsets.size(); ++i) {
            uint64_t b = s.offsets[i];
            uint64_t e = i + 1 < s.offsets.size() ? s.offsets[i + 1] : s.bytes.size();
            bool inside = b >= start && e <= start + len;
            bool has_marker = next_marker_offset(b) + 4 <= e;
            uint64_t first_marker = next_marker_offset(start);
            if (inside && has_marker && first_marker >= b && first_marker < e) {
                bool got = std::any_of(found.begin(), found.end(),
                                       [&](const ReceivedFpdu& f) { return f.stream_offset == b; });
                CHECK(got);
            }
        }
        located_total += int(found.size());
    }
    CHECK(located_total > 100);
    CHECK(locate_fpdus(s.bytes, 0, {false, true}).empty());  // needs markers
}

TEST_CASE("Markers are checked strictly: an FPDUPTR off by one word is rejected", "[mpa][deframer]") {
    // First FPDU of the stream: a leading marker (FPDUPTR 0) and one at 512 holding 508
    // (counted from the ULPDU_Length field at offset 4). Pointing it at the leading marker
    // instead (512) names the right FPDU but is not what the RFC says the sender writes.
    for (uint16_t bad : {uint16_t(512), uint16_t(504), uint16_t(0xFFFC)}) {
        Bytes f = mpa_frame_fpdu(Bytes(1000, 9), {true, true}, 0);
        REQUIRE(load_be16(&f[514]) == 508);
        store_be16(&f[514], bad);
        Bytes fixed(f.begin(), f.end() - 4);
        put_le32(fixed, crc32c(fixed));
        MpaDeframer d({true, true});
        std::vector<ReceivedFpdu> out;
        d.feed(fixed, out);
        INFO("FPDUPTR " << bad);
        REQUIRE(d.error());
        CHECK(*d.error() == term::kMpaMarkerMismatch);
    }
    // The two low bits are ignored on receive.
    Bytes f = mpa_frame_fpdu(Bytes(1000, 9), {true, true}, 0);
    store_be16(&f[514], 508 | 3);
    Bytes fixed(f.begin(), f.end() - 4);
    put_le32(fixed, crc32c(fixed));
    MpaDeframer d({true, true});
    std::vector<ReceivedFpdu> out;
    d.feed(fixed, out);
    CHECK_FALSE(d.error());
    CHECK(out.size() == 1);
}
