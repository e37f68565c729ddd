// StageCounters reconstructed from per-frame stage times (the NIC trace), for runs where the
// chain's own counters are not available. Frames, beats and busy time are exact (a stage pops
// one beat per cycle and a frame is beats_for(bytes, width) beats). FIFO occupancy is an
// estimate: the trace keeps only each frame's first and last times, so the beats in between
// are taken as evenly spaced; the estimate is exact when a frame streams without stalls.
//
//   beats of stage s are written between  s == 0 ? first_write : stage s-1's first_out
//                                     and s == 0 ? min(first_write + (B-1) * offer_interval,
//                                                      last_pop) : stage s-1's last_out
//   and popped between first_pop and last_pop of stage s; then each write is moved no earlier
//   than the write before it and than the pop `depth` beats earlier (a beat needs a free
//   slot), and no later than its own pop. So the estimate never exceeds the FIFO's depth.
// Occupancy counts beats written and not yet popped; at equal times pops count first (a pop
// frees its slot for a write at the same instant).
#pragma once

#include <utility>
#include <vector>

#include "nic/pipeline/stage_config.h"
#include "nic/pipeline/stage_counters.h"

namespace nicsim::sim::stats {

struct TracedFrame {
    uint64_t bytes = 0;                // bytes the chain carried (FCS-less frame)
    timing::Ps offer_interval = 0;     // the source's interval between beats
    const nic::FrameTiming* timing = nullptr;
};

// Throws std::invalid_argument if a frame's timing does not have one entry per stage.
std::vector<nic::StageCounters> counters_from_trace(const std::vector<nic::StageConfig>& stages,
                                                    const std::vector<TracedFrame>& frames);

// Every beat of stage s's input FIFO as estimated above, in order: when it was written and
// when it was popped. Throws like counters_from_trace.
struct BeatTimes {
    timing::Ps write = 0, pop = 0;
};
std::vector<BeatTimes> fifo_beats(const std::vector<nic::StageConfig>& stages, size_t s,
                                  const std::vector<TracedFrame>& frames);

// Stage s's FIFO occupancy in beats as a step function: (time, beats held from then on), one
// entry per instant the level changes (pops count first at equal times).
std::vector<std::pair<timing::Ps, uint64_t>> fifo_occupancy(const std::vector<nic::StageConfig>& stages, size_t s,
                                                            const std::vector<TracedFrame>& frames);

// Beat k of n spread evenly over [first, last] (rounded down).
inline timing::Ps spread(timing::Ps first, timing::Ps last, uint64_t k, uint64_t n) {
    return n <= 1 || last <= first ? first : first + timing::Ps((long double)(last - first) * k / (n - 1));
}

}  // namespace nicsim::sim::stats
