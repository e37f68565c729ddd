#include "host/verbs.h"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace nicsim::host::verbs {

namespace {
bool pow2(uint32_t v) { return v && !(v & (v - 1)); }
void st32(uint8_t* p, uint32_t v) { for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i)); }
void st16(uint8_t* p, uint16_t v) { p[0] = uint8_t(v), p[1] = uint8_t(v >> 8); }
}  // namespace

Device::Device(sc_core::sc_module_name name, HostMemory& mem, pcie::PcieLink& link, NicControl& nic,
               const DriverParams& p)
    : sc_core::sc_module(name), mem_(mem), link_(link), nic_(nic), p_(p), eq_("eq"), next_dma_(p.dma_base) {
    link_.set_msix_handler([this](uint32_t v) { on_msix(v); });
}

int Device::fail(int code, std::string why) {
    err_ = std::move(why);
    return code;
}

uint64_t Device::alloc_dma(uint64_t len, uint64_t align) {
    if (align == 0 || (align & (align - 1))) throw std::invalid_argument("alloc_dma: alignment must be a power of 2");
    uint64_t a = (next_dma_ + align - 1) & ~(align - 1);
    if (len > p_.dma_limit || a > p_.dma_limit - len) throw std::length_error("alloc_dma: host address space exhausted");
    next_dma_ = a + len;
    return a;
}

Pd* Device::alloc_pd() {
    pds_.push_back(std::make_unique<Pd>(Pd{next_pd_++}));
    return pds_.back().get();
}

Mr* Device::reg_mr(Pd* pd, uint64_t addr, uint64_t length, uint32_t access) {
    err_.clear();
    if (!pd) return fail(EINVAL, "reg_mr: null protection domain"), nullptr;
    if (length == 0 || addr + length < addr) return fail(EINVAL, "reg_mr: empty or wrapping range"), nullptr;
    if (access & ~uint32_t(kLocalWrite | kRemoteWrite | kRemoteRead))
        return fail(EINVAL, "reg_mr: unknown access flags"), nullptr;
    // Like IB, remote write access requires local write access.
    if ((access & kRemoteWrite) && !(access & kLocalWrite))
        return fail(EINVAL, "reg_mr: IBV_ACCESS_REMOTE_WRITE requires IBV_ACCESS_LOCAL_WRITE"), nullptr;
    uint32_t stag = (next_stag_++ << 8) | 0x5a;  // index << 8 | key byte, like an iWARP STag
    try {
        nic_.write_mr(MrConfig{stag, pd->handle, addr, length, access});
    } catch (const std::exception& e) {
        return fail(EINVAL, std::string("reg_mr: adapter refused: ") + e.what()), nullptr;
    }
    mrs_.push_back(std::make_unique<Mr>(Mr{stag, stag, pd->handle, access, addr, length}));
    return mrs_.back().get();
}

Cq* Device::create_cq(uint32_t depth, const CqAttr& attr) {
    err_.clear();
    if (!pow2(depth) || depth < 2 || depth > 65536)
        return fail(EINVAL, "create_cq: depth must be a power of two in 2..65536"), nullptr;
    auto cq = std::make_unique<Cq>();
    cq->cqn = next_cqn_++;
    cq->depth = depth;
    cq->attr = attr;
    cq->base = alloc_dma(uint64_t(depth) * ring::kCqe, 4096);
    try {
        nic_.create_cq(CqConfig{cq->cqn, cq->base, depth, attr.msix_vector, attr.holdoff_index, attr.interrupts});
    } catch (const std::exception& e) {
        return fail(EINVAL, std::string("create_cq: adapter refused: ") + e.what()), nullptr;
    }
    cqs_.push_back(std::move(cq));
    return cqs_.back().get();
}

