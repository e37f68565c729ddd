#include "sim/stats/trace_stage_counters.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace nicsim::sim::stats {

using timing::Ps;

std::vector<nic::StageCounters> counters_from_trace(const std::vector<nic::StageConfig>& stages,
                                                    const std::vector<TracedFrame>& frames) {
    std::vector<nic::StageCounters> out(stages.size());
    for (size_t s = 0; s < stages.size(); ++s) {
        nic::StageCounters& c = out[s];
        std::vector<Ps> w, p;  // estimated write and pop time of every beat, frames in order
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
            for (uint64_t k = 0; k < n; ++k) {
                w.push_back(spread(w0, w1, k, n));
                p.push_back(spread(st.first_pop, st.last_pop, k, n));
            }
        }
        c.busy = Ps(c.beats) * stages[s].clock.period();
        // What the estimate must respect: beats are written in order, a beat can only be
        // written once the pop `depth` beats earlier has freed its slot, and before its own pop.
        const size_t depth = stages[s].fifo_depth_beats;
        std::vector<std::pair<Ps, int>> events;  // (time, +1 write / -1 pop); pops sort first
        events.reserve(2 * w.size());
        for (size_t g = 0; g < w.size(); ++g) {
            if (g > 0) w[g] = std::max(w[g], w[g - 1]);
            if (g >= depth) w[g] = std::max(w[g], p[g - depth]);
            w[g] = std::min(w[g], p[g]);
            c.occupancy_area += static_cast<long double>(p[g] - w[g]);
            events.emplace_back(w[g], +1);
            events.emplace_back(p[g], -1);
        }
        std::sort(events.begin(), events.end());
        int64_t level = 0;
        for (const auto& e : events) {
            level += e.second;
            c.max_occupancy = std::max<uint32_t>(c.max_occupancy, uint32_t(std::max<int64_t>(level, 0)));
        }
    }
    return out;
}

}  // namespace nicsim::sim::stats
