// Checks shared by the latency-budget tests (model/sim/report/critical_path.h): finding a row
// by stage name, and the telescoping rule every matched path obeys.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "sim/report/critical_path.h"

namespace nicsim::testing {

inline const sim::PathRow* find_row(const sim::OpPath& p, const std::string& stage) {
    for (const auto& r : p.rows)
        if (r.stage == stage) return &r;
    return nullptr;
}

// The rows are contiguous from posted to done, so they add up to done - posted exactly; and a
// floor is a floor: no row may take less.
inline void check_telescopes(const sim::OpPath& p) {
    INFO(sim::op_kind_name(p.op.kind) << " " << p.op.size << " B by host " << p.op.initiator << ": " << p.why);
    REQUIRE(p.matched);
    REQUIRE_FALSE(p.rows.empty());
    CHECK(p.rows.front().start == p.op.posted);
    CHECK(p.rows.back().end == p.op.done);
    timing::Ps sum = 0;
    for (size_t i = 0; i < p.rows.size(); ++i) {
        if (i) CHECK(p.rows[i].start == p.rows[i - 1].end);
        sum += p.rows[i].span();
        INFO(p.rows[i].stage);
        if (p.rows[i].has_floor) CHECK(p.rows[i].span() >= p.rows[i].floor);
    }
    CHECK(sum == p.total());
}

}  // namespace nicsim::testing
