// The scenario sections besides `workload:` that shape a run:
//
//   outputs:  {pcap: false, budget: false, stats: false, perfetto: false, waves: false}
//   faults:   - {link: a_to_b, drop_frames: [5, 9]}          # by frame index on that link
//             - {link: b_to_a, drop_probability: 0.001, from_frame: 20}   # seeded by sim.seed
//   topology: {hosts: 2}   # the system has exactly two hosts; the switch is net.switch.*
//
// Each parse_* reads its section (if present) plus its `--set <section>.<key>=<value>`
// overrides (outputs only) and reports problems at file:line:column with the key path.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/config/scenario.h"
#include "sim/two_host_system.h"

namespace nicsim::sim {

struct OutputsSpec {
    bool pcap = false;      // port_a.pcap, port_b.pcap (nanosecond pcap, both directions of a port)
    bool budget = false;    // latency budget (report writer not in this branch yet)
    bool stats = false;     // stats.json/csv (report writer not in this branch yet)
    bool perfetto = false;  // Perfetto/Chrome trace (report writer not in this branch yet)
    bool waves = false;     // RTL island waveforms: sim.waves chooses the format
    bool nic_trace() const { return budget || stats || perfetto; }
};

struct LinkFault {
    int from_host = 0;                // the link host A (0) or B (1) transmits on
    std::vector<uint64_t> drop_frames;  // 0-based frame indices on that link
    double drop_probability = 0;      // each frame from from_frame on is lost with this chance
    uint64_t from_frame = 0;
};

std::vector<config::Diagnostic> parse_outputs(const config::Scenario& sc, OutputsSpec& out);
std::vector<config::Diagnostic> parse_faults(const config::Scenario& sc, std::vector<LinkFault>& out);
std::vector<config::Diagnostic> parse_topology(const config::Scenario& sc);

// Installs the drop filters on the system's links; the random stream is seeded by `seed`
// (each link its own stream). Returns nothing to undo: the filters live with the links.
void install_faults(TwoHostSystem& sys, const std::vector<LinkFault>& faults, uint64_t seed);

}  // namespace nicsim::sim
