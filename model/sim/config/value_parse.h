// Text -> typed value for one parameter, and the range check. Shared by the YAML loader (whose
// scalars arrive as text) and `--set key=value`, so both accept exactly the same spellings.
#pragma once

#include <string>
#include <string_view>

#include "sim/config/param_spec.h"

namespace nicsim::config {

struct ParseResult {
    bool ok = false;
    Value value;
    std::string error;  // when !ok: what was expected, e.g. "expected an integer, got \"fast\""
};

// `quoted`: the YAML scalar was written in quotes, i.e. it is a string; only enum, string and
// duration parameters accept that. Accepted spellings:
//   bool      true/false, yes/no, on/off (any case)
//   int       decimal or 0x hex, optional '_' digit separators
//   double    any decimal or exponent form (an integer too); not nan/inf
//   duration  an integer (ps) or a number with a unit: 450ns, 1.5 us, 20000 ps, 2 ms, 1 s
ParseResult parse_value(const ParamSpec& spec, std::string_view text, bool quoted = false);

// `s` without its leading and trailing whitespace (for every hand-split text field).
std::string trim(std::string_view s);

// Empty when v is inside the declared range, else a message ("must be in 1..4, got 7").
std::string check_range(const ParamSpec& spec, const Value& v);

}  // namespace nicsim::config
