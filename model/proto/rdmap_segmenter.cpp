#include "rdmap_segmenter.h"

#include <algorithm>
#include <stdexcept>

#include "mpa_startup.h"

namespace nicsim::proto {

void RdmapSegmenter::segment(const RdmapMessage& m, size_t mulpdu, std::vector<Bytes>& out) {
    DdpHeader h;
    h.tagged = is_tagged(m.opcode);
    h.ulp_control = rdmap_control(m.opcode);
    if (mulpdu <= h.size()) throw std::invalid_argument("MULPDU too small for a DDP header");

    if (m.opcode == RdmapOpcode::ReadRequest || m.opcode == RdmapOpcode::Terminate) {
        h.qn = queue_of(m.opcode);
        h.msn = msn_[h.qn]++;
        Bytes u;
        encode_ddp_header(h, u);
        if (m.opcode == RdmapOpcode::ReadRequest) encode_read_request(m.read, u);
        else encode_terminate(m.terminate, u);
        if (u.size() > mulpdu) throw std::invalid_argument("MULPDU too small for the RDMAP header");
        out.push_back(std::move(u));
        return;
    }

    size_t room = mulpdu - h.size();
    size_t total = m.payload.size();
    if (!h.tagged) {
        h.qn = queue_of(m.opcode);
        h.msn = msn_[h.qn]++;
        h.ulp_word = carries_invalidate(m.opcode) ? m.invalidate_stag : 0;
    }
    size_t done = 0;
    do {
        size_t n = std::min(room, total - done);
        h.last = done + n == total;
        if (h.tagged) {
            h.stag = m.stag;
            h.to = m.to + done;
        } else {
            h.mo = uint32_t(done);
        }
        Bytes u;
        u.reserve(h.size() + n);
        encode_ddp_header(h, u);
        u.insert(u.end(), m.payload.begin() + long(done), m.payload.begin() + long(done + n));
        out.push_back(std::move(u));
        done += n;
    } while (done < total);
}

RdmapMessage make_rtr_message(uint8_t rtr_type) {
    RdmapMessage m;
    switch (rtr_type) {
    case kRtrZeroLengthWrite:
        m.opcode = RdmapOpcode::RdmaWrite;
        m.stag = 1;
        break;
    case kRtrZeroLengthRead:
        m.opcode = RdmapOpcode::ReadRequest;
        m.read.sink_stag = 1;
        m.read.src_stag = 1;
        break;
    default:
        m.opcode = RdmapOpcode::Send;
        break;
    }
    return m;
}

}  // namespace nicsim::proto
