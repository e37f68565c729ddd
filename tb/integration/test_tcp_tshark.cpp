// The TCP engine's wire behaviour judged by an independent TCP analyser: tshark's
// tcp.analysis. Two engines run a transfer through the deterministic test channel with
// segments dropped; every segment either side sent is captured at the sender (before the
// drop, so tshark legitimately sees no "previous segment not captured") into a pcap. tshark
// must flag as retransmissions exactly the segments the engine retransmitted, report no lost
// segments, no spurious retransmissions and no bad checksums, and read back the very
// sequence and acknowledgement numbers the engine sent.
//
// tshark is a required tool (scripts/setup installs it): if it is missing the test fails.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <unistd.h>

#include "../unit/tcp_test_channel.h"
#include "proto/pcap_writer.h"
#include "tshark_oracle.h"

using namespace nicsim::proto;
using nicsim::test::Fate;
using nicsim::test::TcpTestChannel;
using nicsim::test::WireSegment;

namespace {

constexpr uint64_t sec = kPsPerSecond;

struct Capture {
    std::string pcap;
    std::vector<WireSegment> frames;  // in pcap order
    TcpStats sender;
};

// Runs A -> B: 40 records of one EMSS, with `drops` first sends of segment seq offsets
// (in EMSS units) dropped; `drop_times` how many sends of that segment are lost.
Capture run_transfer(const std::string& name, uint32_t lost_segment, int drop_times) {
    TcpConfig c;  // defaults: delayed ACK every 2 segments / 40 ms, IW 10, timestamps, wscale
    TcpConnection a(c, 40000, 41000, 0xFFFF0000u);  // sequence numbers wrap during the run
    TcpConnection b(c, 41000, 40000, 777777);
    TcpTestChannel ch(a, b);
    Capture cap;
    ch.tap = [&](const WireSegment& s) { cap.frames.push_back(s); };
    b.open_passive();
    a.open_active(0);
    REQUIRE(ch.run_until([&] { return a.state() == TcpState::Established && b.state() == TcpState::Established; },
                         10 * sec));
    const uint32_t emss = a.emss();
    Bytes data(40 * emss);
    for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 13 + 5);
    for (int i = 0; i < 40; ++i) REQUIRE(a.send_record(ByteView(data).sub(size_t(i) * emss, emss)));
    const uint32_t lost_seq = a.iss() + 1 + lost_segment * emss;
    int dropped = 0;
    ch.fate = [&](const WireSegment& s) {
        if (s.from == 0 && s.header.seq == lost_seq && !s.payload.empty() && dropped < drop_times) {
            ++dropped;
            return Fate{Fate::Drop};
        }
        return Fate{};
    };
    REQUIRE(ch.run_until([&] { return ch.received[1].size() == data.size() && a.bytes_in_flight() == 0; },
                         ch.now() + 30 * sec));
    REQUIRE(ch.received[1] == data);
    a.close(ch.now());
    b.close(ch.now());
    // Simultaneous close (RFC 9293 §3.6 case 2): both FINs cross, both sides pass CLOSING
    // or see their FIN acked in the FIN's segment, and both end in TIME-WAIT.
    ch.run_until([&] { return a.state() == TcpState::TimeWait && b.state() == TcpState::TimeWait; },
                 ch.now() + 30 * sec);
    INFO("A " << to_string(a.state()) << " B " << to_string(b.state()));
    REQUIRE((a.state() == TcpState::TimeWait && b.state() == TcpState::TimeWait));
    REQUIRE(dropped == drop_times);
    cap.sender = a.stats();

    // Two capture points (each sender) merged by time; stable, so emission order breaks ties.
    std::stable_sort(cap.frames.begin(), cap.frames.end(),
                     [](const WireSegment& x, const WireSegment& y) { return x.time_ps < y.time_ps; });
    const TcpEndpoint ea{*MacAddress::parse("02:00:00:00:00:0a"), *Ipv4Address::parse("10.0.0.1"), 40000};
    const TcpEndpoint eb{*MacAddress::parse("02:00:00:00:00:0b"), *Ipv4Address::parse("10.0.0.2"), 41000};
    cap.pcap = (std::filesystem::temp_directory_path() /
                ("nicsim_tcp_" + name + "_" + std::to_string(::getpid()) + ".pcap")).string();
    PcapWriter w(cap.pcap);
    uint16_t ip_id[2] = {1, 1};
    for (const WireSegment& s : cap.frames) {
        TcpFrameSpec spec;
        spec.flow = s.from == 0 ? FlowTuple{ea, eb} : FlowTuple{eb, ea};
        spec.seq = s.header.seq;
        spec.ack = s.header.ack;
        spec.flags = s.header.flags;
        spec.window = s.header.window;
        spec.options = s.header.options;
        spec.payload = s.payload;
        spec.ip_id = ip_id[s.from]++;
        w.write(s.time_ps, build_tcp_frame(spec));
    }
    w.close();
    return cap;
}

