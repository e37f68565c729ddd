// The MPA_TX / MPA_RX stages' RTL islands inside the T5 NIC (docs/rtl.md, "The islands in the
// NIC"). The golden IwarpEndpoint builds every FPDU (markers, CRC) itself; when some of
// nic.mpa_tx/mpa_rx.{crc,marker}_impl is `rtl`, this adapter streams the FPDUs of each frame
// through the Verilated blocks as the frame passes the stage, and compares:
//
//   TX  FPDU without markers, CRC field zero -> mpa_marker_insert -> crc32c (fill CRC);
//       the result must equal the endpoint's FPDU byte for byte. The frame the MAC sends
//       carries the chain's output: on a mismatch the RTL's bytes go on the wire (TCP
//       checksum patched), so a faulty block shows up at the peer like a faulty chip would.
//   RX  raw FPDU -> crc32c (check) -> mpa_marker_strip; the CRC verdict, the marker verdict
//       and the clean bytes are the RTL's, and must equal those of the golden engine twin.
//
// Every rtl island also runs its golden twin (islands::make_engine, impl model) on the same
// burst: bytes, flags, CRC and exit cycles must agree. A disagreement is a counted mismatch
// and an error through `report` (the NIC's errors(): the run fails); it never throws.
// A block whose impl is `model` runs as its golden engine in the chain.
//
// FPDU delimiting: stream offsets count from the first octet after the MPA Request/Reply,
// found by parsing the startup frame in the segment at ISS+1 (TX) / IRS+1 (RX). Every
// segment the golden TCP sends starts on an FPDU (MPA-aware TCP); the adapter walks the
// ULPDU_Length fields from a segment's start when that start is a known FPDU boundary or lies
// beyond all bytes seen (after a loss). Segments that start inside a known FPDU, and FPDUs cut
// by a segment end, are counted and not checked.
//
// Timing: the islands do not change the pipeline's times (the chain times the stage; the
// blocks' 1-cycle latency and full rate are inside it). Their virtual clock has period
// stage_period * island_bytes / stage_width, so a width-8 island passes one stage beat per
// stage cycle; waveforms are stamped with that clock from the time the FPDU bytes enter
// the stage.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "islands/stream_engine.h"
#include "nic/pipeline/stage_config.h"
#include "proto/iwarp_endpoint.h"
#include "proto/packet.h"

namespace nicsim::nic {

struct MpaIslandParams {
    islands::Impl tx_crc = islands::Impl::Model, tx_marker = islands::Impl::Model;
    islands::Impl rx_crc = islands::Impl::Model, rx_marker = islands::Impl::Model;
    bool any_rtl() const;
};

struct MpaIslandStats {
    std::string name;         // "mpa_tx.crc32c", ...
    islands::Impl impl = islands::Impl::Model;
    uint64_t fpdus = 0;       // FPDUs streamed through the island
    uint64_t bursts = 0;      // one per frame
    uint64_t cycles = 0;      // rtl: clock cycles given to the Verilated block
    uint64_t mismatches = 0;  // FPDUs whose RTL output disagreed with the golden twin
};

struct MpaCheckStats {
    uint64_t tx_fpdus = 0, rx_fpdus = 0;  // FPDUs through the TX / RX chains of islands
    uint64_t tx_wire_mismatches = 0;      // TX chain output != the endpoint's FPDU
    uint64_t rx_crc_errors = 0;           // FPDUs the RX CRC block flagged bad
    uint64_t rx_marker_errors = 0;        // FPDUs the strip block flagged (bad marker)
    uint64_t unframed_segments = 0;       // segments starting inside a known FPDU: not checked
    uint64_t assumed_boundaries = 0;      // segments past a gap (loss) taken to start on an FPDU
    uint64_t partial_fpdus = 0;           // FPDUs cut by a segment end: not checked
    uint64_t internal_errors = 0;         // an engine threw (reported, counted as a mismatch)
    uint64_t late_fpdus = 0;              // an island's last beat left after the stage's (timing contract broken)
    uint64_t mismatches() const;          // every disagreement above and in the islands
    std::vector<MpaIslandStats> islands;  // mpa_tx.mpa_marker_insert, mpa_tx.crc32c, mpa_rx.crc32c, mpa_rx.mpa_marker_strip
};

class MpaRtlCheck {
public:
    using Report = std::function<void(std::string)>;

