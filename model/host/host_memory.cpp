#include "host/host_memory.h"

#include <algorithm>
#include <cstring>

namespace nicsim::host {

HostMemory::HostMemory(sc_core::sc_module_name name, const HostMemoryParams& p)
    : sc_core::sc_module(name), socket("socket"), p_(p) {
    socket.register_b_transport(this, &HostMemory::b_transport);
}

void HostMemory::read(uint64_t addr, uint8_t* dst, size_t len) const {
    while (len > 0) {
        uint64_t page = addr / kPage, off = addr % kPage;
        size_t n = std::min<size_t>(len, kPage - off);
        auto it = pages_.find(page);
        if (it == pages_.end())
            std::memset(dst, 0, n);
        else
            std::memcpy(dst, it->second.get() + off, n);
        addr += n, dst += n, len -= n;
    }
}

void HostMemory::write(uint64_t addr, const uint8_t* src, size_t len) {
    while (len > 0) {
        uint64_t page = addr / kPage, off = addr % kPage;
        size_t n = std::min<size_t>(len, kPage - off);
        auto& pg = pages_[page];
        if (!pg) {
            pg.reset(new uint8_t[kPage]);
            std::memset(pg.get(), 0, kPage);
        }
        std::memcpy(pg.get() + off, src, n);
        addr += n, src += n, len -= n;
    }
}

std::vector<uint8_t> HostMemory::read(uint64_t addr, size_t len) const {
    std::vector<uint8_t> v(len);
    read(addr, v.data(), len);
    return v;
}

uint64_t HostMemory::read_u64(uint64_t addr) const {
    uint8_t b[8];
    read(addr, b, 8);
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | b[i];
    return v;
}

void HostMemory::write_u64(uint64_t addr, uint64_t v) {
    uint8_t b[8];
    for (int i = 0; i < 8; ++i) b[i] = uint8_t(v >> (8 * i));
    write(addr, b, 8);
}

void HostMemory::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& d) {
    ++transactions_;
    uint32_t len = gp.get_data_length();
    if (gp.get_byte_enable_ptr() || gp.get_streaming_width() < len || gp.get_data_ptr() == nullptr) {
        gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    if (gp.is_read()) {
        read(gp.get_address(), gp.get_data_ptr(), len);
        d += timing::to_sc(p_.read_latency);
    } else if (gp.is_write()) {
        write(gp.get_address(), gp.get_data_ptr(), len);
        d += timing::to_sc(p_.write_latency);
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace nicsim::host
