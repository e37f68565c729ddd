// Where each frame's beats sit at each stage of a chain, and how beats of neighbouring
// stages of different widths map onto each other. Both timing engines (the fast analytic
// one and the cycle-stepped reference) share this bookkeeping, and only this.
//
// Frames and beats keep their global numbers for the whole run, but an engine tells the
// layout which frames it will not ask about again (forget_frames_before), so memory stays
// bounded however long the run.
#pragma once

#include <vector>

#include "nic/pipeline/sliding_history.h"
#include "nic/pipeline/stage_config.h"

namespace nicsim::nic {

class PipelineLayout {
public:
    // Throws std::invalid_argument for a chain that cannot work (zero width, latency or
    // depth; a FIFO too shallow for the beats one upstream beat writes into it).
    explicit PipelineLayout(std::vector<StageConfig> stages);

    // Appends a frame; throws std::invalid_argument if it cannot pass a stage without
    // deadlock (store-and-forward FIFO shallower than the frame, cut-through FIFO shallower
    // than the header).
    void add_frame(uint64_t bytes);

    size_t stage_count() const { return stages_.size(); }
    const StageConfig& stage(size_t s) const { return stages_[s]; }
    size_t frame_count() const { return bytes_.end(); }  // frames ever added
    uint64_t frame_bytes(size_t f) const { return bytes_[f]; }

    // Frames before `f` will not be asked about again (frame_of, first_beat, ...).
    void forget_frames_before(size_t f);
    size_t first_held_frame() const { return bytes_.begin(); }
    uint64_t held_frames() const { return bytes_.held(); }

    uint64_t first_beat(size_t s, size_t f) const { return base_[s][f]; }  // global beat index
    uint64_t beat_count(size_t s, size_t f) const { return base_[s][f + 1] - base_[s][f]; }
    uint64_t total_beats(size_t s) const { return base_[s].back(); }
    size_t frame_of(size_t s, uint64_t beat) const;  // beat of a held frame
    uint64_t header_beats(size_t s, size_t f) const;  // beats cut-through waits for

    // Stage s+1's beat m is complete once stage s has output this beat of stage s.
    uint64_t upstream_last(size_t s, uint64_t m) const { return upstream_last(s, frame_of(s + 1, m), m); }
    // The highest beat of stage s+1 that stage s's beat n writes bytes into.
    uint64_t downstream_high(size_t s, uint64_t n) const { return downstream_high(s, frame_of(s, n), n); }
    // The same when the caller knows the beat's frame f (the engines' per-beat path).
    uint64_t upstream_last(size_t s, size_t f, uint64_t m) const;
    uint64_t downstream_high(size_t s, size_t f, uint64_t n) const;

    // Frame f's first/last pop and output times per stage, from an engine's per-beat
    // write and pop times ([stage][global beat], picoseconds).
    FrameTiming frame_timing(size_t f, const std::vector<SlidingHistory<timing::Ps>>& write,
                             const std::vector<SlidingHistory<timing::Ps>>& pop) const;

private:
    std::vector<StageConfig> stages_;
    SlidingHistory<uint64_t> bytes_;                // [frame]
    std::vector<SlidingHistory<uint64_t>> base_;  // [stage][frame] first global beat; one extra entry
    mutable std::vector<size_t> frame_hint_;    // [stage] last frame_of() answer
};

}  // namespace nicsim::nic
