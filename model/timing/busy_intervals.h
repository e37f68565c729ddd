// When a serial resource (a link direction, a bus) was busy, as merged [start, end) intervals,
// so that its busy time over any window can be read after the run (utilisation over the
// workload's span rather than the whole run). Back-to-back use merges into one interval, so a
// saturated resource costs one entry per busy period, not one per transfer.
#pragma once

#include <vector>

#include "timing/sim_time.h"

namespace nicsim::timing {

class BusyIntervals {
public:
    // Marks [start, end) busy. Intervals must come in non-decreasing start order (a serial
    // resource starts the next transfer when the previous one ends, or later).
    void add(Ps start, Ps end);
    // Busy time inside [from, to).
    Ps busy_within(Ps from, Ps to) const;
    Ps total() const { return total_; }
    size_t intervals() const { return spans_.size(); }

private:
    struct Span {
        Ps start, end;
    };
    std::vector<Span> spans_;
    Ps total_ = 0;
};

}  // namespace nicsim::timing
