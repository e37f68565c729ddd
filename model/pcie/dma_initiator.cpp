#include "pcie/dma_initiator.h"

namespace nicsim::pcie {

DmaInitiator::DmaInitiator(sc_core::sc_module_name name) : sc_core::sc_module(name), socket("socket") {
    socket.register_nb_transport_bw(this, &DmaInitiator::nb_transport_bw);
}

// A generic payload frees its extensions when destroyed, so jobs need no manual cleanup.
DmaInitiator::~DmaInitiator() = default;

bool DmaInitiator::submit(std::unique_ptr<Job> job) {
    tlm::tlm_generic_payload* gp = &job->gp;
    jobs_.emplace(gp, std::move(job));
    tlm::tlm_phase ph = tlm::BEGIN_REQ;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    ++issued_;
    if (socket->nb_transport_fw(*gp, ph, d) == tlm::TLM_COMPLETED) {  // rejected at once
        jobs_.erase(gp);
        return false;
    }
    return true;
}

bool DmaInitiator::read(uint64_t addr, uint32_t len, ChunkFn on_chunk, ReadDoneFn on_done) {
    auto job = std::make_unique<Job>();
    job->buf.resize(len);
    job->on_read = std::move(on_done);
    job->ext = new DmaExtension;
    uint8_t* base = job->buf.data();
    if (on_chunk)
        job->ext->on_chunk = [base, fn = std::move(on_chunk)](uint32_t off, uint32_t n, timing::Ps t) {
            fn(base + off, off, n, t);
        };
    job->gp.set_extension(job->ext);
    job->gp.set_command(tlm::TLM_READ_COMMAND);
    job->gp.set_address(addr);
    job->gp.set_data_ptr(job->buf.data());
    job->gp.set_data_length(len);
    job->gp.set_streaming_width(len);
    return submit(std::move(job));
}

bool DmaInitiator::write(uint64_t addr, std::vector<uint8_t> data, WriteDoneFn on_done) {
    auto job = std::make_unique<Job>();
    job->buf = std::move(data);
    job->on_write = std::move(on_done);
    job->gp.set_command(tlm::TLM_WRITE_COMMAND);
    job->gp.set_address(addr);
    job->gp.set_data_ptr(job->buf.data());
    job->gp.set_data_length(uint32_t(job->buf.size()));
    job->gp.set_streaming_width(uint32_t(job->buf.size()));
    return submit(std::move(job));
}

tlm::tlm_sync_enum DmaInitiator::nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph,
                                                 sc_core::sc_time&) {
    if (ph != tlm::BEGIN_RESP) return tlm::TLM_ACCEPTED;
    auto it = jobs_.find(&gp);
    if (it == jobs_.end()) return tlm::TLM_COMPLETED;
    std::unique_ptr<Job> job = std::move(it->second);
    jobs_.erase(it);
    bool ok = gp.is_response_ok();
    if (job->on_read) job->on_read(ok, job->buf);
    if (job->on_write) job->on_write(ok);
    return tlm::TLM_COMPLETED;
}

}  // namespace nicsim::pcie