Qp* Device::create_qp(Pd* pd, const QpInitAttr& attr) {
    err_.clear();
    if (!pd || !attr.send_cq || !attr.recv_cq) return fail(EINVAL, "create_qp: null PD or CQ"), nullptr;
    if (!pow2(attr.sq_slots) || attr.sq_slots < ring::kMaxSlots || attr.sq_slots > 32768 || !pow2(attr.rq_slots) ||
        attr.rq_slots > 32768)
        return fail(EINVAL, "create_qp: queue sizes must be powers of two (SQ 4..32768 slots, RQ <= 32768)"), nullptr;
    if (attr.max_inline_data > ring::kMaxInline)
        return fail(EINVAL, "create_qp: max_inline_data above " + std::to_string(ring::kMaxInline)), nullptr;
    auto qp = std::make_unique<Qp>();
    qp->qpn = next_qpn_++;
    qp->pd = pd;
    qp->attr = attr;
    qp->sq_base = alloc_dma(uint64_t(attr.sq_slots) * ring::kSlot, 4096);
    qp->rq_base = alloc_dma(uint64_t(attr.rq_slots) * ring::kSlot, 4096);
    try {
        nic_.create_qp(QpConfig{qp->qpn, pd->handle, qp->sq_base, attr.sq_slots, qp->rq_base, attr.rq_slots,
                                attr.send_cq->cqn, attr.recv_cq->cqn});
    } catch (const std::exception& e) {
        return fail(EINVAL, std::string("create_qp: adapter refused: ") + e.what()), nullptr;
    }
    qp_by_num_[qp->qpn] = qp.get();
    qps_.push_back(std::move(qp));
    return qps_.back().get();
}

static std::string check_conn(const ConnParams& p, uint8_t max_rd) {
    if (p.mpa.rev != 1 && p.mpa.rev != 2) return "MPA revision must be 1 or 2";
    if (p.mpa.rev == 1 && p.mpa.p2p != P2pRtr::None) return "peer-to-peer RTR needs MPA revision 2";
    if (p.ird > max_rd || p.ord > max_rd) return "IRD/ORD above the adapter limit " + std::to_string(max_rd);
    size_t max_pd = 512 - (p.mpa.rev == 2 ? 4 : 0);
    if (p.private_data.size() > max_pd) return "private data above " + std::to_string(max_pd) + " bytes";
    return "";
}

int Device::connect(Qp* qp, const ConnParams& p) {
    err_.clear();
    if (!qp) return fail(EINVAL, "connect: null QP");
    if (qp->state != QpState::Init) return fail(EINVAL, "connect: QP is not in INIT");
    if (auto why = check_conn(p, nic_.max_ird_ord()); !why.empty()) return fail(EINVAL, "connect: " + why);
    try {
        nic_.connect(qp->qpn, p, true);
    } catch (const std::exception& e) {
        return fail(ECONNREFUSED, std::string("connect: ") + e.what());
    }
    qp->conn = p;
    qp->state = QpState::Rts;
    return 0;
}

int Device::accept(Qp* qp, const ConnParams& p) {
    err_.clear();
    if (!qp) return fail(EINVAL, "accept: null QP");
    if (qp->state != QpState::Init) return fail(EINVAL, "accept: QP is not in INIT");
    if (auto why = check_conn(p, nic_.max_ird_ord()); !why.empty()) return fail(EINVAL, "accept: " + why);
    try {
        nic_.connect(qp->qpn, p, false);
    } catch (const std::exception& e) {
        return fail(ECONNREFUSED, std::string("accept: ") + e.what());
    }
    qp->conn = p;
    qp->state = QpState::Rts;
    return 0;
}

uint32_t Device::sq_free(const Qp* qp) const {
    uint16_t used = uint16_t(uint16_t(qp->sq_pidx) - qp->sq_cidx);
    return qp->attr.sq_slots - used;
}

void Device::ring_plain(uint64_t reg, uint32_t id, uint16_t inc, uint8_t arm, timing::Ps delay) {
    uint8_t db[8] = {};
    st32(db, id);
    st16(db + 4, inc);
    db[6] = arm;
    link_.mmio_write(p_.bar_base + reg, db, 8, delay);
}

