#include "loopback_ulp.h"

#include <memory>

namespace nicsim::testing {

using host::ring::WcStatus;
using host::ring::WrOpcode;

void LoopbackUlp::on_connect(uint32_t qpn, const host::ConnParams&, bool) { connected.push_back(qpn); }

void LoopbackUlp::on_tx_work(const nic::sge::TxWork& w) {
    works.push_back(w);
    if (hold) return;
    auto key = std::make_pair(w.qpn, w.wr.wr_id);
    if (w.wr.opcode == uint8_t(WrOpcode::RdmaRead)) {
        WcStatus st = check_remote(w.wr.rkey_or_inv, w.wr.remote_addr, w.wr.length, host::kRemoteRead);
        if (st != WcStatus::Success) return sge_.complete_tx(w, st);
        reads_[key] = w;
        sge_.read_host(w.qpn, w.wr.wr_id, w.wr.remote_addr, w.wr.length);
        return;
    }
    open_[key] = Msg{w, {}};
}

void LoopbackUlp::on_tx_payload(const nic::sge::PayloadBurst& b) {
    bursts.push_back(b);
    if (hold) return;
    auto key = std::make_pair(b.qpn, b.wr_id);
    if (auto r = reads_.find(key); r != reads_.end()) {  // RDMA Read response data
        auto& a = read_acc_[key];
        a.insert(a.end(), b.data.begin(), b.data.end());
        if (!b.last) return;
        nic::sge::TxWork w = r->second;
        reads_.erase(r);
        std::vector<uint8_t> data = std::move(a);
        read_acc_.erase(key);
        scatter(w.wr.sgl, data, [this, w] { sge_.complete_tx(w, WcStatus::Success); });
        return;
    }
    auto it = open_.find(key);
    if (it == open_.end()) return;
    it->second.data.insert(it->second.data.end(), b.data.begin(), b.data.end());
    if (!b.last) return;
    Msg m = std::move(it->second);
    open_.erase(it);
    deliver(std::move(m));
}

WcStatus LoopbackUlp::check_remote(uint32_t rkey, uint64_t addr, uint32_t len, uint32_t access) const {
    const host::MrConfig* m = sge_.mr(rkey);
    if (!m || !(m->access & access) || addr < m->addr || addr + len > m->addr + m->length)
        return WcStatus::RemAccessErr;
    return WcStatus::Success;
}

void LoopbackUlp::scatter(const std::vector<host::ring::SgEntry>& sgl, const std::vector<uint8_t>& data,
                          std::function<void()> done) {
    size_t off = 0;
    auto left = std::make_shared<int>(0);
    for (auto& s : sgl) {
        if (off >= data.size()) break;
        size_t n = std::min<size_t>(s.length, data.size() - off);
        ++*left;
        sge_.place(s.addr, std::vector<uint8_t>(data.begin() + off, data.begin() + off + n), [left, done] {
            if (--*left == 0 && done) done();
        });
        off += n;
    }
    if (*left == 0 && done) done();
}

void LoopbackUlp::deliver(Msg m) {
    const auto& w = m.w;
    if (w.wr.opcode == uint8_t(WrOpcode::RdmaWrite)) {
        WcStatus st = check_remote(w.wr.rkey_or_inv, w.wr.remote_addr, w.wr.length, host::kRemoteWrite);
        if (st != WcStatus::Success) return sge_.complete_tx(w, st);
        nic::sge::TxWork wc = w;
        sge_.place(w.wr.remote_addr, std::move(m.data), [this, wc] { sge_.complete_tx(wc, WcStatus::Success); });
        return;
    }
    // Send family: consume a receive WR of the same QP.
    auto data = std::make_shared<std::vector<uint8_t>>(std::move(m.data));
    nic::sge::TxWork wc = w;
    sge_.fetch_recv(w.qpn, [this, wc, data](bool ok, const host::ring::RecvWqe& r) {
        if (!ok) return sge_.complete_tx(wc, WcStatus::RemOpErr);  // no receive posted (RNR)
        uint64_t room = 0;
        for (auto& s : r.sgl) room += s.length;
        if (room < data->size()) {
            sge_.complete_recv(wc.qpn, r, 0, WcStatus::LocLenErr);
            return sge_.complete_tx(wc, WcStatus::RemOpErr);
        }
        uint8_t op = wc.wr.opcode;
        uint8_t flags = 0;
        uint32_t inv = 0;
        if (op == uint8_t(WrOpcode::SendInv) || op == uint8_t(WrOpcode::SendSeInv)) {
            flags |= host::ring::kWcWithInv;
            inv = wc.wr.rkey_or_inv;
        }
        if (wc.wr.flags & host::ring::kSolicited) flags |= host::ring::kWcSolicited;
        uint32_t len = uint32_t(data->size());
        scatter(r.sgl, *data, [this, wc, r, len, flags, inv] {
            sge_.complete_recv(wc.qpn, r, len, WcStatus::Success, flags, inv);
            sge_.complete_tx(wc, WcStatus::Success);
        });
    });
}

}  // namespace nicsim::testing
