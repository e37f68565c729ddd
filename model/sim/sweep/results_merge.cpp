#include "sim/sweep/results_merge.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sim/sweep/csv_table.h"
#include "sim/sweep/sweep_layout.h"

namespace nicsim::sweep {

namespace fs = std::filesystem;

const std::vector<std::string>& summary_header() {
    static const std::vector<std::string> h = {"workload",    "size",       "iterations", "lat_min_us",
                                               "lat_avg_us",  "lat_p50_us", "lat_p99_us", "lat_max_us",
                                               "bw_avg_gbps", "bw_peak_gbps", "msg_rate_mpps"};
    return h;
}

MergeReport merge_results(const fs::path& out_dir, const Manifest& m) {
    MergeReport report;
    struct RunTable {
        const ManifestEntry* point;
        CsvTable table;
    };
    std::vector<RunTable> tables;
    std::vector<std::string> columns = summary_header();
    for (const ManifestEntry& p : m.points) {
        const fs::path dir = layout::run(out_dir, p.id);
        const RunState state = p.inputs.empty() ? (run_finished(dir) ? RunState::Finished : RunState::NotFinished)
                                                : run_state(dir, p.inputs);
        if (state != RunState::Finished) {
            report.unfinished.push_back(p.id);
            if (state == RunState::FinishedOtherInputs) report.stale.push_back(p.id);
            continue;
        }
        std::ifstream in(dir / "summary.csv", std::ios::binary);
        if (!in) {
            report.problems.push_back(p.id + ": summary.csv: cannot open");
            continue;
        }
        std::stringstream text;
        text << in.rdbuf();
        RunTable t{&p, {}};
        std::string error;
        if (!parse_csv(text.str(), t.table, error)) {
            report.problems.push_back(p.id + ": summary.csv: " + error);
            continue;
        }
        for (const std::string& c : t.table.header)
            if (std::find(columns.begin(), columns.end(), c) == columns.end()) columns.push_back(c);
        tables.push_back(std::move(t));
    }

    const fs::path file = layout::results(out_dir);
    std::ofstream out(file, std::ios::binary);
    std::vector<std::string> header = {"run_id"};
    header.insert(header.end(), m.swept_keys.begin(), m.swept_keys.end());
    header.insert(header.end(), columns.begin(), columns.end());
    write_csv_row(out, header);
    for (const RunTable& t : tables) {
        // Where each output column is in this run's table (-1: absent).
        std::vector<int> from;
        for (const std::string& c : columns) {
            auto it = std::find(t.table.header.begin(), t.table.header.end(), c);
            from.push_back(it == t.table.header.end() ? -1 : int(it - t.table.header.begin()));
        }
        for (const auto& row : t.table.rows) {
            std::vector<std::string> fields = {t.point->id};
            fields.insert(fields.end(), t.point->values.begin(), t.point->values.end());
            for (int i : from) fields.push_back(i < 0 ? std::string() : row[size_t(i)]);
            write_csv_row(out, fields);
            ++report.rows;
        }
        ++report.runs_merged;
    }
    if (!out) throw std::runtime_error("cannot write " + file.string());
    return report;
}

}  // namespace nicsim::sweep
