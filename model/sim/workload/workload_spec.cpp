#include "sim/workload/workload_spec.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <functional>

#include "host/ring_format.h"
#include "sim/config/section_checks.h"
#include "sim/config/suggest.h"
#include "sim/config/value_parse.h"
#include "sim/workload/run_sections.h"

namespace nicsim::sim {

namespace {

using config::trim;

using config::Diagnostic;
using config::Location;

struct KindInfo {
    WorkloadKind kind;
    const char* name;
    std::vector<std::string> keys;
};

const std::vector<KindInfo>& kinds() {
    static const std::vector<std::string> lat = {"kind", "flows", "sizes", "iterations", "poll_ns", "inline_max"};
    static const std::vector<std::string> bw = {"kind", "flows", "sizes", "iterations", "tx_depth", "inline_max", "qps",
                                                "poll_ns"};
    static const std::vector<KindInfo> k = {
        {WorkloadKind::WriteLat, "write_lat", lat},
        {WorkloadKind::ReadLat, "read_lat", lat},
        {WorkloadKind::SendLat, "send_lat", lat},
        {WorkloadKind::WriteBw, "write_bw", bw},
        {WorkloadKind::ReadBw, "read_bw", bw},
        {WorkloadKind::SendBw, "send_bw", bw},
        {WorkloadKind::SmbMix, "smb_mix",
         {"kind", "flows", "sizes", "weights", "read_fraction", "queue_depth", "ops", "qps", "poll_ns"}},
        {WorkloadKind::TraceReplay, "trace_replay", {"kind", "flows", "file", "inline_max", "poll_ns"}},
    };
    return k;
}

std::vector<std::string> kind_names() {
    std::vector<std::string> n;
    for (const auto& k : kinds()) n.push_back(k.name);
    return n;
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
}

const char* node_kind(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Map: return "a map";
        case YAML::NodeType::Sequence: return "a list";
        case YAML::NodeType::Null: return "nothing";
        default: return "a scalar";
    }
}

// The defaults of a kind (perftest's where perftest has the test).
WorkloadSpec defaults_for(WorkloadKind k) {
    WorkloadSpec w;
    w.kind = k;
    if (is_latency_kind(k)) {
        w.sizes = {2};
        w.iterations = 1000;
        w.tx_depth = 1;
    } else if (is_bandwidth_kind(k)) {
        w.sizes = {65536};
        w.iterations = 5000;
    } else if (k == WorkloadKind::SmbMix) {
        w.sizes = {};
        for (const auto& m : w.mix) w.sizes.push_back(m.size);
    }
    return w;
}

// Reads one value into the spec, reporting at `where` (a node of the file, or --set).
class ValueReader {
public:
    ValueReader(std::vector<Diagnostic>& d, std::function<Location(const YAML::Node&)> at, std::string scenario_dir,
                int hosts)
        : d_(d), at_(std::move(at)), dir_(std::move(scenario_dir)), hosts_(hosts) {}

    void relocate(std::function<Location(const YAML::Node&)> at, std::string dir) {
        at_ = std::move(at);
        dir_ = std::move(dir);
    }

    void apply(WorkloadSpec& w, const std::string& key, const YAML::Node& v, const std::string& path) {
        path_ = path;
        if (key == "sizes") {
            if (!v.IsSequence() || v.size() == 0) return bad(v, "must be a non-empty list of message sizes in bytes");
            std::vector<uint32_t> sizes;
            for (const auto& e : v) {
                uint32_t n = 0;
                if (u32(e, 1, kMaxMessageSize, n)) sizes.push_back(n);
            }
            if (sizes.size() != v.size()) return;
            w.sizes = sizes;
            if (w.kind == WorkloadKind::SmbMix) {
                std::vector<WeightedSize> mix;
                for (size_t i = 0; i < sizes.size(); ++i)
                    mix.push_back({sizes[i], i < w.mix.size() && w.mix.size() == sizes.size() ? w.mix[i].weight : 1.0});
                w.mix = mix;
            }
        } else if (key == "weights") {
            if (!v.IsSequence() || v.size() == 0) return bad(v, "must be a non-empty list of weights, one per size");
            std::vector<double> ws;
            for (const auto& e : v) {
                double x = 0;
                if (dbl(e, 0, 1e9, x)) ws.push_back(x);
            }
            if (ws.size() != v.size()) return;
            pending_weights_ = ws;
            weights_at_ = at_(v);
        } else if (key == "iterations") {
            u32(v, is_latency_kind(w.kind) ? 4 : 1, 10'000'000, w.iterations);  // perftest's latency needs >= 4
        } else if (key == "tx_depth") {
            u32(v, 1, 1024, w.tx_depth);
        } else if (key == "inline_max") {
            u32(v, 0, host::ring::kMaxInline, w.inline_max);
        } else if (key == "qps") {
            u32(v, 1, 64, w.qps);
        } else if (key == "poll_ns") {
            u32(v, 1, 100000, w.poll_ns);
        } else if (key == "read_fraction") {
            dbl(v, 0, 1, w.read_fraction);
        } else if (key == "queue_depth") {
            u32(v, 1, 1024, w.queue_depth);
        } else if (key == "ops") {
            u32(v, 1, 10'000'000, w.ops);
        } else if (key == "flows") {
            std::string error;
            if (!parse_flows(v, hosts_, w.flows, error)) return bad(v, error);
            flows_at_ = at_(v);
        } else if (key == "file") {
            if (!v.IsScalar() || v.Scalar().empty()) return bad(v, "must be the path of a trace file");
            namespace fs = std::filesystem;
            const fs::path p(v.Scalar());
            w.trace_path = (p.is_absolute() ? p : fs::path(dir_) / p).lexically_normal().string();
            file_at_ = at_(v);
        }
    }

