#include "nic/pipeline/pipeline_timing.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace nicsim::nic {

using timing::Ps;

namespace {

constexpr Ps kUnknown = std::numeric_limits<Ps>::max();

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
            while (next_pop[s] < end && try_pop(s, f, next_pop[s])) {
                ++next_pop[s];
                progress = true;
            }
            done = done && next_pop[s] == end;
        }
        if (done) break;
        if (!progress) throw std::logic_error("pipeline timing: no beat can advance (deadlock)");
    }
    return layout_.frame_timing(f, write_, pop_);
}

bool PipelineTimingEngine::try_pop(size_t s, size_t f, uint64_t n) {
    const StageConfig& c = layout_.stage(s);
    const timing::ClockDomain& clk = c.clock;
    if (write_[s][n] == kUnknown) return false;
    Ps t = clk.edge_after(write_[s][n]);                       // visible the edge after its write
    if (n > 0 && pop_[s][n - 1] != kUnknown) t = std::max(t, pop_[s][n - 1] + clk.period());  // 1 beat/cycle

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
        uint64_t high = layout_.downstream_high(s, f, n);
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
        while (m < layout_.total_beats(s + 1) && layout_.upstream_last(s, f, m) == n) write_[s + 1][m++] = out;
    }
    return true;
}

}  // namespace nicsim::nic
