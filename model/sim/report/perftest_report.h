// Results in perftest's format (ib_write_lat / ib_write_bw, ecosystem.md §6), so users'
// scripts that parse perftest output work on ours.
//
// Latency statistics follow perftest's print_report_lat: deltas between consecutive post
// times, divided by the RTT factor (2 for Write/Send ping-pong, 1 for Read), sorted, the two
// largest dropped (LAT_MEASURE_TAIL); t_typical is the median of the rest, t_min its first,
// t_max the element right after the kept range, 99%/99.9% at ceil(n*0.99)/ceil(n*0.999).
// The standard deviation is computed in floating point (perftest truncates it through int
// temporaries, a known bug we do not reproduce).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nicsim::sim {

struct LatencyReport {
    uint64_t bytes = 0;
    uint64_t iterations = 0;
    double t_min = 0, t_max = 0, t_typical = 0, t_avg = 0, t_stdev = 0, p99 = 0, p99_9 = 0;  // usec
};

// `post_times_us`: the time each iteration was posted (iterations = its size, >= 4).
// Throws std::invalid_argument for fewer than 4 samples (perftest needs iters-1-2 >= 1).
LatencyReport perftest_latency(uint64_t bytes, const std::vector<double>& post_times_us, int rtt_factor);

struct BandwidthReport {
    uint64_t bytes = 0;
    uint64_t iterations = 0;
    double bw_peak = 0;     // MiB/s, or Gb/s with gbits
    double bw_average = 0;
    double msg_rate_mpps = 0;
    bool gbits = false;
};

// `completion_times_us[i]`: when message i completed; `start_us`: when the first was posted.
// Peak = best rate over any single completion interval (perftest's per-message peak).
BandwidthReport perftest_bandwidth(uint64_t bytes, double start_us, const std::vector<double>& completion_times_us,
                                   bool gbits);

// As perftest's print_report_bw computes it from both ends of every message: average as above
// (first post to last completion); peak from the best per-message time over any run of
// consecutive messages i..j, (completed[j] - posted[i]) / (j - i + 1). Runs are limited to
// 4096 messages so that very long streams stay cheap (the best run is far shorter).
BandwidthReport perftest_bandwidth(uint64_t bytes, const std::vector<double>& posted_us,
                                   const std::vector<double>& completed_us, bool gbits);

struct PerftestBanner {
    std::string title;  // e.g. "RDMA_Write Latency Test"
    std::string device = "t5nic0";
    uint32_t qps = 1;
    uint32_t tx_depth = 1;
    uint32_t mtu = 1500;
    // The hosts the test ran between ("c->b, d->b"); printed (and in JSON) when not empty.
    std::string flows;
};

std::string format_banner(const PerftestBanner& b);
std::string format_latency_header();
std::string format_latency_row(const LatencyReport& r);
std::string format_bandwidth_header(bool gbits);
std::string format_bandwidth_row(const BandwidthReport& r);

// perftest --out_json layout: {"test_info": {...}, "results": {...}}.
std::string latency_json(const PerftestBanner& b, const std::vector<LatencyReport>& rows);
std::string bandwidth_json(const PerftestBanner& b, const std::vector<BandwidthReport>& rows);

}  // namespace nicsim::sim
