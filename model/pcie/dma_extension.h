// Per-completion progress of a DMA read, carried on the TLM generic payload.
//
// The AT protocol only reports a whole transaction (BEGIN_RESP when its last byte arrived);
// the SGE needs each CplD as it lands to stream payload beats into the pipeline at the cycle
// the data really exists, so the link calls on_chunk for every CplD of the request.
#pragma once

#include <cstdint>
#include <functional>

#include <tlm>

#include "timing/sim_time.h"

namespace nicsim::pcie {

struct DmaExtension : tlm::tlm_extension<DmaExtension> {
    // offset within the request, length, arrival time (== sc_time_stamp() at the call)
    std::function<void(uint32_t offset, uint32_t len, timing::Ps arrival)> on_chunk;

    tlm::tlm_extension_base* clone() const override { return new DmaExtension(*this); }
    void copy_from(const tlm::tlm_extension_base& other) override {
        on_chunk = static_cast<const DmaExtension&>(other).on_chunk;
    }
};

}  // namespace nicsim::pcie
