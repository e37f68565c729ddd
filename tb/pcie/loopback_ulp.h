// A stand-in for the RDMA pipeline (ULP_TX/TP/MPA/ULP_RX do not exist yet): it receives the SGE's
// WRs and payload beats and loops each message back into the same host, as if the peer were
// this host: RDMA Write places at remote_addr (rkey checked), RDMA Read gathers remote_addr and
// scatters into the WR's SGEs, Sends consume a receive WR of the same QP. It records every WR
// and burst with its time, so tests can check what the pipeline would see and when.
#pragma once

#include <map>
#include <vector>

#include "nic/sge/sge.h"

namespace nicsim::testing {

class LoopbackUlp : public nic::sge::SgeClient {
public:
    explicit LoopbackUlp(nic::sge::Sge& sge) : sge_(sge) { sge_.set_client(this); }

    void on_tx_work(const nic::sge::TxWork& w) override;
    void on_tx_payload(const nic::sge::PayloadBurst& b) override;
    void on_connect(uint32_t qpn, const host::ConnParams& p, bool active) override;

    std::vector<nic::sge::TxWork> works;
    std::vector<nic::sge::PayloadBurst> bursts;
    std::vector<uint32_t> connected;
    bool hold = false;  // true: record only, never complete (for timing-only tests)

private:
    struct Msg {
        nic::sge::TxWork w;
        std::vector<uint8_t> data;
    };
    void deliver(Msg m);
    void scatter(const std::vector<host::ring::SgEntry>& sgl, const std::vector<uint8_t>& data,
                 std::function<void()> done);
    host::ring::WcStatus check_remote(uint32_t rkey, uint64_t addr, uint32_t len, uint32_t access) const;

    nic::sge::Sge& sge_;
    std::map<std::pair<uint32_t, uint64_t>, Msg> open_;
    std::map<std::pair<uint32_t, uint64_t>, nic::sge::TxWork> reads_;
    std::map<std::pair<uint32_t, uint64_t>, std::vector<uint8_t>> read_acc_;
};

}  // namespace nicsim::testing
