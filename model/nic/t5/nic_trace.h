// What the T5Nic records about each frame and placement when tracing is on: enough to break
// one message's latency down stage by stage (tests, latency-budget reports).
#pragma once

#include <cstdint>
#include <vector>

#include "nic/pipeline/stage_config.h"
#include "timing/sim_time.h"

namespace nicsim::nic {

struct TxFrameRecord {
    uint64_t frame_id = 0;
    uint32_t qpn = 0;
    uint32_t seq = 0;
    uint32_t payload = 0;           // TCP payload bytes
    uint32_t frame_bytes = 0;       // FCS-less Ethernet frame
    timing::Ps emitted = 0;         // the endpoint produced the segment
    timing::Ps data_ready = 0;      // its payload beats were all available (== emitted if none)
    timing::Ps offered = 0;         // first beat offered to ULP_TX
    FrameTiming chain;              // per TX stage
    timing::Ps wire_first_byte = 0; // first byte leaves the port (after the preamble)
};

struct RxFrameRecord {
    uint64_t frame_id = 0;
    uint32_t payload = 0;
    uint32_t seq = 0;
    timing::Ps first_byte = 0, last_byte = 0;  // at the port
    FrameTiming chain;                          // per RX stage
    timing::Ps delivered = 0;                   // left TPT: the endpoint runs
    uint32_t frame_bytes = 0;                   // FCS-less Ethernet frame (stats, traces)
};

struct PlacementRecord {
    uint64_t addr = 0;
    uint32_t bytes = 0;
    timing::Ps issued = 0;  // Sge::place called
    timing::Ps done = 0;    // the root complex has the data (0 while in flight)
    uint64_t rx_frame_id = 0;  // the received frame whose delivery caused it (0: none)
};

struct CompletionRecord {
    uint32_t qpn = 0;
    uint64_t wr_id = 0;  // the host's wr_id
    bool recv = false;
    timing::Ps at = 0;   // complete_tx / complete_recv called
    uint64_t rx_frame_id = 0;  // the received frame whose delivery completed it (0: none)
    timing::Ps cqe_written = 0;  // the CQE is in host memory (0: no CQE written, or in flight)
};

struct WorkRecord {
    uint32_t qpn = 0;
    uint64_t wr_id = 0;
    bool pushed = false;
    timing::Ps ready = 0;          // the SGE handed the WR to the NIC
    timing::Ps payload_first = 0;  // first / last payload beat at ULP_TX (0: no payload)
    timing::Ps payload_last = 0;
    // The message's bytes in the QP's TCP send stream as sequence numbers [seq_first, seq_end),
    // set when the WR is handed to the endpoint (on_stream); the frame carrying seq_end - 1
    // carries the message's last byte.
    bool on_stream = false;
    uint32_t seq_first = 0, seq_end = 0;
    uint16_t sq_cidx_after = 0;  // SQ slots consumed after this WR (free-running, mod 2^16)
    uint64_t payload_addr = 0;   // host address of the first gathered byte (0: inline or none)
};

// An SQ doorbell or WC push at the BAR: `slots` more WR slots of `qpn` announced.
struct DoorbellRecord {
    uint32_t qpn = 0;
    uint32_t slots = 0;
    timing::Ps at = 0;
};

// An RDMA Read Response this NIC sources: the request frame that asked for it, when the DMA
// read of the source data was issued, and the response's place in the send stream.
struct ReadSourceRecord {
    uint32_t qpn = 0;
    uint64_t tag = 0;          // the read_host tag (PayloadBurst wr_id)
    uint64_t addr = 0;         // host address of the source data
    uint32_t bytes = 0;
    uint64_t rx_frame_id = 0;  // the Read Request's frame
    timing::Ps issued = 0;     // Sge::read_host called
    bool on_stream = false;    // seq range known (the response was queued)
    uint32_t seq_first = 0, seq_end = 0;
};

struct NicTrace {
    std::vector<WorkRecord> works;
    std::vector<TxFrameRecord> tx;
    std::vector<RxFrameRecord> rx;
    std::vector<PlacementRecord> placements;
    std::vector<CompletionRecord> completions;
    std::vector<ReadSourceRecord> read_sources;
    std::vector<timing::Ps> sq_doorbells;  // SQ doorbell / WC push arrivals at the BAR
    std::vector<DoorbellRecord> doorbells;  // the same with the QP and slot count
};

}  // namespace nicsim::nic
