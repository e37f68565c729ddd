#include "sim/report/latency_budget.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <stdexcept>

#include "sim/report/budget_svg.h"

namespace nicsim::sim {

using timing::Ps;

namespace {

double ns(double ps) { return ps / 1000.0; }

// Nearest-rank percentile of sorted values.
Ps percentile(const std::vector<Ps>& sorted, double p) {
    if (sorted.empty()) return 0;
    size_t rank = size_t(std::ceil(p * double(sorted.size())));
    return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

// Stage names of all paths in path order: a stage seen first in a later path goes right after
// the stage that precedes it there.
std::vector<std::string> stage_order(const std::vector<const OpPath*>& paths) {
    std::vector<std::string> order;
    for (const OpPath* p : paths) {
        size_t pos = 0;
        for (const PathRow& r : p->rows) {
            auto it = std::find(order.begin(), order.end(), r.stage);
            if (it == order.end()) it = order.insert(order.begin() + std::min(pos, order.size()), r.stage);
            pos = size_t(it - order.begin()) + 1;
        }
    }
    return order;
}

BudgetGroup aggregate(OpKind kind, uint32_t size, int initiator, int target, const std::vector<const OpPath*>& paths) {
    BudgetGroup g;
    g.kind = kind;
    g.size = size;
    g.initiator = initiator;
    g.target = target;
    g.ops = paths.size();
    const double n = double(paths.size());
    std::vector<Ps> totals;
    Ps total_sum = 0;
    std::optional<Ps> floor_min;
    FrameProcessing proc_sum;
    size_t frames = 0;
    for (const OpPath* p : paths) {
        totals.push_back(p->total());
        total_sum += p->total();
        floor_min = floor_min ? std::min(*floor_min, p->floor_total()) : p->floor_total();
        for (const FrameProcessing& f : p->frames) {
            proc_sum.tx_offload += f.tx_offload;
            proc_sum.tx_mac += f.tx_mac;
            proc_sum.rx_offload += f.rx_offload;
            proc_sum.rx_mac += f.rx_mac;
            ++frames;
        }
    }
    std::sort(totals.begin(), totals.end());
    g.total_mean_ns = ns(double(total_sum) / n);
    g.total_p50_ns = ns(double(percentile(totals, 0.50)));
    g.total_p99_ns = ns(double(percentile(totals, 0.99)));
    g.floor_ns = ns(double(floor_min.value_or(0)));
    if (frames) {
        g.tx_offload_ns = ns(double(proc_sum.tx_offload) / double(frames));
        g.tx_mac_ns = ns(double(proc_sum.tx_mac) / double(frames));
        g.rx_offload_ns = ns(double(proc_sum.rx_offload) / double(frames));
        g.rx_mac_ns = ns(double(proc_sum.rx_mac) / double(frames));
    }
    for (const std::string& name : stage_order(paths)) {
        BudgetStage s;
        s.stage = name;
        std::vector<Ps> spans;  // an op whose path lacks the stage spent 0 in it
        Ps sum = 0, processing = 0;
        std::optional<Ps> floor_min_s;
        for (const OpPath* p : paths) {
            Ps span = 0;
            for (const PathRow& r : p->rows)
                if (r.stage == name) {
                    span += r.span();
                    processing += r.processing;
                    s.pipeline = s.pipeline || r.pipeline;
                    if (r.has_floor) floor_min_s = floor_min_s ? std::min(*floor_min_s, r.floor) : r.floor;
                }
            spans.push_back(span);
            sum += span;
        }
        std::sort(spans.begin(), spans.end());
        s.mean_ns = ns(double(sum) / n);
        s.p50_ns = ns(double(percentile(spans, 0.50)));
        s.p99_ns = ns(double(percentile(spans, 0.99)));
        s.share = total_sum ? double(sum) / double(total_sum) : 0;
        s.processing_ns = ns(double(processing) / n);
        s.has_floor = floor_min_s.has_value();
        s.floor_ns = ns(double(floor_min_s.value_or(0)));
        g.stages.push_back(s);
    }
    return g;
}

std::string json_string(const std::string& s) {
    std::string o = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\';
        if (static_cast<unsigned char>(c) < 0x20) continue;
        o += c;
    }
    return o + "\"";
}

std::string num(double v, int decimals = 3) {
    char b[64];
    std::snprintf(b, sizeof b, "%.*f", decimals, v);
    return b;
}

std::string size_label(uint32_t size) {
    if (size >= 1024 && size % 1024 == 0) return std::to_string(size / 1024) + " KiB";
    return std::to_string(size) + " B";
}

void write_file(const std::filesystem::path& p, const std::string& text) {
    std::ofstream f(p, std::ios::binary);
    f << text;
    f.close();
    if (!f) throw std::runtime_error("cannot write " + p.string());
}

}  // namespace

std::string BudgetGroup::label() const {
    std::string l = std::string(op_kind_name(kind)) + " " + size_label(size);
    if (per_flow()) l += ", " + host_name(initiator) + " -> " + host_name(target);
    return l;
}

LatencyBudget build_latency_budget(const std::vector<OpPath>& paths) {
    LatencyBudget b;
    // Operations between one pair of hosts (one way, or both ways as in a ping-pong): grouped by
    // (kind, size) as always; between several pairs (incast, all-to-all, a ring): by directed
    // flow too, so that no group mixes flows.
    std::set<std::pair<int, int>> pairs;
    for (const OpPath& p : paths)
        if (p.matched) pairs.insert(std::minmax(p.op.initiator, p.op.target));
    const bool per_flow = pairs.size() > 1;
    std::map<std::tuple<int, uint32_t, int, int>, std::vector<const OpPath*>> groups;
    std::map<std::string, uint64_t> reasons;
    for (const OpPath& p : paths) {
        if (!p.matched) {
            ++b.unmatched;
            ++reasons[p.why];
            continue;
        }
        ++b.matched;
        groups[{int(p.op.kind), p.op.size, per_flow ? p.op.initiator : -1, per_flow ? p.op.target : -1}].push_back(&p);
    }
    for (const auto& [key, members] : groups)
        b.groups.push_back(aggregate(OpKind(std::get<0>(key)), std::get<1>(key), std::get<2>(key), std::get<3>(key),
                                     members));
    for (const auto& [why, count] : reasons) b.unmatched_reasons.push_back(std::to_string(count) + " x " + why);
    return b;
}

LatencyBudget latency_budget(const Testbed& sys, const std::vector<OpRecord>& ops) {
    const TraceIndex index(sys);
    std::vector<OpPath> paths;
    paths.reserve(ops.size());
    for (const OpRecord& op : ops) paths.push_back(critical_path(index, op));
    return build_latency_budget(paths);
}

std::string budget_json(const LatencyBudget& b) {
    std::string o = "{\n  \"unit\": \"ns\",\n";
    o += "  \"matched\": " + std::to_string(b.matched) + ",\n  \"unmatched\": " + std::to_string(b.unmatched) + ",\n";
    o += "  \"unmatched_reasons\": [";
    for (size_t i = 0; i < b.unmatched_reasons.size(); ++i) o += (i ? ", " : "") + json_string(b.unmatched_reasons[i]);
    o += "],\n  \"groups\": [";
    for (size_t gi = 0; gi < b.groups.size(); ++gi) {
        const BudgetGroup& g = b.groups[gi];
        o += gi ? ",\n" : "\n";
        o += "    {\"kind\": " + json_string(op_kind_name(g.kind)) + ", \"size\": " + std::to_string(g.size);
        if (g.per_flow())
            o += ", \"flow\": {\"initiator\": " + json_string(host_name(g.initiator)) +
                 ", \"target\": " + json_string(host_name(g.target)) + "}";
        o += ", \"ops\": " + std::to_string(g.ops) + ",\n";
        o += "     \"total\": {\"mean\": " + num(g.total_mean_ns) + ", \"p50\": " + num(g.total_p50_ns) +
             ", \"p99\": " + num(g.total_p99_ns) + ", \"floor\": " + num(g.floor_ns) + "},\n";
        o += "     \"nic_processing_per_packet\": {\"tx_offload\": " + num(g.tx_offload_ns) +
             ", \"tx_mac\": " + num(g.tx_mac_ns) + ", \"rx_offload\": " + num(g.rx_offload_ns) +
             ", \"rx_mac\": " + num(g.rx_mac_ns) + "},\n";
        o += "     \"stages\": [";
        for (size_t si = 0; si < g.stages.size(); ++si) {
            const BudgetStage& s = g.stages[si];
            o += si ? ",\n" : "\n";
            o += "       {\"stage\": " + json_string(s.stage) + ", \"mean\": " + num(s.mean_ns) +
                 ", \"p50\": " + num(s.p50_ns) + ", \"p99\": " + num(s.p99_ns) + ", \"share\": " + num(s.share, 6) +
                 ", \"floor\": " + (s.has_floor ? num(s.floor_ns) : std::string("null")) +
                 ", \"wait\": " + (s.pipeline ? num(s.mean_ns - s.processing_ns) : std::string("null")) + "}";
        }
        o += "\n     ]}";
    }
    o += "\n  ]\n}\n";
    return o;
}

std::string budget_markdown(const LatencyBudget& b) {
    std::string o = "# Latency budget\n\n";
    o += "Critical path of each operation from post to done, per stage (ns); the stages of one operation "
         "telescope, so the means add up to the mean total. Floor: the least the stage can take "
         "(physical or configured minimum; - where none); the total's floor is the best lower bound on the "
         "whole path. Wait (pipeline stages): the part of the stage's time spent before it popped the beat "
         "(hand-off edge, clock crossing, queueing behind earlier frames). Method: docs/latency_budget.md.\n\n";
    o += "Operations: " + std::to_string(b.matched) + " matched, " + std::to_string(b.unmatched) + " unmatched";
    for (const std::string& r : b.unmatched_reasons) o += "; " + r;
    o += ".\n";
    for (const BudgetGroup& g : b.groups) {
        const std::string bytes = g.size >= 1024 ? std::to_string(g.size) + " B, " : "";
        o += "\n## " + g.label() + " (" + bytes +
             std::to_string(g.ops) + " ops)\n\n";
        o += "| stage | mean | p50 | p99 | share | floor | wait |\n|---|---:|---:|---:|---:|---:|---:|\n";
        for (const BudgetStage& s : g.stages)
            o += "| " + s.stage + " | " + num(s.mean_ns, 1) + " | " + num(s.p50_ns, 1) + " | " + num(s.p99_ns, 1) +
                 " | " + num(100.0 * s.share, 1) + "% | " + (s.has_floor ? num(s.floor_ns, 1) : std::string("-")) +
                 " | " + (s.pipeline ? num(s.mean_ns - s.processing_ns, 1) : std::string("-")) + " |\n";
        o += "| **total** | " + num(g.total_mean_ns, 1) + " | " + num(g.total_p50_ns, 1) + " | " +
             num(g.total_p99_ns, 1) + " | 100.0% | " + num(g.floor_ns, 1) + " | |\n\n";
        o += "NIC pipeline's own processing per packet (each stage's beat popped -> out: its latency cycles; "
             "no waiting, no serialization): TX offload " + num(g.tx_offload_ns, 1) + " ns + MAC " + num(g.tx_mac_ns, 1) +
             " ns; RX offload " + num(g.rx_offload_ns, 1) + " ns + MAC " + num(g.rx_mac_ns, 1) + " ns.\n";
    }
    return o;
}

LatencyBudget write_latency_budget(const Testbed& sys, const std::vector<OpRecord>& ops,
                                   const std::filesystem::path& dir) {
    LatencyBudget b = latency_budget(sys, ops);
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
    write_file(dir / "budget.json", budget_json(b));
    write_file(dir / "budget.md", budget_markdown(b));
    write_file(dir / "budget.svg", budget_svg(b));
    return b;
}

}  // namespace nicsim::sim
