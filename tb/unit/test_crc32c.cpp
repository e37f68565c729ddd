// CRC32c against the RFC 3720 B.4 vectors and the catalogue check value; the fast paths
// against the bit-serial reference on random data, lengths and alignments.
#include <catch2/catch.hpp>

#include <random>

#include "proto/crc32c.h"

using namespace nicsim::proto;

namespace {
using CrcFn = uint32_t (*)(ByteView, uint32_t);
const std::pair<const char*, CrcFn> kImpls[] = {
    {"reference", crc32c_reference}, {"slicing8", crc32c_slicing8}, {"dispatch", crc32c}};
}

TEST_CASE("CRC32c matches RFC 3720 B.4 and the check value", "[crc]") {
    struct Vec { Bytes data; uint32_t crc; };
    std::vector<Vec> vecs;
    vecs.push_back({Bytes(32, 0x00), 0x8A9136AAu});
    vecs.push_back({Bytes(32, 0xFF), 0x62A8AB43u});
    Bytes inc(32), dec(32);
    for (int i = 0; i < 32; ++i) { inc[i] = uint8_t(i); dec[i] = uint8_t(31 - i); }
    vecs.push_back({inc, 0x46DD794Eu});
    vecs.push_back({dec, 0x113FDB5Cu});
    vecs.push_back({from_hex("01c00000 00000000 00000000 00000000 14000000 00000400 00000014 00000018"
                             "28000000 00000000 02000000 00000000"), 0xD9963A56u});
    const std::string check = "123456789";
    vecs.push_back({Bytes(check.begin(), check.end()), 0xE3069283u});

    for (auto& [name, fn] : kImpls) {
        for (auto& v : vecs) {
            INFO(name << " on " << to_hex(v.data));
            CHECK(fn(v.data, 0) == v.crc);
        }
    }
    if (crc32c_hw_available())
        for (auto& v : vecs) CHECK(crc32c_sse42(v.data, 0) == v.crc);
}

TEST_CASE("CRC32c wire bytes are least-significant first and leave the residue", "[crc]") {
    Bytes zeros(32, 0);
    Bytes with_crc = zeros;
    put_le32(with_crc, crc32c(zeros));
    CHECK(to_hex(ByteView(with_crc).sub(32)) == "aa36918a");
    // Over message + its CRC the register holds the residue (finished value = ~residue).
    CHECK(~crc32c_reference(with_crc) == kCrc32cResidue);
}

TEST_CASE("CRC32c fast paths equal the reference on random data and chain", "[crc]") {
    std::mt19937_64 rng(12345);
    Bytes buf(5000);
    for (auto& b : buf) b = uint8_t(rng());
    for (int trial = 0; trial < 400; ++trial) {
        size_t off = rng() % 64, len = rng() % (buf.size() - off);
        ByteView v(buf.data() + off, len);
        uint32_t seed = (trial % 3 == 0) ? 0 : uint32_t(rng());
        uint32_t ref = crc32c_reference(v, seed);
        INFO("off=" << off << " len=" << len);
        REQUIRE(crc32c_slicing8(v, seed) == ref);
        REQUIRE(crc32c(v, seed) == ref);
        if (crc32c_hw_available()) REQUIRE(crc32c_sse42(v, seed) == ref);
        size_t cut = len ? rng() % len : 0;
        REQUIRE(crc32c(v.sub(cut), crc32c(v.sub(0, cut), seed)) == ref);
    }
}
