#include "host/ring_format.h"

#include <cstring>
#include <stdexcept>

namespace nicsim::host::ring {

namespace {
void st16(uint8_t* p, uint16_t v) { for (int i = 0; i < 2; ++i) p[i] = uint8_t(v >> (8 * i)); }
void st32(uint8_t* p, uint32_t v) { for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i)); }
void st64(uint8_t* p, uint64_t v) { for (int i = 0; i < 8; ++i) p[i] = uint8_t(v >> (8 * i)); }
uint16_t ld16(const uint8_t* p) { return uint16_t(p[0] | (p[1] << 8)); }
uint32_t ld32(const uint8_t* p) {
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}
uint64_t ld64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}
void put_sge(uint8_t* p, const SgEntry& s) {
    st64(p, s.addr);
    st32(p + 8, s.length);
    st32(p + 12, s.lkey);
}
SgEntry get_sge(const uint8_t* p) { return SgEntry{ld64(p), ld32(p + 8), ld32(p + 12)}; }
// Byte offset of SGE i inside a send WR: two in slot 0 at 32, then four per slot.
size_t sge_offset(uint32_t i) { return i < 2 ? 32 + 16 * i : kSlot + (i - 2) / 4 * kSlot + (i - 2) % 4 * 16; }
}  // namespace

bool valid_opcode(uint8_t op) { return op <= uint8_t(WrOpcode::SendSeInv); }

const char* opcode_name(uint8_t op) {
    static const char* names[] = {"RDMA_WRITE", "RDMA_READ", "SEND", "SEND_INV", "SEND_SE", "SEND_SE_INV"};
    return valid_opcode(op) ? names[op] : "INVALID";
}

const char* status_name(WcStatus s) {
    switch (s) {
    case WcStatus::Success: return "SUCCESS";
    case WcStatus::LocLenErr: return "LOC_LEN_ERR";
    case WcStatus::LocQpOpErr: return "LOC_QP_OP_ERR";
    case WcStatus::LocProtErr: return "LOC_PROT_ERR";
    case WcStatus::WrFlushErr: return "WR_FLUSH_ERR";
    case WcStatus::LocAccessErr: return "LOC_ACCESS_ERR";
    case WcStatus::FatalErr: return "FATAL_ERR";
    case WcStatus::RemAccessErr: return "REM_ACCESS_ERR";
    case WcStatus::RemOpErr: return "REM_OP_ERR";
    case WcStatus::GeneralErr: return "GENERAL_ERR";
    }
    return "UNKNOWN";
}

uint32_t slots_needed(bool is_inline, uint32_t inline_len, uint32_t nsge) {
    if (is_inline) {
        if (inline_len > kMaxInline) return 0;
        return inline_len <= kInlineSlot0 ? 1 : 1 + (inline_len - kInlineSlot0 + kSlot - 1) / kSlot;
    }
    if (nsge > kMaxSendSge) return 0;
    return nsge <= 2 ? 1 : 1 + (nsge - 2 + 3) / 4;
}

std::vector<uint8_t> encode_send(const SendWqe& w) {
    uint32_t n = slots_needed(w.is_inline(), uint32_t(w.inline_data.size()), uint32_t(w.sgl.size()));
    if (n == 0) throw std::invalid_argument("send WR does not fit in " + std::to_string(kMaxSlots) + " slots");
    std::vector<uint8_t> b(n * kSlot, 0);
    b[0] = w.opcode;
    b[1] = w.flags;
    b[2] = uint8_t(n);
    b[3] = uint8_t(w.is_inline() ? 0 : w.sgl.size());
    st32(&b[4], w.length);
    st64(&b[8], w.wr_id);
    st64(&b[16], w.remote_addr);
    st32(&b[24], w.rkey_or_inv);
    if (w.is_inline()) {
        // Slot 0 carries bytes 0..31 at offset 32, the following slots the rest contiguously.
        size_t first = std::min<size_t>(w.inline_data.size(), kInlineSlot0);
        std::memcpy(&b[32], w.inline_data.data(), first);
        if (w.inline_data.size() > first)
            std::memcpy(&b[kSlot], w.inline_data.data() + first, w.inline_data.size() - first);
    } else {
        for (uint32_t i = 0; i < w.sgl.size(); ++i) put_sge(&b[sge_offset(i)], w.sgl[i]);
    }
    return b;
}

