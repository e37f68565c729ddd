// A small RFC 4180 CSV reader and writer: the runs' summary.csv in, the sweep's results.csv out.
// Fields with a comma, quote or newline are quoted ("a ""b"""), which Python's csv module,
// spreadsheets and pandas read back unchanged.
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

namespace nicsim::sweep {

struct CsvTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;  // each as long as the header
};

// Parses `text`; the first record is the header. Returns false with `error` set ("line 3: 4
// fields, the header has 11") on a malformed table; blank lines are skipped.
bool parse_csv(const std::string& text, CsvTable& out, std::string& error);

// One field, quoted when it must be.
std::string csv_field(const std::string& value);
void write_csv_row(std::ostream& out, const std::vector<std::string>& fields);

}  // namespace nicsim::sweep
