// The network between the NICs (net.*) and whole-run settings (sim.*). Names follow
// net::LinkParams and net::SwitchParams (model/net/); the link rate is nic.mac.rate_gbps.
#include "sim/config/config.h"
#include "sim/config/param_declarations.h"

namespace nicsim::config {

namespace {
constexpr int64_t kNs = 1000;
constexpr int64_t kMs = 1000 * 1000 * kNs;
constexpr int64_t kS = 1000 * kMs;
}  // namespace

void declare_net_sim_params(ParamRegistry& r) {
    r.add_duration("net.link.propagation_ps", 5 * kNs, 0, kMs, "Cable propagation delay, each direction");
    r.add_bool("net.switch.enabled", false, "Put a switch between the NICs (else back to back)");
    r.add_duration("net.switch.latency_ps", 230 * kNs, 0, kMs, "Port-to-port latency of the (cut-through) switch, first bit in to first bit out");
    r.add_int("net.switch.egress_buffer_bytes", 0, 0, int64_t(1) << 32, "B",
              "Frame bytes an egress port may hold (queued or leaving); a frame that does not fit is dropped (0: unlimited)");
    r.add_constraint({{"nic.mac.mtu", "net.switch.egress_buffer_bytes"}, [](const Config& c) {
                          const int64_t b = c.get_int("net.switch.egress_buffer_bytes");
                          if (b == 0 || b >= c.get_int("nic.mac.mtu") + 18) return std::string();
                          return std::string("net.switch.egress_buffer_bytes must be 0 (unlimited) or hold at least one frame (mtu + 18 B)");
                      }});

    r.add_int("sim.seed", 1, 0, INT64_MAX, "", "Seed of every random choice of the run");
    r.add_duration("sim.stop_time_ps", 0, 0, 1000 * kS, "Stop the run at this simulated time (0: when the workloads end); workloads not finished by then fail the run");
    r.add_enum("sim.waves", "none", {"none", "fst"}, "FST waveforms of the RTL islands (impl: rtl) into the run's --out folder");
}

}  // namespace nicsim::config
