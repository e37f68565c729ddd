// The NIC's parameters (nic.*): clock domains and datapath widths, the per-block pipeline
// timing of every T5 block, and the protocol engines' settings. The defaults are the T5-class
// 40GbE NIC of configs/nic/t5_40g.yaml, whose comments give each value's basis (published fact
// or stated assumption); keep the two in step (a unit test compares them).
#include <string>

#include "sim/config/config.h"
#include "sim/config/param_declarations.h"

namespace nicsim::config {

namespace {

constexpr int64_t kNs = 1000;
constexpr int64_t kUs = 1000 * kNs;
constexpr int64_t kMs = 1000 * kUs;
constexpr int64_t kS = 1000 * kMs;

// A T5 pipeline block (names as in Chelsio's driver). TP, used in both directions, has one
// instance per direction, each with these parameters. The per-block keys are the fields of
// nic::StageConfig (model/nic/pipeline/stage_config.h); the clock and width come from the
// block's domain. The SGE is not a stage of either chain: it times its own work (nic.sge.*).
struct Block {
    const char* name;
    bool mac_domain;  // clocked by nic.mac, else nic.core
    int64_t latency_cycles;
    int64_t fifo_depth_beats;
    int64_t header_bytes;
    const char* what;
};

constexpr Block kBlocks[] = {
    {"ulp_tx", false, 2, 64, 1, "ULP_TX (RDMAP/DDP segmentation)"},
    {"tp", false, 3, 64, 66, "TP (TCP offload: TCB, sequence numbers, ACKs, retransmission)"},
    {"mpa_tx", false, 2, 64, 1, "MPA TX (CRC32c, markers)"},
    {"mac_tx", true, 11, 128, 1, "MAC TX (MAC+PCS to the wire)"},
    {"mac_rx", true, 20, 128, 1, "MAC RX (PCS+MAC from the wire)"},
    {"mps", false, 1, 64, 14, "MPS (port switch, ingress buffer)"},
    {"le", false, 1, 64, 54, "LE (connection lookup; the lookup itself adds nic.le.*_lookup_cycles)"},
    {"mpa_rx", false, 2, 64, 68, "MPA RX (marker strip, CRC check, FPDU delineation)"},
    {"ulp_rx", false, 1, 64, 82, "ULP_RX (DDP/RDMAP receive)"},
    {"tpt", false, 1, 64, 82, "TPT (STag lookup, protection checks)"},
};

void declare_clocks(ParamRegistry& r) {
    r.add_double("nic.core.clock_mhz", 500.0, 50.0, 2000.0, "MHz",
                 "Core clock of every block except the MAC (T5 value unpublished: assumption)");
    r.add_int_choice("nic.core.width_bytes", 32, {8, 16, 32, 64}, "B", "Core datapath width: bytes per beat");
    r.add_double("nic.mac.clock_mhz", 312.5, 50.0, 2000.0, "MHz", "MAC/PCS clock");
    r.add_int_choice("nic.mac.width_bytes", 16, {4, 8, 16, 32, 64}, "B", "MAC datapath width: bytes per beat");
    r.add_double("nic.mac.rate_gbps", 40.0, 1.0, 400.0, "Gb/s", "Port line rate (MAC rate, before PCS coding)");
    r.add_int("nic.mac.mtu", 1500, 576, 9600, "B", "IP MTU of the port (frame = MTU + 18 B Ethernet header and FCS)");
    r.add_double("nic.pcie.clock_mhz", 250.0, 50.0, 2000.0, "MHz", "Clock of the NIC's PCIe interface (DMA engine side)");
    r.add_int_choice("nic.pcie.width_bytes", 32, {8, 16, 32, 64}, "B", "PCIe interface datapath width: bytes per beat");
    r.add_enum("nic.pipeline.mode", "fast", {"fast", "reference"},
               "Pipeline timing engine: fast (closed form per frame) or reference (steps every clock edge, per beat)");
}

// The SGE's own timing and resources, as nic::sge::SgeParams (model/nic/sge/sge_params.h); its
// clock and beat width are nic.core.clock_mhz and nic.core.width_bytes.
void declare_sge(ParamRegistry& r) {
    r.add_int("nic.sge.doorbell_cycles", 4, 0, 100000, "cycles", "Doorbell decode to descriptor fetch issue, core cycles");
    r.add_int("nic.sge.wr_parse_cycles", 2, 0, 100000, "cycles", "WR in the SGE to handed to ULP_TX, core cycles");
    r.add_int("nic.sge.cqe_cycles", 2, 0, 100000, "cycles", "CQE request to CQE DMA issue, core cycles");
    r.add_int("nic.sge.fetch_max_slots", 8, 1, 64, "slots", "64 B WR slots fetched per descriptor read");
    r.add_int("nic.sge.dma_chunk", 4096, 64, 1 << 20, "B", "Bytes per payload DMA read request");
    r.add_int("nic.sge.gather_window", 32768, 64, 1 << 26, "B", "Payload bytes in flight per QP (gather window)");
    const int64_t holdoff_us[6] = {1, 5, 10, 50, 100, 200};
    for (int i = 0; i < 6; ++i) {
        r.add_duration("nic.sge.holdoff_timer" + std::to_string(i) + "_ps", holdoff_us[i] * kUs, 0, kS,
                       "Interrupt holdoff timer " + std::to_string(i) + " (a CQ picks one by index)");
    }
    r.add_int("nic.sge.max_qps", 1024, 1, 1024, "QPs", "Queue pairs the SGE serves (the WC push window covers 1024)");
    r.add_int("nic.sge.max_cqs", 1024, 1, 65536, "CQs", "Completion queues the SGE serves");
}

void declare_blocks(ParamRegistry& r) {
    declare_sge(r);
    for (const Block& b : kBlocks) {
        const std::string p = std::string("nic.") + b.name + ".";
        const std::string domain = b.mac_domain ? "MAC" : "core";
        r.add_int(p + "latency_cycles", b.latency_cycles, 1, 100000, "cycles",
                  std::string(b.what) + ": pipeline latency, " + domain + " cycles");
        r.add_int(p + "fifo_depth_beats", b.fifo_depth_beats, 1, 1 << 20, "beats",
                  std::string("Input FIFO depth of ") + b.name + " (backpressure when full), " + domain + " beats");
        r.add_bool(p + "cut_through", true,
                   std::string("true: ") + b.name + " forwards a packet once header_bytes arrived; false: store-and-forward");
        r.add_int(p + "header_bytes", b.header_bytes, 1, 512, "B",
                  std::string("Bytes ") + b.name + " needs before a cut-through forward starts");
        if (std::string(b.name) == "mps") {
            r.add_int("nic.mps.buffer_bytes", 196608, 4096, 1 << 26, "B",
                      "MPS ingress buffer (frames arrived, not yet wholly through MPS): an arrival that would overflow it is dropped (rx_mps_drops; TCP recovers); loopback not modelled");
        } else if (std::string(b.name) == "le") {
            r.add_enum("nic.le.mode", "hash", {"hash", "tcam"}, "Connection lookup: hash table or TCAM");
            r.add_int_pow2("nic.le.hash_entries", 16384, 1024, 1 << 20, "entries", "Hash-region entries of the LE: offloaded connections it holds in mode hash (one more is refused)");
            r.add_int("nic.le.tcam_cells", 8192, 128, 65536, "cells", "TCAM cells: mode tcam holds tcam_cells / 4 connections (an IPv4 4-tuple uses 4 cells; one more is refused)");
            r.add_int("nic.le.hash_lookup_cycles", 2, 0, 10000, "cycles", "Added latency of a hash lookup, core cycles");
            r.add_int("nic.le.tcam_lookup_cycles", 1, 0, 10000, "cycles", "Added latency of a TCAM lookup, core cycles");
        } else if (std::string(b.name) == "tp") {
            r.add_int("nic.tp.tcb_cache_entries", 1024, 1, 1 << 20, "entries", "TCBs held on chip by TP: one LRU cache shared by TX and RX frames");
            r.add_int("nic.tp.tcb_miss_cycles", 100, 0, 1000000, "cycles",
                      "TCB cache miss (fetch from payload memory): TP holds the frame this many core cycles before its first beat (frames behind it wait)");
        } else if (std::string(b.name) == "mpa_tx" || std::string(b.name) == "mpa_rx") {
            const bool tx = std::string(b.name) == "mpa_tx";
            r.add_enum(p + "crc_impl", "model", {"model", "rtl"},
                       std::string("CRC32c ") + (tx ? "generator" : "checker") + ": golden C++ model or Verilated rtl/crc32c.v");
            r.add_enum(p + "marker_impl", "model", {"model", "rtl"},
                       std::string("Marker ") + (tx ? "insertion" : "stripping") + ": golden model or Verilated rtl/mpa_marker_" +
                           (tx ? "insert" : "strip") + ".v");
        }
    }
}

void declare_protocols(ParamRegistry& r) {
    r.add_bool("nic.mpa.markers", false, "Request MPA markers (every 512 B of TCP sequence space)");
    r.add_bool("nic.mpa.crc", true, "Request the MPA CRC32c on every FPDU");
    r.add_int_choice("nic.mpa.rev", 2, {1, 2}, "", "MPA revision (2: enhanced connection setup, RFC 6581)");
    r.add_enum("nic.mpa.p2p_rtr", "read", {"none", "send", "write", "read"},
               "Peer-to-peer ready-to-receive message of MPA rev 2 (zero-length SEND, WRITE or READ)");
    r.add_int("nic.max_ird_ord", 64, 1, 255, "", "Largest inbound/outbound RDMA Read queue depth a QP may ask for");
    // TCP: the fields of proto::TcpConfig (model/proto/tcp_config.h), which TP runs.
    r.add_int("nic.tcp.mss", 1460, 88, 9560, "B", "MSS advertised in the SYN and the largest segment sent");
    r.add_bool("nic.tcp.window_scaling", true, "Offer the window-scale option (RFC 7323)");
    r.add_int("nic.tcp.window_scale_shift", 7, 0, 14, "", "Window-scale shift offered in the SYN");
    r.add_bool("nic.tcp.timestamps", true, "Offer TCP timestamps (12 B per segment, RFC 7323)");
    r.add_duration("nic.tcp.timestamp_tick_ps", kMs, kUs, kS, "TSval clock tick");
    r.add_int("nic.tcp.receive_buffer_bytes", 262144, 1024, 1 << 30, "B",
              "Receive buffer per connection (in-order unread + out-of-order): the advertised window");
    r.add_int("nic.tcp.delayed_ack_segments", 2, 0, 64, "segments",
              "ACK at the latest after this many in-order data segments (0 or 1: no delayed ACK)");
    r.add_duration("nic.tcp.delayed_ack_timeout_ps", 40 * kMs, 0, 500 * kMs,
                   "... or this long after the first unacknowledged segment (0: no delayed ACK)");
    r.add_duration("nic.tcp.initial_rto_ps", kS, kUs, 60 * kS, "Retransmission timeout before the first RTT sample");
    r.add_duration("nic.tcp.min_rto_ps", 200 * kMs, kUs, 60 * kS, "Minimum retransmission timeout");
    r.add_duration("nic.tcp.max_rto_ps", 60 * kS, kUs, 3600 * kS, "Maximum retransmission timeout");
    r.add_duration("nic.tcp.clock_granularity_ps", kUs, 1, kS, "Clock granularity G of the RTO computation (RFC 6298)");
    r.add_duration("nic.tcp.rto_after_syn_loss_ps", 3 * kS, 0, 3600 * kS,
                   "RTO once data flows after a lost SYN (0: keep the current one)");
    r.add_int("nic.tcp.max_retransmissions", 15, 1, 1000, "", "Timer expiries without progress before the connection aborts");
    r.add_int("nic.tcp.max_syn_retries", 6, 0, 100, "", "SYN retransmissions before connecting fails");
    r.add_int("nic.tcp.initial_cwnd_segments", 10, 0, 1000, "segments",
              "Initial congestion window (0: RFC 5681 min(4 SMSS, max(2 SMSS, 4380)))");
    r.add_int("nic.tcp.initial_ssthresh_bytes", 0, 0, 1LL << 32, "B", "Initial slow-start threshold (0: arbitrarily high)");
    r.add_int("nic.tcp.dupack_threshold", 3, 1, 100, "ACKs", "Duplicate ACKs that trigger fast retransmit");
    r.add_enum("nic.tcp.record_packing", "one_per_segment", {"one_per_segment", "pack_to_emss"},
               "MPA FPDUs per segment: one, or as many whole ones as fit the EMSS");
    r.add_duration("nic.tcp.time_wait_ps", 60 * kS, 0, 3600 * kS, "TIME-WAIT duration (2 MSL)");
}

// A stage's FIFO must hold what it waits for: the header (cut-through) or the whole frame
// (store-and-forward); otherwise the pipeline deadlocks.
Constraint fifo_fits(const Block& b) {
    const std::string p = std::string("nic.") + b.name + ".";
    const std::string width = b.mac_domain ? "nic.mac.width_bytes" : "nic.core.width_bytes";
    return Constraint{{"nic.mac.mtu", width, p + "header_bytes", p + "cut_through", p + "fifo_depth_beats"}, [p, width](const Config& c) {
                          const bool ct = c.get_bool(p + "cut_through");
                          // Cut-through waits for the header, store-and-forward for the frame.
                          const int64_t bytes = ct ? c.get_int(p + "header_bytes") : c.get_int("nic.mac.mtu") + 18;
                          const int64_t w = c.get_int(width);
                          const int64_t need = (bytes + w - 1) / w;
                          const int64_t depth = c.get_int(p + "fifo_depth_beats");
                          if (depth >= need) return std::string();
                          return std::string(ct ? "cut-through" : "store-and-forward") + " needs " +
                                 std::to_string(need) + " beats of " + std::to_string(w) + " B to hold " +
                                 (ct ? "the " : "a ") + std::to_string(bytes) + " B " + (ct ? "header" : "frame") +
                                 ", fifo_depth_beats is " + std::to_string(depth);
                      }};
}

void declare_constraints(ParamRegistry& r) {
    r.add_constraint({{"nic.mac.mtu", "nic.tcp.mss"}, [](const Config& c) {
                          const int64_t mtu = c.get_int("nic.mac.mtu");
                          if (c.get_int("nic.tcp.mss") <= mtu - 40) return std::string();
                          return "nic.tcp.mss must be at most nic.mac.mtu - 40 (" + std::to_string(mtu - 40) + ")";
                      }});
    r.add_constraint({{"nic.mac.rate_gbps", "nic.mac.clock_mhz", "nic.mac.width_bytes"}, [](const Config& c) {
                          const double gbps = c.get_double("nic.mac.clock_mhz") * 8.0 *
                                              static_cast<double>(c.get_int("nic.mac.width_bytes")) / 1000.0;
                          if (gbps + 1e-9 >= c.get_double("nic.mac.rate_gbps")) return std::string();
                          return "the MAC datapath (clock x width = " + std::to_string(gbps) +
                                 " Gb/s) cannot carry nic.mac.rate_gbps";
                      }});
    r.add_constraint({{"nic.mac.mtu", "nic.mps.buffer_bytes"}, [](const Config& c) {
                          if (c.get_int("nic.mps.buffer_bytes") >= c.get_int("nic.mac.mtu") + 18) return std::string();
                          return std::string("nic.mps.buffer_bytes must hold at least one frame (mtu + 18 B)");
                      }});
    r.add_constraint({{"nic.mpa.rev", "nic.mpa.p2p_rtr"}, [](const Config& c) {
                          if (c.get_int("nic.mpa.rev") == 2 || c.get_string("nic.mpa.p2p_rtr") == "none")
                              return std::string();
                          return std::string("nic.mpa.p2p_rtr must be none with MPA revision 1");
                      }});
    for (const Block& b : kBlocks) r.add_constraint(fifo_fits(b));
}

}  // namespace

void declare_nic_params(ParamRegistry& r) {
    declare_clocks(r);
    declare_blocks(r);
    declare_protocols(r);
    declare_constraints(r);
}

}  // namespace nicsim::config
