#include "nic/pipeline/pipeline_layout.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace nicsim::nic {

namespace {
// Most beats of width `down` that one beat of width `up` can touch.
uint64_t beats_touched(uint32_t up, uint32_t down) {
    return up % down == 0 ? up / down : up / down + 2;
}
}  // namespace

PipelineLayout::PipelineLayout(std::vector<StageConfig> stages) : stages_(std::move(stages)) {
    if (stages_.empty()) throw std::invalid_argument("pipeline: no stages");
    for (size_t s = 0; s < stages_.size(); ++s) {
        const StageConfig& c = stages_[s];
        if (c.width_bytes == 0 || c.latency_cycles == 0 || c.fifo_depth_beats == 0 || c.header_bytes == 0)
            throw std::invalid_argument("pipeline stage " + c.name + ": width, latency, depth and header must be >= 1");
        if (s > 0 && c.fifo_depth_beats < beats_touched(stages_[s - 1].width_bytes, c.width_bytes))
            throw std::invalid_argument("pipeline stage " + c.name + ": FIFO shallower than one upstream beat");
    }
    base_.assign(stages_.size(), SlidingHistory<uint64_t>());
    for (auto& b : base_) b.push_back(0);
    frame_hint_.assign(stages_.size(), 0);
}

void check_stalls(const OfferedFrame& frame, size_t stages) {
    if (!frame.stall_cycles.empty() && frame.stall_cycles.size() != stages)
        throw std::invalid_argument("pipeline: a frame's stall_cycles has " + std::to_string(frame.stall_cycles.size()) +
                                    " entries for " + std::to_string(stages) + " stages");
}

void PipelineLayout::add_frame(uint64_t bytes) {
    bytes_.push_back(bytes);
    for (size_t s = 0; s < stages_.size(); ++s) base_[s].push_back(base_[s].back() + beats_for(bytes, stages_[s].width_bytes));
    // Beats of this frame a stage must hold before it can pop the first one: the whole frame
    // (store-and-forward) or the header, plus whatever else the upstream beat that completes
    // the header writes (cut-through across a width change).
    const size_t f = bytes_.end() - 1;
    for (size_t s = 0; s < stages_.size(); ++s) {
        const StageConfig& c = stages_[s];
        uint64_t first = base_[s][f];
        uint64_t needed = beat_count(s, f);
        if (c.cut_through) {
            uint64_t header_last = first + header_beats(s, f) - 1;
            needed = s == 0 ? header_beats(s, f)
                            : downstream_high(s - 1, upstream_last(s - 1, header_last)) - first + 1;
        }
        if (needed > c.fifo_depth_beats) {
            bytes_.pop_back();
            for (auto& b : base_) b.pop_back();
            throw std::invalid_argument("pipeline stage " + c.name + ": a " + std::to_string(bytes) +
                                        "-byte frame needs " + std::to_string(needed) +
                                        " beats buffered but the FIFO holds " + std::to_string(c.fifo_depth_beats));
        }
    }
}

void PipelineLayout::forget_frames_before(size_t f) {
    bytes_.forget_before(f);
    for (auto& b : base_) b.forget_before(f);  // keeps entry f: the first beat of frame f
    for (size_t& h : frame_hint_) h = std::max(h, bytes_.begin());
}

size_t PipelineLayout::frame_of(size_t s, uint64_t beat) const {
    // Engines ask about the frame they are placing (or the next one) almost every time:
    // check the last answer before searching.
    const auto& b = base_[s];
    size_t& hint = frame_hint_[s];
    for (size_t f = hint; f < hint + 2 && f + 1 < b.end(); ++f)
        if (b[f] <= beat && beat < b[f + 1]) return hint = f;
    return hint = size_t(b.upper_bound(beat)) - 1;
}

uint64_t PipelineLayout::header_beats(size_t s, size_t f) const {
    return std::min<uint64_t>(beat_count(s, f), beats_for(stages_[s].header_bytes, stages_[s].width_bytes));
}

uint64_t PipelineLayout::upstream_last(size_t s, size_t f, uint64_t m) const {
    uint64_t j = m - base_[s + 1][f];
    uint64_t n = bytes_[f];
    uint64_t end = std::min<uint64_t>((j + 1) * stages_[s + 1].width_bytes, n);
    uint64_t i = end == 0 ? 0 : (end - 1) / stages_[s].width_bytes;
    return base_[s][f] + i;
}

uint64_t PipelineLayout::downstream_high(size_t s, size_t f, uint64_t beat) const {
    uint64_t i = beat - base_[s][f];
    uint64_t n = bytes_[f];
    uint64_t end = std::min<uint64_t>((i + 1) * stages_[s].width_bytes, n);
    uint64_t j = end == 0 ? 0 : (end - 1) / stages_[s + 1].width_bytes;
    return base_[s + 1][f] + j;
}

FrameTiming PipelineLayout::frame_timing(size_t f, const std::vector<SlidingHistory<timing::Ps>>& write,
                                         const std::vector<SlidingHistory<timing::Ps>>& pop) const {
    FrameTiming ft;
    ft.first_write = write[0][first_beat(0, f)];
    for (size_t s = 0; s < stages_.size(); ++s) {
        uint64_t first = first_beat(s, f), last = first + beat_count(s, f) - 1;
        timing::Ps lat = stages_[s].clock.cycles(stages_[s].latency_cycles);
        ft.stages.push_back({pop[s][first], pop[s][last], pop[s][first] + lat, pop[s][last] + lat});
    }
    return ft;
}

}  // namespace nicsim::nic
