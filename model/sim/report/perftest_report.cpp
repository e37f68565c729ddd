#include "sim/report/perftest_report.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <stdexcept>

namespace nicsim::sim {

namespace {

constexpr size_t kMeasureTail = 2;  // perftest's LAT_MEASURE_TAIL
constexpr double kMiB = 1048576.0;  // perftest's MiB unit (0x100000 bytes)
constexpr double kGbit = 125000000.0;  // 10^9 bits in bytes

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

}  // namespace

LatencyReport perftest_latency(uint64_t bytes, const std::vector<double>& post, int rtt_factor) {
    if (post.size() < 4) throw std::invalid_argument("perftest latency needs at least 4 iterations");
    if (rtt_factor < 1) throw std::invalid_argument("rtt factor must be >= 1");
    std::vector<double> d;
    for (size_t i = 0; i + 1 < post.size(); ++i) d.push_back((post[i + 1] - post[i]) / rtt_factor);
    std::sort(d.begin(), d.end());
    size_t n = d.size() - kMeasureTail;
    LatencyReport r;
    r.bytes = bytes;
    r.iterations = post.size();
    r.t_typical = (n - 1) % 2 ? (d[n / 2] + d[n / 2 - 1]) / 2 : d[n / 2];
    double sum = 0;
    for (size_t i = 0; i < n; ++i) sum += d[i];
    r.t_avg = sum / double(n);
    double var = 0;
    for (size_t i = 0; i < n; ++i) var += (d[i] - r.t_avg) * (d[i] - r.t_avg);
    r.t_stdev = std::sqrt(var / double(n));
    r.t_min = d[0];
    r.t_max = d[n];
    r.p99 = d[std::min(d.size() - 1, size_t(std::ceil(double(n) * 0.99)))];
    r.p99_9 = d[std::min(d.size() - 1, size_t(std::ceil(double(n) * 0.999)))];
    return r;
}

BandwidthReport perftest_bandwidth(uint64_t bytes, double start_us, const std::vector<double>& done, bool gbits) {
    if (done.empty()) throw std::invalid_argument("perftest bandwidth needs at least one completion");
    BandwidthReport r;
    r.bytes = bytes;
    r.iterations = done.size();
    r.gbits = gbits;
    double unit = gbits ? kGbit : kMiB;
    double total_s = (done.back() - start_us) * 1e-6;
    r.bw_average = total_s > 0 ? double(bytes) * double(done.size()) / total_s / unit : 0;
    double best = 0;
    double prev = start_us;
    for (double t : done) {
        double dt = (t - prev) * 1e-6;
        if (dt > 0) best = std::max(best, double(bytes) / dt / unit);
        prev = t;
    }
    r.bw_peak = std::max(best, r.bw_average);
    r.msg_rate_mpps = total_s > 0 ? double(done.size()) / total_s / 1e6 : 0;
    return r;
}

BandwidthReport perftest_bandwidth(uint64_t bytes, const std::vector<double>& posted,
                                   const std::vector<double>& completed, bool gbits) {
    if (completed.empty() || posted.size() != completed.size())
        throw std::invalid_argument("perftest bandwidth needs one post and one completion time per message");
    BandwidthReport r = perftest_bandwidth(bytes, posted.front(), completed, gbits);
    constexpr size_t kMaxRun = 4096;
    double best = 0;  // shortest per-message time
    for (size_t i = 0; i < posted.size(); ++i) {
        for (size_t j = i; j < completed.size() && j - i < kMaxRun; ++j) {
            const double t = (completed[j] - posted[i]) / double(j - i + 1);
            if (t > 0 && (best == 0 || t < best)) best = t;
        }
    }
    const double unit = gbits ? kGbit : kMiB;
    r.bw_peak = best > 0 ? std::max(r.bw_average, double(bytes) / (best * 1e-6) / unit) : r.bw_average;
    return r;
}

std::string format_banner(const PerftestBanner& b) {
    std::string dashes(87, '-');
    size_t pad = b.title.size() < 87 ? (87 - b.title.size()) / 2 : 0;
    std::string s = dashes + "\n" + std::string(pad, ' ') + b.title + "\n";
    s += fmt(" Dual-port       : OFF\t\tDevice         : %s\n", b.device.c_str());
    s += fmt(" Number of qps   : %u\t\tTransport type : IW\n", b.qps);
    s += fmt(" Connection type : RC\t\tUsing SRQ      : OFF\n");
    s += fmt(" TX depth        : %u\n", b.tx_depth);
    s += fmt(" Mtu             : %u[B]\n", b.mtu);
    if (!b.flows.empty()) s += " Flows           : " + b.flows + "\n";
    s += " Link type       : Ethernet\n" + dashes + "\n";
    return s;
}

std::string format_latency_header() {
    return " #bytes #iterations    t_min[usec]    t_max[usec]  t_typical[usec]    t_avg[usec]    t_stdev[usec]"
           "   99% percentile[usec]   99.9% percentile[usec] \n";
}

std::string format_latency_row(const LatencyReport& r) {
    return fmt(" %-7llu %-10llu     %-7.2f        %-7.2f      %-7.2f          %-7.2f        %-7.2f"
               "            %-7.2f                %-7.2f\n",
               static_cast<unsigned long long>(r.bytes), static_cast<unsigned long long>(r.iterations), r.t_min,
               r.t_max, r.t_typical, r.t_avg, r.t_stdev, r.p99, r.p99_9);
}

std::string format_bandwidth_header(bool gbits) {
    const char* u = gbits ? "Gb/sec" : "MiB/sec";
    return fmt(" #bytes     #iterations    BW peak[%s]    BW average[%s]   MsgRate[Mpps]\n", u, u);
}

std::string format_bandwidth_row(const BandwidthReport& r) {
    return fmt(" %-10llu %-10llu       %-7.2f            %-7.2f\t\t   %-7.6f\n",
               static_cast<unsigned long long>(r.bytes), static_cast<unsigned long long>(r.iterations), r.bw_peak,
               r.bw_average, r.msg_rate_mpps);
}

namespace {
std::string test_info_json(const PerftestBanner& b) {
    const std::string flows = b.flows.empty() ? "" : ", \"flows\": \"" + b.flows + "\"";
    return fmt("\"test_info\": {\"test\": \"%s\", \"device\": \"%s\", \"transport_type\": \"IW\", "
               "\"connection_type\": \"RC\", \"number_of_qps\": %u, \"tx_depth\": %u, \"mtu\": %u%s}",
               b.title.c_str(), b.device.c_str(), b.qps, b.tx_depth, b.mtu, flows.c_str());
}
}  // namespace

std::string latency_json(const PerftestBanner& b, const std::vector<LatencyReport>& rows) {
    std::string s = "{" + test_info_json(b) + ", \"results\": [";
    for (size_t i = 0; i < rows.size(); ++i) {
        const LatencyReport& r = rows[i];
        s += fmt("%s{\"MsgSize\": %llu, \"n_iterations\": %llu, \"t_min\": %.3f, \"t_max\": %.3f, "
                 "\"t_typical\": %.3f, \"t_avg\": %.3f, \"t_stdev\": %.3f, \"percentile_99\": %.3f, "
                 "\"percentile_99.9\": %.3f}",
                 i ? ", " : "", static_cast<unsigned long long>(r.bytes), static_cast<unsigned long long>(r.iterations),
                 r.t_min, r.t_max, r.t_typical, r.t_avg, r.t_stdev, r.p99, r.p99_9);
    }
    return s + "]}\n";
}

std::string bandwidth_json(const PerftestBanner& b, const std::vector<BandwidthReport>& rows) {
    std::string s = "{" + test_info_json(b) + ", \"results\": [";
    for (size_t i = 0; i < rows.size(); ++i) {
        const BandwidthReport& r = rows[i];
        s += fmt("%s{\"MsgSize\": %llu, \"n_iterations\": %llu, \"BW_peak\": %.3f, \"BW_average\": %.3f, "
                 "\"MsgRate\": %.6f, \"unit\": \"%s\"}",
                 i ? ", " : "", static_cast<unsigned long long>(r.bytes), static_cast<unsigned long long>(r.iterations),
                 r.bw_peak, r.bw_average, r.msg_rate_mpps, r.gbits ? "Gb/sec" : "MiB/sec");
    }
    return s + "]}\n";
}

}  // namespace nicsim::sim
