// Cosimulation of the Verilated blocks inside SystemC (model/islands): FPDU sequences stream
// through StreamIsland modules with impl rtl, markers on; the bytes and flags must equal the
// golden model, every burst's exit cycles must equal the documented cycle contract, the
// simulation must stop by itself when the data is through (no free-running clock), and an
// impl-model twin must produce the same results at the same simulated times.
// Each TEST_CASE is its own process (SystemC elaborates once per process).
#include <catch2/catch.hpp>

#include <random>
#include <systemc>

#include "islands/stream_engine.h"
#include "islands/stream_island.h"
#include "islands/stream_timing.h"
#include "proto/crc32c.h"
#include "proto/mpa_fpdu.h"
#include "proto/mpa_markers.h"

using namespace nicsim;
using namespace nicsim::islands;
using sc_core::sc_time;
using sc_core::SC_NS;

namespace {

const sc_time kPeriod(4, SC_NS);  // 250 MHz core clock
constexpr unsigned W = 8;

EngineConfig cfg(Block b, Impl impl, bool transmit = true) {
    EngineConfig c;
    c.block = b;
    c.impl = impl;
    c.data_bytes = W;
    c.transmit = transmit;
    return c;
}

// ULPDU sizes from the 0-byte minimum up to 9000 bytes, and the stream offsets of their
// FPDUs with markers from a given start.
struct Stream {
    std::vector<proto::Bytes> ulpdu;
    std::vector<uint64_t> offset;
};
Stream make_stream(unsigned n, uint64_t start, uint32_t seed) {
    std::mt19937 g(seed);
    Stream s;
    uint64_t pos = start;
    for (unsigned i = 0; i < n; ++i) {
        size_t len = i == 0 ? 0 : (g() % 4 == 0 ? g() % 9001 : g() % 700);
        proto::Bytes u(len);
        for (auto& b : u) b = uint8_t(g());
        s.ulpdu.push_back(u);
        s.offset.push_back(pos);
        pos += proto::mpa_fpdu_wire_length(len, true, pos);
    }
    return s;
}

// FPDU without markers whose CRC field is a placeholder, as the transmit path feeds it.
proto::Bytes plain_fpdu(const proto::Bytes& ulpdu) {
    proto::MpaFramingOptions o;
    o.markers = false;
    proto::Bytes f = proto::mpa_frame_fpdu(ulpdu, o, 0);
    for (size_t k = f.size() - 4; k < f.size(); ++k) f[k] = 0xEE;
    return f;
}

// Replays every burst an island saw through the golden engine: same bytes, flags, cycles.
void check_against_golden(const StreamIsland& isl) {
    auto golden = make_engine([&] {
        EngineConfig c = isl.engine().config();
        c.impl = Impl::Model;
        return c;
    }());
    uint64_t clocked = 0;
    for (const auto& b : isl.bursts()) {
        auto want = golden->run_burst(b.in);
        REQUIRE(want.size() == b.out.size());
        for (size_t i = 0; i < want.size(); ++i) {
            INFO(isl.name() << " burst at " << b.start << " packet " << i);
            CHECK(b.out[i].bytes == want[i].bytes);
            CHECK(b.out[i].flag == want[i].flag);
            CHECK(b.out[i].crc == want[i].crc);
            CHECK(b.out[i].exit_cycle == want[i].exit_cycle);
        }
        clocked += b.out.back().exit_cycle + 1;
    }
    // The RTL was clocked for the bursts only, never while idle.
    CHECK(isl.engine().cycles_clocked() == clocked);
}

size_t beats(size_t bytes) { return (bytes + W - 1) / W; }

}  // namespace

TEST_CASE("cosim TX: RTL marker insert then RTL CRC equals mpa_frame_fpdu, cycles as documented") {
    StreamIsland ins("ins", make_engine(cfg(Block::MarkerInsert, Impl::Rtl)), kPeriod);
    StreamIsland crc("crc", make_engine(cfg(Block::Crc32c, Impl::Rtl)), kPeriod);
    StreamIsland ins_m("ins_model", make_engine(cfg(Block::MarkerInsert, Impl::Model)), kPeriod);
    StreamIsland crc_m("crc_model", make_engine(cfg(Block::Crc32c, Impl::Model)), kPeriod);
    std::vector<std::pair<proto::Bytes, sc_time>> wire, wire_m;
    ins.on_output = [&](const EngineResult& r) { crc.push({r.bytes, 0}); };
    crc.on_output = [&](const EngineResult& r) { wire.push_back({r.bytes, sc_core::sc_time_stamp()}); };
    ins_m.on_output = [&](const EngineResult& r) { crc_m.push({r.bytes, 0}); };
    crc_m.on_output = [&](const EngineResult& r) { wire_m.push_back({r.bytes, sc_core::sc_time_stamp()}); };

    Stream s = make_stream(60, 0, 7);
    for (size_t i = 0; i < s.ulpdu.size(); ++i) {
        ins.push({plain_fpdu(s.ulpdu[i]), s.offset[i]});
        ins_m.push({plain_fpdu(s.ulpdu[i]), s.offset[i]});
    }
    sc_core::sc_start();  // returns only because nothing is scheduled once the data is through

    REQUIRE(wire.size() == s.ulpdu.size());
    proto::MpaFramingOptions o;
    o.markers = true;
    o.crc = true;
    for (size_t i = 0; i < wire.size(); ++i) {
        INFO("FPDU " << i << " at stream offset " << s.offset[i]);
        CHECK(wire[i].first == proto::mpa_frame_fpdu(s.ulpdu[i], o, s.offset[i]));
    }
    check_against_golden(ins);
    check_against_golden(crc);

    // All FPDUs were queued at time 0: one insert burst whose output runs one beat per cycle
    // from cycle 1, so the last FPDU leaves in cycle (sum of output beats).
    REQUIRE(ins.bursts().size() == 1);
    size_t out_beats = 0;
    for (auto& w : wire) out_beats += beats(w.first.size());
    CHECK(ins.bursts()[0].out.back().exit_cycle == out_beats);
    // The simulation ended with the last CRC output: nothing ticked afterwards.
    const auto& last = crc.bursts().back();
    CHECK(sc_core::sc_time_stamp() == last.start + kPeriod * double(last.out.back().exit_cycle));
    CHECK(wire.back().second == sc_core::sc_time_stamp());

    // impl: model gives the same bytes at the same simulated times.
    REQUIRE(wire_m.size() == wire.size());
    for (size_t i = 0; i < wire.size(); ++i) {
        CHECK(wire_m[i].first == wire[i].first);
        CHECK(wire_m[i].second == wire[i].second);
    }
}

