// Simulated time is an integer number of picoseconds everywhere in the model.
//
// SystemC fixes its time resolution the first time an sc_time is built, so every top level
// (sc_main, each test case, each benchmark) calls init_time_resolution() before it creates
// any module or sc_time. Calling it again later is harmless as long as it was first.
#pragma once

#include <cstdint>
#include <systemc>

namespace nicsim::timing {

using Ps = uint64_t;  // absolute or relative time in picoseconds

// Sets the SystemC resolution to 1 ps. Throws std::logic_error if SystemC already fixed a
// different resolution (an sc_time was created first), instead of silently rounding.
void init_time_resolution();

inline sc_core::sc_time to_sc(Ps t) { return sc_core::sc_time::from_value(t); }
inline Ps to_ps(const sc_core::sc_time& t) { return t.value(); }
inline Ps now_ps() { return sc_core::sc_time_stamp().value(); }

constexpr Ps kNs = 1000;
constexpr Ps kUs = 1000 * kNs;

}  // namespace nicsim::timing
