#include "nic/pipeline/pipeline_timing.h"

#include <algorithm>
#include <stdexcept>

namespace nicsim::nic {

using timing::Ps;

namespace {

// ClockDomain::edge_after (the first edge strictly after t) for times that mostly advance by
// less than a period from one call to the next: `hint` holds the previous answer, so the
// division is only needed after a jump.
inline Ps near_edge_after(Ps t, Ps& hint, Ps period) {
    Ps e;
    if (t < hint && t + period >= hint) {
        e = hint;
    } else if (t >= hint && t - hint < 4 * period) {
        for (e = hint + period; e <= t;) e += period;
    } else {
        e = (t / period + 1) * period;
    }
    hint = e;
    return e;
}

}  // namespace

PipelineTimingEngine::PipelineTimingEngine(std::vector<StageConfig> stages)
    : layout_(std::move(stages)),
      write_(layout_.stage_count()),
      pop_(layout_.stage_count()),
      cur_(layout_.stage_count()),
      counters_(layout_.stage_count()),
      area_(layout_.stage_count(), 0) {
    for (size_t s = 0; s < layout_.stage_count(); ++s) {
        const StageConfig& c = layout_.stage(s);
        rules_.push_back({c.clock.period(), c.clock.cycles(c.latency_cycles), c.width_bytes, c.fifo_depth_beats,
                          c.cut_through});
    }
}

FrameTiming PipelineTimingEngine::add(const OfferedFrame& frame) {
    check_stalls(frame, layout_.stage_count());
    layout_.add_frame(frame.bytes);
    const size_t f = layout_.frame_count() - 1;
    const size_t stages = layout_.stage_count();
    const uint64_t bytes = frame.bytes;
    for (size_t s = 0; s < stages; ++s) {
        // No fill: an entry is read only once the cursors say it is placed.
        write_[s].extend_to(layout_.total_beats(s));
        pop_[s].extend_to(layout_.total_beats(s));
        StageCursor& c = cur_[s];
        c.first = c.next = layout_.first_beat(s, f);
        c.end = c.first + layout_.beat_count(s, f);
        c.gate = rules_[s].cut_through ? c.first + layout_.header_beats(s, f) - 1 : c.end - 1;
        c.bytes_out = std::min<uint64_t>(rules_[s].width, bytes);
        c.high = 0;
        c.down_written = 0;
        c.stall = frame.stall_cycles.empty() ? 0 : frame.stall_cycles[s] * rules_[s].period;
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
            if (n >= depth0 && n - depth0 >= cur_[0].next) break;  // slot not freed yet
            const Ps slot = n >= depth0 ? pop_[0][n - depth0] : 0;
            const Ps in_order = n > 0 ? write_[0][n - 1] : 0;  // a frame offered early queues behind
            write_[0][n] = std::max({frame.first_offer + (n - first0) * frame.offer_interval, slot, in_order});
            ++source_next_;
            progress = true;
        }
        bool done = true;
        for (size_t s = 0; s < stages; ++s) {
            progress = pop_run(s, bytes) || progress;
            done = done && cur_[s].next == cur_[s].end;
        }
        if (done) break;
        if (!progress) throw std::logic_error("pipeline timing: no beat can advance (deadlock)");
    }
    FrameTiming ft = layout_.frame_timing(f, write_, pop_);
    for (size_t s = 0; s < stages; ++s) {
        StageCounters& k = counters_[s];
        const uint64_t beats = cur_[s].end - cur_[s].first;
        ++k.frames;
        k.beats += beats;
        k.busy += beats * rules_[s].period;
        k.last_pop = pop_[s][cur_[s].end - 1];
    }

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

// The per-beat path works on local copies of the cursors (the compiler cannot keep struct
// fields in registers across the stores into the beat arrays, which have the same type).
bool PipelineTimingEngine::pop_run(size_t s, uint64_t frame_bytes) {
    StageCursor& c = cur_[s];
    const StageRules r = rules_[s];
    const uint64_t start = c.next, end = c.end, first = c.first, written = written_end(s);
    const SlidingHistory<Ps>::View wr = write_[s].view(), po = pop_[s].view();
    uint64_t n = c.next, bytes_out = c.bytes_out, high = c.high, down_written = c.down_written, q = c.occupancy_q;
    Ps visible_edge = c.visible_edge, credit_edge = c.credit_edge;
    uint64_t area = 0;
    uint64_t max_occupancy = counters_[s].max_occupancy;
    Ps prev = n > 0 ? po[n - 1] : 0;

    const bool has_next = s + 1 < cur_.size();
    SlidingHistory<Ps>::View next_wr{}, next_po{};
    uint64_t d_first = 0, d_beats = 0, d_popped = 0, d_width = 1, d_depth = 0;
    if (has_next) {
        next_wr = write_[s + 1].view();
        next_po = pop_[s + 1].view();
        const StageCursor& d = cur_[s + 1];
        d_first = d.first;
        d_beats = d.end - d.first;
        d_popped = d.next;
        d_width = rules_[s + 1].width;
        d_depth = rules_[s + 1].depth;
    }

    // A stage writing beat for beat into the stage below (or the last stage) can take the
    // lean path after its first beat (below).
    const bool lean_ok = n == first && (!has_next || d_width == r.width);
    const bool next_same_clock = has_next && rules_[s + 1].period == r.period;
    const bool edge_writes = s > 0 && rules_[s - 1].period == r.period;  // writes land on our edges

    // End byte (frame-local, exclusive) of downstream beat `high` and of the next downstream
    // beat to write, kept by additions.
    uint64_t high_end = (high + 1) * d_width;
    uint64_t down_end = std::min<uint64_t>((down_written + 1) * d_width, frame_bytes);
    bool check_credits = true;
    for (; n < end && n < written; ++n) {
        // t is always an edge of this stage's clock, so a constraint "the first edge after x"
        // with x < t is already met: the common case needs no edge arithmetic at all.
        const Ps w = wr[n];
        Ps t = n > 0 ? prev + r.period : 0;  // 1 beat/cycle (the beat before is placed)
        if (w >= t) t = near_edge_after(w, visible_edge, r.period);  // visible the edge after its write

        if (n == first) {
            // Cut-through: the header beats visible. Store-and-forward: the frame-complete flag
            // is registered, one cycle after the last beat is visible.
            if (c.gate >= written) break;
            const Ps g = wr[c.gate] + (r.cut_through ? 0 : r.period);
            Ps gate_edge = visible_edge;  // the gate is a later write: keep the hint for it
            if (g >= t) t = near_edge_after(g, gate_edge, r.period);
            t += c.stall;  // an edge: ready edge plus whole cycles
        }
        if (has_next) {
            if (check_credits) {  // the downstream FIFO must have room for what this beat writes
                while (high_end < bytes_out) {  // downstream beat of our last byte
                    ++high;
                    high_end += d_width;
                }
                const uint64_t h = d_first + high;
                if (h >= d_depth) {
                    const uint64_t freeing = h - d_depth;
                    if (freeing >= d_popped) break;  // that pop is not placed yet
                    const Ps freed = next_po[freeing];
                    if (freed >= t) t = near_edge_after(freed, credit_edge, r.period);
                }
            }
            // The downstream beats whose last byte this beat carries are written when it leaves.
            const Ps out = t + r.latency;
            while (down_written < d_beats && down_end <= bytes_out) {
                next_wr[d_first + down_written++] = out;
                down_end = std::min<uint64_t>(down_end + d_width, frame_bytes);
            }
        }
        po[n] = t;
        prev = t;
        bytes_out = std::min<uint64_t>(bytes_out + r.width, frame_bytes);

        // Counters: a beat occupies the FIFO from its write to its pop, so the occupancy
        // integral is the sum of those intervals, and the occupancy peaks just after a write.
        area += t - w;
        while (po[q] <= w) ++q;  // stops at n at the latest (t > w)
        max_occupancy = std::max<uint64_t>(max_occupancy, n + 1 - q);

        if (n != first) continue;
        // A frame that fits the FIFO below takes its credits from earlier frames' pops there,
        // which all happened before this frame's first pop: later beats need not look.
        if (has_next && d_beats <= d_depth && (d_first == 0 || next_po[d_first - 1] < t)) check_credits = false;

        // Lean path: beat k writes exactly beat k below, and a credit is either settled (above)
        // or freed by a pop on an edge of this same clock, so visible one period later. A beat
        // then pops at the latest of: one period after the previous pop, the edge after its
        // write (one period after it when the stage above shares our clock: the NIC core), and
        // one period after the freeing pop.
        if (lean_ok && (!has_next || !check_credits || next_same_clock)) {
            for (++n; n < end && n < written; ++n) {
                const uint64_t k = n - first;
                const Ps wn = wr[n];
                Ps tn = prev + r.period;
                if (wn >= tn) tn = edge_writes ? wn + r.period : near_edge_after(wn, visible_edge, r.period);
                if (has_next && check_credits && d_first + k >= d_depth) {
                    const uint64_t freeing = d_first + k - d_depth;
                    if (freeing >= d_popped) break;  // that pop is not placed yet
                    tn = std::max(tn, next_po[freeing] + r.period);
                }
                po[n] = tn;
                if (has_next) next_wr[d_first + k] = tn + r.latency;
                prev = tn;
                area += tn - wn;
                while (po[q] <= wn) ++q;
                max_occupancy = std::max<uint64_t>(max_occupancy, n + 1 - q);
            }
            // Leave the cursors where the general path expects them for beat n.
            const uint64_t k = n - first;
            bytes_out = std::min<uint64_t>((k + 1) * r.width, frame_bytes);
            high = k;
            down_written = has_next ? std::min(k, d_beats) : 0;
            break;
        }
    }
    c.next = n;
    c.bytes_out = bytes_out;
    c.high = high;
    c.down_written = down_written;
    c.occupancy_q = q;
    c.visible_edge = visible_edge;
    c.credit_edge = credit_edge;
    area_[s] += area;
    counters_[s].max_occupancy = uint32_t(max_occupancy);
    return n != start;
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
