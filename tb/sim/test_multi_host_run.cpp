// `nicsim run` with more than two hosts (topology.hosts, workload.flows): what a switched
// testbed must show whatever the NIC's details. Oracles: the 40GbE goodput ceiling computed
// from the run's configuration (one port can carry no more; a non-blocking switch carries one
// port's worth per receiving port), tshark reading each port's capture, and the symmetry of
// the hosts (any pair through the switch has the same latency).
#include <catch2/catch.hpp>

#include <yaml-cpp/yaml.h>

#include <map>
#include <set>

#include "nicsim_cli.h"
#include "tshark_oracle.h"
#include "sim/config/yaml_loader.h"
#include "sim/workload/goodput_ceiling.h"

using namespace clitest;
namespace fs = std::filesystem;

namespace {

struct Outcome {
    fs::path out;
    std::vector<std::vector<std::string>> rows;  // summary.csv without its header
    YAML::Node stats;
    double ceiling_64k = 0;  // the goodput ceiling of one port for 64 KiB Writes
};

// Runs a scenario written here, with every output; REQUIREs success.
Outcome run_scenario(TempDir& d, const std::string& name, const std::string& text, const std::string& args = "") {
    Outcome o;
    const std::string file = d.write(name + ".yaml", text);
    o.out = d.path() / name;
    const Run r = run_nicsim("run '" + file + "' --out '" + o.out.string() + "' " + args, d.path());
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto lines = lines_of(read_file(o.out / "summary.csv"));
    for (size_t i = 1; i < lines.size(); ++i) o.rows.push_back(split_csv(lines[i]));
    if (fs::exists(o.out / "stats.json")) o.stats = YAML::LoadFile((o.out / "stats.json").string())["stats"];
    const auto sc = nicsim::config::load_scenario((o.out / "config.resolved.yaml").string());
    o.ceiling_64k = nicsim::sim::goodput_ceiling_gbps(nicsim::sim::goodput_model(sc.config), nicsim::sim::OpKind::Write, 65536);
    return o;
}

double stat(const YAML::Node& stats, const std::string& key) {
    INFO(key);
    REQUIRE(stats[key]);
    return stats[key]["value"].as<double>();
}

const char* kSwitched = "base: t5_40g\nnet.switch.enabled: true\n";

}  // namespace

TEST_CASE("Incast: three senders share the receiver's port; the switch egress to it is the bottleneck", "[run][hosts]") {
    TempDir d;
    const Outcome o = run_scenario(d, "incast",
                                   std::string(kSwitched) +
                                       "topology: {hosts: 4}\n"
                                       "workload: {kind: write_bw, flows: incast, sizes: [65536], iterations: 300, tx_depth: 32}\n"
                                       "outputs: {pcap: true}\n");
    REQUIRE(o.rows.size() == 1);
    const double bw = std::stod(o.rows[0][8]);
    INFO("aggregate " << bw << " Gb/s, one port's ceiling " << o.ceiling_64k);
    // The three flows together cannot beat one 40GbE port, and they fill it.
    CHECK(bw <= o.ceiling_64k);
    CHECK(bw >= 0.95 * o.ceiling_64k);
    // Every payload byte crossed switch port 0 (host a's); ports 1..3 carried only a's ACKs.
    const double into_a = stat(o.stats, "switch.port0.egress.wire_bytes");
    CHECK(into_a >= 300.0 * 65536);
    for (int p = 1; p <= 3; ++p) CHECK(stat(o.stats, "switch.port" + std::to_string(p) + ".egress.wire_bytes") < 0.05 * into_a);
    // Each sender got a fair share: round-robin posting and one FIFO egress queue.
    double sent[3];
    for (int i = 0; i < 3; ++i) {
        sent[i] = stat(o.stats, std::string(1, char('b' + i)) + ".link.tx.wire_bytes");
        CHECK(sent[i] >= 0.32 * into_a);
        CHECK(sent[i] <= 0.345 * into_a);
    }
    // tshark: host c's port carries RDMA Writes from 10.0.0.3 to 10.0.0.1 only, with good CRCs
    // (Wireshark checks them), and the MPA handshake decodes.
    const auto writes = nicsim::test::tshark_fields((o.out / "port_c.pcap").string(), "iwarp_rdma.opcode==0",
                                                    {"ip.src", "ip.dst"});
    REQUIRE(!writes.empty());
    std::set<std::vector<std::string>> pairs(writes.begin(), writes.end());
    CHECK(pairs == std::set<std::vector<std::string>>{{"10.0.0.3", "10.0.0.1"}});
    CHECK(nicsim::test::tshark_fields((o.out / "port_c.pcap").string(), "iwarp_mpa.req", {"ip.src"}).size() == 1);
    CHECK(nicsim::test::tshark_fields((o.out / "port_a.pcap").string(), "iwarp_mpa.rep", {"ip.src"}).size() == 3);
    // The budget matched every operation, and the queue at the switch shows in its row.
    const YAML::Node budget = YAML::LoadFile((o.out / "budget.json").string());
    CHECK(budget["unmatched"].as<uint64_t>() == 0);
    for (const auto& g : budget["groups"])
        for (const auto& st : g["stages"])
            if (st["stage"].as<std::string>().rfind("switch", 0) == 0) CHECK(st["mean"].as<double>() > 1000);
}

