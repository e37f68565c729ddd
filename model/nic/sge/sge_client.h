// The SGE's interface toward the NIC pipeline (ULP_TX / ULP_RX / TP when they exist).
//
// Toward the pipeline the SGE produces, each call made at the simulated time it describes:
//   on_tx_work     a send WR is in the SGE and parsed (fetched by DMA or pushed by the host);
//   on_tx_payload  payload beats of a WR (gathered by DMA, or its inline data), in order;
//                  beat i carries data[i*beat_bytes ...] at first_beat + i*beat_period,
//                  so a consumer knows the cycle of every beat from one call.
// The pipeline calls back into Sge (sge.h): complete_tx, fetch_recv, place, complete_recv,
// read_host. WRs that fail the SGE's checks never reach the client: the SGE writes their error
// completion itself.
#pragma once

#include <cstdint>
#include <vector>

#include "host/nic_control.h"
#include "host/ring_format.h"
#include "timing/sim_time.h"

namespace nicsim::nic::sge {

struct TxWork {
    uint32_t qpn = 0;
    host::ring::SendWqe wr;
    uint16_t sq_cidx_after = 0;   // SQ consumer index (slots) once this WR retires
    timing::Ps ready = 0;         // cycle the WR is available to ULP_TX
    bool pushed = false;          // arrived through the WC doorbell (no fetch)
};

struct PayloadBurst {
    uint32_t qpn = 0;
    uint64_t wr_id = 0;           // the WR's wr_id, or the tag given to read_host()
    uint32_t offset = 0;          // byte offset of data[0] within the message
    std::vector<uint8_t> data;
    timing::Ps first_beat = 0;
    timing::Ps beat_period = 0;
    uint32_t beats = 0;
    bool last = false;            // the message's final beat is in this burst
    timing::Ps last_beat() const { return beats ? first_beat + (beats - 1) * beat_period : first_beat; }
};

class SgeClient {
public:
    virtual ~SgeClient() = default;
    virtual void on_tx_work(const TxWork& w) = 0;
    virtual void on_tx_payload(const PayloadBurst& b) = 0;
    // Connection setup request from the driver (rdma_connect / rdma_accept). Throw to refuse.
    virtual void on_connect(uint32_t /*qpn*/, const host::ConnParams& /*p*/, bool /*active*/) {}
};

}  // namespace nicsim::nic::sge