    // Checks that need the whole entry (weights against sizes, the trace file).
    void finish(WorkloadSpec& w, const std::string& path, const YAML::Node& entry) {
        path_ = path;
        if (!pending_weights_.empty()) {
            if (pending_weights_.size() != w.sizes.size()) {
                d_.push_back({weights_at_, path + ".weights",
                              "has " + std::to_string(pending_weights_.size()) + " entries but sizes has " +
                                  std::to_string(w.sizes.size())});
            } else {
                double sum = 0;
                for (size_t i = 0; i < w.sizes.size(); ++i) sum += pending_weights_[i];
                if (sum <= 0) d_.push_back({weights_at_, path + ".weights", "must not all be 0"});
                w.mix.clear();
                for (size_t i = 0; i < w.sizes.size(); ++i) w.mix.push_back({w.sizes[i], pending_weights_[i]});
            }
        }
        if (is_latency_kind(w.kind) && w.flows.size() != 1)
            d_.push_back({flows_at_, path + ".flows",
                          "a latency test is one ping-pong: give one flow (e.g. c->a), got " +
                              std::to_string(w.flows.size()) + " (" + flows_summary(w.flows) + ")"});
        if (w.kind == WorkloadKind::TraceReplay) {
            if (w.trace_path.empty()) {
                path_ = path + ".file";
                bad(entry, "missing: trace_replay needs the trace file (relative to the scenario)");
            } else {
                for (Diagnostic& x : read_trace(w.trace_path, path + ".file", w.trace)) {
                    // "cannot open" is best shown at the key that named the file.
                    if (x.where.line == 0) {
                        x.message += " (" + x.where.file + ")";
                        x.where = file_at_;
                    }
                    d_.push_back(std::move(x));
                }
            }
        }
    }

private:
    void bad(const YAML::Node& n, const std::string& msg) { d_.push_back({at_(n), path_, msg}); }

    bool u32(const YAML::Node& n, uint32_t lo, uint32_t hi, uint32_t& out) {
        long long v = 0;
        if (!n.IsScalar() || !YAML::convert<long long>::decode(n, v) || n.Tag() == "!") {
            bad(n, std::string("must be an integer, got ") + (n.IsScalar() ? "\"" + n.Scalar() + "\"" : node_kind(n)));
            return false;
        }
        if (v < lo || v > hi) {
            bad(n, "must be in " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " + std::to_string(v));
            return false;
        }
        out = uint32_t(v);
        return true;
    }

    bool dbl(const YAML::Node& n, double lo, double hi, double& out) {
        double v = 0;
        if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || n.Tag() == "!") {
            bad(n, std::string("must be a number, got ") + (n.IsScalar() ? "\"" + n.Scalar() + "\"" : node_kind(n)));
            return false;
        }
        if (!(v >= lo && v <= hi)) {
            bad(n, "must be in " + std::to_string(lo).substr(0, 3) + ".." + std::to_string(hi).substr(0, 3) +
                       ", got " + n.Scalar());
            return false;
        }
        out = v;
        return true;
    }

    std::vector<Diagnostic>& d_;
    std::function<Location(const YAML::Node&)> at_;
    std::string dir_;
    int hosts_;
    std::string path_;
    std::vector<double> pending_weights_;
    Location weights_at_, file_at_, flows_at_;
};

const KindInfo* find_kind(const std::string& name) {
    for (const auto& k : kinds())
        if (name == k.name) return &k;
    return nullptr;
}

std::string kind_error(const std::string& name) {
    std::string msg = "unknown workload kind \"" + name + "\"";
    const std::string near = config::closest(name, kind_names());
    if (!near.empty()) msg += " (did you mean " + near + "?)";
    return msg + "; known: " + join(kind_names());
}

}  // namespace

