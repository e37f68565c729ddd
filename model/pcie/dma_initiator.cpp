#include "pcie/dma_initiator.h"

namespace nicsim::pcie {

DmaInitiator::DmaInitiator(sc_core::sc_module_name name) : sc_core::sc_module(name), socket("socket") {
    socket.register_nb_transport_bw(this, &DmaInitiator::nb_transport_bw);
}

// A generic payload frees its extensions when destroyed, so jobs need no manual cleanup.
DmaInitiator::~DmaInitiator() = default;

DmaInitiator::Job* DmaInitiator::get_job() {
    if (free_.empty()) {
        all_.push_back(std::make_unique<Job>());
        Job* j = all_.back().get();
        j->ext = new DmaExtension;
        j->set_extension(j->ext);
        return j;
    }
    Job* j = free_.back();
    free_.pop_back();
    return j;
}

void DmaInitiator::recycle(Job* j) {
    j->ext->on_chunk = nullptr;
    j->on_read = nullptr;
    j->on_write = nullptr;
    free_.push_back(j);
}

bool DmaInitiator::submit(Job* job) {
    tlm::tlm_phase ph = tlm::BEGIN_REQ;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    ++issued_;
    ++outstanding_;
    job->set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (socket->nb_transport_fw(*job, ph, d) == tlm::TLM_COMPLETED) {  // rejected at once
        --outstanding_;
        recycle(job);
        return false;
    }
    return true;
}

bool DmaInitiator::read(uint64_t addr, uint32_t len, ChunkFn on_chunk, ReadDoneFn on_done) {
    Job* job = get_job();
    job->buf.resize(len);
    job->on_read = std::move(on_done);
    uint8_t* base = job->buf.data();
    if (on_chunk)
        job->ext->on_chunk = [base, fn = std::move(on_chunk)](uint32_t off, uint32_t n, timing::Ps t) {
            fn(base + off, off, n, t);
        };
    job->set_command(tlm::TLM_READ_COMMAND);
    job->set_address(addr);
    job->set_data_ptr(job->buf.data());
    job->set_data_length(len);
    job->set_streaming_width(len);
    return submit(job);
}

bool DmaInitiator::write(uint64_t addr, std::vector<uint8_t> data, WriteDoneFn on_done) {
    Job* job = get_job();
    job->buf = std::move(data);
    job->on_write = std::move(on_done);
    job->set_command(tlm::TLM_WRITE_COMMAND);
    job->set_address(addr);
    job->set_data_ptr(job->buf.data());
    job->set_data_length(uint32_t(job->buf.size()));
    job->set_streaming_width(uint32_t(job->buf.size()));
    return submit(job);
}

tlm::tlm_sync_enum DmaInitiator::nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph,
                                                 sc_core::sc_time&) {
    if (ph != tlm::BEGIN_RESP) return tlm::TLM_ACCEPTED;
    Job* job = static_cast<Job*>(&gp);  // every payload on this socket is one of our jobs
    --outstanding_;
    bool ok = gp.is_response_ok();
    // Move the callbacks out first: they may issue new DMAs that reuse this job.
    ReadDoneFn on_read = std::move(job->on_read);
    WriteDoneFn on_write = std::move(job->on_write);
    std::vector<uint8_t> data;
    if (on_read) data.swap(job->buf);
    recycle(job);
    if (on_read) on_read(ok, data);
    if (on_write) on_write(ok);
    return tlm::TLM_COMPLETED;
}

}  // namespace nicsim::pcie