TEST_CASE("cosim RX: RTL CRC check then RTL marker strip flags corruption like the golden model") {
    StreamIsland crc("crc", make_engine(cfg(Block::Crc32c, Impl::Rtl, false)), kPeriod);
    StreamIsland strip("strip", make_engine(cfg(Block::MarkerStrip, Impl::Rtl)), kPeriod);
    std::vector<bool> crc_ok;
    std::vector<EngineResult> got;
    strip.on_output = [&](const EngineResult& r) { got.push_back(r); };

    Stream s = make_stream(50, 512 * 3 + 256, 11);
    std::vector<proto::Bytes> raw;
    proto::MpaFramingOptions o;
    o.markers = true;
    o.crc = true;
    std::mt19937 g(5);
    for (size_t i = 0; i < s.ulpdu.size(); ++i) {
        proto::Bytes f = proto::mpa_frame_fpdu(s.ulpdu[i], o, s.offset[i]);
        if (i % 5 == 3) f[g() % f.size()] ^= 0x40;  // some corrupted: CRC must fail
        raw.push_back(f);
        crc.push({f, s.offset[i]});
    }
    // The strip stage needs each FPDU's stream offset: it travels with the FPDU, in order.
    size_t next = 0;
    crc.on_output = [&](const EngineResult& r) {
        crc_ok.push_back(r.flag);
        strip.push({r.bytes, s.offset[next++]});
    };
    sc_core::sc_start();

    REQUIRE(got.size() == raw.size());
    for (size_t i = 0; i < raw.size(); ++i) {
        INFO("FPDU " << i);
        proto::Bytes clean;
        std::vector<proto::SeenMarker> seen;
        proto::strip_markers(raw[i], s.offset[i], clean, seen);
        bool bad_marker = false;
        for (auto& m : seen)
            bad_marker |= m.reserved != 0 || (m.fpduptr & ~3u) != proto::fpduptr_for(s.offset[i], m.stream_offset);
        bool good_crc = proto::crc32c(proto::ByteView(raw[i].data(), raw[i].size() - 4)) ==
                        proto::load_le32(raw[i].data() + raw[i].size() - 4);
        CHECK(got[i].bytes == clean);
        CHECK(got[i].flag == bad_marker);
        CHECK(crc_ok[i] == good_crc);
        if (i % 5 != 3) CHECK(good_crc);
    }
    check_against_golden(crc);
    check_against_golden(strip);
}

TEST_CASE("cosim latency: one FPDU through each RTL block takes the documented cycles") {
    // A 1018-byte ULPDU at stream offset 0: FPDU 1024 bytes plain, 1036 with its 3 markers.
    proto::Bytes u(1018, 0x5A);
    proto::MpaFramingOptions on;
    on.markers = true;
    proto::Bytes plain = plain_fpdu(u), marked = proto::mpa_frame_fpdu(u, on, 0);
    REQUIRE(marked.size() == 1036);
    StreamIsland crc("crc", make_engine(cfg(Block::Crc32c, Impl::Rtl)), kPeriod);
    StreamIsland ins("ins", make_engine(cfg(Block::MarkerInsert, Impl::Rtl)), kPeriod);
    StreamIsland strip("strip", make_engine(cfg(Block::MarkerStrip, Impl::Rtl)), kPeriod);
    crc.push({plain, 0});
    ins.push({plain, 0});
    strip.push({marked, 0});
    sc_core::sc_start();
    // crc32c: 128 beats in (cycles 0..127), latency 1: the last beat leaves in cycle 128.
    CHECK(crc.bursts().at(0).out.at(0).exit_cycle == 128);
    // insert: output 1036 bytes = 130 beats, one per cycle from cycle 1.
    CHECK(ins.bursts().at(0).out.at(0).exit_cycle == 130);
    CHECK(ins.bursts().at(0).out.at(0).bytes.size() == 1036);
    // strip: 130 beats in (cycles 0..129); the 1024 clean bytes fill exactly 128 beats, so the
    // last one completes with the last input beat and leaves one cycle later, in cycle 130.
    CHECK(strip.bursts().at(0).out.at(0).exit_cycle == 130);
    CHECK(strip.bursts().at(0).out.at(0).bytes.size() == 1024);
    CHECK(sc_core::sc_time_stamp() == kPeriod * 130.0);
    CHECK(crc.wakeups() == 1);
}