TEST_CASE("Pairs through a non-blocking switch: twice one port's bandwidth", "[run][hosts]") {
    TempDir d;
    const Outcome o = run_scenario(d, "pairs",
                                   std::string(kSwitched) +
                                       "topology: {hosts: 4}\n"
                                       "workload: {kind: write_bw, flows: pairs, sizes: [65536], iterations: 400}\n"
                                       "outputs: {pcap: false, perfetto: false}\n");
    REQUIRE(o.rows.size() == 1);
    const double bw = std::stod(o.rows[0][8]);
    INFO("aggregate " << bw << " Gb/s, one port's ceiling " << o.ceiling_64k);
    CHECK(bw <= 2 * o.ceiling_64k);
    CHECK(bw >= 1.9 * o.ceiling_64k);
    // a->b and c->d: b and d receive, a and c do not.
    CHECK(stat(o.stats, "switch.port1.egress.wire_bytes") >= 200.0 * 65536);
    CHECK(stat(o.stats, "switch.port3.egress.wire_bytes") >= 200.0 * 65536);
    CHECK(stat(o.stats, "switch.port0.egress.wire_bytes") < 0.05 * stat(o.stats, "switch.port1.egress.wire_bytes"));
}

TEST_CASE("Any pair of hosts through the switch has the same latency", "[run][hosts]") {
    TempDir d;
    std::map<std::string, std::string> typical;
    for (const char* flow : {"a->b", "c->a", "d->c"}) {
        const std::string name = std::string("lat_") + flow[0] + flow[3];
        const Outcome o = run_scenario(d, name,
                                       std::string(kSwitched) + "topology: {hosts: 4}\n"
                                       "workload: {kind: write_lat, sizes: [64, 4096], iterations: 20, flows: [" + flow + "]}\n"
                                       "outputs: {pcap: false, perfetto: false, stats: false}\n");
        REQUIRE(o.rows.size() == 2);
        typical[flow] = o.rows[0][5] + " " + o.rows[1][5];
        // The results banner names the flow unless it is the default.
        if (std::string(flow) != "a->b") CHECK(read_file(o.out / "results.txt").find(std::string(" Flows           : ") + flow) != std::string::npos);
    }
    CHECK(typical["c->a"] == typical["a->b"]);
    CHECK(typical["d->c"] == typical["a->b"]);
}

TEST_CASE("A fault on host c's link is recovered by TCP; an all-to-all mix completes", "[run][hosts]") {
    TempDir d;
    const Outcome o = run_scenario(d, "a2a",
                                   std::string(kSwitched) +
                                       "topology: {hosts: 3}\n"
                                       "workload: {kind: smb_mix, flows: all_to_all, ops: 120, queue_depth: 4, sizes: [4096, 65536]}\n"
                                       "faults:\n  - {link: c_tx, drop_frames: [30, 31]}\n"
                                       "outputs: {pcap: false, perfetto: false}\n");
    // 120 operations over six flows, every one completed (smb_mix rows: per size and overall).
    uint64_t ops = 0;
    for (const auto& r : o.rows) ops += std::stoull(r[2]);
    CHECK(ops == 120);
    CHECK(stat(o.stats, "c.link.tx.dropped") == 2);  // and still every operation completed
    // Every host both sent and received payload.
    for (const char* h : {"a", "b", "c"}) CHECK(stat(o.stats, std::string(h) + ".nic.placements") > 0);
    const YAML::Node budget = YAML::LoadFile((o.out / "budget.json").string());
    CHECK(budget["unmatched"].as<uint64_t>() <= 4);  // the ops whose frames were dropped
}

TEST_CASE("A shallow switch buffer drops the incast's excess: every frame is forwarded or counted, TCP recovers", "[run][hosts]") {
    TempDir d;
    constexpr uint64_t kBuffer = 65536;
    const Outcome o = run_scenario(d, "shallow",
                                   std::string(kSwitched) + "net.switch.egress_buffer_bytes: " + std::to_string(kBuffer) +
                                       "\nnic.tcp.delayed_ack_segments: 1\ntopology: {hosts: 4}\n"
                                       "workload: {kind: write_bw, flows: incast, sizes: [65536], iterations: 200, tx_depth: 32}\n"
                                       "outputs: {pcap: false, perfetto: false}\n");
    REQUIRE(o.rows.size() == 1);  // all 200 messages completed (the run failed otherwise)
    const double drops = stat(o.stats, "switch.port0.egress.buffer_drops");
    CHECK(drops > 0);
    CHECK(stat(o.stats, "switch.port0.egress.max_buffered_bytes") <= kBuffer);
    // The senders talk only to a: each of their frames was forwarded to port 0 or dropped there.
    double sent = 0;
    for (const char* h : {"b", "c", "d"}) sent += stat(o.stats, std::string(h) + ".link.tx.frames");
    CHECK(sent == stat(o.stats, "switch.port0.egress.frames") + drops);
    // Unlimited (the default): nothing dropped, and the queue grew past the shallow limit.
    const Outcome deep = run_scenario(d, "deep",
                                      std::string(kSwitched) + "nic.tcp.delayed_ack_segments: 1\ntopology: {hosts: 4}\n"
                                      "workload: {kind: write_bw, flows: incast, sizes: [65536], iterations: 200, tx_depth: 32}\n"
                                      "outputs: {pcap: false, perfetto: false}\n");
    CHECK(stat(deep.stats, "switch.port0.egress.buffer_drops") == 0);
    CHECK(stat(deep.stats, "switch.port0.egress.max_buffered_bytes") > kBuffer);
}
