// pcap writer and reader: exact header bytes, picosecond-to-nanosecond timestamps, snaplen,
// a file written then read back, foreign (big-endian, microsecond) files, truncation.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <unistd.h>

#include "proto/packet.h"
#include "proto/pcap_reader.h"
#include "proto/pcap_writer.h"

using namespace nicsim::proto;

namespace {

std::string temp_path(const char* name) {
    return (std::filesystem::temp_directory_path() /
            ("nicsim_" + std::to_string(::getpid()) + "_" + name))
        .string();
}

}  // namespace

TEST_CASE("pcap file header is nanosecond, v2.4, Ethernet, little-endian", "[net][pcap]") {
    Bytes h;
    encode_pcap_file_header(h, 65535);
    CHECK(to_hex(h) == to_hex(from_hex("4d3cb2a1 0200 0400 00000000 00000000 ffff0000 01000000")));
}

TEST_CASE("pcap record layout and timestamp split", "[net][pcap]") {
    Bytes r;
    encode_pcap_record(r, 1700000000123456789ull, from_hex("aabbcc"), 2);
    // sec 1700000000 = 0x6553F100, nsec 123456789 = 0x075BCD15, incl 2, orig 3.
    CHECK(to_hex(r) == to_hex(from_hex("00f15365 15cd5b07 02000000 03000000 aabb")));
    Bytes too_late;
    CHECK_THROWS_AS(encode_pcap_record(too_late, (1ull << 32) * 1000000000ull, Bytes{}),
                    std::out_of_range);
}

TEST_CASE("pcap written then read back", "[net][pcap]") {
    const std::string path = temp_path("roundtrip.pcap");
    TcpFrameSpec s;
    s.flow.src = {*MacAddress::parse("02:00:00:00:00:01"), *Ipv4Address::parse("10.0.0.1"), 7174};
    s.flow.dst = {*MacAddress::parse("02:00:00:00:00:02"), *Ipv4Address::parse("10.0.0.2"), 5000};
    std::vector<Bytes> frames;
    std::vector<uint64_t> times_ps = {0, 999, 1000, 1234567, 5000000000001ull, 3600000000000000ull};
    for (size_t i = 0; i < times_ps.size(); ++i) {
        Bytes payload(i * 300, uint8_t(i));
        s.payload = payload;
        s.seq = uint32_t(1000 + i);
        frames.push_back(build_tcp_frame(s));
    }
    {
        PcapOptions o;
        o.snaplen = 1000;
        o.epoch_ns = 1000000000000000000ull;
        PcapWriter w(path, o);
        for (size_t i = 0; i < frames.size(); ++i) w.write(times_ps[i], frames[i]);
        CHECK(w.records() == frames.size());
        w.close();
    }
    PcapReader r = PcapReader::open(path);
    REQUIRE(r.ok());
    CHECK(r.nanosecond());
    CHECK(r.version_major() == 2);
    CHECK(r.version_minor() == 4);
    CHECK(r.linktype() == kLinktypeEthernet);
    CHECK(r.snaplen() == 1000);
    size_t i = 0;
    while (auto rec = r.next()) {
        REQUIRE(i < frames.size());
        INFO("record " << i);
        // Picoseconds truncate to whole nanoseconds.
        CHECK(rec->time_ns == 1000000000000000000ull + times_ps[i] / 1000);
        CHECK(rec->orig_len == frames[i].size());
        CHECK(rec->data.size == std::min<size_t>(frames[i].size(), 1000));
        CHECK(rec->data.to_bytes() == ByteView(frames[i]).sub(0, 1000).to_bytes());
        if (frames[i].size() <= 1000) {
            ParsedTcpFrame p = parse_tcp_frame(rec->data);
            REQUIRE(p.status == ParsedTcpFrame::Status::Ok);
            CHECK(p.tcp.seq == 1000 + i);
            CHECK(p.tcp_checksum_ok);
        }
        ++i;
    }
    CHECK(i == frames.size());
    CHECK(r.ok());
    std::remove(path.c_str());
}

TEST_CASE("pcap reader accepts big-endian microsecond files", "[net][pcap]") {
    Bytes f = from_hex("a1b2c3d4 0002 0004 00000000 00000000 0000ffff 00000001"
                       "00000002 000f423f 00000003 00000004 010203");
    PcapReader r(f);
    REQUIRE(r.ok());
    CHECK_FALSE(r.nanosecond());
    CHECK(r.snaplen() == 65535);
    CHECK(r.linktype() == 1);
    auto rec = r.next();
    REQUIRE(rec);
    CHECK(rec->time_ns == 2000000000ull + 999999000ull);
    CHECK(rec->orig_len == 4);
    CHECK(to_hex(rec->data) == "010203");
    CHECK_FALSE(r.next());
    CHECK(r.ok());
}

TEST_CASE("pcap reader reports bad and truncated files", "[net][pcap]") {
    CHECK_FALSE(PcapReader(from_hex("d4c3b2a1")).ok());
    CHECK_FALSE(PcapReader(Bytes(24, 0)).ok());  // bad magic
    CHECK_FALSE(PcapReader::open("/nonexistent/dir/x.pcap").ok());
    Bytes v1 = from_hex("4d3cb2a1 0100 0400 00000000 00000000 ffff0000 01000000");
    CHECK_FALSE(PcapReader(v1).ok());

    Bytes file;
    encode_pcap_file_header(file);
    encode_pcap_record(file, 5, from_hex("0102030405"));
    encode_pcap_record(file, 6, from_hex("0607"));
    const size_t first_end = 24 + 16 + 5;
    for (size_t cut = 24; cut <= file.size(); ++cut) {
        PcapReader r(Bytes(file.begin(), file.begin() + long(cut)));
        REQUIRE(r.ok());
        size_t n = 0;
        while (r.next()) ++n;
        INFO("cut at " << cut);
        CHECK(n == (cut == file.size() ? 2u : cut >= first_end ? 1u : 0u));
        // Only cuts at a record boundary end cleanly.
        CHECK(r.ok() == (cut == 24 || cut == first_end || cut == file.size()));
    }
    Bytes bad_ns = file;
    bad_ns[24 + 4 + 3] = 0x7F;  // nanoseconds >= 1e9
    PcapReader rb(bad_ns);
    CHECK_FALSE(rb.next());
    CHECK_FALSE(rb.ok());
}