const char* kTsharkTcpOptions =
    " -o tcp.relative_sequence_numbers:FALSE -o tcp.analyze_sequence_numbers:TRUE"
    " -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE ";

// Frame numbers (1-based) matching a display filter.
std::set<size_t> frames_matching(const std::string& pcap, const std::string& filter) {
    std::istringstream in(nicsim::test::tshark(pcap, std::string(kTsharkTcpOptions) + "-Y '" + filter +
                                                          "' -T fields -e frame.number"));
    std::set<size_t> out;
    std::string line;
    while (std::getline(in, line))
        if (!line.empty()) out.insert(std::stoul(line));
    return out;
}

void check_with_tshark(const Capture& cap) {
    REQUIRE(nicsim::test::tshark_available());
    // Every frame decodes as TCP with good IP and TCP checksums.
    CHECK(frames_matching(cap.pcap, "tcp").size() == cap.frames.size());
    CHECK(frames_matching(cap.pcap, "tcp.checksum.status == 1 && ip.checksum.status == 1").size() ==
          cap.frames.size());
    // Exactly the engine's retransmissions are flagged, and nothing is lost or spurious.
    std::set<size_t> ours;
    for (size_t i = 0; i < cap.frames.size(); ++i)
        if (cap.frames[i].retransmission) ours.insert(i + 1);
    REQUIRE(ours.size() == cap.sender.retransmitted_segments);
    const auto flagged =
        frames_matching(cap.pcap, "tcp.analysis.retransmission || tcp.analysis.fast_retransmission");
    CHECK(flagged == ours);
    CHECK(frames_matching(cap.pcap, "tcp.analysis.fast_retransmission").size() == cap.sender.fast_retransmits);
    CHECK(frames_matching(cap.pcap, "tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment").empty());
    CHECK(frames_matching(cap.pcap, "tcp.analysis.spurious_retransmission").empty());
    CHECK(frames_matching(cap.pcap, "tcp.analysis.out_of_order").empty());

    // The numbers tshark reads are the ones the engine sent, frame by frame.
    const auto rows = nicsim::test::tshark_fields(
        cap.pcap, "tcp", {"tcp.srcport", "tcp.seq_raw", "tcp.ack_raw", "tcp.len", "tcp.flags", "tcp.window_size_value"});
    REQUIRE(rows.size() == cap.frames.size());
    size_t mismatches = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
        const WireSegment& s = cap.frames[i];
        const bool ok = rows[i][0] == std::to_string(s.header.src_port) &&
                        rows[i][1] == std::to_string(s.header.seq) &&
                        (rows[i][2] == std::to_string(s.header.ack) || !s.header.has(kTcpAck)) &&
                        rows[i][3] == std::to_string(s.payload.size()) &&
                        std::stoul(rows[i][4], nullptr, 16) == s.header.flags &&
                        rows[i][5] == std::to_string(s.header.window);
        if (!ok) {
            ++mismatches;
            UNSCOPED_INFO("frame " << i + 1 << ": tshark " << rows[i][0] << " " << rows[i][1] << " " << rows[i][2]
                                   << " " << rows[i][3] << " " << rows[i][4] << " " << rows[i][5]);
        }
    }
    CHECK(mismatches == 0);
}

// NICSIM_KEEP_PCAP=1 keeps the capture for a look in Wireshark.
void remove_unless_kept(const std::string& pcap) {
    if (std::getenv("NICSIM_KEEP_PCAP"))
        std::printf("kept %s\n", pcap.c_str());
    else
        std::filesystem::remove(pcap);
}

}  // namespace

TEST_CASE("tshark: one dropped segment -> exactly one fast retransmission", "[tcp][tshark]") {
    const Capture cap = run_transfer("fastrexmit", 4, 1);
    CHECK(cap.sender.fast_retransmits == 1);
    CHECK(cap.sender.timeouts == 0);
    CHECK(cap.sender.retransmitted_segments == 1);
    check_with_tshark(cap);
    remove_unless_kept(cap.pcap);
}

TEST_CASE("tshark: the retransmission dropped too -> timeout retransmission", "[tcp][tshark]") {
    const Capture cap = run_transfer("rto", 4, 2);
    CHECK(cap.sender.fast_retransmits == 1);
    CHECK(cap.sender.timeouts == 1);
    CHECK(cap.sender.retransmitted_segments == 2);
    check_with_tshark(cap);
    remove_unless_kept(cap.pcap);
}
