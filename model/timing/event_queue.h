// A timed callback queue owned by one module: schedule(t, fn) runs fn at absolute time t.
//
// Blocks use it instead of clocked processes, so an idle block costs nothing: a single
// SC_METHOD wakes only at times for which something is scheduled (one wake-up per distinct
// time, however many callbacks share it). Callbacks at equal times run in scheduling order.
// Callbacks run inside an SC_METHOD: they must not call wait().
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include <systemc>

#include "timing/sim_time.h"

namespace nicsim::timing {

class EventQueue : public sc_core::sc_module {
public:
    using Fn = std::function<void()>;
    explicit EventQueue(sc_core::sc_module_name name);

    // t must not be in the past (throws std::logic_error); t == now runs in the next delta.
    void schedule(Ps t, Fn fn);
    void schedule_in(Ps dt, Fn fn) { schedule(now_ps() + dt, std::move(fn)); }

    size_t pending() const { return heap_.size(); }
    uint64_t wakeups() const { return wakeups_; }
    uint64_t callbacks_run() const { return run_; }

private:
    struct Item {
        Ps t;
        uint64_t seq;
        Fn fn;
    };
    struct Later {
        bool operator()(const Item& a, const Item& b) const {
            return a.t != b.t ? a.t > b.t : a.seq > b.seq;
        }
    };
    void fire();
    void arm();

    std::priority_queue<Item, std::vector<Item>, Later> heap_;
    sc_core::sc_event ev_;
    uint64_t seq_ = 0;
    uint64_t wakeups_ = 0;
    uint64_t run_ = 0;
};

}  // namespace nicsim::timing
