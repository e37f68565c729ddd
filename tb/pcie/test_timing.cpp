// ClockDomain arithmetic and the EventQueue's ordering and wake-up economy.
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include "timing/callback.h"
#include "timing/clock_domain.h"
#include "timing/event_queue.h"
#include "timing/sim_time.h"

using namespace nicsim::timing;

TEST_CASE("ClockDomain edges and crossings") {
    ClockDomain c(2000, "core");  // 500 MHz
    CHECK(c.next_edge(0) == 0);
    CHECK(c.next_edge(1) == 2000);
    CHECK(c.next_edge(2000) == 2000);
    CHECK(c.next_edge(2001) == 4000);
    CHECK(c.edge_after(2000) == 4000);
    CHECK(c.cycle_at(3999) == 2);
    CHECK(c.after(4001, 3) == 6000 + 3 * 2000);
    CHECK(ClockDomain::from_mhz(500).period() == 2000);
    CHECK(ClockDomain::from_mhz(312.5).period() == 3200);
    CHECK(ClockDomain::from_mhz(322.27).period() == 3103);
    CHECK_THROWS_AS(ClockDomain(0), std::invalid_argument);
    CHECK_THROWS_AS(ClockDomain::from_mhz(-1), std::invalid_argument);
    // Crossing between two unrelated domains lands on the receiver's edge, never earlier.
    ClockDomain mac = ClockDomain::from_mhz(312.5);
    for (Ps t = 0; t < 50000; t += 777) {
        Ps e = mac.next_edge(c.next_edge(t));
        CHECK(e >= c.next_edge(t));
        CHECK(e % 3200 == 0);
        CHECK(e - c.next_edge(t) < 3200);
    }
}

TEST_CASE("EventQueue runs callbacks in time order, one wake-up per distinct time") {
    init_time_resolution();
    EventQueue q("q");
    std::vector<std::pair<Ps, int>> log;
    q.schedule(5000, [&] { log.emplace_back(now_ps(), 2); });
    q.schedule(1000, [&] {
        log.emplace_back(now_ps(), 1);
        q.schedule_in(0, [&] { log.emplace_back(now_ps(), 10); });    // same time, runs after
        q.schedule(5000, [&] { log.emplace_back(now_ps(), 3); });     // after the earlier 5000
    });
    q.schedule(5000 + 1, [&] { log.emplace_back(now_ps(), 4); });
    sc_core::sc_start();
    REQUIRE(log.size() == 5);
    CHECK(log[0] == std::make_pair(Ps(1000), 1));
    CHECK(log[1] == std::make_pair(Ps(1000), 10));
    CHECK(log[2] == std::make_pair(Ps(5000), 2));
    CHECK(log[3] == std::make_pair(Ps(5000), 3));
    CHECK(log[4] == std::make_pair(Ps(5001), 4));
    CHECK(q.wakeups() <= 4);  // 1000 (may take a delta for the same-time one), 5000, 5001
    CHECK(q.callbacks_run() == 5);
    CHECK(sc_core::sc_get_time_resolution() == sc_core::sc_time(1, sc_core::SC_PS));
}

TEST_CASE("EventQueue refuses the past") {
    init_time_resolution();
    EventQueue q("q");
    bool threw = false;
    q.schedule(1000, [&] {
        try {
            q.schedule(10, [] {});
        } catch (const std::logic_error&) {
            threw = true;
        }
    });
    sc_core::sc_start();
    CHECK(threw);
}

TEST_CASE("Callback keeps small captures in place and large ones on the heap, each destroyed once") {
    // Counts live copies of a capture, so a leak or a double destruction shows.
    struct Tracked {
        int* live;
        explicit Tracked(int* l) : live(l) { ++*live; }
        Tracked(const Tracked& o) : live(o.live) { ++*live; }
        Tracked(Tracked&& o) noexcept : live(o.live) { ++*live; }
        ~Tracked() { --*live; }
    };
    int live = 0, calls = 0;
    {
        Tracked small(&live);
        std::array<char, 200> big{};
        big[199] = 7;
        Callback a([t = small, &calls] { ++calls; });
        Callback b([t = small, big, &calls] { calls += big[199]; });
        CHECK(live == 3);  // `small` and one copy in each callback
        Callback c(std::move(a)), d(std::move(b));
        CHECK(live == 3);  // moves hand the capture over, the moved-from hold nothing
        CHECK(!a);
        CHECK(!b);
        c();
        d();
        CHECK(calls == 8);
        c = std::move(d);  // c's own capture goes, d's moves in
        CHECK(live == 2);
        c();
        CHECK(calls == 15);
    }
    CHECK(live == 0);
}
