// The device side of DMA: wraps a TLM-2.0 AT initiator socket in callback-style calls.
//
// read()/write() return at once; callbacks run in a method process when the link reports
// progress. Buffers and generic payloads are owned here for the life of the transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "pcie/dma_extension.h"
#include "timing/sim_time.h"

namespace nicsim::pcie {

class DmaInitiator : public sc_core::sc_module {
public:
    using ChunkFn = std::function<void(const uint8_t* data, uint32_t offset, uint32_t len, timing::Ps t)>;
    using ReadDoneFn = std::function<void(bool ok, const std::vector<uint8_t>& data)>;
    using WriteDoneFn = std::function<void(bool ok)>;

    tlm_utils::simple_initiator_socket<DmaInitiator> socket;

    explicit DmaInitiator(sc_core::sc_module_name name);
    ~DmaInitiator() override;

    // Returns false (and calls nothing) if the link rejected the request outright.
    bool read(uint64_t addr, uint32_t len, ChunkFn on_chunk, ReadDoneFn on_done);
    bool write(uint64_t addr, std::vector<uint8_t> data, WriteDoneFn on_done);

    uint64_t issued() const { return issued_; }
    size_t outstanding() const { return outstanding_; }

private:
    // A job *is* its generic payload, so the backward path finds it without a lookup; finished
    // jobs are recycled (payload, extension and buffer capacity) to keep malloc off the hot path.
    struct Job : tlm::tlm_generic_payload {
        DmaExtension* ext = nullptr;
        std::vector<uint8_t> buf;
        ReadDoneFn on_read;
        WriteDoneFn on_write;
    };
    tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d);
    Job* get_job();
    void recycle(Job* j);
    bool submit(Job* job);

    std::vector<std::unique_ptr<Job>> all_;  // owns every job ever made
    std::vector<Job*> free_;
    size_t outstanding_ = 0;
    uint64_t issued_ = 0;
};

}  // namespace nicsim::pcie
