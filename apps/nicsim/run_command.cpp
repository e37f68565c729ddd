// `nicsim run SCENARIO.yaml [--set key=value ...] [--out DIR] [--seed N]`: runs the scenario's
// workloads on the timed two-host model and prints perftest-style results. The work is in
// model/sim/workload/ (scenario_run.h); this file is the command line around it.
//
// Bad input of any kind (YAML, keys, types, ranges, missing files) exits 2 before anything is
// written; a failed run exits 1. `--set workload.<key>=<YAML value>` sets a workload key.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.h"
#include "sim/config/diagnostic.h"
#include "sim/report/latency_budget.h"
#include "sim/report/perfetto_trace.h"
#include "sim/report/stats_report.h"
#include "sim/workload/progress_meter.h"
#include "sim/workload/scenario_run.h"

// libsystemc references sc_main; nicsim has its own main() and elaborates from run only.
int sc_main(int, char**) { return 0; }

namespace nicsim::app {

namespace {
struct RunOptions {
    std::string file;
    std::string out;
    std::vector<std::string> sets;
    std::optional<uint64_t> seed;
};
}  // namespace

Command add_run_command(CLI::App& app) {
    auto opt = std::make_shared<RunOptions>();
    CLI::App* cmd = app.add_subcommand("run", "Run a scenario (two hosts with T5 NICs) and print perftest-style results");
    cmd->add_option("scenario", opt->file, "scenario YAML file")->required();
    cmd->add_option("--out", opt->out,
                    "write config.resolved.yaml, results.txt, results.json, summary.csv (and requested outputs) here");
    cmd->add_option("--set", opt->sets, "override key=value, also workload.<key>=<YAML value> (repeatable)")
        ->allow_extra_args(false);
    cmd->add_option("--seed", opt->seed, "seed of every random choice (sets sim.seed)");

    // `nicsim validate` checks the sections with the same code.
    sim::register_section_checks();

    return [cmd, opt]() {
        if (!cmd->parsed()) return -1;
        sim::RunPlan plan;
        try {
            plan = sim::plan_run(opt->file, opt->sets, opt->seed);
        } catch (const config::ConfigError& e) {
            for (const config::Diagnostic& d : e.diagnostics()) std::cerr << d.format() << '\n';
            std::cerr << opt->file << ": invalid (" << e.diagnostics().size() << " problem"
                      << (e.diagnostics().size() == 1 ? "" : "s") << "); nothing was run\n";
            return 2;
        }
        // Everything is valid: only now may the output folder appear.
        const std::filesystem::path dir(opt->out);
        const bool dir_is_new = !opt->out.empty() && !std::filesystem::exists(dir);
        if (!opt->out.empty()) {
            std::error_code ec;
            std::filesystem::create_directories(dir, ec);
            if (ec) {
                std::cerr << "nicsim run: cannot create " << opt->out << ": " << ec.message() << '\n';
                return 1;
            }
        }
        ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
        sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);  // "stopped by user"

        sim::ExecuteOptions eo;
        eo.out_dir = dir;
        eo.progress_terminal = ::isatty(STDERR_FILENO) != 0;
        // The reports read the NICs' per-frame records while the system is still alive.
        if (!opt->out.empty()) eo.after_run = [&](sim::Testbed& sys, const std::vector<sim::OpRecord>& ops) {
            if (plan.outputs.budget) sim::write_latency_budget(sys, ops, dir);
            if (plan.outputs.stats) sim::write_stats(sys, dir, ops);
            if (plan.outputs.perfetto) sim::write_perfetto_trace(sys, ops, dir / sim::kPerfettoTraceFile);
        };
        sim::RunOutcome r;
        try {
            r = sim::execute(plan, eo);
        } catch (const std::invalid_argument& e) {  // a model refused its parameters at elaboration
            std::cerr << "nicsim run: " << opt->file << ": " << e.what() << "; nothing was run\n";
            std::error_code ec;
            if (dir_is_new) std::filesystem::remove_all(dir, ec);  // bad input leaves nothing behind
            return 2;
        }
        std::cout << sim::results_text(r) << std::flush;
        std::cerr << "# " << plan.scenario.name << ": simulated " << sim::human_duration_us(r.simulated_us) << " in "
                  << r.wall_s << " s wall, " << r.ops.size() << " operations\n";
        if (!r.failure.empty()) {
            std::cerr << "nicsim run: " << opt->file << ": " << r.failure << '\n';
            return 1;
        }
        if (!opt->out.empty()) {
            std::string cmdline = "nicsim run " + opt->file;
            for (const std::string& s : opt->sets) cmdline += " --set " + s;
            if (opt->seed) cmdline += " --seed " + std::to_string(*opt->seed);
            const std::string err = sim::write_outputs(plan, r, dir, cmdline);
            if (!err.empty()) {
                std::cerr << "nicsim run: " << err << '\n';
                return 1;
            }
            std::cerr << "# wrote " << opt->out << ": config.resolved.yaml results.txt results.json summary.csv"
                      << (plan.outputs.pcap ? " port_a.pcap port_b.pcap" : "")
                      << (plan.outputs.budget ? " budget.md budget.json budget.svg" : "")
                      << (plan.outputs.stats ? " stats.json stats.csv" : "")
                      << (plan.outputs.perfetto ? " trace.json" : "") << '\n';
        }
        return 0;
    };
}

}  // namespace nicsim::app
