// Hostile input: hundreds of thousands of random and mutated buffers through every decoder.
// Each buffer is its own exact-size heap allocation, so an out-of-bounds read shows up under
// the address sanitizer (NICSIM_SANITIZE=ON); here it must at least not crash or hang, and the
// decoders' own invariants (views inside the input, statuses consistent) must hold.
#include <catch2/catch.hpp>

#include <memory>
#include <random>

#include "proto/packet.h"
#include "proto/pcap_reader.h"
#include "proto/pcap_writer.h"

using namespace nicsim::proto;

namespace {

bool inside(ByteView part, ByteView whole) {
    return part.size == 0 ||
           (part.data >= whole.data && part.data + part.size <= whole.data + whole.size);
}

// Decodes one buffer with every decoder and checks what must hold for any input.
void decode_everything(ByteView v) {
    TcpOptionsDecode od = decode_tcp_options(v.sub(0, kTcpMaxOptionsSize));
    REQUIRE(od.options.sack_blocks.size() <= 4);

    TcpDecode td = decode_tcp(v);
    if (td.status == TcpDecode::Status::Ok) {
        REQUIRE(td.header_length >= 20);
        REQUIRE(td.header_length <= 60);
        REQUIRE(td.header_length + td.payload.size == v.size);
        REQUIRE(inside(td.payload, v));
    }

    Ipv4Decode id = decode_ipv4(v);
    if (id.status == Ipv4Decode::Status::Ok) {
        REQUIRE(id.header_length + id.payload.size == id.header.total_length);
        REQUIRE(inside(id.payload, v));
        REQUIRE(inside(id.options, v));
    }

    EthernetDecode ed = decode_ethernet(v);
    if (ed.status == EthernetDecode::Status::Ok) REQUIRE(inside(ed.payload, v));

    ParsedTcpFrame pf = parse_tcp_frame(v);
    if (pf.status == ParsedTcpFrame::Status::Ok) REQUIRE(inside(pf.payload, v));
}

}  // namespace

TEST_CASE("Random buffers through every decoder", "[net][fuzz]") {
    std::mt19937_64 rng(0xF022);
    for (int iter = 0; iter < 300000; ++iter) {
        const size_t n = rng() % 96;
        std::unique_ptr<uint8_t[]> buf(new uint8_t[n ? n : 1]);
        for (size_t i = 0; i < n; ++i) buf[i] = uint8_t(rng());
        // Bias some buffers towards the interesting cases: option kinds and tiny lengths,
        // plausible version/IHL and data-offset bytes, the IPv4 EtherType.
        if (iter % 3 == 0)
            for (size_t i = 0; i < n; ++i) buf[i] = uint8_t(rng() % 11);
        if (iter % 5 == 0 && n > 14) buf[0] = uint8_t(0x40 | (rng() % 16));
        if (iter % 7 == 0 && n > 14) {
            buf[12] = 0x08;
            buf[13] = 0x00;
            buf[14] = uint8_t(0x45 + rng() % 3);
        }
        decode_everything(ByteView(buf.get(), n));
    }
}

TEST_CASE("Mutated valid frames through the frame parser", "[net][fuzz]") {
    std::mt19937_64 rng(0xF023);
    TcpFrameSpec s;
    s.flow.src.port = 7174;
    s.flow.dst.port = 40000;
    s.flags = kTcpSyn;
    s.options.mss = 1460;
    s.options.sack_permitted = true;
    s.options.timestamps = TcpTimestamps{1, 0};
    s.options.window_scale = 7;
    Bytes payload(40, 0x5A);
    s.payload = payload;
    const Bytes base = build_tcp_frame(s);

    size_t ok = 0, bad_checksum = 0;
    for (int iter = 0; iter < 200000; ++iter) {
        Bytes f = base;
        const int flips = 1 + int(rng() % 4);
        for (int k = 0; k < flips; ++k) {
            // Mostly hit the headers (the first 74 bytes), where the parsers make decisions.
            size_t pos = rng() % (rng() % 4 ? 74 : f.size());
            f[pos] = (rng() & 1) ? uint8_t(rng()) : uint8_t(f[pos] ^ (1u << (rng() % 8)));
        }
        f.resize(f.size() - rng() % 8 * (iter % 2));  // sometimes truncate too
        std::unique_ptr<uint8_t[]> buf(new uint8_t[f.size()]);
        std::copy(f.begin(), f.end(), buf.get());
        ByteView v(buf.get(), f.size());
        decode_everything(v);
        ParsedTcpFrame p = parse_tcp_frame(v);
        if (p.status == ParsedTcpFrame::Status::Ok) {
            ++ok;
            if (!p.ip_checksum_ok || !p.tcp_checksum_ok) ++bad_checksum;
        }
    }
    // The mutations reached the checksum logic, and the checksums caught most of them.
    CHECK(ok > 10000);
    CHECK(bad_checksum > ok / 2);
}

TEST_CASE("Random and truncated pcap files are read safely", "[net][fuzz][pcap]") {
    std::mt19937_64 rng(0xF024);
    Bytes file;
    encode_pcap_file_header(file);
    for (int i = 0; i < 20; ++i) {
        Bytes frame(rng() % 100);
        for (auto& b : frame) b = uint8_t(rng());
        encode_pcap_record(file, rng() % 4000000000000ull, frame);
    }
    for (int iter = 0; iter < 20000; ++iter) {
        Bytes f(file.begin(), file.begin() + long(rng() % (file.size() + 1)));
        for (int k = 0; k < int(rng() % 3); ++k)
            if (!f.empty()) f[rng() % f.size()] = uint8_t(rng());
        PcapReader r(f);
        size_t records = 0;
        while (auto rec = r.next()) {
            REQUIRE(rec->data.size <= f.size());
            REQUIRE(++records <= 20 + f.size() / 16);
        }
    }
}
