// Per-stage utilisation and FIFO occupancy of a timing chain, from its StageCounters
// (nic/pipeline/stage_counters.h) and stage configurations, as named stats:
//
//   <prefix>.<stage>.frames             counter  frames whose last beat the stage popped
//   <prefix>.<stage>.beats              counter  beats popped
//   <prefix>.<stage>.busy_ns            gauge    beats * clock period
//   <prefix>.<stage>.utilisation        gauge    busy / observed interval, in [0, 1]
//   <prefix>.<stage>.fifo_depth_beats   counter  configured input FIFO depth
//   <prefix>.<stage>.max_occupancy_beats counter most beats held in the input FIFO
//   <prefix>.<stage>.max_occupancy_fraction gauge that over the depth, in [0, 1]
//   <prefix>.<stage>.mean_occupancy_beats   gauge occupancy integral / observed interval
//
// The observed interval is [0, elapsed], stretched to the last pop's cycle if a counter runs
// past `elapsed` (the fast engine knows a frame's future pops when it is added), so a stage
// that pops once per cycle can never exceed utilisation 1.
#pragma once

#include <string>
#include <vector>

#include "nic/pipeline/stage_config.h"
#include "nic/pipeline/stage_counters.h"
#include "sim/stats/stats_registry.h"

namespace nicsim::sim::stats {

// The end of the observed interval for these counters (see above).
timing::Ps observed_interval(const std::vector<nic::StageConfig>& stages,
                             const std::vector<nic::StageCounters>& counters, timing::Ps elapsed);

double stage_utilisation(const nic::StageCounters& c, timing::Ps interval);       // busy / interval
double stage_mean_occupancy(const nic::StageCounters& c, timing::Ps interval);    // beats

// Adds the stats above for every stage. Throws std::invalid_argument if the two vectors
// differ in size.
void add_stage_stats(StatsRegistry& reg, const std::string& prefix, const std::vector<nic::StageConfig>& stages,
                     const std::vector<nic::StageCounters>& counters, timing::Ps elapsed);

}  // namespace nicsim::sim::stats
