#include "nic/t5/payload_timeline.h"

#include <algorithm>

namespace nicsim::nic {

bool PayloadTimeline::add(const sge::PayloadBurst& b) {
    if (complete_ || b.offset != covered_ || b.data.size() > length_ - covered_) return false;
    if (!b.data.empty()) bursts_.push_back({b.offset, uint32_t(b.data.size()), b.first_beat, b.beat_period});
    else if (bursts_.empty()) bursts_.push_back({b.offset, 0, b.first_beat, b.beat_period});
    covered_ += uint32_t(b.data.size());
    complete_ = b.last && covered_ == length_;
    return true;
}

std::optional<timing::Ps> PayloadTimeline::byte_time(uint32_t index) const {
    if (index >= covered_) return std::nullopt;
    // Bursts are sorted by offset: the last one starting at or before `index` holds it.
    auto it = std::upper_bound(bursts_.begin(), bursts_.end(), index,
                               [](uint32_t i, const Burst& b) { return i < b.offset; });
    if (it == bursts_.begin()) return std::nullopt;
    --it;
    if (index < it->offset + it->bytes)
        return it->first_beat + timing::Ps((index - it->offset) / beat_bytes_) * it->period;
    return std::nullopt;
}

std::optional<timing::Ps> PayloadTimeline::end_time() const {
    if (!complete_ || bursts_.empty()) return std::nullopt;
    const Burst& b = bursts_.back();
    uint32_t beats = b.bytes ? (b.bytes + beat_bytes_ - 1) / beat_bytes_ : 1;
    return b.first_beat + timing::Ps(beats - 1) * b.period;
}

}  // namespace nicsim::nic
