// `nicsim run` in three steps, so nothing is written unless the whole input is good:
//   plan_run()   loads the scenario with its --set overrides and checks every section
//                (throws config::ConfigError with every problem at once);
//   execute()    builds the testbed (topology.hosts hosts), runs the workloads one after the other and calls
//                `after_run` with the system still alive (the report writers' hook);
//   write_outputs()  config.resolved.yaml, results.txt, results.json, summary.csv.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/config/scenario.h"
#include "sim/testbed.h"
#include "sim/workload/op_record.h"
#include "sim/workload/run_sections.h"
#include "sim/workload/workload_result.h"
#include "sim/workload/workload_spec.h"

namespace nicsim::sim {

struct RunPlan {
    config::Scenario scenario;
    std::string file;
    std::vector<WorkloadSpec> workloads;
    OutputsSpec outputs;
    std::vector<LinkFault> faults;
    int hosts = 2;  // topology.hosts
    uint64_t seed = 1;
};

// `sets`: the --set arguments (parameters and workload.*/outputs.* keys); `seed`: --seed.
RunPlan plan_run(const std::string& file, std::vector<std::string> sets, std::optional<uint64_t> seed);

// Registers the workload, outputs, faults and topology checks with the config system, so
// `nicsim validate` rejects exactly what `nicsim run` rejects.
void register_section_checks();

struct RunOutcome {
    std::vector<WorkloadResult> results;
    std::vector<OpRecord> ops;  // every operation of every workload, in post order per workload
    std::string failure;        // empty on success
    double simulated_us = 0;
    double wall_s = 0;
};

struct ExecuteOptions {
    std::filesystem::path out_dir;  // empty: no files (pcap needs it)
    bool progress_terminal = false;  // draw the progress bar in place (stderr is a terminal)
    // Called after the run, with the system and every OpRecord (also after a failure). When
    // set (or out_dir is), the NICs keep the per-frame traces the requested outputs need.
    std::function<void(Testbed&, const std::vector<OpRecord>&)> after_run;
};

RunOutcome execute(const RunPlan& plan, const ExecuteOptions& opts);

// The tables as printed (results.txt).
std::string results_text(const RunOutcome& r);
// One workload: its perftest JSON object; several: a JSON list of them, in run order.
std::string results_json(const RunOutcome& r);

// Writes config.resolved.yaml, results.txt, results.json and summary.csv into `dir` (which
// exists). Returns "" or what could not be written.
std::string write_outputs(const RunPlan& plan, const RunOutcome& r, const std::filesystem::path& dir,
                          const std::string& command_line);

}  // namespace nicsim::sim
