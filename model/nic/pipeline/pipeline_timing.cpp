#include "nic/pipeline/pipeline_timing.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace nicsim::nic {

using timing::Ps;

namespace {

constexpr Ps kUnknown = std::numeric_limits<Ps>::max();

FrameTiming collect(const PipelineLayout& layout, size_t f, const std::vector<std::vector<Ps>>& write,
                    const std::vector<std::vector<Ps>>& pop) {
    FrameTiming ft;
    ft.first_write = write[0][layout.first_beat(0, f)];
    for (size_t s = 0; s < layout.stage_count(); ++s) {
        const StageConfig& c = layout.stage(s);
        uint64_t first = layout.first_beat(s, f), last = first + layout.beat_count(s, f) - 1;
        Ps lat = c.clock.cycles(c.latency_cycles);
        ft.stages.push_back({pop[s][first], pop[s][last], pop[s][first] + lat, pop[s][last] + lat});
    }
    return ft;
}

}  // namespace

PipelineTimingEngine::PipelineTimingEngine(std::vector<StageConfig> stages)
    : layout_(std::move(stages)),
      write_(layout_.stage_count()),
      pop_(layout_.stage_count()),
      next_write_(layout_.stage_count(), 0) {}

FrameTiming PipelineTimingEngine::add(const OfferedFrame& frame) {
    layout_.add_frame(frame.bytes);
    const size_t f = layout_.frame_count() - 1;
    const size_t stages = layout_.stage_count();
    for (size_t s = 0; s < stages; ++s) {
        write_[s].resize(layout_.total_beats(s), kUnknown);
        pop_[s].resize(layout_.total_beats(s), kUnknown);
    }
    // The source writes beat k once it is offered, its FIFO slot is free and the beats
    // before it are written.
    const uint64_t depth0 = layout_.stage(0).fifo_depth_beats;
    std::vector<uint64_t> next_pop(stages);
    for (size_t s = 0; s < stages; ++s) next_pop[s] = layout_.first_beat(s, f);

    // Beats depend on earlier beats of their own stage, on beats of the stage above (data) and
    // on earlier beats of the stage below (credits); sweeping until no beat can advance visits
    // each beat once, in an order that respects all three.
    for (;;) {
        bool progress = false;
        while (next_write_[0] < layout_.total_beats(0)) {
            uint64_t n = next_write_[0];
            Ps slot = n >= depth0 ? pop_[0][n - depth0] : 0;
            if (slot == kUnknown) break;
            uint64_t k = n - layout_.first_beat(0, f);
            Ps in_order = n > 0 ? write_[0][n - 1] : 0;  // a frame offered early queues behind
            write_[0][n] = std::max({frame.first_offer + k * frame.offer_interval, slot, in_order});
            ++next_write_[0];
            progress = true;
        }
        bool done = true;
        for (size_t s = 0; s < stages; ++s) {
            uint64_t end = layout_.first_beat(s, f) + layout_.beat_count(s, f);
            while (next_pop[s] < end && try_pop(s, next_pop[s])) {
                ++next_pop[s];
                progress = true;
            }
            done = done && next_pop[s] == end;
        }
        if (done) break;
        if (!progress) throw std::logic_error("pipeline timing: no beat can advance (deadlock)");
    }
    return collect(layout_, f, write_, pop_);
}

bool PipelineTimingEngine::try_pop(size_t s, uint64_t n) {
    const StageConfig& c = layout_.stage(s);
    const timing::ClockDomain& clk = c.clock;
    if (write_[s][n] == kUnknown) return false;
    Ps t = clk.edge_after(write_[s][n]);                       // visible the edge after its write
    if (n > 0 && pop_[s][n - 1] != kUnknown) t = std::max(t, pop_[s][n - 1] + clk.period());  // 1 beat/cycle

    size_t f = layout_.frame_of(s, n);
    uint64_t first = layout_.first_beat(s, f);
    if (n == first) {
        if (c.cut_through) {
            uint64_t h = first + layout_.header_beats(s, f) - 1;
            if (write_[s][h] == kUnknown) return false;
            t = std::max(t, clk.edge_after(write_[s][h]));
        } else {
            // Store-and-forward: the frame-complete flag is registered, one cycle after the
            // last beat is visible.
            uint64_t last = first + layout_.beat_count(s, f) - 1;
            if (write_[s][last] == kUnknown) return false;
            t = std::max(t, clk.edge_after(write_[s][last]) + clk.period());
        }
    }
    const bool has_next = s + 1 < layout_.stage_count();
    if (has_next) {  // credit: the downstream FIFO must have room for what this beat writes
        uint64_t high = layout_.downstream_high(s, n);
        uint64_t depth = layout_.stage(s + 1).fifo_depth_beats;
        if (high >= depth) {
            Ps freed = pop_[s + 1][high - depth];
            if (freed == kUnknown) return false;
            t = std::max(t, clk.edge_after(freed));
        }
    }
    pop_[s][n] = t;
    if (has_next) {
        Ps out = t + clk.cycles(c.latency_cycles);
        uint64_t& m = next_write_[s + 1];
        while (m < layout_.total_beats(s + 1) && layout_.upstream_last(s, m) == n) write_[s + 1][m++] = out;
    }
    return true;
}

