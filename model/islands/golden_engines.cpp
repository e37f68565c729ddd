// impl: model. Bytes and flags from model/proto, cycles from the documented contract.
#include <stdexcept>

#include "islands/engine_factory.h"
#include "islands/stream_engine.h"
#include "islands/stream_timing.h"
#include "proto/crc32c.h"
#include "proto/mpa_markers.h"

namespace nicsim::islands {

namespace {

class GoldenEngine final : public StreamEngine {
public:
    explicit GoldenEngine(const EngineConfig& cfg) : cfg_(cfg) {}
    const EngineConfig& config() const override { return cfg_; }
    uint64_t cycles_clocked() const override { return cycles_; }

    std::vector<EngineResult> run_burst(const std::vector<EnginePacket>& burst) override {
        std::vector<EngineResult> out;
        for (const EnginePacket& p : burst) out.push_back(process(p));
        std::vector<uint64_t> eop;
        if (cfg_.block == Block::Crc32c) {
            std::vector<size_t> lens;
            for (auto& p : burst) lens.push_back(p.bytes.size());
            eop = crc32c_eop_cycles(lens, cfg_.data_bytes);
        } else if (cfg_.block == Block::MarkerInsert) {
            std::vector<size_t> lens;
            for (auto& r : out) lens.push_back(r.bytes.size());
            eop = marker_insert_eop_cycles(lens, cfg_.data_bytes);
        } else {
            std::vector<size_t> lens;
            std::vector<uint64_t> offs;
            for (auto& p : burst) {
                lens.push_back(p.bytes.size());
                offs.push_back(p.stream_offset);
            }
            eop = marker_strip_eop_cycles(lens, offs, cfg_.markers, cfg_.data_bytes);
        }
        for (size_t i = 0; i < out.size(); ++i) out[i].exit_cycle = eop[i];
        if (!eop.empty()) cycles_ += eop.back() + 1;
        return out;
    }

private:
    EngineResult process(const EnginePacket& p) const {
        EngineResult r;
        const proto::Bytes& b = p.bytes;
        if (b.size() < 8 || b.size() % 4) throw std::invalid_argument("FPDU length must be a multiple of 4, >= 8");
        switch (cfg_.block) {
            case Block::Crc32c:
                r.bytes = b;
                if (cfg_.transmit) {
                    r.crc = cfg_.crc ? proto::crc32c(proto::ByteView(b.data(), b.size() - 4)) : 0;
                    for (int k = 0; k < 4; ++k) r.bytes[b.size() - 4 + k] = uint8_t(r.crc >> (8 * k));
                    r.flag = true;
                } else {
                    r.crc = proto::crc32c(b);
                    r.flag = !cfg_.crc || r.crc == ~proto::kCrc32cResidue;
                }
                break;
            case Block::MarkerInsert:
                if (cfg_.markers) {
                    r.bytes = proto::insert_markers(proto::ByteView(b.data(), b.size() - 4), p.stream_offset);
                    r.bytes.insert(r.bytes.end(), b.end() - 4, b.end());
                } else {
                    r.bytes = b;
                }
                break;
            case Block::MarkerStrip:
                if (cfg_.markers) {
                    std::vector<proto::SeenMarker> seen;
                    proto::strip_markers(b, p.stream_offset, r.bytes, seen);
                    for (auto& m : seen)
                        if (m.reserved != 0 || (m.fpduptr & ~3u) != proto::fpduptr_for(p.stream_offset, m.stream_offset))
                            r.flag = true;
                } else {
                    r.bytes = b;
                }
                break;
        }
        return r;
    }

    EngineConfig cfg_;
    uint64_t cycles_ = 0;
};

}  // namespace

std::unique_ptr<StreamEngine> make_golden_engine(const EngineConfig& cfg) {
    return std::make_unique<GoldenEngine>(cfg);
}

const char* block_name(Block b) {
    switch (b) {
        case Block::Crc32c: return "crc32c";
        case Block::MarkerInsert: return "mpa_marker_insert";
        case Block::MarkerStrip: return "mpa_marker_strip";
    }
    return "?";
}

Impl parse_impl(const std::string& s) {
    if (s == "model") return Impl::Model;
    if (s == "rtl") return Impl::Rtl;
    throw std::invalid_argument("impl must be 'model' or 'rtl', not '" + s + "'");
}

std::unique_ptr<StreamEngine> make_engine(const EngineConfig& cfg) {
    if (cfg.data_bytes < 8 || cfg.data_bytes > 256 || cfg.data_bytes % 4)
        throw std::invalid_argument("data_bytes must be a multiple of 4 in 8..256");
    if (cfg.impl == Impl::Model) return make_golden_engine(cfg);
    return make_rtl_engine(cfg);
}

}  // namespace nicsim::islands
