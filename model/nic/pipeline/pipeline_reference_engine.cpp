#include "nic/pipeline/pipeline_reference_engine.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace nicsim::nic {

using timing::Ps;

namespace {

constexpr Ps kUnknown = std::numeric_limits<Ps>::max();
constexpr uint64_t kGuardSteps = 400'000'000;  // per add(): a chain that stops moving is a bug

// "Written (or popped) before t" means a time strictly below t: a beat written on an edge is
// seen by the reader on its next edge, whatever the two clocks are.
bool before(Ps when, Ps t) { return when != kUnknown && when < t; }

}  // namespace

PipelineReferenceEngine::PipelineReferenceEngine(std::vector<StageConfig> stages)
    : layout_(std::move(stages)),
      write_(layout_.stage_count()),
      pop_(layout_.stage_count()),
      stall_(layout_.stage_count()),
      occupancy_peak_(layout_.stage_count(), 0) {
    const size_t S = layout_.stage_count();
    now_.popped.assign(S, 0);
    now_.written.assign(S, 0);
    now_.next_edge.assign(S, 0);
    now_.present.assign(S, 0);
    now_.counters.assign(S, StageCounters{});
    now_.area.assign(S, 0);
    now_.stall_frame.assign(S, SIZE_MAX);
    now_.stall_until.assign(S, 0);
    checkpoint_ = now_;
}

FrameTiming PipelineReferenceEngine::add(const OfferedFrame& frame) {
    check_stalls(frame, layout_.stage_count());
    layout_.add_frame(frame.bytes);  // throws before anything changes
    const size_t f = layout_.frame_count() - 1;
    for (size_t s = 0; s < layout_.stage_count(); ++s)
        stall_[s].push_back(frame.stall_cycles.empty() ? 0 : frame.stall_cycles[s]);
    for (uint64_t k = 0; k < layout_.beat_count(0, f); ++k) offer_.push_back(frame.first_offer + k * frame.offer_interval);
    for (size_t s = 0; s < layout_.stage_count(); ++s) {
        write_[s].extend_to(layout_.total_beats(s), kUnknown);  // kUnknown: not placed yet
        pop_[s].extend_to(layout_.total_beats(s), kUnknown);
    }
    now_ = checkpoint_;  // the last instant the new frame cannot have influenced
    run();

    FrameTiming ft = layout_.frame_timing(f, write_, pop_);
    forget_old_beats();
    return ft;
}

// From the checkpoint on, stage s reads beats from the first one it has not popped, and the
// stage above reads pops down to a FIFO depth below that (credits).
void PipelineReferenceEngine::forget_old_beats() {
    size_t keep_frame = layout_.frame_count() - 1;
    for (size_t s = 0; s < layout_.stage_count(); ++s) {
        const uint64_t popped = checkpoint_.popped[s], margin = layout_.stage(s).fifo_depth_beats + 1;
        const uint64_t keep = popped > margin ? popped - margin : 0;
        write_[s].forget_before(keep);
        pop_[s].forget_before(keep);
        keep_frame = std::min(keep_frame, layout_.frame_of(s, std::min(keep, layout_.total_beats(s) - 1)));
    }
    offer_.forget_before(checkpoint_.src);
    layout_.forget_frames_before(keep_frame);
    for (SlidingHistory<uint32_t>& h : stall_) h.forget_before(keep_frame);
}

std::vector<StageCounters> PipelineReferenceEngine::counters() const {
    std::vector<StageCounters> out = now_.counters;
    for (size_t s = 0; s < out.size(); ++s) out[s].occupancy_area = static_cast<long double>(now_.area[s]);
    return out;
}

uint64_t PipelineReferenceEngine::held_beats() const {
    uint64_t n = offer_.held();
    for (size_t s = 0; s < write_.size(); ++s) n += write_[s].held() + pop_[s].held();
    return n;
}

// No beat anywhere: every FIFO empty, nothing in flight, the source waiting for an offer.
bool PipelineReferenceEngine::idle(const Cursor& c) const {
    if (c.src >= offer_.end() || c.popped[0] != c.src) return false;
    for (size_t s = 1; s < layout_.stage_count(); ++s)
        if (c.popped[s] != c.written[s]) return false;
    return true;
}

