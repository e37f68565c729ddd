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
      cur_(layout_.stage_count()),
      counters_(layout_.stage_count()),
      area_(layout_.stage_count(), 0),
      occupancy_cursor_(layout_.stage_count(), 0) {
    for (size_t s = 0; s < layout_.stage_count(); ++s) {
        const StageConfig& c = layout_.stage(s);
        rules_.push_back({c.clock, c.clock.period(), c.clock.cycles(c.latency_cycles), c.width_bytes,
                          c.fifo_depth_beats, c.cut_through});
    }
}

FrameTiming PipelineTimingEngine::add(const OfferedFrame& frame) {
    layout_.add_frame(frame.bytes);
    const size_t f = layout_.frame_count() - 1;
    const size_t stages = layout_.stage_count();
    const uint64_t bytes = frame.bytes;
    for (size_t s = 0; s < stages; ++s) {
        write_[s].extend_to(layout_.total_beats(s), kUnknown);
        pop_[s].extend_to(layout_.total_beats(s), kUnknown);
        StageCursor& c = cur_[s];
        c.first = c.next = layout_.first_beat(s, f);
        c.end = c.first + layout_.beat_count(s, f);
        c.gate = rules_[s].cut_through ? c.first + layout_.header_beats(s, f) - 1 : c.end - 1;
        c.bytes_out = std::min<uint64_t>(rules_[s].width, bytes);
        c.high = 0;
        c.down_written = 0;
    }
    // The source writes beat k once it is offered, its FIFO slot is free and the beats
    // before it are written.
    const uint64_t depth0 = rules_[0].depth;
    const uint64_t first0 = cur_[0].first, end0 = cur_[0].end;

    // Beats depend on earlier beats of their own stage, on beats of the stage above (data) and
    // on earlier beats of the stage below (credits); sweeping until no beat can advance visits
    // each beat once, in an order that respects all three.
    for (;;) {
        bool progress = false;
        while (source_next_ < end0) {
            const uint64_t n = source_next_;
            const Ps slot = n >= depth0 ? pop_[0][n - depth0] : 0;
            if (slot == kUnknown) break;
            const Ps in_order = n > 0 ? write_[0][n - 1] : 0;  // a frame offered early queues behind
            write_[0][n] = std::max({frame.first_offer + (n - first0) * frame.offer_interval, slot, in_order});
            ++source_next_;
            progress = true;
        }
        bool done = true;
        for (size_t s = 0; s < stages; ++s) {
            StageCursor& c = cur_[s];
            while (c.next < c.end && try_pop(s, bytes)) progress = true;
            done = done && c.next == c.end;
        }
        if (done) break;
        if (!progress) throw std::logic_error("pipeline timing: no beat can advance (deadlock)");
    }
    FrameTiming ft = layout_.frame_timing(f, write_, pop_);
    count(f);

    // The next frame reads, at each stage, only the last beat before it (one beat per cycle),
    // the beats whose pops free the slots it needs (up to a FIFO depth back), and its own.
    for (size_t s = 0; s < stages; ++s) {
        const uint64_t total = layout_.total_beats(s), keep = rules_[s].depth + 1;
        write_[s].forget_before(total > keep ? total - keep : 0);
        pop_[s].forget_before(total > keep ? total - keep : 0);
    }
    layout_.forget_frames_before(f);
    return ft;
}

bool PipelineTimingEngine::try_pop(size_t s, uint64_t frame_bytes) {
    StageCursor& c = cur_[s];
    const StageRules& r = rules_[s];
    const uint64_t n = c.next;
    const Ps w = write_[s][n];
    if (w == kUnknown) return false;
    Ps t = r.clock.edge_after(w);                          // visible the edge after its write
    if (n > 0) t = std::max(t, pop_[s][n - 1] + r.period);  // 1 beat/cycle (the beat before is placed)

    if (n == c.first) {
        // Cut-through: the header beats visible. Store-and-forward: the frame-complete flag is
        // registered, one cycle after the last beat is visible.
        const Ps g = write_[s][c.gate];
        if (g == kUnknown) return false;
        t = std::max(t, r.clock.edge_after(g) + (r.cut_through ? 0 : r.period));
    }
    const bool has_next = s + 1 < cur_.size();
    if (has_next) {  // credit: the downstream FIFO must have room for what this beat writes
        StageCursor& d = cur_[s + 1];
        const StageRules& dr = rules_[s + 1];
        while ((c.high + 1) * dr.width < c.bytes_out) ++c.high;  // downstream beat of our last byte
        const uint64_t high = d.first + c.high;
        if (high >= dr.depth) {
            const Ps freed = pop_[s + 1][high - dr.depth];
            if (freed == kUnknown) return false;
            t = std::max(t, r.clock.edge_after(freed));
        }
        // The downstream beats whose last byte this beat carries are written when it leaves.
        const Ps out = t + r.latency;
        const uint64_t down_beats = d.end - d.first;
        while (c.down_written < down_beats &&
               std::min<uint64_t>((c.down_written + 1) * dr.width, frame_bytes) <= c.bytes_out)
            write_[s + 1][d.first + c.down_written++] = out;
    }
    pop_[s][n] = t;
    ++c.next;
    c.bytes_out = std::min<uint64_t>(c.bytes_out + r.width, frame_bytes);
    return true;
}

// A beat occupies its stage's FIFO from its write to its pop: the occupancy integral is the
// sum of those intervals, and the occupancy peaks just after a write.
void PipelineTimingEngine::count(size_t f) {
    for (size_t s = 0; s < cur_.size(); ++s) {
        StageCounters& k = counters_[s];
        const uint64_t first = layout_.first_beat(s, f), end = first + layout_.beat_count(s, f);
        ++k.frames;
        k.beats += end - first;
        k.busy += (end - first) * rules_[s].period;
        k.last_pop = pop_[s][end - 1];
        uint64_t& q = occupancy_cursor_[s];
        for (uint64_t n = first; n < end; ++n) {
            const Ps w = write_[s][n];
            area_[s] += pop_[s][n] - w;
            while (pop_[s][q] <= w) ++q;  // stops at n at the latest: a beat pops after its write
            k.max_occupancy = std::max<uint32_t>(k.max_occupancy, uint32_t(n + 1 - q));
        }
    }
}

std::vector<StageCounters> PipelineTimingEngine::counters() const {
    std::vector<StageCounters> out = counters_;
    for (size_t s = 0; s < out.size(); ++s) out[s].occupancy_area = static_cast<long double>(area_[s]);
    return out;
}

uint64_t PipelineTimingEngine::held_beats() const {
    uint64_t n = 0;
    for (size_t s = 0; s < write_.size(); ++s) n += write_[s].held() + pop_[s].held();
    return n;
}

}  // namespace nicsim::nic
