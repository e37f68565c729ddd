// The latency budget (model/sim/report/latency_budget.h) on real two-host runs: every
// operation's rows telescope to done - posted exactly, the wire and switch rows equal their
// configured delays, a store-and-forward stage's row grows by the frame's beat count, the
// floors of a 64 B Write are computed here by hand, and budget.json / budget.md / budget.svg
// carry the same numbers.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "pcie/pcie_analytic.h"
#include "sim/report/budget_svg.h"
#include "sim/report/latency_budget.h"
#include "budget_checks.h"
#include "two_host_fixture.h"

using namespace nicsim;
using namespace nicsim::testing;
using timing::Ps;

namespace {

// Offsets in the 1 MiB buffers connect_pair registers at each host.
constexpr uint64_t kSrc = 0, kWriteDst = 0, kRecvBuf = 128 * 1024, kReadSrc = 256 * 1024, kReadDst = 384 * 1024;

sim::TestbedParams traced_params() {
    sim::TestbedParams p;
    for (sim::HostSideParams* h : {&p.hosts[0], &p.hosts[1]}) {
        h->nic.trace = true;
        h->nic.tcp.timestamps = false;  // the frame sizes below are computed without the option
    }
    return p;
}

// Posts one op from A at once and waits (1 ns polls) until the application sees its result:
// the last bytes in B's buffer (Write), B's receive CQE (Send), the last bytes in A's buffer
// (Read). Returns its OpRecord.
sim::OpRecord run_op(sim::Testbed& sys, const sim::QpEnd& a, const sim::QpEnd& b, sim::OpKind kind,
                     uint32_t size, uint64_t wr_id) {
    auto data = pattern(size, uint32_t(wr_id));
    const std::vector<uint8_t> zeros(size, 0);
    verbs::SendWr wr;
    uint64_t watch = 0;  // host address whose last bytes show completion
    sim::HostNode* watch_host = nullptr;
    if (kind == sim::OpKind::Write) {
        sys.a().mem.write(a.buf + kSrc, data);
        sys.b().mem.write(b.buf + kWriteDst, zeros);
        wr = write_wr(wr_id, a, kSrc, size, b, kWriteDst);
        watch = b.buf + kWriteDst;
        watch_host = &sys.b();
    } else if (kind == sim::OpKind::Send) {
        sys.a().mem.write(a.buf + kSrc, data);
        REQUIRE(sys.b().dev.post_recv(b.qp, {{wr_id, {{b.buf + kRecvBuf, size, b.mr->lkey}}}}) == 0);
        sc_core::wait(timing::to_sc(5 * timing::kUs));  // the NIC prefetches the receive WQE
        wr = send_wr(wr_id, a, kSrc, size);
    } else {
        sys.b().mem.write(b.buf + kReadSrc, data);
        sys.a().mem.write(a.buf + kReadDst, zeros);
        wr.wr_id = wr_id;
        wr.opcode = verbs::WrOpcode::RdmaRead;
        wr.sg_list = {{a.buf + kReadDst, size, a.mr->lkey}};
        wr.remote_addr = b.buf + kReadSrc;
        wr.rkey = b.mr->rkey;
        watch = a.buf + kReadDst;
        watch_host = &sys.a();
    }
    sim::OpRecord r;
    r.kind = kind;
    r.size = size;
    r.qpn = a.qp->qpn;
    r.wr_id = wr_id;
    r.posted = timing::now_ps();
    REQUIRE(sys.a().dev.post_send(a.qp, {wr}) == 0);
    const uint32_t tail = std::min<uint32_t>(size, 8);
    const std::vector<uint8_t> last(data.end() - tail, data.end());
    if (kind == sim::OpKind::Send) {
        verbs::WorkCompletion wc;
        REQUIRE(sys.wait_until([&] { return sys.b().dev.poll_cq(b.cq, 1, &wc) == 1; }, 200 * timing::kUs, 1000));
        CHECK(wc.wr_id == wr_id);
        CHECK(wc.byte_len == size);
    } else {
        REQUIRE(sys.wait_until([&] { return watch_host->mem.read(watch + size - tail, tail) == last; },
                               200 * timing::kUs, 1000));
    }
    r.done = timing::now_ps();
    if (watch_host) CHECK(watch_host->mem.read(watch, size) == data);
    else CHECK(sys.b().mem.read(b.buf + kRecvBuf, size) == data);
    // Drain A's send CQ (the Write/Send CQE comes after the peer's ACK).
    sc_core::wait(timing::to_sc(20 * timing::kUs));
    verbs::WorkCompletion wc[4];
    sys.a().dev.poll_cq(a.cq, 4, wc);
    return r;
}


std::string slurp(const std::filesystem::path& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

size_t count(const std::string& hay, const std::string& needle) {
    size_t n = 0;
    for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
    return n;
}

std::string one_decimal(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f", v);
    return b;
}

}  // namespace

TEST_CASE("Latency budget of Write, Send and Read at 64 B, 4 KiB and 64 KiB: rows telescope, floors, reports",
          "[budget]") {
    timing::init_time_resolution();
    const sim::TestbedParams p = traced_params();
    sim::Testbed sys("sys", p);
    const uint32_t sizes[] = {64, 4096, 65536};
    const sim::OpKind kinds[] = {sim::OpKind::Write, sim::OpKind::Send, sim::OpKind::Read};
    constexpr int kReps = 3;
    std::vector<sim::OpRecord> ops;
    bool done = false;
    sys.body = [&] {
        auto [a, b] = sys.connect_pair();
        uint64_t id = 100;
        for (sim::OpKind k : kinds)
            for (uint32_t size : sizes)
                for (int rep = 0; rep < kReps; ++rep) {
                    sc_core::wait(timing::to_sc(20 * timing::kUs));  // quiet link, no ACK in flight
                    ops.push_back(run_op(sys, a, b, k, size, id++));
                }
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    REQUIRE(done);
    REQUIRE(sys.a().nic.errors().empty());
    REQUIRE(sys.b().nic.errors().empty());

    std::vector<sim::OpPath> paths;
    for (const auto& op : ops) paths.push_back(sim::critical_path(sys, op));
    for (const auto& path : paths) {
        check_telescopes(path);
        INFO(sim::op_kind_name(path.op.kind) << " " << path.op.size << " B");
        // Every wire row is exactly the cable (back to back: one per frame on the path).
        int wires = 0;
        for (const auto& r : path.rows)
            if (r.stage.find("wire: propagation") != std::string::npos) {
                ++wires;
                CHECK(r.span() == p.link.propagation);
            }
        CHECK(wires == (path.op.kind == sim::OpKind::Read ? 2 : 1));
        // The last byte cannot arrive before the whole message has been serialized at 40 Gb/s,
        // nor before the floor; a multi-frame message's floor counts the frames ahead of the
        // last one on the wire.
        CHECK(path.total() > Ps(path.op.size) * net::byte_time_ps(p.link.rate_gbps));
        CHECK(path.total() >= path.floor_total());
        CHECK(path.floor_total() >= path.floor_sum());
        if (path.op.size == 65536) {
            CHECK(path.floor_total() > path.floor_sum());
            CHECK(path.floor_total() > Ps(path.op.size) * net::byte_time_ps(p.link.rate_gbps));
        }
        // A Send ends on B's receive CQE, a Read on A's data (its CQE comes later), a Write
        // on B's data.
        CHECK((find_row(path, "SGE: CQE DMA write visible") != nullptr) == (path.op.kind == sim::OpKind::Send));
        if (path.op.kind == sim::OpKind::Read) {
            CHECK(find_row(path, "responder: TPT -> endpoint -> read DMA issued"));
            CHECK(find_row(path, "request: RX tpt (last beat out)"));
            CHECK(find_row(path, "response: TX ulp_tx (first beat out)"));
        }
        // The NIC pipeline's own processing is its configured latency cycles (all stages pop
        // and emit on their own clock's edges): TX first beat, RX last beat.
        REQUIRE(!path.frames.empty());
        Ps tx_off = 0, tx_mac = 0, rx_off = 0, rx_mac = 0;
        for (const auto& s : p.hosts[0].nic.pipeline.tx)
            (s.name.rfind("mac_", 0) == 0 ? tx_mac : tx_off) += s.latency_cycles * s.clock.period();
        for (const auto& s : p.hosts[0].nic.pipeline.rx)
            (s.name.rfind("mac_", 0) == 0 ? rx_mac : rx_off) += s.latency_cycles * s.clock.period();
        for (const auto& f : path.frames) {
            CHECK(f.tx_offload == tx_off);
            CHECK(f.tx_mac == tx_mac);
            CHECK(f.rx_offload == rx_off);
            CHECK(f.rx_mac == rx_mac);
        }
    }

    // Floors of the 64 B Write by hand (defaults: Gen3 x8, 30 ns per WR slot, 140 ns MMIO,
    // 450 ns root complex + 80 ns memory for reads, 230 ns until a posted write is visible,
    // 40 Gb/s = 200 ps per byte, 500 MHz core).
    // Frame: Ethernet 14 + IPv4 20 + TCP 20 + FPDU (MPA 2 + tagged DDP/RDMAP 14 + 64 + CRC 4)
    // = 138 B; on the wire + FCS 4 = 142 B = 28 400 ps, preamble 8 B = 1 600 ps.
    {
        const sim::OpPath& w = paths[0];
        REQUIRE(w.op.kind == sim::OpKind::Write);
        REQUIRE(w.op.size == 64);
        const pcie::PcieParams& pc = p.hosts[0].pcie;
        auto floor_of = [&](const std::string& stage) -> Ps {
            const sim::PathRow* r = find_row(w, stage);
            INFO(stage);
            REQUIRE(r);
            REQUIRE(r->has_floor);
            return r->floor;
        };
        const Ps s88 = pcie::analytic::serialize_ps(pc, 24 + 64);
        CHECK(floor_of("host: write WR + push MMIO (WC doorbell)") == 30000 + 140000 + s88);
        CHECK(floor_of("SGE: decode pushed WR + parse") == (4 + 2) * 2000);
        CHECK(floor_of("SGE: payload DMA (gather)") ==
              pcie::analytic::serialize_ps(pc, 24) + 450000 + 80000 + pcie::analytic::serialize_ps(pc, 20 + 64));
        CHECK(floor_of("TX ulp_tx (first beat out)") == 2 * 2000);  // ulp_tx: 2 cycles at 500 MHz
        CHECK(floor_of("TX tp (first beat out)") == 3 * 2000 + 2 * 2000);  // tp: 3 cycles, + 66 B header = 3 beats
        CHECK(floor_of("MAC TX -> first byte on the wire (preamble)") == 1600);
        CHECK(floor_of("wire: propagation") == 5000);
        CHECK(floor_of("wire: serialization (frame + FCS, last byte in)") == 28400);
        CHECK(floor_of("SGE: placement DMA write visible (PCIe MWr)") == s88 + p.hosts[1].pcie.rc_write_latency);
        CHECK(p.hosts[1].pcie.rc_write_latency == 230000);  // posted-write visibility (docs/host_pcie.md)
        // The pushed WR's host row is exactly its floor (nothing else on the way).
        CHECK(find_row(w, "host: write WR + push MMIO (WC doorbell)")->span() == 30000 + 140000 + s88);
    }

    // Aggregates and the three files.
    std::vector<sim::OpRecord> with_bad = ops;
    sim::OpRecord bogus = ops[0];
    bogus.wr_id = 999999;  // never posted
    with_bad.push_back(bogus);
    sim::OpRecord bad_host = ops[0];
    bad_host.initiator = 7;
    with_bad.push_back(bad_host);
    const auto dir = std::filesystem::temp_directory_path() / "nicsim_budget_test";
    std::filesystem::remove_all(dir);
    const sim::LatencyBudget budget = sim::write_latency_budget(sys, with_bad, dir);
    CHECK(budget.matched == ops.size());
    CHECK(budget.unmatched == 2);
    REQUIRE(budget.groups.size() == 9);
    for (const auto& g : budget.groups) {
        CHECK(g.ops == uint64_t(kReps));
        double sum = 0, share = 0;
        for (const auto& s : g.stages) {
            sum += s.mean_ns;
            share += s.share;
        }
        CHECK(std::fabs(sum - g.total_mean_ns) < 1e-6);  // the means add up to the mean total
        CHECK(std::fabs(share - 1.0) < 1e-9);
        CHECK(g.floor_ns <= g.total_p50_ns);
    }
    const std::string md = slurp(dir / "budget.md");
    std::printf("%s\n", md.c_str());
    YAML::Node j = YAML::LoadFile((dir / "budget.json").string());  // JSON is YAML
    CHECK(j["matched"].as<uint64_t>() == ops.size());
    CHECK(j["unmatched"].as<uint64_t>() == 2);
    REQUIRE(j["groups"].size() == budget.groups.size());
    // budget.md has the same numbers as budget.json (one decimal in the table).
    for (size_t gi = 0; gi < budget.groups.size(); ++gi) {
        const YAML::Node g = j["groups"][gi];
        CHECK(g["kind"].as<std::string>() == sim::op_kind_name(budget.groups[gi].kind));
        CHECK(g["size"].as<uint32_t>() == budget.groups[gi].size);
        CHECK(std::fabs(g["total"]["mean"].as<double>() - budget.groups[gi].total_mean_ns) < 0.0006);
        for (size_t si = 0; si < g["stages"].size(); ++si) {
            const YAML::Node s = g["stages"][si];
            const std::string floor = s["floor"].IsNull() ? "-" : one_decimal(s["floor"].as<double>());
            const std::string line = "| " + s["stage"].as<std::string>() + " | " + one_decimal(s["mean"].as<double>()) +
                                     " | " + one_decimal(s["p50"].as<double>()) + " | " +
                                     one_decimal(s["p99"].as<double>()) + " | " +
                                     one_decimal(100.0 * s["share"].as<double>()) + "% | " + floor + " | " +
                                     (s["wait"].IsNull() ? "-" : one_decimal(s["wait"].as<double>())) + " |";
            INFO(line);
            CHECK(md.find(line) != std::string::npos);
        }
    }
    // The SVG: one segment per (group, stage), one legend key per distinct stage (a Read's
    // request and response legs share keys).
    const std::string svg = slurp(dir / "budget.svg");
    size_t segments = 0;
    std::set<std::string> names;
    for (const auto& g : budget.groups) {
        segments += g.stages.size();
        for (const auto& s : g.stages) names.insert(sim::budget_stage_key(s.stage));
    }
    CHECK(count(svg, "<rect class=\"seg\"") == segments);
    CHECK(count(svg, "<rect class=\"key\"") == names.size());
    CHECK(svg.rfind("</svg>") != std::string::npos);
}

TEST_CASE("Latency budget rows: the switch row is its latency, a store-and-forward stage grows by the frame's beats",
          "[budget]") {
    timing::init_time_resolution();
    // Three systems side by side, each sending the same 64 B Write at the same time: default
    // (cut-through), through the switch, and TP TX store-and-forward. TP TX forwards on a
    // one-beat header in all three (the default waits for 66 B = 3 beats), so that
    // store-and-forward adds exactly the frame's beat count (docs/pipeline_timing.md).
    sim::TestbedParams base = traced_params();
    size_t tp = 0;
    while (base.hosts[0].nic.pipeline.tx[tp].name != "tp") ++tp;
    base.hosts[0].nic.pipeline.tx[tp].header_bytes = 1;
    sim::TestbedParams with_switch = base;
    with_switch.use_switch = true;
    with_switch.sw.latency = 230'000;
    sim::TestbedParams saf = base;
    saf.hosts[0].nic.pipeline.tx[tp].cut_through = false;
    const sim::TestbedParams* params[3] = {&base, &with_switch, &saf};
    std::vector<std::unique_ptr<sim::Testbed>> systems;
    sim::OpRecord ops[3];
    int finished = 0;
    for (int i = 0; i < 3; ++i) {
        systems.push_back(std::make_unique<sim::Testbed>(("sys" + std::to_string(i)).c_str(), *params[i]));
        sim::Testbed& sys = *systems.back();
        sys.body = [&sys, &ops, &finished, i] {
            auto [a, b] = sys.connect_pair();
            sc_core::wait(timing::to_sc(200 * timing::kUs - timing::now_ps()));
            ops[i] = run_op(sys, a, b, sim::OpKind::Write, 64, 7);
            if (++finished == 3) sc_core::sc_stop();
        };
    }
    sc_core::sc_start();
    REQUIRE(finished == 3);
    sim::OpPath path[3];
    for (int i = 0; i < 3; ++i) {
        path[i] = sim::critical_path(*systems[i], ops[i]);
        check_telescopes(path[i]);
        std::printf("\n%s\n", i == 0 ? "cut-through" : i == 1 ? "through the switch" : "TP TX store-and-forward");
        for (const auto& r : path[i].rows)
            std::printf("  %-55s %9.3f ns\n", r.stage.c_str(), double(r.span()) / 1000.0);
    }
    // The switch: cable, port-to-port latency, cable.
    CHECK(find_row(path[0], "wire: propagation")->span() == base.link.propagation);
    REQUIRE(find_row(path[1], "switch: port to port (first byte)"));
    CHECK(find_row(path[1], "switch: port to port (first byte)")->span() == with_switch.sw.latency);
    CHECK(find_row(path[1], "wire: propagation to the switch")->span() == with_switch.link.propagation);
    CHECK(find_row(path[1], "wire: propagation switch -> peer")->span() == with_switch.link.propagation);
    CHECK_FALSE(find_row(path[1], "wire: propagation"));
    // Store-and-forward at TP TX waits for the frame's last beat: ceil(138 / 32) = 5 beats at
    // the 500 MHz core clock = 10 ns more in that row, the rows before it unchanged.
    const nic::StageConfig& s = base.hosts[0].nic.pipeline.tx[tp];
    const Ps beats = Ps(nic::beats_for(138, s.width_bytes));
    CHECK(beats == 5);
    const std::string row = "TX tp (first beat out)";
    CHECK(find_row(path[2], row)->span() - find_row(path[0], row)->span() == beats * s.clock.period());
    for (size_t r = 0; r < path[0].rows.size() && path[0].rows[r].stage != row; ++r) {
        INFO(path[0].rows[r].stage);
        CHECK(path[2].rows[r].span() == path[0].rows[r].span());
    }
}

TEST_CASE("Latency budget of Writes posted back to back: each op's host row ends at its own push", "[budget]") {
    timing::init_time_resolution();
    const sim::TestbedParams p = traced_params();
    sim::Testbed sys("sys", p);
    constexpr int kOps = 4;
    std::vector<sim::OpRecord> ops;
    bool done = false;
    sys.body = [&] {
        auto [a, b] = sys.connect_pair();
        sc_core::wait(timing::to_sc(20 * timing::kUs));
        std::vector<std::vector<uint8_t>> data;
        for (int k = 0; k < kOps; ++k) {
            data.push_back(pattern(64, 40 + k));
            sys.a().mem.write(a.buf + 4096 * k, data.back());
        }
        // Four one-WR post_send calls at the same instant: four pushes, queued behind each
        // other on the CPU and the MMIO path.
        const Ps t = timing::now_ps();
        for (int k = 0; k < kOps; ++k) {
            REQUIRE(sys.a().dev.post_send(a.qp, {write_wr(200 + k, a, 4096 * k, 64, b, 4096 * k)}) == 0);
            ops.push_back(op_record(sim::OpKind::Write, 64, a, 200 + k, false, t, 0));
        }
        std::vector<bool> seen(kOps, false);
        REQUIRE(sys.wait_until(
            [&] {
                bool all = true;
                for (int k = 0; k < kOps; ++k) {
                    if (!seen[k] && sys.b().mem.read(b.buf + 4096 * k, 64) == data[k]) {
                        seen[k] = true;
                        ops[k].done = timing::now_ps();
                    }
                    all = all && seen[k];
                }
                return all;
            },
            20 * timing::kUs, 1000));
        sc_core::wait(timing::to_sc(20 * timing::kUs));
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    REQUIRE(done);
    Ps last_doorbell = 0;
    for (int k = 0; k < kOps; ++k) {
        const sim::OpPath path = sim::critical_path(sys, ops[k]);
        check_telescopes(path);
        std::printf("\nWrite %d of %d posted together\n%s", k + 1, kOps, sim::format_path(path).c_str());
        // Each op's doorbell is its own push: later for each op, one per WR.
        const Ps doorbell = path.rows.front().end;
        CHECK(doorbell > last_doorbell);
        last_doorbell = doorbell;
        CHECK(path.rows.front().stage == "host: write WR + push MMIO (WC doorbell)");
    }
    CHECK(sys.a().nic.trace().doorbells.size() >= size_t(kOps));
}

TEST_CASE("Latency budget of 200 pipelined Writes: every op matched, each at its own doorbell", "[budget]") {
    timing::init_time_resolution();
    const sim::TestbedParams p = traced_params();
    sim::Testbed sys("sys", p);
    constexpr int kOps = 200;
    constexpr Ps kGap = 50 * timing::kNs;  // ~20 ops in flight at ~1 us each
    std::vector<sim::OpRecord> ops;
    bool done = false;
    sys.body = [&] {
        auto [a, b] = sys.connect_pair();
        sc_core::wait(timing::to_sc(20 * timing::kUs));
        std::vector<std::vector<uint8_t>> data;
        for (int k = 0; k < kOps; ++k) {
            data.push_back(pattern(64, 1000 + k));
            sys.a().mem.write(a.buf + 64 * k, data.back());
        }
        int next_done = 0;  // Writes land in order
        auto poll_landed = [&] {
            while (next_done < int(ops.size()) && sys.b().mem.read(b.buf + 64 * next_done, 64) == data[next_done])
                ops[next_done++].done = timing::now_ps();
            verbs::WorkCompletion wc[16];
            while (sys.a().dev.poll_cq(a.cq, 16, wc) > 0) {}  // frees SQ slots
        };
        for (int k = 0; k < kOps; ++k) {
            const Ps t = timing::now_ps();
            REQUIRE(sys.a().dev.post_send(a.qp, {write_wr(5000 + k, a, 64 * k, 64, b, 64 * k)}) == 0);
            ops.push_back(op_record(sim::OpKind::Write, 64, a, 5000 + k, false, t, 0));
            for (Ps w = 0; w < kGap; w += 1000) {
                sc_core::wait(timing::to_sc(1000));
                poll_landed();
            }
        }
        REQUIRE(sys.wait_until([&] { poll_landed(); return next_done == kOps; }, 100 * timing::kUs, 1000));
        sc_core::wait(timing::to_sc(20 * timing::kUs));
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    REQUIRE(done);
    const sim::TraceIndex index(sys);
    std::vector<sim::OpPath> paths;
    Ps last_doorbell = 0;
    for (const auto& op : ops) {
        paths.push_back(sim::critical_path(index, op));
        check_telescopes(paths.back());
        CHECK(paths.back().rows.front().end > last_doorbell);  // one doorbell per op, in order
        last_doorbell = paths.back().rows.front().end;
    }
    const sim::LatencyBudget budget = sim::build_latency_budget(paths);
    CHECK(budget.matched == uint64_t(kOps));
    CHECK(budget.unmatched == 0);
    REQUIRE(budget.groups.size() == 1);
    std::printf("%s\n", sim::budget_markdown(budget).c_str());
}

TEST_CASE("Latency budget of a Write ping-pong (ib_write_lat style): both hosts' ops matched", "[budget]") {
    timing::init_time_resolution();
    const sim::TestbedParams p = traced_params();
    sim::Testbed sys("sys", p);
    constexpr int kIters = 10;
    std::vector<sim::OpRecord> ops;
    bool done = false;
    sys.body = [&] {
        auto ends = sys.connect_pair();
        const sim::QpEnd qp[2] = {ends.first, ends.second};
        sc_core::wait(timing::to_sc(20 * timing::kUs));
        // Each side writes iteration k's 64 B into the peer's buffer at 64 * k; the peer polls
        // for it, then answers: the next op starts the moment the previous one is done.
        for (int k = 0; k < 2 * kIters; ++k) {
            const int from = k % 2, to = 1 - from;
            auto data = pattern(64, 3000 + k);
            sys.host(from).mem.write(qp[from].buf + 64 * k, data);
            sim::OpRecord r;
            r.kind = sim::OpKind::Write;
            r.size = 64;
            r.initiator = from;
            r.target = 1 - from;
            r.qpn = qp[from].qp->qpn;
            r.wr_id = 700 + k;
            r.posted = timing::now_ps();
            REQUIRE(sys.host(from).dev.post_send(qp[from].qp, {write_wr(700 + k, qp[from], 64 * k, 64, qp[to], 64 * k)}) ==
                    0);
            REQUIRE(sys.wait_until([&] { return sys.host(to).mem.read(qp[to].buf + 64 * k, 64) == data; },
                                   20 * timing::kUs, 1000));
            r.done = timing::now_ps();
            ops.push_back(r);
            verbs::WorkCompletion wc[4];
            sys.host(to).dev.poll_cq(qp[to].cq, 4, wc);
        }
        sc_core::wait(timing::to_sc(20 * timing::kUs));
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    REQUIRE(done);
    const sim::LatencyBudget budget = sim::latency_budget(sys, ops);
    CHECK(budget.matched == uint64_t(2 * kIters));
    CHECK(budget.unmatched == 0);
    for (const auto& op : ops) {
        const sim::OpPath path = sim::critical_path(sys, op);
        INFO("initiator " << op.initiator);
        check_telescopes(path);
        CHECK(row_span(path, "wire: propagation") == p.link.propagation);
    }
    REQUIRE(budget.groups.size() == 1);
    std::printf("ping-pong one-way Write 64 B: mean %.1f ns, floor %.1f ns over %llu ops\n",
                budget.groups[0].total_mean_ns, budget.groups[0].floor_ns, (unsigned long long)budget.groups[0].ops);
}

TEST_CASE("Latency budget with records packed into segments: Sends sharing frames are each matched", "[budget]") {
    timing::init_time_resolution();
    sim::TestbedParams p = traced_params();
    p.hosts[0].nic.tcp.record_packing = p.hosts[1].nic.tcp.record_packing = proto::TcpRecordPacking::PackToEmss;
    sim::Testbed sys("sys", p);
    constexpr int kSends = 24;
    std::vector<sim::OpRecord> ops;
    bool done = false;
    sys.body = [&] {
        auto [a, b] = sys.connect_pair();
        std::vector<verbs::RecvWr> rws;
        for (int k = 0; k < kSends; ++k) rws.push_back({uint64_t(900 + k), {{b.buf + 128 * 1024 + 64 * k, 64, b.mr->lkey}}});
        REQUIRE(sys.b().dev.post_recv(b.qp, rws) == 0);
        sc_core::wait(timing::to_sc(20 * timing::kUs));
        // A 64 KiB Write fills the send window; the small Sends queue behind it and leave
        // packed several to a segment.
        sys.a().mem.write(a.buf + 256 * 1024, pattern(65536, 77));
        REQUIRE(sys.a().dev.post_send(a.qp, {write_wr(800, a, 256 * 1024, 65536, b, 256 * 1024)}) == 0);
        for (int k = 0; k < kSends; ++k) {
            sys.a().mem.write(a.buf + 64 * k, pattern(64, 500 + k));
            const Ps t = timing::now_ps();
            REQUIRE(sys.a().dev.post_send(a.qp, {send_wr(600 + k, a, 64 * k, 64)}) == 0);
            ops.push_back(op_record(sim::OpKind::Send, 64, a, 600 + k, false, t, 0));
            sc_core::wait(timing::to_sc(100 * timing::kNs));
        }
        int got = 0;
        REQUIRE(sys.wait_until(
            [&] {
                verbs::WorkCompletion wc;
                while (got < kSends && sys.b().dev.poll_cq(b.cq, 1, &wc) == 1) {
                    REQUIRE(wc.wr_id == uint64_t(900 + got));
                    ops[got++].done = timing::now_ps();
                }
                return got == kSends;
            },
            200 * timing::kUs, 1000));
        sc_core::wait(timing::to_sc(20 * timing::kUs));
        done = true;
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    REQUIRE(done);
    // The frames carrying the Sends' last bytes: fewer than the Sends when records share them.
    std::set<uint64_t> last_frames;
    for (const auto& w : sys.a().nic.trace().works) {
        if (w.wr_id < 600 || w.wr_id >= 600 + kSends) continue;
        REQUIRE(w.on_stream);
        for (const auto& f : sys.a().nic.trace().tx)
            if (f.payload && uint32_t(w.seq_end - 1 - f.seq) < f.payload) {
                last_frames.insert(f.frame_id);
                break;
            }
    }
    std::printf("%d Sends ended in %zu frames\n", kSends, last_frames.size());
    CHECK(last_frames.size() < size_t(kSends));
    const sim::TraceIndex index(sys);
    for (const auto& op : ops) {
        const sim::OpPath path = sim::critical_path(index, op);
        check_telescopes(path);
        CHECK(row_span(path, "SGE: CQE DMA write visible") > 0);
    }
}
