#include "sim/stats/trace_stage_counters.h"

#include <algorithm>
#include <stdexcept>
#include <deque>
#include <utility>

namespace nicsim::sim::stats {

using timing::Ps;

std::vector<nic::StageCounters> counters_from_trace(const std::vector<nic::StageConfig>& stages,
                                                    const std::vector<TracedFrame>& frames) {
    std::vector<nic::StageCounters> out(stages.size());
    for (size_t s = 0; s < stages.size(); ++s) {
        nic::StageCounters& c = out[s];
        const size_t depth = stages[s].fifo_depth_beats;
        // Streaming: beats come in order with non-decreasing write and pop times, so the
        // occupancy right after write g is g + 1 minus the pops at or before it (a pop at the
        // same instant frees its slot first). `pending` holds the pops not yet passed.
        std::deque<Ps> pending;
        std::deque<Ps> recent_pops;  // the last `depth` pops: a write needs the slot one frees
        Ps last_write = 0;
        uint64_t g = 0, popped = 0;
        for (const TracedFrame& f : frames) {
            if (!f.timing || f.timing->stages.size() != stages.size())
                throw std::invalid_argument("trace stage counters: a frame's timing has the wrong number of stages");
            const nic::StageTiming& st = f.timing->stages[s];
            const uint64_t n = nic::beats_for(f.bytes, stages[s].width_bytes);
            Ps w0, w1;
            if (s == 0) {
                w0 = f.timing->first_write;
                w1 = std::max(w0, std::min(w0 + Ps(n - 1) * f.offer_interval, st.last_pop));
            } else {
                w0 = f.timing->stages[s - 1].first_out;
                w1 = f.timing->stages[s - 1].last_out;
            }
            ++c.frames;
            c.beats += n;
            c.last_pop = std::max(c.last_pop, st.last_pop);
            for (uint64_t k = 0; k < n; ++k, ++g) {
                const Ps p = spread(st.first_pop, st.last_pop, k, n);
                // What the estimate must respect: beats are written in order, once the pop
                // `depth` beats earlier has freed a slot, and before their own pop.
                Ps w = std::max(spread(w0, w1, k, n), last_write);
                if (recent_pops.size() == depth) w = std::max(w, recent_pops.front());
                w = std::min(w, p);
                last_write = w;
                c.occupancy_area += static_cast<long double>(p - w);
                while (!pending.empty() && pending.front() <= w) {
                    pending.pop_front();
                    ++popped;
                }
                pending.push_back(p);
                c.max_occupancy = std::max<uint32_t>(c.max_occupancy, uint32_t(g + 1 - popped));
                recent_pops.push_back(p);
                if (recent_pops.size() > depth) recent_pops.pop_front();
            }
        }
        c.busy = Ps(c.beats) * stages[s].clock.period();
    }
    return out;
}

}  // namespace nicsim::sim::stats
