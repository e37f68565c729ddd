#include "sim/workload/flows.h"

#include "sim/config/suggest.h"
#include "sim/config/value_parse.h"
#include "sim/testbed.h"

namespace nicsim::sim {

namespace {

using config::trim;

const std::vector<std::string>& pattern_names() {
    static const std::vector<std::string> n = {"pairs", "ring", "incast", "all_to_all"};
    return n;
}

std::vector<Flow> pattern(const std::string& name, int n) {
    std::vector<Flow> f;
    if (name == "pairs")
        for (int i = 0; i + 1 < n; i += 2) f.push_back({i, i + 1});
    else if (name == "ring")
        for (int i = 0; i < n; ++i) f.push_back({i, (i + 1) % n});
    else if (name == "incast")
        for (int i = 1; i < n; ++i) f.push_back({i, 0});
    else if (name == "all_to_all")
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j)
                if (i != j) f.push_back({i, j});
    return f;
}

std::string host_range(int hosts) { return "a.." + host_name(hosts - 1); }

}  // namespace

int host_index(const std::string& name, int hosts) {
    for (int i = 0; i < hosts; ++i)
        if (host_name(i) == name) return i;
    return -1;
}

bool parse_flows(const YAML::Node& v, int hosts, std::vector<Flow>& out, std::string& error) {
    if (v.IsScalar() && v.Scalar().find("->") == std::string::npos) {
        std::vector<Flow> f = pattern(v.Scalar(), hosts);
        if (f.empty()) {
            error = "unknown flow pattern \"" + v.Scalar() + "\"";
            const std::string near = config::closest(v.Scalar(), pattern_names());
            if (!near.empty()) error += " (did you mean " + near + "?)";
            error += "; one of pairs, ring, incast, all_to_all, or a list like [a->b, c->b]";
            return false;
        }
        out = f;
        return true;
    }
    std::vector<YAML::Node> items;
    if (v.IsScalar()) items.push_back(v);  // one flow given without brackets
    else if (v.IsSequence()) for (const auto& x : v) items.push_back(x);
    if (items.empty()) {
        error = "must be a pattern (pairs, ring, incast, all_to_all) or a non-empty list like [a->b, c->b]";
        return false;
    }
    std::vector<Flow> f;
    for (const YAML::Node& x : items) {
        const std::string s = x.IsScalar() ? x.Scalar() : "";
        const size_t arrow = s.find("->");
        const std::string what = x.IsScalar() ? "\"" + s + "\"" : std::string("an entry that is not text");
        if (arrow == std::string::npos) {
            error = what + " is not a flow; write initiator->target, e.g. a->b";
            return false;
        }
        const int from = host_index(trim(s.substr(0, arrow)), hosts), to = host_index(trim(s.substr(arrow + 2)), hosts);
        if (from < 0 || to < 0) {
            error = what + " names a host the topology does not have (" + std::to_string(hosts) + " hosts: " +
                    host_range(hosts) + "; more with topology.hosts)";
            return false;
        }
        if (from == to) {
            error = what + " goes from a host to itself";
            return false;
        }
        for (const Flow& g : f)
            if (g == Flow{from, to}) {
                error = what + " is listed twice (use qps for more connections)";
                return false;
            }
        f.push_back({from, to});
    }
    out = f;
    return true;
}

std::string flow_name(const Flow& f) { return host_name(f.from) + "->" + host_name(f.to); }

std::string flows_summary(const std::vector<Flow>& f) {
    std::string s;
    for (const Flow& x : f) s += (s.empty() ? "" : ", ") + flow_name(x);
    return s;
}

std::string flows_label(const std::vector<Flow>& f) { return f == std::vector<Flow>{{0, 1}} ? "" : flows_summary(f); }

std::string flows_line(const std::vector<Flow>& f) {
    const std::string s = flows_label(f);
    return s.empty() ? "" : " Flows           : " + s + "\n";
}

}  // namespace nicsim::sim
