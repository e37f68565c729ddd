#include "nic/t5/nic_memory_adapter.h"

#include <algorithm>

namespace nicsim::nic {

const host::ring::RecvWqe* NicMemoryAdapter::receive(uint64_t tag) const {
    auto it = receives_.find(tag);
    return it == receives_.end() ? nullptr : &it->second;
}

bool NicMemoryAdapter::host_address(uint32_t stag, uint64_t to, uint64_t len, uint64_t& addr) const {
    const proto::MemoryRegion* r = tpt_.find(stag);
    if (!r || to < r->base_to || to - r->base_to > r->length || len > r->length - (to - r->base_to)) return false;
    addr = r->host_address + (to - r->base_to);
    return true;
}

void NicMemoryAdapter::write_tagged(uint32_t stag, uint64_t to, proto::ByteView data) {
    uint64_t addr = 0;
    if (!host_address(stag, to, data.size, addr)) {
        ++bad_;
        return;
    }
    placed_ += data.size;
    if (hooks_.place) hooks_.place(addr, proto::Bytes(data.data, data.data + data.size));
}

void NicMemoryAdapter::write_receive(uint64_t recv_wr_id, uint32_t offset, proto::ByteView data) {
    const host::ring::RecvWqe* w = receive(recv_wr_id);
    if (!w) {
        ++bad_;
        return;
    }
    // Scatter over the WQE's SGEs: [offset, offset + size) of the concatenated buffers.
    uint64_t pos = 0, done = 0;
    for (const auto& s : w->sgl) {
        if (done == data.size) break;
        uint64_t at = offset + done;
        if (at < pos + s.length) {
            uint64_t n = std::min<uint64_t>(s.length - (at - pos), data.size - done);
            if (hooks_.place)
                hooks_.place(s.addr + (at - pos), proto::Bytes(data.data + done, data.data + done + n));
            done += n;
        }
        pos += s.length;
    }
    placed_ += done;
    if (done != data.size) ++bad_;  // the receiver checked the length: cannot happen
}

proto::Bytes NicMemoryAdapter::read_tagged(uint32_t stag, uint64_t to, uint32_t length) {
    uint64_t addr = 0;
    if (!host_address(stag, to, length, addr) || !hooks_.peek) {
        ++bad_;
        return proto::Bytes(length, 0);
    }
    if (hooks_.source_read) hooks_.source_read(addr, length);
    return hooks_.peek(addr, length);
}

}  // namespace nicsim::nic
