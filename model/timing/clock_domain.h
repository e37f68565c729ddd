// A clock domain: a period in ps and edges at integer multiples of it (phase 0 at t = 0).
//
// Stages express delays in whole cycles of their own domain; anything that crosses into a
// domain (a TLP arriving at the SGE, a beat handed to the core) lands on that domain's next
// edge at or after its arrival. No process runs on the clock: these are pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "timing/sim_time.h"

namespace nicsim::timing {

class ClockDomain {
public:
    // period_ps must be > 0 (throws std::invalid_argument otherwise).
    explicit ClockDomain(Ps period_ps, std::string name = "clk");
    static ClockDomain from_mhz(double mhz, std::string name = "clk");

    Ps period() const { return period_; }
    const std::string& name() const { return name_; }

    // First edge at or after t (t itself if t is on an edge).
    Ps next_edge(Ps t) const { return ((t + period_ - 1) / period_) * period_; }
    // First edge strictly after t.
    Ps edge_after(Ps t) const { return (t / period_ + 1) * period_; }
    // Edge index of the edge at or after t.
    uint64_t cycle_at(Ps t) const { return (t + period_ - 1) / period_; }
    Ps cycles(uint64_t n) const { return n * period_; }
    // Arrival from another domain at t, then `n` cycles of work in this one.
    Ps after(Ps t, uint64_t n) const { return next_edge(t) + cycles(n); }

private:
    Ps period_;
    std::string name_;
};

}  // namespace nicsim::timing