const char* workload_kind_name(WorkloadKind k) {
    for (const auto& i : kinds())
        if (i.kind == k) return i.name;
    return "?";
}

bool is_latency_kind(WorkloadKind k) {
    return k == WorkloadKind::WriteLat || k == WorkloadKind::ReadLat || k == WorkloadKind::SendLat;
}

bool is_bandwidth_kind(WorkloadKind k) {
    return k == WorkloadKind::WriteBw || k == WorkloadKind::ReadBw || k == WorkloadKind::SendBw;
}

const std::vector<std::string>& workload_keys(WorkloadKind k) {
    for (const auto& i : kinds())
        if (i.kind == k) return i.keys;
    return kinds().front().keys;
}

uint64_t WorkloadSpec::planned_ops() const {
    if (kind == WorkloadKind::SmbMix) return ops;
    if (kind == WorkloadKind::TraceReplay) return trace.entries.size();
    // A ping-pong iteration is two operations (one each way).
    const uint64_t per = uint64_t(iterations) * (kind == WorkloadKind::WriteLat || kind == WorkloadKind::SendLat ? 2 : 1);
    return per * sizes.size();
}

std::vector<Diagnostic> parse_workloads(const config::Scenario& sc, std::vector<WorkloadSpec>& out) {
    std::vector<Diagnostic> d;
    out.clear();
    const Location cli{"--set", 0, 0};
    auto it = sc.sections.find("workload");
    const std::string main_file = sc.files.empty() ? "" : sc.files.back();
    if (it == sc.sections.end() || it->second.node.IsNull()) {
        d.push_back({{main_file, 0, 0}, "workload", "the scenario has no workload section"});
        return d;
    }
    const config::Section& s = it->second;
    namespace fs = std::filesystem;
    const std::string dir = fs::path(s.file).has_parent_path() ? fs::path(s.file).parent_path().string() : ".";
    const bool listed = s.node.IsSequence();
    std::vector<YAML::Node> entries;
    if (listed) {
        for (const auto& e : s.node) entries.push_back(e);
        if (entries.empty()) d.push_back({config::section_location(s, s.node), "workload", "the list is empty"});
    } else {
        entries.push_back(s.node);
    }

    // Overrides, parsed once: `workload.<key>` applies to every entry that has the key,
    // `workload.<i>.<key>` to entry i only.
    struct Override {
        int index = -1;  // -1: every entry
        std::string key;
        YAML::Node value;
        bool used = false;
    };
    std::vector<Override> overrides;
    for (const config::SectionOverride& o : sc.section_overrides) {
        if (o.section != "workload") continue;
        Override ov;
        ov.key = trim(o.key);
        const size_t dot = ov.key.find('.');
        if (dot != std::string::npos && dot > 0 &&
            std::all_of(ov.key.begin(), ov.key.begin() + long(dot), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
            ov.index = std::stoi(ov.key.substr(0, dot));
            ov.key = ov.key.substr(dot + 1);
            if (ov.index >= int(entries.size())) {
                d.push_back({cli, "workload." + o.key,
                             "the workload has " + std::to_string(entries.size()) + " entr" +
                                 (entries.size() == 1 ? "y" : "ies") + " (index from 0)"});
                continue;
            }
        }
        try {
            ov.value = YAML::Load(o.value);
        } catch (const YAML::Exception& e) {
            d.push_back({cli, "workload." + o.key, "the value is not valid YAML: " + e.msg});
            continue;
        }
        overrides.push_back(ov);
    }

    for (size_t i = 0; i < entries.size(); ++i) {
        const YAML::Node& e = entries[i];
        const std::string path = listed ? "workload." + std::to_string(i) : "workload";
        if (!e.IsMap()) {
            d.push_back({config::section_location(s, e), path, std::string("must be a map, got ") + node_kind(e)});
            continue;
        }
        // The kind first: it decides the keys and the defaults.
        const KindInfo* kind = nullptr;
        const YAML::Node kind_node = e["kind"];
        bool kind_bad = false;
        auto set_kind = [&](const YAML::Node& n, const Location& where) {
            if (!n.IsScalar()) {
                d.push_back({where, path + ".kind", "must be a workload kind: " + join(kind_names())});
                kind_bad = true;
            } else if (!(kind = find_kind(n.Scalar()))) {
                d.push_back({where, path + ".kind", kind_error(n.Scalar())});
                kind_bad = true;
            }
        };
        if (kind_node) set_kind(kind_node, config::section_location(s, kind_node));
        for (Override& o : overrides) {
            if (o.key == "kind" && (o.index < 0 || o.index == int(i))) {
                kind_bad = false;
                set_kind(o.value, cli);
                o.used = true;
            }
        }
        if (!kind) {
            if (!kind_bad) d.push_back({config::section_location(s, e), path + ".kind", "missing; one of " + join(kind_names())});
            continue;
        }
        WorkloadSpec w = defaults_for(kind->kind);
        const auto& keys = kind->keys;
        auto known = [&](const std::string& k) { return std::find(keys.begin(), keys.end(), k) != keys.end(); };
        auto unknown_msg = [&](const std::string& k) {
            std::string msg = "unknown key for " + std::string(kind->name);
            const std::string near = config::closest(k, keys);
            if (!near.empty()) msg += " (did you mean " + near + "?)";
            return msg + "; known: " + join(keys);
        };
        ValueReader reader(d, [&](const YAML::Node& n) { return config::section_location(s, n); }, dir,
                           topology_hosts(sc));
        for (const auto& kv : e) {
            const YAML::Node k = kv.first;
            if (!k.IsScalar()) {
                d.push_back({config::section_location(s, k), path, "keys must be plain names"});
                continue;
            }
            const std::string key = k.Scalar();
            if (key == "kind") continue;
            if (!known(key)) {
                d.push_back({config::section_location(s, k), path + "." + key, unknown_msg(key)});
                continue;
            }
            reader.apply(w, key, kv.second, path + "." + key);
        }
        // Overrides: reported at --set; a relative trace path is relative to the working folder.
        reader.relocate([&](const YAML::Node&) { return cli; }, ".");
        for (Override& o : overrides) {
            if (o.key == "kind" || (o.index >= 0 && o.index != int(i))) continue;
            if (!known(o.key)) {
                if (o.index >= 0) {
                    d.push_back({cli, "workload." + std::to_string(i) + "." + o.key, unknown_msg(o.key)});
                    o.used = true;
                }
                continue;
            }
            o.used = true;
            reader.apply(w, o.key, o.value, "workload." + o.key);
        }
        reader.finish(w, path, e);
        out.push_back(std::move(w));
    }
    // A `workload.<key>` no entry knows is a typo.
    for (const Override& o : overrides) {
        if (o.used) continue;
        std::vector<std::string> all;
        for (const auto& k : kinds())
            for (const auto& key : k.keys)
                if (std::find(all.begin(), all.end(), key) == all.end()) all.push_back(key);
        std::string msg = "unknown key for this scenario's workload";
        const std::string near = config::closest(o.key, all);
        if (!near.empty()) msg += " (did you mean " + near + "?)";
        d.push_back({cli, "workload." + o.key, msg});
    }
    // An override applied to several entries reports its problem once.
    std::vector<Diagnostic> unique;
    for (Diagnostic& x : d) {
        const std::string text = x.format();
        if (std::none_of(unique.begin(), unique.end(), [&](const Diagnostic& u) { return u.format() == text; }))
            unique.push_back(std::move(x));
    }
    if (!unique.empty()) out.clear();
    return unique;
}

std::string workload_yaml(const std::vector<WorkloadSpec>& specs) {
    YAML::Emitter e;
    e << YAML::BeginMap << YAML::Key << "workload" << YAML::Value;
    if (specs.size() != 1) e << YAML::BeginSeq;
    for (const WorkloadSpec& w : specs) {
        e << YAML::BeginMap;
        for (const std::string& key : workload_keys(w.kind)) {
            e << YAML::Key << key << YAML::Value;
            if (key == "kind") e << workload_kind_name(w.kind);
            else if (key == "sizes") e << YAML::Flow << w.sizes;
            else if (key == "iterations") e << w.iterations;
            else if (key == "tx_depth") e << w.tx_depth;
            else if (key == "inline_max") e << w.inline_max;
            else if (key == "qps") e << w.qps;
            else if (key == "poll_ns") e << w.poll_ns;
            else if (key == "read_fraction") e << w.read_fraction;
            else if (key == "queue_depth") e << w.queue_depth;
            else if (key == "ops") e << w.ops;
            else if (key == "file") e << w.trace_path;
            else if (key == "flows") {
                std::vector<std::string> names;
                for (const Flow& f : w.flows) names.push_back(flow_name(f));
                e << YAML::Flow << names;
            }
            else if (key == "weights") {
                std::vector<double> ws;
                for (const WeightedSize& m : w.mix) ws.push_back(m.weight);
                e << YAML::Flow << ws;
            }
        }
        e << YAML::EndMap;
    }
    if (specs.size() != 1) e << YAML::EndSeq;
    e << YAML::EndMap;
    return std::string(e.c_str()) + "\n";
}

void register_workload_check() {
    config::register_section_check("workload", [](const config::Scenario& sc) {
        std::vector<WorkloadSpec> specs;
        return parse_workloads(sc, specs);
    });
}

}  // namespace nicsim::sim
