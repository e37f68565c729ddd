// A timed callback queue owned by one module: schedule(t, fn) runs fn at absolute time t.
//
// Blocks use it instead of clocked processes, so an idle block costs nothing: a single
// SC_METHOD wakes only at times for which something is scheduled (one wake-up per distinct
// time, however many callbacks share it). Callbacks at equal times run in scheduling order.
// Callbacks run inside an SC_METHOD: they must not call wait().
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <systemc>

#include "timing/callback.h"
#include "timing/sim_time.h"

namespace nicsim::timing {

class EventQueue : public sc_core::sc_module {
public:
    using Fn = std::function<void()>;
    explicit EventQueue(sc_core::sc_module_name name);

    // t must not be in the past (throws std::logic_error); t == now runs in the next delta.
    // Any void() callable; small ones are stored without allocation (Callback).
    template <class F>
    void schedule(Ps t, F&& fn) {
        push(t, Callback(std::forward<F>(fn)));
    }
    template <class F>
    void schedule_in(Ps dt, F&& fn) {
        push(now_ps() + dt, Callback(std::forward<F>(fn)));
    }

    size_t pending() const { return heap_.size(); }
    uint64_t wakeups() const { return wakeups_; }  // distinct times at which callbacks ran
    uint64_t callbacks_run() const { return run_; }

private:
    // The heap orders small keys; the callbacks stay put in slots_ (reused through free_).
    struct Key {
        Ps t;
        uint64_t seq;
        uint32_t slot;
    };
    struct Later {
        bool operator()(const Key& a, const Key& b) const { return a.t != b.t ? a.t > b.t : a.seq > b.seq; }
    };
    static constexpr Ps kHorizon = 10 * kUs;  // furthest notification ahead (see notify_at)
    void push(Ps t, Callback fn);
    void notify_at(Ps t, Ps now);
    void fire();
    void arm();

    std::vector<Key> heap_;
    std::vector<Callback> slots_;
    std::vector<uint32_t> free_;
    sc_core::sc_event ev_;
    uint64_t seq_ = 0;
    uint64_t wakeups_ = 0;
    uint64_t run_ = 0;
};

}  // namespace nicsim::timing
