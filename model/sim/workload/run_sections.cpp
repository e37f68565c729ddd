#include "sim/workload/run_sections.h"

#include <algorithm>
#include <memory>
#include <random>
#include <set>

#include "sim/config/suggest.h"
#include "sim/workload/flows.h"

namespace nicsim::sim {

namespace {

using config::Diagnostic;
using config::Location;

std::string unknown(const std::string& key, const std::vector<std::string>& known) {
    std::string msg = "unknown key";
    const std::string near = config::closest(key, known);
    if (!near.empty()) msg += " (did you mean " + near + "?)";
    std::string list;
    for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
    return msg + "; known: " + list;
}

bool read_bool(const YAML::Node& n, bool& out) {
    if (!n.IsScalar() || n.Tag() == "!") return false;
    return YAML::convert<bool>::decode(n, out);
}

bool read_u64(const YAML::Node& n, uint64_t& out) {
    long long v = 0;
    if (!n.IsScalar() || n.Tag() == "!" || !YAML::convert<long long>::decode(n, v) || v < 0) return false;
    out = uint64_t(v);
    return true;
}

// Overrides of a section the runner does not accept from the command line.
void refuse_overrides(const config::Scenario& sc, const std::string& section, std::vector<Diagnostic>& d) {
    for (const auto& o : sc.section_overrides)
        if (o.section == section)
            d.push_back({{"--set", 0, 0}, section + "." + o.key, "cannot be set from the command line; edit the scenario"});
}

// The host whose TX link `link` names: "x_tx" for host x, or the two-host names a_to_b and
// b_to_a; -1 for anything else.
int transmitting_host(const std::string& link, int hosts) {
    if (link == "a_to_b") return 0;
    if (link == "b_to_a") return 1;
    const size_t n = link.size();
    if (n > 3 && link.compare(n - 3, 3, "_tx") == 0) return host_index(link.substr(0, n - 3), hosts);
    return -1;
}

}  // namespace

std::vector<Diagnostic> parse_outputs(const config::Scenario& sc, OutputsSpec& out) {
    std::vector<Diagnostic> d;
    static const std::vector<std::string> keys = {"pcap", "budget", "stats", "perfetto"};
    auto set = [&](const std::string& key, const YAML::Node& v, const Location& where) {
        bool b = false;
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) return d.push_back({where, "outputs." + key, unknown(key, keys)});
        if (!read_bool(v, b)) return d.push_back({where, "outputs." + key, "must be true or false"});
        (key == "pcap" ? out.pcap : key == "budget" ? out.budget : key == "stats" ? out.stats
                                                  : out.perfetto) = b;
    };
    auto it = sc.sections.find("outputs");
    if (it != sc.sections.end() && it->second.node.IsMap()) {
        const config::Section& s = it->second;
        for (const auto& kv : s.node) set(kv.first.Scalar(), kv.second, config::section_location(s, kv.first));
    }
    for (const auto& o : sc.section_overrides) {
        if (o.section != "outputs") continue;
        YAML::Node v;
        try {
            v = YAML::Load(o.value);
        } catch (const YAML::Exception&) {
            d.push_back({{"--set", 0, 0}, "outputs." + o.key, "the value is not valid YAML"});
            continue;
        }
        set(o.key, v, {"--set", 0, 0});
    }
    return d;
}

std::vector<Diagnostic> parse_faults(const config::Scenario& sc, std::vector<LinkFault>& out) {
    std::vector<Diagnostic> d;
    refuse_overrides(sc, "faults", d);
    auto it = sc.sections.find("faults");
    if (it == sc.sections.end() || !it->second.node.IsSequence()) return d;
    const config::Section& s = it->second;
    static const std::vector<std::string> keys = {"link", "drop_frames", "drop_probability", "from_frame"};
    const int hosts = topology_hosts(sc);
    for (size_t i = 0; i < s.node.size(); ++i) {
        const YAML::Node e = s.node[i];
        const std::string path = "faults." + std::to_string(i);
        auto bad = [&](const YAML::Node& n, const std::string& key, const std::string& msg) {
            d.push_back({config::section_location(s, n), path + (key.empty() ? "" : "." + key), msg});
        };
        if (!e.IsMap()) {
            bad(e, "", "must be a map, e.g. {link: a_to_b, drop_frames: [5]}");
            continue;
        }
        LinkFault f;
        bool has_link = false, has_drop = false;
        for (const auto& kv : e) {
            const std::string key = kv.first.Scalar();
            const YAML::Node v = kv.second;
            if (key == "link") {
                has_link = true;
                f.from_host = transmitting_host(v.IsScalar() ? v.Scalar() : "", hosts);
                if (f.from_host < 0)
                    bad(v, key, "must be a_to_b, b_to_a or x_tx for a host x of the topology (a.." + host_name(hosts - 1) + ")");
            } else if (key == "drop_frames") {
                has_drop = true;
                if (!v.IsSequence()) {
                    bad(v, key, "must be a list of frame indices (0 = the link's first frame)");
                    continue;
                }
                for (const auto& x : v) {
                    uint64_t n = 0;
                    if (read_u64(x, n)) f.drop_frames.push_back(n);
                    else bad(x, key, "frame indices are integers >= 0");
                }
            } else if (key == "drop_probability") {
                has_drop = true;
                double p = -1;
                if (!v.IsScalar() || v.Tag() == "!" || !YAML::convert<double>::decode(v, p) || !(p >= 0 && p <= 1))
                    bad(v, key, "must be a number in 0..1");
                else f.drop_probability = p;
            } else if (key == "from_frame") {
                if (!read_u64(v, f.from_frame)) bad(v, key, "must be an integer >= 0");
            } else {
                bad(kv.first, key, unknown(key, keys));
            }
        }
        if (!has_link) bad(e, "link", "missing (a_to_b, b_to_a or x_tx)");
        if (!has_drop) bad(e, "", "needs drop_frames and/or drop_probability");
        out.push_back(f);
    }
    if (!d.empty()) out.clear();
    return d;
}

