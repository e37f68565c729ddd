#include "pcie/pcie_link.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "pcie/dma_extension.h"
#include "pcie/pcie_analytic.h"

namespace nicsim::pcie {

using timing::now_ps;
using timing::Ps;

struct PcieLink::Request {
    tlm::tlm_generic_payload* gp;
    bool read;
    uint64_t addr;
    uint32_t len;
    uint32_t done = 0;  // bytes delivered (reads) or absorbed by the RC (writes)
};

namespace {
constexpr uint64_t k4K = 4096;
constexpr uint64_t kMsixWindow = 1 << 20;

// Split [addr, addr+len) into chunks of at most `max` bytes that never cross a 4 KiB boundary.
template <class F>
void split(uint64_t addr, uint32_t len, uint32_t max, F&& emit) {
    uint32_t off = 0;
    while (off < len) {
        uint64_t a = addr + off;
        uint64_t to_4k = k4K - (a % k4K);
        uint32_t n = uint32_t(std::min<uint64_t>({uint64_t(len - off), max, to_4k}));
        emit(off, n);
        off += n;
    }
}
}  // namespace

PcieLink::PcieLink(sc_core::sc_module_name name, const PcieParams& params)
    : sc_core::sc_module(name),
      dev_dma("dev_dma"),
      dev_mmio("dev_mmio"),
      host_mem("host_mem"),
      p_(params),
      eq_("eq"),
      rng_(params.seed) {
    p_.validate();
    ph_ = p_.rc_posted_hdr_credits;
    pd_ = p_.rc_posted_data_credits;
    nph_ = p_.rc_nonposted_hdr_credits;
    dev_dma.register_nb_transport_fw(this, &PcieLink::nb_transport_fw);
}

PcieLink::~PcieLink() = default;

tlm::tlm_sync_enum PcieLink::nb_transport_fw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph,
                                             sc_core::sc_time&) {
    if (ph != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;  // END_RESP etc.: nothing to do
    bool read = gp.get_command() == tlm::TLM_READ_COMMAND;
    bool write = gp.get_command() == tlm::TLM_WRITE_COMMAND;
    uint32_t len = gp.get_data_length();
    if ((!read && !write) || len == 0 || gp.get_data_ptr() == nullptr || gp.get_byte_enable_ptr() != nullptr ||
        gp.get_address() + len < gp.get_address()) {
        ++stats_.dma_rejected;
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return tlm::TLM_COMPLETED;
    }
    ++stats_.dma_requests;
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    Request* r;
    if (free_reqs_.empty()) {
        all_reqs_.push_back(std::make_unique<Request>());
        r = all_reqs_.back().get();
    } else {
        r = free_reqs_.back();
        free_reqs_.pop_back();
    }
    *r = Request{&gp, read, gp.get_address(), len};
    split(r->addr, len, read ? p_.mrrs : p_.mps, [&](uint32_t off, uint32_t n) {
        (read ? nonposted_q_ : posted_q_).push_back(Tlp{r, off, n, seq_++});
    });
    pump_up();
    return tlm::TLM_ACCEPTED;
}

// Issue every upstream TLP whose tag/credit/ordering conditions now hold.
void PcieLink::pump_up() {
    for (bool progress = true; progress;) {
        progress = false;
        if (!posted_q_.empty()) {
            const Tlp& t = posted_q_.front();
            uint32_t pd_need = (t.len + 15) / 16;
            if (ph_ >= 1 && pd_ >= pd_need) {
                --ph_;
                pd_ -= pd_need;
                Tlp copy = t;
                posted_q_.pop_front();
                send_up(copy, true);
                progress = true;
            } else {
                ++stats_.credit_stalls;
            }
        }
        if (!nonposted_q_.empty()) {
            const Tlp& t = nonposted_q_.front();
            bool order_ok = posted_q_.empty() || posted_q_.front().seq > t.seq;
            if (order_ok && tags_in_use_ < p_.max_read_tags && nph_ >= 1) {
                --nph_;
                ++tags_in_use_;
                stats_.max_tags_in_use = std::max(stats_.max_tags_in_use, tags_in_use_);
                Tlp copy = t;
                nonposted_q_.pop_front();
                send_up(copy, false);
                progress = true;
            } else if (order_ok && tags_in_use_ >= p_.max_read_tags) {
                ++stats_.tag_stalls;
            }
        }
    }
}

void PcieLink::send_up(const Tlp& t, bool posted) {
    uint32_t bytes = posted ? analytic::mwr_overhead(p_) + t.len : analytic::mrd_overhead(p_);
    Ps start = std::max(now_ps(), up_busy_);
    Ps dur = analytic::serialize_ps(p_, bytes);
    up_busy_ = start + dur;
    stats_.busy_up += dur;
    if (p_.busy_log) up_log_.add(start, up_busy_);
    stats_.bytes_up += bytes;
    stats_.payload_up += posted ? t.len : 0;
    ++stats_.tlps_up;
    Ps arrival = up_busy_ + p_.link_latency;
    // A posted write becomes visible rc_write_latency after arrival; an MRd may not pass an
    // earlier posted write (PCIe ordering), so it reads memory no earlier than the last write
    // before it became visible (pcie-bench: a 64 B write then a read costs ~230 ns more).
    if (posted) {
        writes_visible_at_ = std::max(writes_visible_at_, arrival + p_.rc_write_latency);
        // The RC's posted buffer takes the TLP on arrival and an UpdateFC returns its credits;
        // the commit to memory behind it is not credit-limited.
        const uint32_t pd = (t.len + 15) / 16;
        eq_.schedule(arrival + p_.fc_update_latency, [this, pd] {
            ++ph_;
            pd_ += pd;
            pump_up();
        });
        eq_.schedule(arrival + p_.rc_write_latency, [this, t] { rc_receive_write(t); });
    } else {
        eq_.schedule(std::max(arrival, writes_visible_at_), [this, t] { rc_receive_read(t); });
    }
}

void PcieLink::rc_receive_write(Tlp t) {
    Request* r = t.req;
    const uint8_t* src = r->gp->get_data_ptr() + t.offset;
    uint64_t addr = r->addr + t.offset;
    Ps mem_delay = 0;
    if (addr >= p_.msix_base && addr < p_.msix_base + kMsixWindow) {
        ++stats_.msix;
        uint32_t vec = 0;
        std::memcpy(&vec, src, std::min<uint32_t>(t.len, 4));
        if (msix_handler_) msix_handler_(vec);
    } else {
        tlm::tlm_generic_payload mgp;
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        mgp.set_command(tlm::TLM_WRITE_COMMAND);
        mgp.set_address(addr);
        mgp.set_data_ptr(const_cast<uint8_t*>(src));
        mgp.set_data_length(t.len);
        mgp.set_streaming_width(t.len);
        host_mem->b_transport(mgp, d);
        ++stats_.mem_transactions;
        mem_delay = timing::to_ps(d);
        if (mgp.is_response_error()) r->gp->set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    }
    r->done += t.len;
    if (r->done != r->len) return;
    // The device learns that its write is done once memory has taken the last TLP's data.
    if (mem_delay == 0) finish(r);
    else eq_.schedule(now_ps() + mem_delay, [this, r] { finish(r); });
}

void PcieLink::rc_receive_read(Tlp t) {
    Request* r = t.req;
    // Memory is read now, straight into the requester's buffer: the initiator only looks at a
    // range once its CplD has arrived (on_chunk / BEGIN_RESP), so no staging copy is needed.
    tlm::tlm_generic_payload mgp;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    mgp.set_command(tlm::TLM_READ_COMMAND);
    mgp.set_address(r->addr + t.offset);
    mgp.set_data_ptr(r->gp->get_data_ptr() + t.offset);
    mgp.set_data_length(t.len);
    mgp.set_streaming_width(t.len);
    host_mem->b_transport(mgp, d);
    ++stats_.mem_transactions;
    if (mgp.is_response_error()) r->gp->set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    eq_.schedule(now_ps() + p_.fc_update_latency, [this] {
        ++nph_;
        pump_up();
    });
    Ps ready = now_ps() + p_.rc_read_latency.sample(rng_) + timing::to_ps(d);
    eq_.schedule(ready, [this, t] { rc_read_ready(t); });
}

// Completions for one MRd: each carries at most MPS and every cut falls on an RCB boundary of
// the host address (or each is exactly up to the next RCB boundary in rcb_chunks mode).
void PcieLink::rc_read_ready(Tlp t) {
    Request* r = t.req;
    uint64_t base = r->addr + t.offset;
    uint32_t off = 0;
    while (off < t.len) {
        uint64_t a = base + off;
        uint32_t left = t.len - off;
        uint32_t n;
        if (p_.rcb_chunks) {
            n = uint32_t(std::min<uint64_t>(left, p_.rcb - a % p_.rcb));
        } else if (left <= p_.mps) {
            n = left;
        } else {
            uint64_t end = ((a + p_.mps) / p_.rcb) * p_.rcb;  // align the cut down to RCB
            n = uint32_t(end - a);
        }
        Ps arrival = send_down(analytic::cpld_overhead(p_) + n);
        stats_.payload_down += n;
        bool last = off + n == t.len;
        uint32_t chunk_off = t.offset + off;
        eq_.schedule(arrival, [this, r, n, chunk_off, last] {
            if (last) --tags_in_use_;  // released on receipt, before the requester reacts
            if (auto* ext = r->gp->get_extension<DmaExtension>(); ext && ext->on_chunk)
                ext->on_chunk(chunk_off, n, now_ps());
            if (last) pump_up();
            r->done += n;
            if (r->done == r->len) finish(r);
        });
        off += n;
    }
}

Ps PcieLink::send_down(uint32_t bytes) {
    Ps start = std::max(now_ps(), down_busy_);
    Ps dur = analytic::serialize_ps(p_, bytes);
    down_busy_ = start + dur;
    stats_.busy_down += dur;
    if (p_.busy_log) down_log_.add(start, down_busy_);
    stats_.bytes_down += bytes;
    ++stats_.tlps_down;
    return down_busy_ + p_.link_latency;
}

void PcieLink::finish(Request* r) {
    tlm::tlm_generic_payload* gp = r->gp;
    free_reqs_.push_back(r);  // recycled; requests still in flight at the end die with the link
    if (gp->get_response_status() == tlm::TLM_INCOMPLETE_RESPONSE) gp->set_response_status(tlm::TLM_OK_RESPONSE);
    tlm::tlm_phase ph = tlm::BEGIN_RESP;
    sc_core::sc_time d = sc_core::SC_ZERO_TIME;
    dev_dma->nb_transport_bw(*gp, ph, d);  // the initiator answers TLM_COMPLETED
}

Ps PcieLink::mmio_write(uint64_t addr, const uint8_t* data, uint32_t len, Ps cpu_delay) {
    if (len == 0 || data == nullptr) throw std::invalid_argument(std::string(name()) + ": empty MMIO write");
    auto buf = std::make_shared<std::vector<uint8_t>>(data, data + len);
    ++stats_.mmio_writes;
    // The TLP enters the downstream serializer after the CPU/RC issue latency; its place in the
    // order is fixed then, so it is computed in a callback at that time.
    Ps issue = now_ps() + cpu_delay + p_.mmio_latency;
    uint32_t bytes = analytic::mwr_overhead(p_) + ((len + 3) & ~3u);
    // Predict arrival for the caller assuming nothing else is queued ahead at issue time.
    Ps predicted = std::max(issue, down_busy_) + analytic::serialize_ps(p_, bytes) + p_.link_latency;
    eq_.schedule(issue, [this, addr, buf, bytes] {
        Ps arrival = send_down(bytes);
        stats_.payload_down += buf->size();
        eq_.schedule(arrival, [this, addr, buf] {
            tlm::tlm_generic_payload gp;
            sc_core::sc_time d = sc_core::SC_ZERO_TIME;
            gp.set_command(tlm::TLM_WRITE_COMMAND);
            gp.set_address(addr);
            gp.set_data_ptr(buf->data());
            gp.set_data_length(uint32_t(buf->size()));
            gp.set_streaming_width(uint32_t(buf->size()));
            dev_mmio->b_transport(gp, d);
        });
    });
    return predicted;
}

}  // namespace nicsim::pcie
