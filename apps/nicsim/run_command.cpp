// `nicsim run SCENARIO.yaml [--out DIR] [--set key=value]...`: builds the two-host system of
// the scenario (model/sim/two_host_system.h) and runs its workload, printing the result the
// way perftest does (ib_write_lat table, ecosystem.md §6). With --out, DIR receives the fully
// resolved configuration, the table and perftest's JSON.
//
// Workload `write_lat` (ib_write_lat): RDMA Write ping-pong over one connected QP. Host A
// writes `size` bytes into B's buffer; B's CPU polls the buffer's last byte every poll_ns and,
// on seeing the new value, writes back into A's buffer; A polls likewise and posts the next
// iteration. Latency = (A's consecutive post times) / 2, perftest's statistics. WRs up to
// inline_max bytes are posted inline, as perftest does.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "commands.h"
#include "sim/config/resolved_writer.h"
#include "sim/config/yaml_loader.h"
#include "sim/report/perftest_report.h"
#include "sim/two_host_system.h"

// libsystemc references sc_main; nicsim has its own main() and elaborates from run only.
int sc_main(int, char**) { return 0; }

namespace nicsim::app {

namespace {

namespace verbs = host::verbs;
using timing::Ps;

struct RunOptions {
    std::string file;
    std::string out;
    std::vector<std::string> sets;
};

struct WriteLat {
    std::vector<uint32_t> sizes = {2, 64, 1024, 4096};
    uint32_t iterations = 1000;
    uint32_t poll_ns = 10;
    uint32_t inline_max = 220;
};

constexpr uint32_t kMaxSize = 1 << 20;

// Reads the workload section; problems are reported at their file:line:column.
std::vector<config::Diagnostic> parse_workload(const config::Scenario& sc, WriteLat& w) {
    std::vector<config::Diagnostic> d;
    auto it = sc.sections.find("workload");
    if (it == sc.sections.end()) {
        d.push_back({{sc.files.empty() ? "" : sc.files.back(), 0, 0}, "workload", "the scenario has no workload section"});
        return d;
    }
    const config::Section& s = it->second;
    auto bad = [&](const YAML::Node& n, const std::string& key, const std::string& msg) {
        d.push_back({config::section_location(s, n), "workload." + key, msg});
    };
    if (!s.node.IsMap()) {
        bad(s.node, "", "must be a map");
        return d;
    }
    auto read_u32 = [&](const YAML::Node& n, const std::string& key, uint32_t lo, uint32_t hi, uint32_t& out) {
        try {
            long long v = n.as<long long>();
            if (v < lo || v > hi) return bad(n, key, "must be in " + std::to_string(lo) + ".." + std::to_string(hi));
            out = uint32_t(v);
        } catch (const YAML::Exception&) {
            bad(n, key, "must be an integer");
        }
    };
    for (const auto& kv : s.node) {
        const std::string key = kv.first.as<std::string>();
        const YAML::Node& v = kv.second;
        if (key == "kind") {
            if (!v.IsScalar() || v.as<std::string>() != "write_lat")
                bad(v, key, "unknown workload kind (supported: write_lat)");
        } else if (key == "sizes") {
            if (!v.IsSequence() || v.size() == 0) {
                bad(v, key, "must be a non-empty list of message sizes in bytes");
                continue;
            }
            w.sizes.clear();
            for (const auto& e : v) {
                uint32_t n = 0;
                read_u32(e, key, 1, kMaxSize, n);
                if (n) w.sizes.push_back(n);
            }
        } else if (key == "iterations") {
            read_u32(v, key, 4, 1000000, w.iterations);  // perftest needs at least 4
        } else if (key == "poll_ns") {
            read_u32(v, key, 1, 100000, w.poll_ns);
        } else if (key == "inline_max") {
            read_u32(v, key, 0, host::ring::kMaxInline, w.inline_max);
        } else {
            bad(kv.first, key, "unknown key (known: kind, sizes, iterations, poll_ns, inline_max)");
        }
    }
    if (!s.node["kind"]) bad(s.node, "kind", "missing (write_lat)");
    return d;
}

host::ConnParams conn_params(const config::Config& c) {
    host::ConnParams p;
    p.mpa.rev = uint8_t(c.get_int("nic.mpa.rev"));
    p.mpa.markers = c.get_bool("nic.mpa.markers");
    p.mpa.crc = c.get_bool("nic.mpa.crc");
    const std::string& rtr = c.get_string("nic.mpa.p2p_rtr");
    p.mpa.p2p = rtr == "send"    ? host::P2pRtr::ZeroLengthSend
                : rtr == "write" ? host::P2pRtr::ZeroLengthWrite
                : rtr == "read"  ? host::P2pRtr::ZeroLengthRead
                                 : host::P2pRtr::None;
    return p;
}

// Runs the ping-pong; returns one report per size.
std::vector<sim::LatencyReport> run_write_lat(const config::Scenario& sc, const WriteLat& w, std::string& failure) {
    timing::init_time_resolution();
    sim::TwoHostSystem sys("sys", sim::TwoHostParams::from_config(sc.config));
    std::vector<sim::LatencyReport> rows;
    sys.body = [&] {
        try {
            auto [a, b] = sys.connect_pair(conn_params(sc.config), 4 * kMaxSize);
            const sim::QpEnd* end[2] = {&a, &b};
            const Ps poll = Ps(w.poll_ns) * timing::kNs;
            uint8_t value = 0;
            for (uint32_t size : w.sizes) {
                std::vector<double> posts;
                for (uint32_t it = 0; it < w.iterations; ++it) {
                    for (int side = 0; side < 2; ++side) {
                        const sim::QpEnd& src = *end[side];
                        const sim::QpEnd& dst = *end[1 - side];
                        sim::HostNode& h = sys.host(side);
                        value = uint8_t(value % 255 + 1);  // never 0, never the previous value
                        h.mem.write(src.buf + kMaxSize + size - 1, &value, 1);
                        verbs::SendWr wr;
                        wr.wr_id = it;
                        wr.opcode = verbs::WrOpcode::RdmaWrite;
                        const bool inl = size <= w.inline_max;
                        wr.send_flags = verbs::IBV_SEND_SIGNALED | (inl ? uint32_t(verbs::IBV_SEND_INLINE) : 0u);
                        wr.sg_list = {{src.buf + kMaxSize, size, inl ? 0 : src.mr->lkey}};
                        wr.remote_addr = dst.buf;
                        wr.rkey = dst.mr->rkey;
                        // Free send-queue slots: completions come with the peer's ACKs.
                        verbs::WorkCompletion wc[16];
                        for (;;) {
                            int n = h.dev.poll_cq(src.cq, 16, wc);
                            for (int k = 0; k < n; ++k)
                                if (wc[k].status != verbs::WcStatus::Success)
                                    throw std::runtime_error(std::string("write completed with ") +
                                                             host::ring::status_name(wc[k].status));
                            if (h.dev.sq_free(src.qp) >= 8) break;
                            sc_core::wait(timing::to_sc(poll));
                        }
                        if (side == 0) posts.push_back(double(timing::now_ps()) / 1e6);
                        if (h.dev.post_send(src.qp, {wr}) != 0)
                            throw std::runtime_error("post_send: " + h.dev.last_error());
                        // The peer's CPU polls the last byte of its buffer.
                        sim::HostNode& peer = sys.host(1 - side);
                        const uint64_t flag = dst.buf + size - 1;
                        if (!sys.wait_until([&] { return peer.mem.read(flag, 1)[0] == value; }, 10'000 * timing::kUs,
                                            poll))
                            throw std::runtime_error("size " + std::to_string(size) + ": write " + std::to_string(it) +
                                                     " never arrived");
                    }
                }
                rows.push_back(sim::perftest_latency(size, posts, 2));
            }
        } catch (const std::exception& e) {
            failure = e.what();
        }
        sc_core::sc_stop();
    };
    sc_core::sc_start();
    for (int i = 0; i < 2 && failure.empty(); ++i) {
        if (!sys.host(i).sge.errors().empty()) failure = sys.host(i).sge.errors().front();
        else if (!sys.host(i).nic.errors().empty()) failure = sys.host(i).nic.errors().front();
    }
    return rows;
}

}  // namespace

Command add_run_command(CLI::App& app) {
    auto opt = std::make_shared<RunOptions>();
    CLI::App* cmd = app.add_subcommand("run", "Run a scenario (two hosts with T5 NICs) and print perftest-style results");
    cmd->add_option("scenario", opt->file, "scenario YAML file")->required();
    cmd->add_option("--out", opt->out, "write config.resolved.yaml, results.txt and results.json into this folder");
    cmd->add_option("--set", opt->sets, "override key=value (repeatable)")->allow_extra_args(false);

    return [cmd, opt]() {
        if (!cmd->parsed()) return -1;
        config::Scenario sc;
        WriteLat w;
        try {
            sc = config::load_scenario(opt->file, opt->sets);
        } catch (const config::ConfigError& e) {
            for (const config::Diagnostic& d : e.diagnostics()) std::cerr << d.format() << '\n';
            return 2;
        }
        if (auto diags = parse_workload(sc, w); !diags.empty()) {
            for (const config::Diagnostic& d : diags) std::cerr << d.format() << '\n';
            return 2;
        }
        ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
        sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);  // "stopped by user"
        const auto wall0 = std::chrono::steady_clock::now();
        std::string failure;
        std::vector<sim::LatencyReport> rows = run_write_lat(sc, w, failure);
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
        if (!failure.empty()) {
            std::cerr << "nicsim run: " << opt->file << ": " << failure << '\n';
            return 1;
        }
        sim::PerftestBanner banner;
        banner.title = "RDMA_Write Latency Test";
        banner.mtu = uint32_t(sc.config.get_int("nic.mac.mtu"));
        std::ostringstream table;
        table << sim::format_banner(banner) << sim::format_latency_header();
        for (const auto& r : rows) table << sim::format_latency_row(r);
        std::cout << table.str();
        std::cerr << "# " << sc.name << ": simulated " << double(timing::now_ps()) / 1e6 << " us in " << wall
                  << " s wall\n";
        if (!opt->out.empty()) {
            std::filesystem::create_directories(opt->out);
            const std::filesystem::path dir(opt->out);
            std::ofstream resolved(dir / "config.resolved.yaml");
            config::write_resolved_yaml(sc.config, resolved, {"nicsim run " + opt->file});
            std::ofstream(dir / "results.txt") << table.str();
            std::ofstream(dir / "results.json") << sim::latency_json(banner, rows);
            if (!resolved) {
                std::cerr << "nicsim run: cannot write into " << opt->out << '\n';
                return 1;
            }
            std::cerr << "# wrote " << (dir / "config.resolved.yaml").string() << ", results.txt, results.json\n";
        }
        return 0;
    };
}

}  // namespace nicsim::app
