// Which hosts a workload runs between. A flow is one initiator and one target host: the
// initiator posts the work requests (Writes into, Reads from, Sends to the target). In a
// scenario, `flows:` is a list of "x->y" (host names a, b, c, ...) or one of the patterns
//
//   pairs       a->b, c->d, e->f, ...   (an odd last host sits out)
//   ring        a->b, b->c, ..., last->a
//   incast      every other host -> a   (many senders, one receiver port)
//   all_to_all  every ordered pair
//
// resolved against the topology's host count. The default is a->b.
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace nicsim::sim {

struct Flow {
    int from = 0;
    int to = 1;
    bool operator==(const Flow& o) const { return from == o.from && to == o.to; }
};

// The hosts `name` stands for ("a" -> 0, ...); -1 when it names none of `hosts`.
int host_index(const std::string& name, int hosts);

// Reads a flows value: a pattern name or a non-empty list of "x->y". On a problem returns
// false with `error` set (naming the bad entry and what is allowed); `out` is then untouched.
bool parse_flows(const YAML::Node& v, int hosts, std::vector<Flow>& out, std::string& error);

std::string flow_name(const Flow& f);                   // "a->b"
std::string flows_summary(const std::vector<Flow>& f);  // "a->b, c->b"
// The flows as a results banner names them: "" for the two-host default a->b (so a two-host
// table reads exactly like perftest's), else flows_summary().
std::string flows_label(const std::vector<Flow>& f);
// " Flows           : c->b, d->b\n" for a results banner; "" when flows_label() is.
std::string flows_line(const std::vector<Flow>& f);

}  // namespace nicsim::sim
