// The few pieces of JSON text the report writers need: a quoted, escaped string and a number
// that is always valid JSON (NaN and infinities become null; integers print without a
// fraction; others with enough digits to read back the same double).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nicsim::sim::stats {

std::string json_string(std::string_view s);  // with the quotes
std::string json_number(double v);
std::string json_number(uint64_t v);

// CSV field: quoted (and inner quotes doubled) only when it holds a comma, quote or newline.
std::string csv_field(std::string_view s);

}  // namespace nicsim::sim::stats