std::vector<FrameTiming> simulate_reference(const std::vector<StageConfig>& stages,
                                            const std::vector<OfferedFrame>& frames,
                                            std::vector<uint64_t>* max_occupancy) {
    PipelineLayout layout(stages);
    std::vector<Ps> offer;
    for (const OfferedFrame& fr : frames) {
        layout.add_frame(fr.bytes);
        size_t f = layout.frame_count() - 1;
        for (uint64_t k = 0; k < layout.beat_count(0, f); ++k) offer.push_back(fr.first_offer + k * fr.offer_interval);
    }
    const size_t S = layout.stage_count();
    std::vector<std::vector<Ps>> write(S), pop(S);
    for (size_t s = 0; s < S; ++s) {
        write[s].assign(layout.total_beats(s), kUnknown);
        pop[s].assign(layout.total_beats(s), kUnknown);
    }
    std::vector<uint64_t> popped(S, 0), written(S, 0), occupancy_peak(S, 0);
    std::vector<Ps> next_edge(S, 0);
    uint64_t src = 0;
    const uint64_t depth0 = layout.stage(0).fifo_depth_beats;
    // "Written before t" means a write time strictly below t: a beat written on an edge is
    // seen by the reader on its next edge, whatever the two clocks are.
    auto before = [](Ps when, Ps t) { return when != kUnknown && when < t; };

    Ps last_t = 0;
    bool first_step = true;
    const uint64_t guard_steps = 200'000'000;
    for (uint64_t step = 0; popped[S - 1] < layout.total_beats(S - 1); ++step) {
        if (step > guard_steps) throw std::logic_error("pipeline reference: no progress (deadlock)");
        Ps t = *std::min_element(next_edge.begin(), next_edge.end());
        if (src < offer.size() && (first_step || offer[src] > last_t)) t = std::min(t, offer[src]);
        first_step = false;
        last_t = t;

        // Phase 1: every stage with an edge now pops at most one beat, judging by what was
        // written or popped strictly before now (so simultaneous edges commute).
        for (size_t s = 0; s < S; ++s) {
            if (next_edge[s] != t) continue;
            const StageConfig& c = layout.stage(s);
            next_edge[s] += c.clock.period();
            uint64_t n = popped[s];
            if (n >= layout.total_beats(s) || !before(write[s][n], t)) continue;
            size_t f = layout.frame_of(s, n);
            uint64_t first = layout.first_beat(s, f);
            if (n == first) {
                if (c.cut_through && !before(write[s][first + layout.header_beats(s, f) - 1], t)) continue;
                if (!c.cut_through) {
                    Ps last_w = write[s][first + layout.beat_count(s, f) - 1];
                    if (!before(last_w, t) || !(last_w < t - c.clock.period())) continue;
                }
            }
            if (s + 1 < S) {
                uint64_t high = layout.downstream_high(s, n);
                uint64_t depth = layout.stage(s + 1).fifo_depth_beats;
                if (high >= depth && !before(pop[s + 1][high - depth], t)) continue;
                Ps out = t + c.clock.cycles(c.latency_cycles);
                for (uint64_t& m = written[s + 1]; m < layout.total_beats(s + 1) && layout.upstream_last(s, m) == n; ++m)
                    write[s + 1][m] = out;
            }
            pop[s][n] = t;
            ++popped[s];
        }
        // Phase 2: the source fills stage 0's FIFO with what is offered by now, into slots
        // freed up to and including now.
        while (src < offer.size() && offer[src] <= t && (src < depth0 || (pop[0][src - depth0] != kUnknown && pop[0][src - depth0] <= t)))
            write[0][src++] = t;
        // Occupancy, for the caller's sanity checks: written (visible or in flight) minus popped.
        for (size_t s = 0; s < S; ++s) {
            uint64_t w = s == 0 ? src : written[s];
            occupancy_peak[s] = std::max(occupancy_peak[s], w - popped[s]);
        }
    }
    if (max_occupancy) *max_occupancy = occupancy_peak;
    std::vector<FrameTiming> out;
    for (size_t f = 0; f < layout.frame_count(); ++f) out.push_back(collect(layout, f, write, pop));
    return out;
}

}  // namespace nicsim::nic
