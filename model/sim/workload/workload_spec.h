// What a scenario's `workload:` section asks for: one WorkloadSpec per entry (the section is a
// map, or a list of maps run one after the other), after `--set workload.<key>=<value>`
// overrides, which are YAML text validated exactly like the file's own values.
//
// Problems are reported as `file:line:column: workload.key: message` (overrides at "--set"),
// with "did you mean ...?" for misspelt keys and kinds; every problem at once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/diagnostic.h"
#include "sim/config/scenario.h"
#include "sim/workload/flows.h"
#include "sim/workload/trace_file.h"

namespace nicsim::sim {

enum class WorkloadKind { WriteLat, ReadLat, SendLat, WriteBw, ReadBw, SendBw, SmbMix, TraceReplay };

const char* workload_kind_name(WorkloadKind k);
bool is_latency_kind(WorkloadKind k);
bool is_bandwidth_kind(WorkloadKind k);

constexpr uint32_t kMaxMessageSize = 1u << 20;  // 1 MiB, the largest message of any workload

struct WeightedSize {
    uint32_t size = 0;
    double weight = 1;
};

struct WorkloadSpec {
    WorkloadKind kind = WorkloadKind::WriteLat;
    std::vector<uint32_t> sizes = {2, 64, 1024, 4096};  // bytes; one table row each
    uint32_t iterations = 1000;                          // per size (perftest: lat 1000, bw 5000)
    uint32_t tx_depth = 128;                             // bw: outstanding WRs per QP
    uint32_t inline_max = 220;                           // WRs up to this size are posted inline
    uint32_t qps = 1;                                    // bw, smb_mix, trace_replay: connected QPs per flow
    std::vector<Flow> flows = {{0, 1}};                  // initiator->target hosts (latency kinds: one)
    uint32_t poll_ns = 10;                               // the hosts' CPUs poll this often
    // smb_mix
    std::vector<WeightedSize> mix = {{4096, 4}, {65536, 2}, {1048576, 1}};
    double read_fraction = 0.5;
    uint32_t queue_depth = 16;
    uint32_t ops = 2000;
    // trace_replay
    std::string trace_path;  // as resolved (relative to the scenario file)
    Trace trace;

    // The table rows the run produces, for the progress meter: operations in total.
    uint64_t planned_ops() const;
};

// Reads the section (if any) and applies the section overrides of `sc`. A scenario without a
// `workload:` section is an error. Never throws.
std::vector<config::Diagnostic> parse_workloads(const config::Scenario& sc, std::vector<WorkloadSpec>& out);

// The keys each kind accepts (for docs and suggestions).
const std::vector<std::string>& workload_keys(WorkloadKind k);

// The workloads as run, every key of each kind with its value, as a YAML `workload:` section
// (appended to config.resolved.yaml so that the file runs the same workload again).
std::string workload_yaml(const std::vector<WorkloadSpec>& specs);

// Registers parse_workloads as the `workload` section check, so `nicsim validate` rejects the
// same files `nicsim run` does.
void register_workload_check();

}  // namespace nicsim::sim