namespace {

// topology.hosts from the file, then from `--set topology.hosts=N`; problems into `d`.
int read_topology(const config::Scenario& sc, std::vector<Diagnostic>& d) {
    int hosts = 2;
    auto take = [&](const YAML::Node& v, const Location& at) {
        uint64_t n = 0;
        if (!read_u64(v, n) || n < 2 || n > uint64_t(kMaxHosts))
            return d.push_back({at, "topology.hosts",
                                "must be an integer in 2.." + std::to_string(kMaxHosts) + ", got " +
                                    (v.IsScalar() ? v.Scalar() : std::string("not a number"))});
        hosts = int(n);
        if (n > 2 && !sc.config.get_bool("net.switch.enabled"))
            d.push_back({at, "topology.hosts",
                         std::to_string(n) + " hosts need the switch: set net.switch.enabled: true "
                                             "(only two hosts can be back to back)"});
    };
    auto it = sc.sections.find("topology");
    if (it != sc.sections.end() && it->second.node.IsMap()) {
        const config::Section& s = it->second;
        for (const auto& kv : s.node) {
            const std::string key = kv.first.Scalar();
            if (key == "hosts") take(kv.second, config::section_location(s, kv.second));
            else
                d.push_back({config::section_location(s, kv.first), "topology." + key,
                             unknown(key, {"hosts"}) + " (the switch between the hosts: net.switch.*)"});
        }
    }
    for (const auto& o : sc.section_overrides) {
        if (o.section != "topology") continue;
        const Location cli{"--set", 0, 0};
        if (o.key != "hosts") {
            d.push_back({cli, "topology." + o.key, unknown(o.key, {"hosts"})});
            continue;
        }
        try {
            take(YAML::Load(o.value), cli);
        } catch (const YAML::Exception&) {
            d.push_back({cli, "topology.hosts", "the value is not valid YAML"});
        }
    }
    return hosts;
}

}  // namespace

int topology_hosts(const config::Scenario& sc) {
    std::vector<Diagnostic> ignored;  // parse_topology reports them; a bad value is not taken
    return read_topology(sc, ignored);
}

std::vector<Diagnostic> parse_topology(const config::Scenario& sc) {
    std::vector<Diagnostic> d;
    read_topology(sc, d);
    return d;
}

void install_faults(Testbed& sys, const std::vector<LinkFault>& faults, uint64_t seed) {
    for (int host = 0; host < sys.host_count(); ++host) {
        std::vector<LinkFault> mine;
        for (const LinkFault& f : faults)
            if (f.from_host == host) mine.push_back(f);
        if (mine.empty()) continue;
        struct State {
            std::vector<LinkFault> faults;
            std::set<uint64_t> frames;
            std::mt19937_64 rng;
            uint64_t index = 0;
        };
        auto st = std::make_shared<State>();
        st->faults = mine;
        for (const LinkFault& f : mine) st->frames.insert(f.drop_frames.begin(), f.drop_frames.end());
        st->rng.seed(seed * 2 + uint64_t(host));
        sys.link_from(host).set_drop_filter([st](const net::EthFrame&) {
            const uint64_t i = st->index++;
            bool drop = st->frames.count(i) > 0;
            for (const LinkFault& f : st->faults) {
                if (f.drop_probability <= 0 || i < f.from_frame) continue;
                // Draw for every frame in range, so a frame's fate does not depend on the others'.
                if (std::uniform_real_distribution<double>(0, 1)(st->rng) < f.drop_probability) drop = true;
            }
            return drop;
        });
    }
}

}  // namespace nicsim::sim
