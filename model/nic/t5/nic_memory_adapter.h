// proto::EndpointMemory for one QP of the timed NIC: turns the golden endpoint's memory
// accesses into the SGE's DMA work.
//
//  * write_tagged / write_receive -> placement DMA writes (Sge::place), issued at the time the
//    endpoint runs (the frame's exit from the RX chain). Tagged offsets are host virtual
//    addresses (the verbs driver registers MRs with addr == TO base); receive buffers are the
//    receive WQE's scatter list, fetched earlier by DMA.
//  * read_tagged (a Read Response's source data) must return bytes synchronously. DECOUPLING:
//    the bytes are read from host memory untimed, and the DMA that a T5 would do is charged
//    separately: the adapter reports (addr, len) to the NIC, which asks the SGE to gather the
//    same range (Sge::read_host) and holds the response's segments until those beats arrive.
#pragma once

#include <cstdint>
#include <functional>
#include <map>

#include "host/ring_format.h"
#include "proto/iwarp_endpoint.h"
#include "proto/tpt.h"

namespace nicsim::nic {

class NicMemoryAdapter : public proto::EndpointMemory {
public:
    struct Hooks {
        std::function<void(uint64_t addr, proto::Bytes data)> place;       // timed DMA write
        std::function<proto::Bytes(uint64_t addr, uint32_t len)> peek;     // untimed host read
        std::function<void(uint64_t addr, uint32_t len)> source_read;      // charge a timed read
    };

    NicMemoryAdapter(const proto::Tpt& tpt, Hooks hooks) : tpt_(tpt), hooks_(std::move(hooks)) {}

    // Receive buffers known to the endpoint, by the tag posted as PostedReceive::wr_id.
    void add_receive(uint64_t tag, const host::ring::RecvWqe& w) { receives_[tag] = w; }
    const host::ring::RecvWqe* receive(uint64_t tag) const;
    void drop_receive(uint64_t tag) { receives_.erase(tag); }

    void write_tagged(uint32_t stag, uint64_t to, proto::ByteView data) override;
    void write_receive(uint64_t recv_wr_id, uint32_t offset, proto::ByteView data) override;
    proto::Bytes read_tagged(uint32_t stag, uint64_t to, uint32_t length) override;

    uint64_t bytes_placed() const { return placed_; }
    uint64_t bad_accesses() const { return bad_; }  // should stay 0: the TPT checked them

private:
    bool host_address(uint32_t stag, uint64_t to, uint64_t len, uint64_t& addr) const;

    const proto::Tpt& tpt_;
    Hooks hooks_;
    std::map<uint64_t, host::ring::RecvWqe> receives_;
    uint64_t placed_ = 0, bad_ = 0;
};

}  // namespace nicsim::nic
