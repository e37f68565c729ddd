// What a timing chain counts per stage while frames pass (stats.json / stats.csv): how many
// frames and beats it popped, how busy it was, and how full its input FIFO got. Both engines
// must produce the same counters for the same frames.
#pragma once

#include <cstdint>

#include "timing/sim_time.h"

namespace nicsim::nic {

struct StageCounters {
    uint64_t frames = 0;              // frames whose last beat the stage popped
    uint64_t beats = 0;               // beats popped
    timing::Ps busy = 0;              // beats * the stage's clock period (one pop per cycle)
    uint32_t max_occupancy = 0;       // most beats ever held in the input FIFO (written, not popped)
    long double occupancy_area = 0;   // integral of FIFO occupancy over time, in beat-picoseconds
    timing::Ps last_pop = 0;          // time of the last pop (end of the observed interval)
};

}  // namespace nicsim::nic
