// The latency budget as an SVG chart: one horizontal stacked bar per (kind, size) group, each
// segment one stage's share of the group's mean total (bars are normalised so small and large
// messages are equally readable; the total in ns is printed at the bar's end), one colour per
// stage name across all bars, and a legend. Plain SVG 1.1, no dependencies.
//
// Every (group, stage) pair is one <rect class="seg"> (zero-width when the stage took no
// time), with a <title> giving the stage, mean ns and share; legend swatches are class="key",
// one per budget_stage_key.
#pragma once

#include <string>

#include "sim/report/latency_budget.h"

namespace nicsim::sim {

std::string budget_svg(const LatencyBudget& b);
// The stage's colour and legend key: its name without a Read leg's "request: "/"response: ".
std::string budget_stage_key(const std::string& stage);

}  // namespace nicsim::sim
