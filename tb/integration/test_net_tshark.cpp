// Independent oracle for the Ethernet/IPv4/TCP codecs and the pcap writer: write a capture
// of a TCP handshake and some data, and have tshark (Wireshark's dissectors) verify the IP and
// TCP checksums, decode every option, and read back the nanosecond timestamps.
//
// tshark is a required tool (scripts/setup installs it): if it is missing the test fails.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <unistd.h>

#include "proto/packet.h"
#include "proto/pcap_writer.h"
#include "tshark_oracle.h"

using namespace nicsim::proto;

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> parts;
    std::string cur;
    std::istringstream in(s);
    while (std::getline(in, cur, sep)) parts.push_back(cur);
    if (!s.empty() && s.back() == sep) parts.push_back("");
    return parts;
}

// What one frame of the capture should look like to tshark.
struct Expect {
    uint64_t time_ps;
    TcpFrameSpec spec;
};

}  // namespace

TEST_CASE("tshark verifies checksums, options and timestamps of a model pcap",
          "[net][pcap][tshark]") {
    int rc = 0;
    const std::string where = nicsim::test::run_command("command -v tshark", &rc);
    if (rc != 0 || where.empty())
        FAIL("tshark not found on PATH: install it (scripts/setup, or "
             "apt-get install -y tshark); this oracle test cannot be skipped");

    const TcpEndpoint client{*MacAddress::parse("02:00:00:00:00:01"),
                             *Ipv4Address::parse("10.0.0.1"), 40000};
    const TcpEndpoint server{*MacAddress::parse("02:00:00:00:00:02"),
                             *Ipv4Address::parse("10.0.0.2"), 7174};
    const FlowTuple c2s{client, server};
    const FlowTuple s2c = c2s.reversed();
    const uint32_t isn_c = 0xFFFFFF00u;  // wraps during the data: raw numbers must still agree
    const uint32_t isn_s = 5000;
    Bytes data(257);  // odd length: the checksum's trailing-byte case
    for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 7);

    std::vector<Expect> frames;
    auto add = [&](uint64_t t_ps, FlowTuple flow, uint32_t seq, uint32_t ack, uint8_t flags,
                   TcpOptions opts, ByteView payload) {
        TcpFrameSpec s;
        s.flow = flow;
        s.seq = seq;
        s.ack = ack;
        s.flags = flags;
        s.window = 64240;
        s.options = opts;
        s.payload = payload;
        s.ip_id = uint16_t(frames.size() * 3 + 1);
        frames.push_back({t_ps, s});
    };
    TcpOptions syn;
    syn.mss = 1460;
    syn.sack_permitted = true;
    syn.timestamps = TcpTimestamps{100, 0};
    syn.window_scale = 7;
    TcpOptions synack = syn;
    synack.mss = 8960;
    synack.window_scale = 9;
    synack.timestamps = TcpTimestamps{4000000000u, 100};
    TcpOptions ts_only;
    ts_only.timestamps = TcpTimestamps{101, 4000000000u};
    TcpOptions sack;
    sack.timestamps = TcpTimestamps{4000000001u, 101};
    sack.sack_blocks = {{isn_c + 1000, isn_c + 1100}, {isn_c + 2000, isn_c + 2500}};

    add(0, c2s, isn_c, 0, kTcpSyn, syn, {});
    add(1234567, s2c, isn_s, isn_c + 1, kTcpSyn | kTcpAck, synack, {});  // 1234.567 ns
    add(2000000, c2s, isn_c + 1, isn_s + 1, kTcpAck, ts_only, {});
    add(2500999, c2s, isn_c + 1, isn_s + 1, kTcpAck | kTcpPsh, ts_only, data);
    add(1000000000001ull, s2c, isn_s + 1, isn_c + 1 + 257, kTcpAck, sack, {});  // 1 s + 1 ps

    const uint64_t epoch_ns = 1700000000ull * 1000000000ull;
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("nicsim_tshark_" + std::to_string(::getpid()) + ".pcap"))
                                 .string();
    struct Cleanup {
        std::string p;
        ~Cleanup() {
            std::remove(p.c_str());
            std::remove((p + ".err").c_str());
        }
    } cleanup{path};
    {
        PcapOptions o;
        o.epoch_ns = epoch_ns;
        PcapWriter w(path, o);
        for (const Expect& e : frames) w.write(e.time_ps, build_tcp_frame(e.spec));
        w.close();
    }

    const std::string fields[] = {
        "frame.time_epoch", "ip.checksum.status", "tcp.checksum.status", "eth.src", "ip.src",
        "ip.id", "tcp.srcport", "tcp.seq_raw", "tcp.ack_raw", "tcp.flags", "tcp.len",
        "tcp.window_size_value", "tcp.options.mss_val", "tcp.options.wscale.shift",
        "tcp.options.sack_perm", "tcp.options.timestamp.tsval", "tcp.options.timestamp.tsecr",
        "tcp.options.sack_le", "tcp.options.sack_re", "_ws.malformed", "_ws.expert.severity"};
    std::string cmd = "tshark -n -r '" + path +
                      "' -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE"
                      " -o tcp.relative_sequence_numbers:FALSE -T fields -E separator=';'"
                      " -E occurrence=a";
    for (const std::string& f : fields) cmd += " -e " + f;
    cmd += " 2>'" + path + ".err'";  // stderr has a harmless "running as root" notice
    const std::string out = nicsim::test::run_command(cmd, &rc);
    INFO("command: " << cmd << "\noutput:\n" << out << "stderr:\n" << nicsim::test::run_command("cat '" + path + ".err'"));
    REQUIRE(rc == 0);
    const std::vector<std::string> lines = split(out, '\n');
    REQUIRE(lines.size() >= frames.size());

    for (size_t i = 0; i < frames.size(); ++i) {
        const TcpFrameSpec& s = frames[i].spec;
        const std::vector<std::string> f = split(lines[i], ';');
        INFO("frame " << i + 1 << ": " << lines[i]);
        REQUIRE(f.size() == std::size(fields));
        auto field = [&](const char* name) {
            for (size_t k = 0; k < std::size(fields); ++k)
                if (fields[k] == name) return f[k];
            return std::string("?");
        };
        // Timestamps: the nanoseconds written, printed with nine decimals.
        const uint64_t ns = epoch_ns + frames[i].time_ps / 1000;
        char t[32];
        std::snprintf(t, sizeof t, "%llu.%09llu", (unsigned long long)(ns / 1000000000u),
                      (unsigned long long)(ns % 1000000000u));
        CHECK(field("frame.time_epoch") == t);
        // Checksum status 1 = "Good" (0 = Bad, 2 = Unverified).
        CHECK(field("ip.checksum.status") == "1");
        CHECK(field("tcp.checksum.status") == "1");
        CHECK(field("eth.src") == s.flow.src.mac.to_string());
        CHECK(field("ip.src") == s.flow.src.ip.to_string());
        char id[8];
        std::snprintf(id, sizeof id, "0x%04x", s.ip_id);
        CHECK(field("ip.id") == id);
        CHECK(field("tcp.srcport") == std::to_string(s.flow.src.port));
        CHECK(field("tcp.seq_raw") == std::to_string(s.seq));
        CHECK(field("tcp.ack_raw") == std::to_string(s.ack));
        char flags[8];
        std::snprintf(flags, sizeof flags, "0x%04x", s.flags);
        CHECK(field("tcp.flags") == flags);
        CHECK(field("tcp.len") == std::to_string(s.payload.size));
        CHECK(field("tcp.window_size_value") == std::to_string(s.window));
        const TcpOptions& o = s.options;
        CHECK(field("tcp.options.mss_val") == (o.mss ? std::to_string(*o.mss) : ""));
        CHECK(field("tcp.options.wscale.shift") ==
              (o.window_scale ? std::to_string(*o.window_scale) : ""));
        CHECK(field("tcp.options.sack_perm") == (o.sack_permitted ? "0402" : ""));  // raw bytes
        CHECK(field("tcp.options.timestamp.tsval") == std::to_string(o.timestamps->value));
        CHECK(field("tcp.options.timestamp.tsecr") == std::to_string(o.timestamps->echo_reply));
        std::string le, re;
        for (const TcpSackBlock& b : o.sack_blocks) {
            le += (le.empty() ? "" : ",") + std::to_string(b.left);
            re += (re.empty() ? "" : ",") + std::to_string(b.right);
        }
        CHECK(field("tcp.options.sack_le") == le);
        CHECK(field("tcp.options.sack_re") == re);
        CHECK(field("_ws.malformed").empty());
        // Expert items at most "Chat" (the SYN notices): no Note, Warning or Error such as
        // bad checksums, bad option lengths or TCP analysis complaints.
        for (const std::string& sev : split(field("_ws.expert.severity"), ','))
            if (!sev.empty()) CHECK(std::stoul(sev) <= 0x00200000ul);
    }
}