std::string decode_send(const uint8_t* p, size_t len, SendWqe& out) {
    if (len < kSlot) return "truncated WR";
    out = SendWqe{};
    out.opcode = p[0];
    out.flags = p[1];
    out.nslots = p[2];
    uint8_t nsge = p[3];
    out.length = ld32(p + 4);
    out.wr_id = ld64(p + 8);
    out.remote_addr = ld64(p + 16);
    out.rkey_or_inv = ld32(p + 24);
    if (out.nslots < 1 || out.nslots > kMaxSlots) return "bad slot count " + std::to_string(out.nslots);
    if (len < size_t(out.nslots) * kSlot) return "truncated WR";
    if (out.is_inline()) {
        if (slots_needed(true, out.length, 0) != out.nslots)
            return "inline length " + std::to_string(out.length) + " does not match " + std::to_string(out.nslots) +
                   " slots";
        size_t first = std::min<size_t>(out.length, kInlineSlot0);
        out.inline_data.assign(p + 32, p + 32 + first);
        out.inline_data.insert(out.inline_data.end(), p + kSlot, p + kSlot + (out.length - first));
    } else {
        if (nsge > kMaxSendSge || slots_needed(false, 0, nsge) != out.nslots) return "bad SGE count";
        uint64_t total = 0;
        for (uint32_t i = 0; i < nsge; ++i) {
            out.sgl.push_back(get_sge(p + sge_offset(i)));
            total += out.sgl.back().length;
        }
        if (total != out.length) return "SGE lengths do not add up to the WR length";
    }
    return "";
}

std::vector<uint8_t> encode_recv(const RecvWqe& w) {
    if (w.sgl.size() > kMaxRecvSge) throw std::invalid_argument("receive WR has more than 3 SGEs");
    std::vector<uint8_t> b(kSlot, 0);
    st64(&b[0], w.wr_id);
    b[8] = uint8_t(w.sgl.size());
    for (size_t i = 0; i < w.sgl.size(); ++i) put_sge(&b[16 + 16 * i], w.sgl[i]);
    return b;
}

std::string decode_recv(const uint8_t* p, size_t len, RecvWqe& out) {
    if (len < kSlot) return "truncated receive WR";
    out = RecvWqe{};
    out.wr_id = ld64(p);
    if (p[8] > kMaxRecvSge) return "bad receive SGE count";
    for (int i = 0; i < p[8]; ++i) out.sgl.push_back(get_sge(p + 16 + 16 * i));
    return "";
}

std::vector<uint8_t> encode_cqe(const Cqe& c) {
    std::vector<uint8_t> b(kCqe, 0);
    st64(&b[0], c.wr_id);
    st32(&b[8], c.byte_len);
    st32(&b[12], c.qpn);
    b[16] = uint8_t(c.opcode);
    b[17] = uint8_t(c.status);
    b[18] = c.flags;
    b[19] = c.gen;
    st32(&b[20], c.inv_rkey);
    st16(&b[24], c.sq_cidx);
    return b;
}

Cqe decode_cqe(const uint8_t* p) {
    Cqe c;
    c.wr_id = ld64(p);
    c.byte_len = ld32(p + 8);
    c.qpn = ld32(p + 12);
    c.opcode = WcOpcode(p[16]);
    c.status = WcStatus(p[17]);
    c.flags = p[18];
    c.gen = p[19];
    c.inv_rkey = ld32(p + 20);
    c.sq_cidx = ld16(p + 24);
    return c;
}

}  // namespace nicsim::host::ring
