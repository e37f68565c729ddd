// The driver's control path into the adapter (firmware mailbox in a real T5): creating queues,
// writing memory-region entries, starting connections. Untimed: these happen at setup.
// The SGE implements it; the driver only sees this interface.
#pragma once

#include <cstdint>
#include <vector>

namespace nicsim::host {

struct CqConfig {
    uint32_t cqn = 0;
    uint64_t base = 0;       // host address of the ring (depth * 32 B)
    uint32_t depth = 0;      // entries, power of two
    uint32_t msix_vector = 0;
    uint8_t holdoff_index = 1;   // index into the SGE's holdoff timer table
    bool interrupts = true;      // false: polling mode, the SGE never raises MSI-X for it
};

struct QpConfig {
    uint32_t qpn = 0;
    uint32_t pdn = 0;
    uint64_t sq_base = 0;    // sq_slots * 64 B
    uint32_t sq_slots = 0;   // power of two
    uint64_t rq_base = 0;    // rq_slots * 64 B
    uint32_t rq_slots = 0;   // power of two
    uint32_t send_cqn = 0, recv_cqn = 0;
};

enum Access : uint32_t { kLocalWrite = 1, kRemoteWrite = 2, kRemoteRead = 4 };

struct MrConfig {
    uint32_t stag = 0;       // lkey == rkey in this model
    uint32_t pdn = 0;
    uint64_t addr = 0;
    uint64_t length = 0;
    uint32_t access = 0;     // Access bits
};

// MPA connection parameters (RFC 5044 / RFC 6581), as librdmacm and the cxgb4 module take them.
enum class P2pRtr : uint8_t { None = 0, ZeroLengthSend = 1, ZeroLengthWrite = 2, ZeroLengthRead = 3 };
struct MpaParams {
    uint8_t rev = 2;          // MPA revision 1 or 2 (2 enables enhanced RDMA connection setup)
    bool markers = false;     // request markers every 512 B
    bool crc = true;          // request the MPA CRC32c
    P2pRtr p2p = P2pRtr::ZeroLengthWrite;  // peer-to-peer ready-to-receive message (rev 2 only)
};
struct ConnParams {
    MpaParams mpa;
    uint8_t ird = 16;         // inbound RDMA Read queue depth
    uint8_t ord = 16;         // outbound RDMA Read queue depth
    std::vector<uint8_t> private_data;  // up to 512 B minus the rev-2 header
};

class NicControl {
public:
    virtual ~NicControl() = default;
    // Each call throws std::invalid_argument with a clear message if the adapter refuses.
    virtual void create_cq(const CqConfig& c) = 0;
    virtual void create_qp(const QpConfig& c) = 0;
    virtual void write_mr(const MrConfig& m) = 0;
    virtual void connect(uint32_t qpn, const ConnParams& p, bool active) = 0;
    virtual uint8_t max_ird_ord() const = 0;
};

}  // namespace nicsim::host
