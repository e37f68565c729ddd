// The latency budget of a run: every operation's critical path (critical_path.h) grouped by
// (kind, size) (and flow, when the run has several), per stage mean / p50 / p99 in ns, its share of the mean total and its floor,
// plus the NIC pipeline's own processing per packet. Written as budget.json, budget.md and
// budget.svg (docs/latency_budget.md explains the method and how to read them).
//
// Call after a run whose hosts traced (T5NicParams::trace = true at both NICs):
//   write_latency_budget(sys, op_records, out_dir);
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sim/report/critical_path.h"
#include "sim/workload/op_record.h"

namespace nicsim::sim {

struct BudgetStage {
    std::string stage;
    double mean_ns = 0, p50_ns = 0, p99_ns = 0;
    double share = 0;  // of the group's mean total, 0..1
    bool has_floor = false;
    double floor_ns = 0;  // the least over the group's ops
    // Pipeline stages: mean of the stage's own processing; mean_ns - processing_ns is waiting
    // (hand-off edge, clock crossing, FIFO queueing behind earlier frames).
    bool pipeline = false;
    double processing_ns = 0;
};

struct BudgetGroup {
    OpKind kind = OpKind::Write;
    uint32_t size = 0;
    // The flow (initiator -> target host index) when the operations ran between more than one
    // pair of hosts, so that each group holds one flow's operations; -1 for both when they ran
    // between one pair (either way: a ping-pong stays one group, as ib_write_lat reports it).
    int initiator = -1, target = -1;
    bool per_flow() const { return initiator >= 0; }
    std::string label() const;  // "write 64 B", or "write 64 B, b -> a" per flow
    uint64_t ops = 0;
    std::vector<BudgetStage> stages;  // in path order; the means add up to total_mean_ns
    double total_mean_ns = 0, total_p50_ns = 0, total_p99_ns = 0;
    double floor_ns = 0;  // the least floor_total() over the group's ops
    // The NIC pipeline's own processing per packet on the path (mean over the frames): each
    // stage's beat popped -> out (its latency cycles), without waiting or wire serialization.
    double tx_offload_ns = 0, tx_mac_ns = 0, rx_offload_ns = 0, rx_mac_ns = 0;
};

struct LatencyBudget {
    std::vector<BudgetGroup> groups;  // by kind, then size, then flow
    uint64_t matched = 0, unmatched = 0;
    std::vector<std::string> unmatched_reasons;  // distinct reasons, with counts
};

LatencyBudget build_latency_budget(const std::vector<OpPath>& paths);
LatencyBudget latency_budget(const Testbed& sys, const std::vector<OpRecord>& ops);

std::string budget_json(const LatencyBudget& b);
std::string budget_markdown(const LatencyBudget& b);

// Writes dir/budget.json, dir/budget.md and dir/budget.svg (creating dir) and returns the
// budget. Throws std::runtime_error if a file cannot be written.
LatencyBudget write_latency_budget(const Testbed& sys, const std::vector<OpRecord>& ops,
                                   const std::filesystem::path& dir);

}  // namespace nicsim::sim
