// `nicsim sweep SWEEP.yaml [--jobs N] [--out DIR] [--resume] [--set key=value ...]
//  [--emit-jobs FILE] [--merge-only [DIR]]`: runs every point of a sweep file as a child
// `nicsim run` and merges their summary.csv into DIR/results.csv (docs/sweeps.md). The work
// is in model/sim/sweep/; this file only reads the command line.
#include <filesystem>
#include <iostream>
#include <memory>

#include "commands.h"
#include "sim/sweep/sweep_driver.h"

namespace nicsim::app {

Command add_sweep_command(CLI::App& app) {
    auto opt = std::make_shared<sweep::SweepOptions>();
    auto merge_dir = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("sweep", "Run every point of a sweep file (each a `nicsim run`) and merge the results");
    cmd->add_option("sweep", opt->sweep_file, "sweep YAML file (docs/sweeps.md)");
    cmd->add_option("--out", opt->out, "output folder (default out/sweeps/<sweep name>)");
    cmd->add_option("--jobs,-j", opt->jobs, "runs at once (default: the number of CPUs)")->check(CLI::Range(1u, 4096u));
    cmd->add_flag("--resume", opt->resume, "skip points whose run finished (runs/<id>/done exists)");
    cmd->add_option("--set", opt->sets, "override key=value for every point (repeatable)")->allow_extra_args(false);
    cmd->add_option("--emit-jobs", opt->emit_jobs,
                    "write one shell command per point to FILE (and FILE.sbatch) instead of running");
    cmd->add_option("--merge-only", *merge_dir, "only merge the finished runs of DIR (or of --out) into results.csv")
        ->expected(0, 1);

    return [cmd, opt, merge_dir]() {
        if (!cmd->parsed()) return -1;
        opt->merge_only = cmd->count("--merge-only") > 0;
        if (opt->merge_only && !merge_dir->empty()) {
            if (!opt->out.empty() && opt->out != *merge_dir) {
                std::cerr << "nicsim sweep: --merge-only " << *merge_dir << " and --out " << opt->out
                          << " name different folders\n";
                return 2;
            }
            opt->out = *merge_dir;
        }
        if (!opt->emit_jobs.empty() && opt->merge_only) {
            std::cerr << "nicsim sweep: --emit-jobs and --merge-only exclude each other\n";
            return 2;
        }
#ifndef NICSIM_HAVE_RUN
        if (!opt->merge_only) {
            std::cerr << "nicsim sweep: this build has no `run` command (the timed model was not built); only "
                         "--merge-only works\n";
            return 1;
        }
#endif
        std::error_code ec;
        opt->exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
        if (ec) {
            std::cerr << "nicsim sweep: cannot find the nicsim binary (/proc/self/exe): " << ec.message() << '\n';
            return 1;
        }
        return sweep::run_sweep(*opt, std::cout, std::cerr);
    };
}

}  // namespace nicsim::app
