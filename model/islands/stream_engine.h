// The narrow interface through which the timed NIC model uses the MPA transmit/receive
// blocks: a StreamEngine takes a burst of FPDUs (each with its stream offset), streams them
// back to back at one beat per cycle, and returns the output packets, their flags and the
// cycle in which each one left. Two implementations per block, chosen per block by
// configuration (`impl: model` or `impl: rtl`):
//   * model: the golden model (model/proto) for the bytes and flags, and the documented cycle
//     contract (stream_timing.h) for the timing;
//   * rtl:   the Verilated block (rtl/*.v); bytes, flags and cycles all come from the RTL.
// This header does not include Verilator or SystemC headers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "proto/bytes.h"

namespace nicsim::islands {

enum class Block { Crc32c, MarkerInsert, MarkerStrip };
enum class Impl { Model, Rtl };

const char* block_name(Block b);        // "crc32c", "mpa_marker_insert", "mpa_marker_strip"
Impl parse_impl(const std::string& s);  // "model" | "rtl"; throws std::invalid_argument

struct EngineConfig {
    Block block = Block::Crc32c;
    Impl impl = Impl::Model;
    unsigned data_bytes = 8;  // beat width; rtl: a width built into nicsim_islands
    bool crc = true;          // crc32c: CRC negotiated (insert it / check it)
    bool transmit = true;     // crc32c: true = fill the CRC field, false = check it
    bool markers = true;      // marker blocks: this direction carries markers
};

struct EnginePacket {
    proto::Bytes bytes;          // one FPDU (transmit: its last 4 bytes are the CRC field)
    uint64_t stream_offset = 0;  // marker blocks: FPDU start, bytes since the first FPDU
};

struct EngineResult {
    proto::Bytes bytes;
    bool flag = false;        // crc32c: CRC good (always true on transmit); strip: bad marker
    uint32_t crc = 0;         // crc32c: transmit = CRC written, receive = CRC of all bytes
    uint64_t exit_cycle = 0;  // cycle its last beat left; the burst's first beat enters in cycle 0
};

class StreamEngine {
public:
    virtual ~StreamEngine() = default;
    virtual const EngineConfig& config() const = 0;
    // Streams the burst at full input rate with the output always ready; the block is idle
    // (empty) before and after. Preconditions: FPDU lengths are multiples of 4, >= 8 bytes.
    virtual std::vector<EngineResult> run_burst(const std::vector<EnginePacket>& burst) = 0;
    // Cycles the implementation was clocked so far (rtl: clock edges given to the model).
    virtual uint64_t cycles_clocked() const = 0;

    // Waveform of the block into an FST file (impl rtl; a model engine has no signals and
    // returns false). Cycle k of a burst is dumped at start_ps + k * period_ps, start_ps being
    // the last value given to set_wave_time() (clamped so that time never runs backwards), so
    // the trace lines up with the simulated time at which the data passed the block.
    virtual bool open_fst(const std::string& path, uint64_t period_ps) {
        (void)path;
        (void)period_ps;
        return false;
    }
    virtual void set_wave_time(uint64_t start_ps) { (void)start_ps; }
};

// Throws std::invalid_argument for an rtl width that was not built (see DATA_BYTES_BUILT).
std::unique_ptr<StreamEngine> make_engine(const EngineConfig& cfg);

// The DATA_BYTES the rtl implementation is built for (the first of NICSIM_RTL_WIDTHS), or 0
// when the build has no RTL (NICSIM_RTL=OFF).
unsigned rtl_data_bytes_built();

}  // namespace nicsim::islands
