#include "sim/workload/summary_csv.h"

#include <cstdio>

namespace nicsim::sim {

namespace {
std::string cell(const std::optional<double>& v) {
    if (!v) return "";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", *v);
    return buf;
}
}  // namespace

const char* summary_csv_header() {
    return "workload,size,iterations,lat_min_us,lat_avg_us,lat_p50_us,lat_p99_us,lat_max_us,bw_avg_gbps,"
           "bw_peak_gbps,msg_rate_mpps";
}

void write_summary_csv(std::ostream& out, const std::vector<SummaryRow>& rows) {
    out << summary_csv_header() << '\n';
    for (const SummaryRow& r : rows) {
        out << r.workload << ',' << r.size << ',' << r.iterations << ',' << cell(r.lat_min_us) << ','
            << cell(r.lat_avg_us) << ',' << cell(r.lat_p50_us) << ',' << cell(r.lat_p99_us) << ','
            << cell(r.lat_max_us) << ',' << cell(r.bw_avg_gbps) << ',' << cell(r.bw_peak_gbps) << ','
            << cell(r.msg_rate_mpps) << '\n';
    }
}

SummaryRow latency_summary_row(const std::string& workload, const LatencyReport& r) {
    SummaryRow s;
    s.workload = workload;
    s.size = r.bytes;
    s.iterations = r.iterations;
    s.lat_min_us = r.t_min;
    s.lat_avg_us = r.t_avg;
    s.lat_p50_us = r.t_typical;
    s.lat_p99_us = r.p99;
    s.lat_max_us = r.t_max;
    return s;
}

}  // namespace nicsim::sim
