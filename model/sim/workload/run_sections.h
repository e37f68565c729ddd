// The scenario sections besides `workload:` that shape a run:
//
//   outputs:  {pcap: true, budget: true, stats: true, perfetto: true}   # written with --out DIR
//   faults:   - {link: a_to_b, drop_frames: [5, 9]}          # by frame index on that link
//             - {link: b_to_a, drop_probability: 0.001, from_frame: 20}   # seeded by sim.seed
//             - {link: c_tx, drop_frames: [3]}   # x_tx: the link host x transmits on (any topology)
//   topology: {hosts: 4}   # 2..16 hosts a, b, c, ...; more than two need net.switch.enabled
//
// Each parse_* reads its section (if present) plus its `--set <section>.<key>=<value>`
// overrides (outputs and topology; faults only from the file) and reports problems at file:line:column with the key path.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/config/scenario.h"
#include "sim/testbed.h"

namespace nicsim::sim {

struct OutputsSpec {
    // Every output is on by default and written only with --out DIR. RTL island waveforms are
    // not an output switch: sim.waves = fst asks for them.
    bool pcap = true;      // port_a.pcap, port_b.pcap (nanosecond pcap, both directions of a port)
    bool budget = true;    // budget.md, budget.json, budget.svg (latency budget per operation kind and size)
    bool stats = true;     // stats.json, stats.csv
    bool perfetto = true;  // trace.json (Perfetto / Chrome trace event format)
    bool nic_trace() const { return budget || stats || perfetto; }
};

struct LinkFault {
    int from_host = 0;                // the link this host (0 = a, 1 = b, ...) transmits on
    std::vector<uint64_t> drop_frames;  // 0-based frame indices on that link
    double drop_probability = 0;      // each frame from from_frame on is lost with this chance
    uint64_t from_frame = 0;
};

std::vector<config::Diagnostic> parse_outputs(const config::Scenario& sc, OutputsSpec& out);
std::vector<config::Diagnostic> parse_faults(const config::Scenario& sc, std::vector<LinkFault>& out);
std::vector<config::Diagnostic> parse_topology(const config::Scenario& sc);
// topology.hosts (the file's, or --set topology.hosts=N), 2 when absent; an invalid value is
// ignored here (parse_topology reports it).
int topology_hosts(const config::Scenario& sc);

// Installs the drop filters on the system's links; the random stream is seeded by `seed`
// (each link its own stream). Returns nothing to undo: the filters live with the links.
void install_faults(Testbed& sys, const std::vector<LinkFault>& faults, uint64_t seed);

}  // namespace nicsim::sim
