// What one workload of a run produced: its perftest-style table and JSON, and its summary.csv
// rows. The OpRecords go to the run's common list (workload_runner.h).
#pragma once

#include <string>
#include <vector>

#include "sim/report/perftest_report.h"
#include "sim/workload/summary_csv.h"

namespace nicsim::sim {

struct WorkloadResult {
    std::string kind;   // workload_kind_name()
    std::string table;  // banner + table, as printed and written to results.txt
    std::string json;   // perftest --out_json layout (one object)
    std::vector<SummaryRow> summary;
};

}  // namespace nicsim::sim
