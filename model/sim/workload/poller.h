// How a workload's CPU waits: it polls every poll_ns while things happen, like perftest's busy
// polling. After 100 us without progress (a delayed ACK's timer, a retransmission timeout
// after a fault) it polls every 1 us instead: the result is then seen up to 1 us late, but a
// run waiting out a 40 ms timer costs 40 thousand wake-ups instead of four million. With no
// progress for `patience`, the wait fails.
#pragma once

#include <systemc>

#include "timing/sim_time.h"

namespace nicsim::sim {

class Poller {
public:
    static constexpr timing::Ps kIdleAfter = 100 * timing::kUs;
    static constexpr timing::Ps kIdlePeriod = 1 * timing::kUs;

    Poller(timing::Ps period, timing::Ps patience)
        : period_(period), patience_(patience), last_progress_(timing::now_ps()) {}

    void progress() { last_progress_ = timing::now_ps(); }
    bool expired() const { return timing::now_ps() - last_progress_ > patience_; }
    timing::Ps period() const {
        return timing::now_ps() - last_progress_ > kIdleAfter ? std::max(period_, kIdlePeriod) : period_;
    }
    void wait() const { sc_core::wait(timing::to_sc(period())); }

    // Polls pred() until it holds (true, and counts as progress) or patience runs out (false).
    template <class Pred>
    bool until(Pred pred) {
        while (!pred()) {
            if (expired()) return false;
            wait();
        }
        progress();
        return true;
    }

private:
    timing::Ps period_, patience_, last_progress_;
};

}  // namespace nicsim::sim
