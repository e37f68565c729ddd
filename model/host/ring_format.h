// The host <-> NIC ring ABI: send WRs, receive WRs, CQEs and the doorbell BAR layout.
//
// Like cxgb4's t4fw_ri_api.h this is the contract between the driver and the adapter; the
// driver writes these bytes into host memory (or pushes them through the BAR) and the SGE
// parses the same bytes. All fields are little-endian. docs/host_pcie.md has the tables.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nicsim::host::ring {

constexpr uint32_t kSlot = 64;        // SQ/RQ entries are made of 64-byte slots
constexpr uint32_t kCqe = 32;         // one CQE
constexpr uint32_t kMaxSlots = 4;     // a send WR spans 1..4 slots
constexpr uint32_t kInlineSlot0 = 32; // inline bytes carried in slot 0
constexpr uint32_t kMaxInline = kInlineSlot0 + (kMaxSlots - 1) * kSlot;  // 224
constexpr uint32_t kMaxSendSge = 2 + (kMaxSlots - 1) * 4;                // 14
constexpr uint32_t kMaxRecvSge = 3;

enum class WrOpcode : uint8_t { RdmaWrite = 0, RdmaRead = 1, Send = 2, SendInv = 3, SendSe = 4, SendSeInv = 5 };
bool valid_opcode(uint8_t op);
const char* opcode_name(uint8_t op);

enum WrFlags : uint8_t { kSignaled = 1, kSolicited = 2, kInline = 4, kFence = 8 };

struct SgEntry {
    uint64_t addr = 0;
    uint32_t length = 0;
    uint32_t lkey = 0;
};

// Decoded send WR. Slot 0: opcode(1) flags(1) nslots(1) nsge(1) length(4) wr_id(8)
// remote_addr(8) rkey_or_inv(4) reserved(4), then 32 B of inline data or two 16 B SGEs.
// Slots 1..3: 64 B of inline data or four SGEs each.
struct SendWqe {
    uint8_t opcode = 0;
    uint8_t flags = 0;
    uint8_t nslots = 1;
    uint32_t length = 0;          // total payload bytes (inline or sum of SGEs)
    uint64_t wr_id = 0;
    uint64_t remote_addr = 0;     // RDMA Write/Read: tagged offset at the peer
    uint32_t rkey_or_inv = 0;     // RDMA Write/Read: rkey; Send with Invalidate: STag to invalidate
    std::vector<uint8_t> inline_data;
    std::vector<SgEntry> sgl;

    bool is_inline() const { return flags & kInline; }
    bool signaled() const { return flags & kSignaled; }
};

// Number of slots a WR needs; 0 if it cannot be encoded (too much inline data or SGEs).
uint32_t slots_needed(bool is_inline, uint32_t inline_len, uint32_t nsge);
// Encodes into nslots*64 bytes. Throws std::invalid_argument if it cannot be encoded.
std::vector<uint8_t> encode_send(const SendWqe& w);
// Decodes slot bytes (at least 64). Returns an error message instead of throwing: the bytes come
// from host memory and may be garbage; "" means success. Opcode validity is checked by the SGE.
std::string decode_send(const uint8_t* p, size_t len, SendWqe& out);
// nslots field of slot 0 (1..4 if sane).
inline uint8_t peek_nslots(const uint8_t* slot0) { return slot0[2]; }

// Receive WR, one 64 B slot: wr_id(8) nsge(1) reserved(7) then up to three 16 B SGEs.
struct RecvWqe {
    uint64_t wr_id = 0;
    std::vector<SgEntry> sgl;
};
std::vector<uint8_t> encode_recv(const RecvWqe& w);
std::string decode_recv(const uint8_t* p, size_t len, RecvWqe& out);

// Completion status and opcodes use the libibverbs ibv_wc_status / ibv_wc_opcode values.
enum class WcStatus : uint8_t {
    Success = 0, LocLenErr = 1, LocQpOpErr = 2, LocProtErr = 4, WrFlushErr = 5, LocAccessErr = 8,
    RemAccessErr = 10, RemOpErr = 11, FatalErr = 19, GeneralErr = 21
};
const char* status_name(WcStatus s);
enum class WcOpcode : uint8_t { Send = 0, RdmaWrite = 1, RdmaRead = 2, Recv = 128 };
enum WcFlags : uint8_t { kWcWithInv = 1, kWcSolicited = 2 };
// A CQE with this flag is no work completion but a QP's affiliated asynchronous error (cxgb4's
// error CQE): the receive side detected a protocol error and sent the Terminate. Its status says
// what: LOC_ACCESS_ERR (protection: IBV_EVENT_QP_ACCESS_ERR) or FATAL_ERR (IBV_EVENT_QP_FATAL).
constexpr uint8_t kCqeAsyncError = 0x80;

// CQE: wr_id(8) byte_len(4) qpn(4) opcode(1) status(1) flags(1) gen(1) inv_rkey(4)
// sq_cidx(2) reserved(6). `gen` toggles every wrap of the CQ; memory starts zeroed and the first
// pass writes gen = 1, so a poller never mistakes an old entry for a new one.
struct Cqe {
    uint64_t wr_id = 0;
    uint32_t byte_len = 0;
    uint32_t qpn = 0;
    WcOpcode opcode = WcOpcode::Send;
    WcStatus status = WcStatus::Success;
    uint8_t flags = 0;
    uint8_t gen = 0;
    uint32_t inv_rkey = 0;
    uint16_t sq_cidx = 0;  // send CQEs: SQ consumer index (in slots) after this WR
};
std::vector<uint8_t> encode_cqe(const Cqe& c);
Cqe decode_cqe(const uint8_t* p);

// Doorbell BAR (the SGE's "BAR2").
namespace bar {
constexpr uint64_t kSqDoorbell = 0x0000;   // 8 B: qpn(4) pidx_inc(2) 0(2)  (KDOORBELL)
constexpr uint64_t kRqDoorbell = 0x0008;   // 8 B: qpn(4) pidx_inc(2) 0(2)
constexpr uint64_t kCqDoorbell = 0x0010;   // 8 B: cqn(4) cidx_inc(2) arm(1) 0(1); arm 1=next 2=solicited
constexpr uint64_t kWcPushBase = 0x10000;  // + qpn*64: one 64 B write-combined WR (WC doorbell)
constexpr uint64_t kWcPushEnd = 0x20000;   // push region covers qpn < 1024
}  // namespace bar

}  // namespace nicsim::host::ring
