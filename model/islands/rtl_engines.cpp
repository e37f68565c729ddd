// impl: rtl. Each engine owns one Verilated block (plain C++ model, DATA_BYTES =
// NICSIM_ISLAND_W) and clocks it only inside run_burst(): beats in at full rate, output always
// ready, until the last packet has left. Bytes, flags and exit cycles all come from the RTL.
// The only file that includes the Verilated model headers.
#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>

#include "islands/engine_factory.h"

#ifdef NICSIM_ISLAND_W
#include <verilated_fst_c.h>

#include "islands/vl_ports.h"
#define ISL_CAT2(a, b) a##b
#define ISL_CAT(a, b) ISL_CAT2(a, b)
#define ISL_STR2(x) #x
#define ISL_STR(x) ISL_STR2(x)
#define ISL_HDR(m) ISL_STR(m.h)
#define ISL_CRC ISL_CAT(Vcrc32c_w, NICSIM_ISLAND_W)
#define ISL_INS ISL_CAT(Vmpa_marker_insert_w, NICSIM_ISLAND_W)
#define ISL_STRIP ISL_CAT(Vmpa_marker_strip_w, NICSIM_ISLAND_W)
#include ISL_HDR(ISL_CRC)
#include ISL_HDR(ISL_INS)
#include ISL_HDR(ISL_STRIP)
#endif

namespace nicsim::islands {

#ifdef NICSIM_ISLAND_W
namespace {

constexpr unsigned W = NICSIM_ISLAND_W;

// Per-block glue: configuration pins, per-packet sideband in, last-beat sideband out.
struct CrcPins {
    using Model = ISL_CRC;
    static void configure(Model& m, const EngineConfig& c) {
        m.cfg_crc_en = c.crc;
        m.cfg_insert = c.transmit;
    }
    static void side_in(Model&, const EnginePacket&) {}
    static void side_out(Model& m, EngineResult& r) {
        r.flag = m.m_crc_ok;
        r.crc = m.m_crc;
    }
};
struct InsertPins {
    using Model = ISL_INS;
    static void configure(Model& m, const EngineConfig& c) { m.cfg_markers = c.markers; }
    static void side_in(Model& m, const EnginePacket& p) { m.s_pos = uint32_t(p.stream_offset % 512); }
    static void side_out(Model&, EngineResult&) {}
};
struct StripPins {
    using Model = ISL_STRIP;
    static void configure(Model& m, const EngineConfig& c) { m.cfg_markers = c.markers; }
    static void side_in(Model& m, const EnginePacket& p) { m.s_pos = uint32_t(p.stream_offset % 512); }
    static void side_out(Model& m, EngineResult& r) { r.flag = m.m_marker_err; }
};

template <class Pins>
class RtlEngine final : public StreamEngine {
    using Model = typename Pins::Model;

public:
    explicit RtlEngine(const EngineConfig& cfg) : cfg_(cfg), ctx_(new VerilatedContext) { build(); }
    ~RtlEngine() override {
        if (fst_) fst_->close();
        m_->final();
    }
    const EngineConfig& config() const override { return cfg_; }
    uint64_t cycles_clocked() const override { return cycles_; }

    bool open_fst(const std::string& path, uint64_t period_ps) override {
        if (fst_) fst_->close();
        if (!ctx_->calcUnusedSigs()) {
            // Tracing must be allowed before the model exists (Verilator); it costs speed, so
            // untraced engines never allow it and a traced one is rebuilt here, between
            // bursts, where the block holds no data (a fresh reset loses nothing).
            m_->final();
            m_.reset();
            ctx_->traceEverOn(true);
            const uint64_t kept = cycles_;
            build();
            cycles_ = kept;
        }
        fst_.reset(new VerilatedFstC);
        m_->trace(fst_.get(), 99);
        fst_->open(path.c_str());
        if (!fst_->isOpen()) {
            fst_.reset();
            return false;
        }
        period_ps_ = period_ps < 2 ? 2 : period_ps;
        return true;
    }
    void set_wave_time(uint64_t start_ps) override { burst_ps_ = start_ps; }