    // `tx_chain` / `rx_chain`: the NIC's stages; the islands take the clock and width of the
    // stages named mpa_tx / mpa_rx (the last stage of a chain without one). Throws
    // std::invalid_argument if some impl is rtl and the build has no RTL.
    MpaRtlCheck(const MpaIslandParams& p, const std::vector<StageConfig>& tx_chain,
                const std::vector<StageConfig>& rx_chain, Report report);
    ~MpaRtlCheck();

    bool active() const { return active_; }

    // A frame of QP `qpn` entering MPA_TX (`ft`: its chain timing). Returns the frame the MAC
    // sends: `frame` itself, or a copy carrying the RTL's bytes where they differ.
    std::shared_ptr<const proto::Bytes> on_tx(uint32_t qpn, const proto::IwarpEndpoint& ep,
                                              std::shared_ptr<const proto::Bytes> frame, const FrameTiming& ft);
    // When a frame passes a stage: its first beat popped, its last beat out.
    struct StageWindow {
        timing::Ps first_pop = 0, last_out = 0;
    };
    StageWindow rx_stage_window(const FrameTiming& ft) const;
    // A received frame (TCP checksum good, demultiplexed to QP `qpn`; `f` parsed from `frame`)
    // that passed MPA_RX in `w`.
    void on_rx(uint32_t qpn, const proto::IwarpEndpoint& ep, const proto::Bytes& frame, const proto::ParsedTcpFrame& f,
               StageWindow w);

    // FST waveforms of the rtl islands: `<prefix>.<island>.fst` (e.g. out/a.mpa_tx.crc32c.fst),
    // for the engines created from now on (call before sc_start). False if none can be opened.
    bool open_waves(const std::string& prefix);

    MpaCheckStats stats() const;

private:
    struct Island;
    struct Direction {
        std::optional<uint32_t> fpdu_seq;  // TCP sequence number of the first FPDU octet
        uint64_t hint = 0;                 // highest stream offset seen (unwrapping)
        std::set<uint64_t> starts{0};      // known FPDU start offsets
    };
    struct Flow {
        Direction tx, rx;
        std::optional<bool> initiator;
    };
    struct Fpdu {
        size_t at = 0;  // in the segment payload
        size_t len = 0;
        uint64_t offset = 0;  // stream offset
    };

    void learn_base(Flow& fl, Direction& d, bool transmit, const proto::IwarpEndpoint& ep, uint32_t seq,
                    proto::ByteView payload);
    std::vector<Fpdu> frame_fpdus(Direction& d, uint32_t seq, proto::ByteView payload, bool markers);
    std::vector<islands::EngineResult> run(Island& is, const std::vector<islands::EnginePacket>& burst, bool markers,
                                           bool crc, timing::Ps start);
    void mismatch(const std::string& what);
    void check_timing(const std::vector<islands::EngineResult>& last_island, timing::Ps start, timing::Ps period,
                      timing::Ps stage_last_out);

    bool active_ = false;
    StageConfig tx_stage_, rx_stage_;
    size_t tx_index_, rx_index_;
    Report report_;
    std::unique_ptr<Island> tx_insert_, tx_crc_, rx_crc_, rx_strip_;
    std::map<uint32_t, Flow> flows_;
    std::string wave_prefix_;
    MpaCheckStats stats_;
    uint64_t reported_ = 0;
};

// Overwrites frame[at, at + n) with `bytes` and patches the TCP checksum (RFC 1624), so the
// frame stays valid at the TCP layer. `tcp_at`: offset of the TCP header in the frame.
void rewrite_tcp_bytes(proto::Bytes& frame, size_t tcp_at, size_t at, proto::ByteView bytes);

}  // namespace nicsim::nic
