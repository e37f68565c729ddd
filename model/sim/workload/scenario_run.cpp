#include "sim/workload/scenario_run.h"

#include <chrono>
#include <fstream>
#include <iostream>

#include "sim/config/resolved_writer.h"
#include "sim/config/section_checks.h"
#include "sim/config/yaml_loader.h"
#include "sim/workload/progress_meter.h"
#include "sim/workload/summary_csv.h"
#include "sim/workload/workload_runner.h"

namespace nicsim::sim {

namespace {

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

}  // namespace

RunPlan plan_run(const std::string& file, std::vector<std::string> sets, std::optional<uint64_t> seed) {
    if (seed) sets.push_back("sim.seed=" + std::to_string(*seed));  // validated like any --set
    RunPlan plan;
    plan.file = file;
    plan.scenario = config::load_scenario(file, sets);  // throws ConfigError
    std::vector<config::Diagnostic> d = parse_workloads(plan.scenario, plan.workloads);
    for (auto& x : parse_outputs(plan.scenario, plan.outputs)) d.push_back(std::move(x));
    for (auto& x : parse_faults(plan.scenario, plan.faults)) d.push_back(std::move(x));
    for (auto& x : parse_topology(plan.scenario)) d.push_back(std::move(x));
    if (!d.empty()) throw config::ConfigError(std::move(d));
    plan.seed = uint64_t(plan.scenario.config.get_int("sim.seed"));
    plan.hosts = topology_hosts(plan.scenario);
    return plan;
}

void register_section_checks() {
    register_workload_check();
    config::register_section_check("outputs", [](const config::Scenario& sc) {
        OutputsSpec o;
        return parse_outputs(sc, o);
    });
    config::register_section_check("faults", [](const config::Scenario& sc) {
        std::vector<LinkFault> f;
        return parse_faults(sc, f);
    });
    config::register_section_check("topology", [](const config::Scenario& sc) { return parse_topology(sc); });
}

RunOutcome execute(const RunPlan& plan, const ExecuteOptions& opts) {
    const config::Config& cfg = plan.scenario.config;
    timing::init_time_resolution();
    TestbedParams p = TestbedParams::from_config(cfg, plan.hosts);
    // The budget, stats and Perfetto writers read the NICs' per-frame records and the links'
    // busy logs (kept only when someone will read them: an output folder or an after_run callback).
    const bool reports = plan.outputs.nic_trace() && (!opts.out_dir.empty() || opts.after_run);
    p.link.busy_log = reports;
    for (int i = 0; i < plan.hosts; ++i) {
        if (plan.outputs.pcap && !opts.out_dir.empty())
            p.pcaps[size_t(i)] = (opts.out_dir / ("port_" + host_name(i) + ".pcap")).string();
        p.hosts[size_t(i)].nic.trace = reports;
        p.hosts[size_t(i)].pcie.busy_log = reports;
    }
    Testbed sys("sys", p);
    if (cfg.get_string("sim.waves") == "fst" && !opts.out_dir.empty() && !sys.open_island_waves(opts.out_dir.string()))
        std::cerr << "# sim.waves: no RTL island in this configuration (nic.mpa_tx/rx.*_impl: rtl); no waveform written\n";
    install_faults(sys, plan.faults, plan.seed);

    RunOutcome out;
    uint64_t total = 0;
    for (const WorkloadSpec& w : plan.workloads) total += w.planned_ops();
    ProgressMeter progress(std::cerr, total, opts.progress_terminal);
    // Long enough to wait out a delayed ACK and a few retransmission timeouts (faults).
    const timing::Ps patience = 10'000 * timing::kUs + timing::Ps(cfg.get_ps("nic.tcp.delayed_ack_timeout_ps")) +
                                3 * timing::Ps(cfg.get_ps("nic.tcp.min_rto_ps"));
    RunContext ctx{sys,     conn_params(cfg), uint32_t(cfg.get_int("nic.mac.mtu")), plan.seed, patience,
                   progress, out.ops};
    const auto wall0 = std::chrono::steady_clock::now();
    bool finished = false;
    sys.body = [&] {
        try {
            for (const WorkloadSpec& w : plan.workloads) out.results.push_back(run_workload(ctx, w));
        } catch (const std::exception& e) {
            out.failure = e.what();
        }
        finished = true;
        sc_core::sc_stop();
    };
    // sim.stop_time_ps bounds the run: a workload still going then is a failed run.
    const timing::Ps stop_at = timing::Ps(cfg.get_ps("sim.stop_time_ps"));
    if (stop_at > 0) sc_core::sc_start(timing::to_sc(stop_at));
    else sc_core::sc_start();
    if (!finished && out.failure.empty())
        out.failure = "sim.stop_time_ps (" + std::to_string(double(stop_at) / 1e6) + " us) reached before the workloads finished";
    out.simulated_us = double(timing::now_ps()) / 1e6;
    out.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    progress.finish(out.simulated_us);
    // The model's own complaints explain a failure better than "never completed".
    for (int i = 0; i < sys.host_count(); ++i) {
        std::string why;
        if (!sys.host(i).sge.errors().empty()) why = sys.host(i).sge.errors().front();
        else if (!sys.host(i).nic.errors().empty()) why = sys.host(i).nic.errors().front();
        if (!why.empty()) out.failure = out.failure.empty() ? why : out.failure + " (" + why + ")";
    }
    sys.close_pcaps();
    if (opts.after_run) opts.after_run(sys, out.ops);
    return out;
}

std::string results_text(const RunOutcome& r) {
    std::string s;
    for (const WorkloadResult& w : r.results) s += w.table;
    return s;
}

std::string results_json(const RunOutcome& r) {
    if (r.results.size() == 1) return r.results.front().json;
    std::string s = "[";
    for (size_t i = 0; i < r.results.size(); ++i) {
        std::string j = r.results[i].json;
        while (!j.empty() && j.back() == '\n') j.pop_back();
        s += (i ? ",\n " : "") + j;
    }
    return s + "]\n";
}

std::string write_outputs(const RunPlan& plan, const RunOutcome& r, const std::filesystem::path& dir,
                          const std::string& command_line) {
    std::ofstream resolved(dir / "config.resolved.yaml");
    config::write_resolved_yaml(plan.scenario.config, resolved, {command_line});
    resolved << "\n# The topology and the workload as run (every key, defaults included).\n"
             << "topology:\n  hosts: " << plan.hosts << "\n"
             << workload_yaml(plan.workloads);
    std::ofstream txt(dir / "results.txt");
    txt << results_text(r);
    std::ofstream json(dir / "results.json");
    json << results_json(r);
    std::ofstream csv(dir / "summary.csv");
    std::vector<SummaryRow> rows;
    for (const WorkloadResult& w : r.results) rows.insert(rows.end(), w.summary.begin(), w.summary.end());
    write_summary_csv(csv, rows);
    for (std::ofstream* f : {&resolved, &txt, &json, &csv}) {
        f->flush();
        if (!*f) return "cannot write into " + dir.string();
    }
    return "";
}

}  // namespace nicsim::sim