void PipelineReferenceEngine::run() {
    const size_t S = layout_.stage_count();
    const uint64_t depth0 = layout_.stage(0).fifo_depth_beats;
    Cursor& c = now_;
    Cursor step_start;
    for (uint64_t guard = 0; c.popped[S - 1] < layout_.total_beats(S - 1); ++guard) {
        if (guard > kGuardSteps) throw std::logic_error("pipeline reference: no progress (deadlock)");
        ++steps_;
        if (idle(c))  // jump over the empty edges to the next offer
            for (size_t s = 0; s < S; ++s)
                c.next_edge[s] = std::max(c.next_edge[s], layout_.stage(s).clock.next_edge(offer_[c.src]));
        const bool source_pending = c.src < offer_.end();
        Ps t = *std::min_element(c.next_edge.begin(), c.next_edge.end());
        if (source_pending && (c.first_step || offer_[c.src] > c.last_t)) t = std::min(t, offer_[c.src]);
        // The checkpoint is the start of the step that writes the last offered beat, which
        // cannot come before that beat is offered: only such steps need a copy of the cursor.
        if (source_pending && offer_.back() <= t) step_start = c;
        c.first_step = false;
        for (size_t s = 0; s < S; ++s) c.area[s] += (c.present[s] - c.popped[s]) * (t - c.last_t);
        c.last_t = t;

        // Phase 1: every stage with an edge now pops at most one beat, judging by what was
        // written or popped strictly before now (so simultaneous edges commute).
        for (size_t s = 0; s < S; ++s) {
            if (c.next_edge[s] != t) continue;
            const StageConfig& cfg = layout_.stage(s);
            c.next_edge[s] += cfg.clock.period();
            const uint64_t n = c.popped[s];
            if (n >= layout_.total_beats(s) || !before(write_[s][n], t)) continue;
            const size_t f = layout_.frame_of(s, n);
            const uint64_t first = layout_.first_beat(s, f);
            if (n == first) {
                if (cfg.cut_through && !before(write_[s][first + layout_.header_beats(s, f) - 1], t)) continue;
                if (!cfg.cut_through) {  // whole frame visible, plus a cycle for the registered flag
                    Ps last_w = write_[s][first + layout_.beat_count(s, f) - 1];
                    if (!before(last_w, t) || !(last_w < t - cfg.clock.period())) continue;
                }
                // Ready now; a stalled frame counts its cycles from this edge.
                if (const uint32_t stall = stall_[s][f]) {
                    if (c.stall_frame[s] != f) {
                        c.stall_frame[s] = f;
                        c.stall_until[s] = t + cfg.clock.cycles(stall);
                    }
                    if (t < c.stall_until[s]) continue;
                }
            }
            if (s + 1 < S) {
                const uint64_t high = layout_.downstream_high(s, n);
                const uint64_t depth = layout_.stage(s + 1).fifo_depth_beats;
                if (high >= depth && !before(pop_[s + 1][high - depth], t)) continue;  // no credit
                const Ps out = t + cfg.clock.cycles(cfg.latency_cycles);
                for (uint64_t& m = c.written[s + 1]; m < layout_.total_beats(s + 1) && layout_.upstream_last(s, m) == n; ++m)
                    write_[s + 1][m] = out;
            }
            pop_[s][n] = t;
            ++c.popped[s];
            StageCounters& k = c.counters[s];
            ++k.beats;
            k.busy += cfg.clock.period();
            k.last_pop = t;
            if (n + 1 == first + layout_.beat_count(s, f)) ++k.frames;
        }
        // Phase 2: the source fills stage 0's FIFO with what is offered by now, in order, into
        // slots freed up to and including now.
        while (c.src < offer_.end() && offer_[c.src] <= t &&
               (c.src < depth0 || (pop_[0][c.src - depth0] != kUnknown && pop_[0][c.src - depth0] <= t)))
            write_[0][c.src++] = t;
        if (source_pending && c.src == offer_.end()) checkpoint_ = step_start;

        for (size_t s = 0; s < S; ++s) {
            const uint64_t w = s == 0 ? c.src : c.written[s];
            occupancy_peak_[s] = std::max(occupancy_peak_[s], w - c.popped[s]);
            // Beats in the FIFO from their write time on (a beat in flight is not there yet).
            uint64_t& present = c.present[s];
            while (present < write_[s].end() && before(write_[s][present], t + 1)) ++present;
            c.counters[s].max_occupancy = std::max<uint32_t>(c.counters[s].max_occupancy, uint32_t(present - c.popped[s]));
        }
    }
}

std::vector<FrameTiming> simulate_reference(const std::vector<StageConfig>& stages,
                                            const std::vector<OfferedFrame>& frames,
                                            std::vector<uint64_t>* max_occupancy) {
    PipelineReferenceEngine e(stages);
    std::vector<FrameTiming> out;
    for (const OfferedFrame& f : frames) out.push_back(e.add(f));
    if (max_occupancy) *max_occupancy = e.max_occupancy();
    return out;
}

}  // namespace nicsim::nic
