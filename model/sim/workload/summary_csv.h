// summary.csv: one row per (workload, size) of a run, the contract other tools build on
// (`nicsim sweep` merges these files across runs). Header, exactly:
//   workload,size,iterations,lat_min_us,lat_avg_us,lat_p50_us,lat_p99_us,lat_max_us,bw_avg_gbps,bw_peak_gbps,msg_rate_mpps
// A column that does not apply to the workload (bandwidth of a latency test, ...) is empty.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "sim/report/perftest_report.h"

namespace nicsim::sim {

struct SummaryRow {
    std::string workload;  // write_lat, write_bw, smb_mix, ...
    uint64_t size = 0;     // message bytes
    uint64_t iterations = 0;
    std::optional<double> lat_min_us, lat_avg_us, lat_p50_us, lat_p99_us, lat_max_us;
    std::optional<double> bw_avg_gbps, bw_peak_gbps, msg_rate_mpps;
};

// A row with the latency columns of perftest's statistics (the bandwidth ones left empty).
SummaryRow latency_summary_row(const std::string& workload, const LatencyReport& r);

// The header line, without the newline.
const char* summary_csv_header();

void write_summary_csv(std::ostream& out, const std::vector<SummaryRow>& rows);

}  // namespace nicsim::sim
