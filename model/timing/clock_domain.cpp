#include "timing/clock_domain.h"

#include <cmath>
#include <stdexcept>

namespace nicsim::timing {

ClockDomain::ClockDomain(Ps period_ps, std::string name) : period_(period_ps), name_(std::move(name)) {
    if (period_ == 0) throw std::invalid_argument("ClockDomain '" + name_ + "': period must be > 0 ps");
}

ClockDomain ClockDomain::from_mhz(double mhz, std::string name) {
    if (!(mhz > 0.0) || mhz > 1.0e6)
        throw std::invalid_argument("ClockDomain '" + name + "': frequency must be in (0, 1e6] MHz");
    // Round to the nearest ps: 500 MHz -> 2000 ps, 312.5 MHz -> 3200 ps, 322.27 MHz -> 3103 ps.
    return ClockDomain(Ps(std::llround(1.0e6 / mhz)), std::move(name));
}

}  // namespace nicsim::timing
