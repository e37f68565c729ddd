#include "timing/sim_time.h"

#include <stdexcept>

namespace nicsim::timing {

void init_time_resolution() {
    static bool done = false;
    if (done) return;
    try {
        sc_core::sc_set_time_resolution(1, sc_core::SC_PS);
    } catch (const std::exception&) {
        // SystemC refuses once time is in use; accept only if it is already 1 ps.
    }
    if (sc_core::sc_get_time_resolution() != sc_core::sc_time(1, sc_core::SC_PS))
        throw std::logic_error("nicsim: SystemC time resolution is not 1 ps; call "
                               "init_time_resolution() before creating any sc_time");
    done = true;
}

}  // namespace nicsim::timing
