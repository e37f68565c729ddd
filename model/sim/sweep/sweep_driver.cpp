#include "sim/sweep/sweep_driver.h"

#include <filesystem>
#include <thread>

#include "sim/sweep/job_list.h"
#include "sim/sweep/point_validation.h"
#include "sim/sweep/results_merge.h"
#include "sim/sweep/run_inputs.h"
#include "sim/sweep/run_pool.h"
#include "sim/sweep/sweep_layout.h"
#include "sim/sweep/sweep_manifest.h"

namespace nicsim::sweep {

namespace fs = std::filesystem;

namespace {

void print(std::ostream& err, const std::vector<config::Diagnostic>& diags) {
    for (const config::Diagnostic& d : diags) err << d.format() << '\n';
}

// Merges and says what it merged; false if a run's summary could not be read.
// `list_unfinished`: say which runs have no done marker (after a local run the failures say it).
bool merge_and_report(const fs::path& dir, const Manifest& m, std::ostream& out, std::ostream& err,
                      bool list_unfinished) {
    const MergeReport r = merge_results(dir, m);
    for (const std::string& p : r.problems) err << "nicsim sweep: " << p << '\n';
    if (!r.stale.empty()) {
        err << "nicsim sweep: " << r.stale.size()
            << " runs finished with other inputs than their point now has (not merged):";
        for (const std::string& id : r.stale) err << ' ' << id;
        err << '\n';
    }
    if (list_unfinished && !r.unfinished.empty()) {
        err << "nicsim sweep: " << r.unfinished.size() << " of " << m.points.size() << " runs are not finished:";
        for (const std::string& id : r.unfinished) err << ' ' << id;
        err << '\n';
    }
    out << "merged " << r.runs_merged << " of " << m.points.size() << " runs (" << r.rows << " rows) into "
        << layout::results(dir).string() << '\n';
    return r.problems.empty();
}

int merge_only(const SweepOptions& opt, std::ostream& out, std::ostream& err) {
    if (opt.out.empty()) {
        err << "nicsim sweep: --merge-only needs the sweep's folder (--merge-only DIR or --out DIR)\n";
        return 2;
    }
    Manifest m;
    try {
        m = read_manifest(opt.out);
    } catch (const std::runtime_error& e) {
        err << "nicsim sweep: " << e.what() << '\n';
        return 2;
    }
    return merge_and_report(opt.out, m, out, err, true) ? 0 : 1;
}

}  // namespace

int run_sweep(const SweepOptions& opt, std::ostream& out, std::ostream& err) {
    if (opt.merge_only) return merge_only(opt, out, err);
    if (opt.sweep_file.empty()) {
        err << "nicsim sweep: a sweep file is required (unless --merge-only)\n";
        return 2;
    }
    // Everything is checked before anything is written.
    SweepSpec spec;
    std::vector<SweepPoint> points;
    try {
        spec = load_sweep_spec(opt.sweep_file, opt.sets);
        points = expand_points(spec);
    } catch (const config::ConfigError& e) {
        print(err, e.diagnostics());
        return 2;
    }
    if (auto diags = validate_points(spec, points); !diags.empty()) {
        print(err, diags);
        err << opt.sweep_file << ": invalid sweep (nothing was run)\n";
        return 2;
    }
    try {
        for (SweepPoint& p : points) p.inputs = run_inputs_digest(spec.base, p.assignments());
    } catch (const config::ConfigError& e) {  // the base changed since validate_points()
        print(err, e.diagnostics());
        return 2;
    }
    const fs::path dir = fs::absolute(opt.out.empty() ? fs::path("out") / "sweeps" / spec.name : fs::path(opt.out))
                             .lexically_normal();
    const Manifest manifest = make_manifest(spec, points);
    // With --resume, a run is skipped only if it finished with the inputs it has now: the id
    // covers the overrides, not the contents of the base scenario and the files it pulls in.
    std::vector<bool> skip(points.size(), false);
    if (opt.resume) {
        for (size_t i = 0; i < points.size(); ++i) {
            const RunState state = run_state(layout::run(dir, points[i].id), points[i].inputs);
            skip[i] = state == RunState::Finished;
            if (state == RunState::FinishedOtherInputs)
                err << "nicsim sweep: " << points[i].id
                    << " finished with other inputs (the base scenario, a file it uses or nicsim's defaults changed,"
                       " or an older nicsim ran it): running it again\n";
        }
    }
    try {
        write_manifest(dir, manifest);
        for (size_t i = 0; i < points.size(); ++i) {
            const SweepPoint& p = points[i];
            const fs::path run_dir = layout::run(dir, p.id);
            if (skip[i]) continue;
            write_point_file(run_dir, spec, p);
            // Every point not skipped runs again, here or from the emitted job list.
            fs::remove(layout::done(run_dir));
        }
        if (!opt.emit_jobs.empty()) {
            write_job_list(opt.emit_jobs, opt.exe, spec, points, dir);
            out << "wrote " << points.size() << " jobs to " << opt.emit_jobs << " and " << opt.emit_jobs
                << ".sbatch; after they ran: nicsim sweep " << opt.sweep_file << " --merge-only --out "
                << dir.string() << '\n';
            return 0;
        }
    } catch (const std::exception& e) {
        err << "nicsim sweep: " << e.what() << '\n';
        return 1;
    }

    std::vector<RunJob> jobs;
    for (size_t i = 0; i < points.size(); ++i) {
        const SweepPoint& p = points[i];
        if (skip[i]) continue;
        const fs::path run_dir = layout::run(dir, p.id);
        // The running binary itself, even if a rebuild replaces the file meanwhile.
        jobs.push_back({p.id, run_dir, run_argv("/proc/self/exe", spec, p, run_dir), p.inputs});
    }
    const unsigned parallel = opt.jobs ? opt.jobs : std::max(1u, std::thread::hardware_concurrency());
    err << "# sweep " << spec.name << ": " << points.size() << " points";
    if (opt.resume) err << ", " << points.size() - jobs.size() << " already finished";
    err << "; running " << jobs.size() << " with " << parallel << " at once into " << dir.string() << '\n';
    const std::vector<RunOutcome> outcomes = run_jobs(jobs, parallel, err);

    int rc = 0;
    try {
        if (!merge_and_report(dir, manifest, out, err, false)) rc = 1;
    } catch (const std::exception& e) {
        err << "nicsim sweep: " << e.what() << '\n';
        rc = 1;
    }
    std::vector<const RunOutcome*> failed;
    for (const RunOutcome& o : outcomes)
        if (!o.ok) failed.push_back(&o);
    if (!failed.empty()) {
        err << "nicsim sweep: " << failed.size() << " of " << jobs.size() << " runs failed:";
        for (const RunOutcome* o : failed) err << ' ' << o->id;
        err << '\n';
        for (const RunOutcome* o : failed) {
            const fs::path run_dir = layout::run(dir, o->id);
            err << "--- " << o->id << " (" << o->status << "), end of " << (run_dir / "stderr.txt").string()
                << ":\n"
                << stderr_tail(run_dir);
        }
        rc = 1;
    }
    return rc;
}

}  // namespace nicsim::sweep
