#include "sim/stats/trace_stage_counters.h"

#include <algorithm>
#include <stdexcept>
#include <deque>
#include <utility>

namespace nicsim::sim::stats {

using timing::Ps;

std::vector<BeatTimes> fifo_beats(const std::vector<nic::StageConfig>& stages, size_t s,
                                  const std::vector<TracedFrame>& frames) {
    std::vector<BeatTimes> out;
    const size_t depth = stages.at(s).fifo_depth_beats;
    std::deque<Ps> recent_pops;  // the last `depth` pops: a write needs the slot one frees
    Ps last_write = 0;
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
        for (uint64_t k = 0; k < n; ++k) {
            const Ps p = spread(st.first_pop, st.last_pop, k, n);
            // What the estimate must respect: beats are written in order, once the pop
            // `depth` beats earlier has freed a slot, and before their own pop.
            Ps w = std::max(spread(w0, w1, k, n), last_write);
            if (recent_pops.size() == depth) w = std::max(w, recent_pops.front());
            w = std::min(w, p);
            last_write = w;
            out.push_back({w, p});
            recent_pops.push_back(p);
            if (recent_pops.size() > depth) recent_pops.pop_front();
        }
    }
    return out;
}

std::vector<nic::StageCounters> counters_from_trace(const std::vector<nic::StageConfig>& stages,
                                                    const std::vector<TracedFrame>& frames) {
    std::vector<nic::StageCounters> out(stages.size());
    for (size_t s = 0; s < stages.size(); ++s) {
        nic::StageCounters& c = out[s];
        // Streaming: beats come in order with non-decreasing write and pop times, so the
        // occupancy right after write g is g + 1 minus the pops at or before it (a pop at the
        // same instant frees its slot first). `pending` holds the pops not yet passed.
        std::deque<Ps> pending;
        uint64_t g = 0, popped = 0;
        for (const BeatTimes& b : fifo_beats(stages, s, frames)) {
            c.occupancy_area += static_cast<long double>(b.pop - b.write);
            while (!pending.empty() && pending.front() <= b.write) {
                pending.pop_front();
                ++popped;
            }
            pending.push_back(b.pop);
            c.max_occupancy = std::max<uint32_t>(c.max_occupancy, uint32_t(++g - popped));
        }
        for (const TracedFrame& f : frames) {
            ++c.frames;
            c.beats += nic::beats_for(f.bytes, stages[s].width_bytes);
            c.last_pop = std::max(c.last_pop, f.timing->stages[s].last_pop);
        }
        c.busy = Ps(c.beats) * stages[s].clock.period();
    }
    return out;
}

std::vector<std::pair<Ps, uint64_t>> fifo_occupancy(const std::vector<nic::StageConfig>& stages, size_t s,
                                                    const std::vector<TracedFrame>& frames) {
    std::vector<std::pair<Ps, int>> deltas;  // -1 sorts before +1 at one instant: pops first
    for (const BeatTimes& b : fifo_beats(stages, s, frames)) {
        deltas.emplace_back(b.write, +1);
        deltas.emplace_back(b.pop, -1);
    }
    std::sort(deltas.begin(), deltas.end());
    std::vector<std::pair<Ps, uint64_t>> out;
    int64_t level = 0;
    for (size_t i = 0; i < deltas.size(); ++i) {
        level += deltas[i].second;
        if (i + 1 < deltas.size() && deltas[i + 1].first == deltas[i].first) continue;
        if (out.empty() || out.back().second != uint64_t(level)) out.emplace_back(deltas[i].first, uint64_t(level));
    }
    return out;
}

}  // namespace nicsim::sim::stats
