// Cycle timing of the RTL stream blocks (rtl/crc32c.v, rtl/mpa_marker_insert.v,
// rtl/mpa_marker_strip.v) for a burst of back-to-back packets at full input rate with the
// output always ready. This is the documented latency/throughput contract (docs/rtl.md) in
// executable form: the golden engines report these cycles, the RTL testbenches and the
// cosimulation test check the Verilated blocks against them cycle for cycle.
//
// Convention: the first beat of the burst is presented in cycle 0; a beat accepted in cycle t
// is registered at the end of t and leaves (m_valid & m_ready) in cycle t+1. The result for each
// packet is the cycle in which its last output beat leaves.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace nicsim::islands {

// crc32c: latency 1, one beat per cycle in and out.
std::vector<uint64_t> crc32c_eop_cycles(const std::vector<size_t>& lengths, unsigned data_bytes);

// mpa_marker_insert: the output (longer by the markers) runs at one beat per cycle from cycle
// 1; `out_lengths` are the FPDU lengths with markers.
std::vector<uint64_t> marker_insert_eop_cycles(const std::vector<size_t>& out_lengths, unsigned data_bytes);

// mpa_marker_strip: input accepted every cycle; a packet's last beat leaves 1 cycle after its
// last input beat, or 2 when its tail does not fit in one output beat with the words still
// buffered. `raw_lengths` include markers, `stream_offsets` are each FPDU's stream offset.
std::vector<uint64_t> marker_strip_eop_cycles(const std::vector<size_t>& raw_lengths,
                                              const std::vector<uint64_t>& stream_offsets,
                                              bool markers, unsigned data_bytes);

}  // namespace nicsim::islands
