// Progress of a long run on stderr. On a terminal: one bar redrawn in place (operations done,
// simulated time, ETA from the wall-clock rate). Otherwise (a log, a sweep's child): a plain
// line at every further 10% of the operations. Runs shorter than `quiet_for` wall seconds
// print nothing, so quick runs and tests stay clean.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace nicsim::sim {

class ProgressMeter {
public:
    // `total`: operations the run will perform; `terminal`: draw a bar (else plain lines).
    ProgressMeter(std::ostream& out, uint64_t total, bool terminal, double quiet_for = 1.0);

    // `n` more operations are done; `sim_us`: the simulated time now.
    void advance(uint64_t n, double sim_us);
    // Clears the bar (terminal) or prints the 100% line, if anything was shown.
    void finish(double sim_us);

    uint64_t done() const { return done_; }

private:
    void show(double sim_us, double wall);

    std::ostream& out_;
    uint64_t total_;
    bool terminal_;
    double quiet_for_;
    uint64_t done_ = 0;
    int last_decile_ = 0;
    double last_draw_ = -1;
    bool shown_ = false;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// "1.2 ms", "350 us", "12 s": a simulated or wall duration for people.
std::string human_duration_us(double us);

}  // namespace nicsim::sim