int Device::post_send(Qp* qp, const std::vector<SendWr>& wrs, size_t* bad_wr) {
    err_.clear();
    if (!qp) return fail(EINVAL, "post_send: null QP");
    // An errored QP still accepts WRs (they complete with WR_FLUSH_ERR); an unconnected one does not.
    if (qp->state == QpState::Init) return fail(EINVAL, "post_send: QP " + std::to_string(qp->qpn) + " is not connected (call connect/accept first)");
    // Encode everything first so a bad WR in the list posts nothing after it (ibv semantics:
    // WRs before bad_wr are posted).
    std::vector<std::vector<uint8_t>> enc;
    uint32_t slots = 0;
    int rc = 0;
    size_t i = 0;
    for (; i < wrs.size(); ++i) {
        const SendWr& w = wrs[i];
        ring::SendWqe q;
        q.opcode = w.raw_opcode != 0xff ? w.raw_opcode : uint8_t(w.opcode);
        q.flags = uint8_t(w.send_flags & 0xf);
        q.wr_id = w.wr_id;
        q.remote_addr = w.remote_addr;
        q.rkey_or_inv = (w.opcode == WrOpcode::SendInv || w.opcode == WrOpcode::SendSeInv) ? w.invalidate_rkey : w.rkey;
        if (w.opcode == WrOpcode::SendSe || w.opcode == WrOpcode::SendSeInv) q.flags |= ring::kSolicited;
        uint64_t total = 0;
        for (auto& s : w.sg_list) total += s.length;
        if (total > 0x7fffffff) {
            rc = fail(EINVAL, "post_send: message longer than 2^31-1 bytes");
            break;
        }
        q.length = uint32_t(total);
        if (w.send_flags & IBV_SEND_INLINE) {
            if (total > qp->attr.max_inline_data) {
                rc = fail(EINVAL, "post_send: inline length " + std::to_string(total) + " above max_inline_data " +
                                      std::to_string(qp->attr.max_inline_data));
                break;
            }
            if (w.opcode == WrOpcode::RdmaRead) {
                rc = fail(EINVAL, "post_send: RDMA Read cannot be inline");
                break;
            }
            // Inline: the CPU copies the payload into the WR now (no lkey needed).
            for (auto& s : w.sg_list) {
                auto b = mem_.read(s.addr, s.length);
                q.inline_data.insert(q.inline_data.end(), b.begin(), b.end());
            }
        } else {
            if (w.sg_list.size() > ring::kMaxSendSge) {
                rc = fail(EINVAL, "post_send: more than " + std::to_string(ring::kMaxSendSge) + " SGEs");
                break;
            }
            q.sgl = w.sg_list;
        }
        auto bytes = ring::encode_send(q);
        uint32_t n = uint32_t(bytes.size() / ring::kSlot);
        if (slots + n > sq_free(qp)) {
            rc = fail(ENOMEM, "post_send: send queue full (" + std::to_string(sq_free(qp)) + " free slots)");
            break;
        }
        slots += n;
        enc.push_back(std::move(bytes));
    }
    if (rc && bad_wr) *bad_wr = i;
    if (enc.empty()) return rc;
    // Write the slots into the ring (wrapping), then ring one doorbell for the whole batch.
    uint32_t first_pidx = qp->sq_pidx;
    for (auto& b : enc) {
        for (uint32_t s = 0; s < b.size() / ring::kSlot; ++s) {
            uint64_t at = qp->sq_base + uint64_t((qp->sq_pidx + s) % qp->attr.sq_slots) * ring::kSlot;
            mem_.write(at, b.data() + s * ring::kSlot, ring::kSlot);
        }
        qp->sq_pidx += uint32_t(b.size() / ring::kSlot);
    }
    stats_.wrs_posted += enc.size();
    timing::Ps cpu = p_.post_cpu_ps * slots;
    bool single = enc.size() == 1 && enc[0].size() == ring::kSlot;
    bool push = p_.doorbell == DoorbellMode::Push ? true : p_.doorbell == DoorbellMode::Auto ? single : false;
    // Only QPs with a slot in the BAR's WC push window can push (cxgb4 likewise pushes only
    // when the queue has its own BAR2 page); the others ring the plain doorbell.
    push = push && ring::bar::kWcPushBase + uint64_t(qp->qpn + 1) * ring::kSlot <= ring::bar::kWcPushEnd;
    if (push) {
        // Push each single-slot WR through the WC window; multi-slot WRs still need a KDOORBELL.
        uint32_t pidx = first_pidx;
        for (auto& b : enc) {
            uint32_t n = uint32_t(b.size() / ring::kSlot);
            if (n == 1) {
                link_.mmio_write(p_.bar_base + ring::bar::kWcPushBase + uint64_t(qp->qpn) * ring::kSlot, b.data(),
                                 ring::kSlot, cpu);
                ++stats_.doorbells_push;
            } else {
                ring_plain(ring::bar::kSqDoorbell, qp->qpn, uint16_t(n), 0, cpu);
                ++stats_.doorbells_plain;
            }
            pidx += n;
        }
    } else {
        ring_plain(ring::bar::kSqDoorbell, qp->qpn, uint16_t(slots), 0, cpu);
        ++stats_.doorbells_plain;
    }
    return rc;
}