    std::vector<EngineResult> run_burst(const std::vector<EnginePacket>& burst) override {
        std::vector<EngineResult> out;
        Pins::configure(*m_, cfg_);
        // Dump times: this burst starts at burst_ps_, or right after the previous dump.
        wave_ps_ = std::max(burst_ps_, wave_ps_ + period_ps_);
        size_t pk = 0, off = 0;
        EngineResult cur;
        uint64_t idle = 0;
        for (uint64_t t = 0; out.size() < burst.size(); ++t) {
            bool presenting = pk < burst.size();
            m_->s_valid = presenting;
            if (presenting) {
                const proto::Bytes& b = burst[pk].bytes;
                if (b.size() < 8 || b.size() % 4) throw std::invalid_argument("FPDU length must be a multiple of 4, >= 8");
                size_t n = std::min<size_t>(W, b.size() - off);
                vl::put_bytes(m_->s_data, b.data() + off, n);
                vl::put_keep(m_->s_keep, n);
                m_->s_sop = off == 0;
                m_->s_eop = off + n == b.size();
                Pins::side_in(*m_, burst[pk]);
            }
            m_->m_ready = 1;
            m_->clk = 0;
            m_->eval();
            bool in_fire = presenting && m_->s_ready;
            if (m_->m_valid) {
                bool contiguous;
                size_t n = vl::keep_count(m_->m_keep, contiguous);
                size_t at = cur.bytes.size();
                cur.bytes.resize(at + n);
                vl::get_bytes(m_->m_data, cur.bytes.data() + at, n);
                if (m_->m_eop) {
                    Pins::side_out(*m_, cur);
                    cur.exit_cycle = t;
                    out.push_back(std::move(cur));
                    cur = EngineResult();
                }
            }
            rise();  // the inputs were just evaluated with the clock low
            if (in_fire && (off += W) >= burst[pk].bytes.size()) {
                ++pk;
                off = 0;
            }
            idle = (in_fire || m_->m_valid) ? 0 : idle + 1;
            if (idle > 1000) throw std::runtime_error(std::string(block_name(cfg_.block)) + " RTL stopped making progress");
        }
        m_->s_valid = 0;
        m_->clk = 0;
        m_->eval();
        if (fst_) fst_->dump(wave_ps_);  // the block idle again
        return out;
    }

private:
    void build() {
        m_.reset(new Model(ctx_.get(), block_name(cfg_.block)));
        m_->clk = 0;
        m_->rst = 1;
        m_->s_valid = 0;
        m_->m_ready = 1;
        Pins::configure(*m_, cfg_);
        for (int i = 0; i < 2; ++i) edge();
        m_->rst = 0;
        cycles_ = 0;  // reset cycles are not data cycles
    }

    // One clock cycle: low phase (inputs as set) at wave_ps_, rising edge half a period later.
    void edge() {
        m_->clk = 0;
        m_->eval();
        rise();
    }
    // The second half of edge(), when the low phase has been evaluated already (a second eval
    // with nothing changed would cost a third of the cycle's time).
    void rise() {
        if (fst_) fst_->dump(wave_ps_);
        m_->clk = 1;
        m_->eval();
        if (fst_) {
            fst_->dump(wave_ps_ + period_ps_ / 2);
            wave_ps_ += period_ps_;
        }
        ++cycles_;
    }

    EngineConfig cfg_;
    std::unique_ptr<VerilatedContext> ctx_;
    std::unique_ptr<Model> m_;
    uint64_t cycles_ = 0;
    std::unique_ptr<VerilatedFstC> fst_;
    uint64_t period_ps_ = 2, burst_ps_ = 0, wave_ps_ = 0;
};

}  // namespace

unsigned rtl_data_bytes_built() { return W; }

std::unique_ptr<StreamEngine> make_rtl_engine(const EngineConfig& cfg) {
    if (cfg.data_bytes != W)
        throw std::invalid_argument("impl rtl is built for data_bytes " + std::to_string(W) + " only, not " +
                                    std::to_string(cfg.data_bytes));
    switch (cfg.block) {
        case Block::Crc32c: return std::make_unique<RtlEngine<CrcPins>>(cfg);
        case Block::MarkerInsert: return std::make_unique<RtlEngine<InsertPins>>(cfg);
        case Block::MarkerStrip: return std::make_unique<RtlEngine<StripPins>>(cfg);
    }
    throw std::invalid_argument("unknown block");
}

#else  // built without RTL

unsigned rtl_data_bytes_built() { return 0; }
std::unique_ptr<StreamEngine> make_rtl_engine(const EngineConfig&) {
    throw std::invalid_argument("impl rtl: this build has no RTL (NICSIM_RTL=OFF)");
}

#endif

}  // namespace nicsim::islands
