#include "sim/stats/stage_stats.h"

#include <algorithm>
#include <stdexcept>

namespace nicsim::sim::stats {

using timing::Ps;

timing::Ps observed_interval(const std::vector<nic::StageConfig>& stages,
                             const std::vector<nic::StageCounters>& counters, Ps elapsed) {
    if (stages.size() != counters.size())
        throw std::invalid_argument("stage stats: " + std::to_string(counters.size()) + " counters for " +
                                    std::to_string(stages.size()) + " stages");
    Ps end = elapsed;
    for (size_t s = 0; s < stages.size(); ++s)
        if (counters[s].beats) end = std::max(end, counters[s].last_pop + stages[s].clock.period());
    return end;
}

double stage_utilisation(const nic::StageCounters& c, Ps interval) {
    return interval ? std::min(1.0, double(c.busy) / double(interval)) : 0.0;
}

double stage_mean_occupancy(const nic::StageCounters& c, Ps interval) {
    return interval ? double(c.occupancy_area / static_cast<long double>(interval)) : 0.0;
}

void add_stage_stats(StatsRegistry& reg, const std::string& prefix, const std::vector<nic::StageConfig>& stages,
                     const std::vector<nic::StageCounters>& counters, Ps elapsed) {
    const Ps interval = observed_interval(stages, counters, elapsed);
    for (size_t s = 0; s < stages.size(); ++s) {
        const nic::StageCounters& c = counters[s];
        const std::string n = prefix + "." + stages[s].name + ".";
        const uint32_t depth = stages[s].fifo_depth_beats;
        reg.counter(n + "frames", c.frames, "frames");
        reg.counter(n + "beats", c.beats, "beats");
        reg.gauge(n + "busy_ns", double(c.busy) / 1000.0, "ns");
        reg.gauge(n + "utilisation", stage_utilisation(c, interval), "ratio");
        reg.counter(n + "fifo_depth_beats", depth, "beats");
        reg.counter(n + "max_occupancy_beats", c.max_occupancy, "beats");
        reg.gauge(n + "max_occupancy_fraction", depth ? double(c.max_occupancy) / double(depth) : 0.0, "ratio");
        reg.gauge(n + "mean_occupancy_beats", stage_mean_occupancy(c, interval), "beats");
    }
}

}  // namespace nicsim::sim::stats