int Device::post_recv(Qp* qp, const std::vector<RecvWr>& wrs, size_t* bad_wr) {
    err_.clear();
    if (!qp) return fail(EINVAL, "post_recv: null QP");
    // Like ibv_post_recv: allowed in every state (an errored QP completes them as flushed).
    uint32_t n = 0;
    int rc = 0;
    size_t i = 0;
    for (; i < wrs.size(); ++i) {
        if (wrs[i].sg_list.size() > ring::kMaxRecvSge) {
            rc = fail(EINVAL, "post_recv: more than 3 SGEs");
            break;
        }
        if (qp->rq_pidx - qp->rq_cidx >= qp->attr.rq_slots) {
            rc = fail(ENOMEM, "post_recv: receive queue full");
            break;
        }
        auto b = ring::encode_recv(ring::RecvWqe{wrs[i].wr_id, wrs[i].sg_list});
        mem_.write(qp->rq_base + uint64_t(qp->rq_pidx % qp->attr.rq_slots) * ring::kSlot, b);
        ++qp->rq_pidx;
        ++n;
    }
    if (rc && bad_wr) *bad_wr = i;
    if (n) {
        stats_.recvs_posted += n;
        ring_plain(ring::bar::kRqDoorbell, qp->qpn, uint16_t(n), 0, p_.post_cpu_ps * n);
    }
    return rc;
}

int Device::poll_cq(Cq* cq, int num_entries, WorkCompletion* wc) {
    if (!cq || num_entries < 0 || (num_entries > 0 && !wc)) return -EINVAL;
    int got = 0;
    while (got < num_entries) {
        uint8_t raw[ring::kCqe];
        mem_.read(cq->base + uint64_t(cq->cidx % cq->depth) * ring::kCqe, raw, ring::kCqe);
        ring::Cqe c = ring::decode_cqe(raw);
        if (c.gen != cq->gen) break;  // not written yet
        if (c.flags & ring::kCqeAsyncError) {  // an affiliated error, not a work completion
            async_events_.push_back({c.status == WcStatus::LocAccessErr ? AsyncEventType::QpAccessErr
                                                                        : AsyncEventType::QpFatal,
                                     c.qpn, c.status});
            if (auto it = qp_by_num_.find(c.qpn); it != qp_by_num_.end()) it->second->state = QpState::Error;
            if (++cq->cidx % cq->depth == 0) cq->gen ^= 1;
            ++cq->unacked;
            continue;
        }
        WorkCompletion& w = wc[got++];
        w = WorkCompletion{c.wr_id, c.status, c.opcode, c.byte_len, c.qpn, c.flags, c.inv_rkey};
        if (auto it = qp_by_num_.find(c.qpn); it != qp_by_num_.end()) {
            Qp* qp = it->second;
            if (c.opcode == WcOpcode::Recv)
                ++qp->rq_cidx;
            else
                qp->sq_cidx = c.sq_cidx;
            if (c.status != WcStatus::Success) qp->state = QpState::Error;
        }
        if (++cq->cidx % cq->depth == 0) cq->gen ^= 1;
        ++cq->unacked;
        ++stats_.cqes_polled;
    }
    // Return consumed entries to the adapter in batches (cxgb4 updates the CIDX lazily too).
    if (cq->unacked >= cq->depth / 2) {
        ring_plain(ring::bar::kCqDoorbell, cq->cqn, uint16_t(cq->unacked), 0, 0);
        cq->unacked = 0;
    }
    return got;
}

int Device::req_notify_cq(Cq* cq, bool solicited_only) {
    if (!cq) return EINVAL;
    ring_plain(ring::bar::kCqDoorbell, cq->cqn, uint16_t(cq->unacked), solicited_only ? 2 : 1, 0);
    cq->unacked = 0;
    return 0;
}

bool Device::get_async_event(AsyncEvent& out) {
    if (async_events_.empty()) return false;
    out = async_events_.front();
    async_events_.pop_front();
    return true;
}

void Device::on_msix(uint32_t vector) {
    ++stats_.interrupts;
    for (auto& cq : cqs_) {
        if (cq->attr.interrupts && cq->attr.msix_vector == vector) {
            Cq* c = cq.get();
            eq_.schedule_in(p_.irq_latency, [c] {
                ++c->events;
                if (c->on_event) c->on_event(c);
            });
        }
    }
}

}  // namespace nicsim::host::verbs
