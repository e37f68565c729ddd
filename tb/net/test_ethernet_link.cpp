// Links and the switch against hand-computed wire times (perf_anchors §2.1: 84 wire bytes and
// 16.8 ns per minimum frame at 40 Gb/s, 1538 bytes and 307.6 ns for a 1500-MTU frame).
#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

#include "net/cut_through_switch.h"
#include "net/pcap_tap.h"
#include "proto/pcap_reader.h"
#include "timing/sim_time.h"

using namespace nicsim;
using namespace nicsim::net;
using timing::Ps;

namespace {

const proto::MacAddress kMacA = *proto::MacAddress::parse("02:00:00:00:00:0a");
const proto::MacAddress kMacB = *proto::MacAddress::parse("02:00:00:00:00:0b");

EthFrame frame_to(const proto::MacAddress& dst, size_t len, uint64_t id) {
    auto b = std::make_shared<proto::Bytes>(len, uint8_t(id));
    std::copy(dst.octets.begin(), dst.octets.end(), b->begin());
    return EthFrame{b, id};
}

struct Sink {
    std::vector<FrameArrival> got;
    EthernetLink::Receiver fn() {
        return [this](const FrameArrival& a) { got.push_back(a); };
    }
};

}  // namespace

TEST_CASE("A minimum frame: preamble, padding, FCS, IFG and propagation", "[net]") {
    timing::init_time_resolution();
    EthernetLink link("link", {40.0, 5000});
    Sink sink;
    link.set_receiver(sink.fn());
    link.transmit(frame_to(kMacB, 42, 1), 0);  // padded to 60 + FCS = 64 bytes
    sc_core::sc_start();
    REQUIRE(sink.got.size() == 1);
    CHECK(link.byte_time() == 200);
    CHECK(sink.got[0].first_byte == 8 * 200 + 5000);        // after preamble+SFD, then cable
    CHECK(sink.got[0].last_byte == (8 + 64) * 200 + 5000);  // 64 bytes incl. FCS
    CHECK(link.busy_until() == 84 * 200);                   // 16.8 ns with the IFG
    CHECK(link.wire_bytes() == 84);
}

TEST_CASE("Back-to-back frames run at the 40GbE frame rate", "[net]") {
    timing::init_time_resolution();
    EthernetLink link("link", {40.0, 0});
    Sink sink;
    link.set_receiver(sink.fn());
    for (uint64_t i = 0; i < 1000; ++i) link.transmit(frame_to(kMacB, 60, i), 0);
    for (uint64_t i = 0; i < 100; ++i) link.transmit(frame_to(kMacB, 1514, 1000 + i), 0);
    sc_core::sc_start();
    REQUIRE(sink.got.size() == 1100);
    for (size_t i = 1; i < 1000; ++i) REQUIRE(sink.got[i].first_byte - sink.got[i - 1].first_byte == 16800);
    for (size_t i = 1001; i < 1100; ++i) REQUIRE(sink.got[i].first_byte - sink.got[i - 1].first_byte == 307600);
    // 1000 minimum frames in 1000 * 16.8 ns: 59.52 Mpps.
    double mpps = 1000.0 / (double(sink.got[1000].first_byte - sink.got[0].first_byte) * 1e-12) / 1e6;
    CHECK(mpps == Approx(59.52).epsilon(0.001));
}

TEST_CASE("Through a cut-through switch: port-to-port latency and a faster egress", "[net]") {
    timing::init_time_resolution();
    CutThroughSwitch sw("sw", {230'000});
    size_t to_b = sw.add_port(kMacB, {40.0, 5000});
    EthernetLink a_to_sw("a_to_sw", {40.0, 5000});
    a_to_sw.set_receiver([&sw](const FrameArrival& f) { sw.receive(f); });
    Sink sink;
    sw.egress(to_b).set_receiver(sink.fn());

    a_to_sw.transmit(frame_to(kMacB, 60, 1), 0);
    a_to_sw.transmit(frame_to(kMacA, 60, 2), 0);  // no port for A: not forwarded
    sc_core::sc_start();
    REQUIRE(sink.got.size() == 1);
    // first byte: 1.6 ns preamble + 5 ns cable + 230 ns switch + 5 ns cable
    CHECK(sink.got[0].first_byte == 1600 + 5000 + 230000 + 5000);
    CHECK(sink.got[0].last_byte == sink.got[0].first_byte + 64 * 200);
    CHECK(sw.frames_forwarded() == 1);
    CHECK(sw.frames_unknown_destination() == 1);
}

TEST_CASE("A faster egress port waits so it never overtakes the ingress", "[net]") {
    timing::init_time_resolution();
    CutThroughSwitch sw("sw", {100'000});
    size_t to_b = sw.add_port(kMacB, {100.0, 0});
    EthernetLink in("in", {10.0, 0});
    in.set_receiver([&sw](const FrameArrival& f) { sw.receive(f); });
    Sink sink;
    sw.egress(to_b).set_receiver(sink.fn());
    in.transmit(frame_to(kMacB, 1514, 1), 0);
    sc_core::sc_start();
    REQUIRE(sink.got.size() == 1);
    Ps last_in = 8 * 800 + 1518 * 800;
    CHECK(sink.got[0].last_byte == last_in + 100'000);
    CHECK(sink.got[0].last_byte - sink.got[0].first_byte == 1518 * 80);
}

TEST_CASE("Fault injection drops the chosen frames only", "[net]") {
    timing::init_time_resolution();
    EthernetLink link("link", {40.0, 1000});
    link.set_drop_filter([](const EthFrame& f) { return f.id == 3 || f.id == 7; });
    Sink sink;
    link.set_receiver(sink.fn());
    for (uint64_t i = 0; i < 10; ++i) link.transmit(frame_to(kMacB, 100, i), 0);
    sc_core::sc_start();
    REQUIRE(sink.got.size() == 8);
    for (const auto& a : sink.got) CHECK((a.frame.id != 3 && a.frame.id != 7));
    CHECK(link.frames_dropped() == 2);
    CHECK(link.frames_sent() == 10);  // dropped frames still used the wire
}

TEST_CASE("A pcap tap on both directions writes frames in time order", "[net][pcap]") {
    timing::init_time_resolution();
    auto path = (std::filesystem::temp_directory_path() / ("nicsim-tap-" + std::to_string(::getpid()) + ".pcap")).string();
    std::vector<std::pair<Ps, uint64_t>> expect;
    {
        EthernetLink ab("ab", {40.0, 5000}), ba("ba", {40.0, 5000});
        PcapTap tap(path);
        tap.attach(ab);
        tap.attach(ba);
        timing::EventQueue eq("driver");
        for (uint64_t i = 0; i < 20; ++i) {
            Ps t = i * 10'000 + (i % 3) * 2'000;
            eq.schedule(t, [&, i]() {
                EthernetLink& l = i % 2 ? ba : ab;
                Ps first = l.transmit(frame_to(i % 2 ? kMacA : kMacB, 200 + i, i), timing::now_ps());
                expect.push_back({first, i});
            });
        }
        sc_core::sc_start();
        tap.close();
        CHECK(tap.frames() == 20);
    }
    std::sort(expect.begin(), expect.end());
    auto reader = proto::PcapReader::open(path);
    REQUIRE(reader.ok());
    size_t k = 0;
    while (auto rec = reader.next()) {
        REQUIRE(k < expect.size());
        CHECK(rec->time_ns == expect[k].first / 1000);
        CHECK(rec->data.size == 200 + expect[k].second);
        ++k;
    }
    CHECK(reader.ok());
    CHECK(k == 20);
    std::filesystem::remove(path);
}
