#include "timing/busy_intervals.h"

#include <algorithm>

namespace nicsim::timing {

void BusyIntervals::add(Ps start, Ps end) {
    if (end <= start) return;
    if (!spans_.empty() && start <= spans_.back().end) {
        // Overlap with the last span is counted once (a resource is busy or not).
        const Ps old_end = spans_.back().end;
        if (end <= old_end) return;
        spans_.back().end = end;
        total_ += end - old_end;
        return;
    }
    spans_.push_back({start, end});
    total_ += end - start;
}

Ps BusyIntervals::busy_within(Ps from, Ps to) const {
    if (to <= from) return 0;
    // The first span ending after `from`; spans are disjoint and sorted.
    auto it = std::upper_bound(spans_.begin(), spans_.end(), from, [](Ps t, const Span& s) { return t < s.end; });
    Ps sum = 0;
    for (; it != spans_.end() && it->start < to; ++it) sum += std::min(to, it->end) - std::max(from, it->start);
    return sum;
}

}  // namespace nicsim::timing
