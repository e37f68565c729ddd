#include "sim/sweep/csv_table.h"

namespace nicsim::sweep {

namespace {

// Splits the text into records of fields; returns false on an unterminated quote.
bool split_records(const std::string& text, std::vector<std::vector<std::string>>& records,
                   std::vector<int>& lines, std::string& error) {
    std::vector<std::string> record;
    std::string field;
    bool quoted = false, field_started = false;
    int line = 1, record_line = 1;
    auto end_record = [&] {
        if (field_started || !record.empty()) {
            record.push_back(field);
            records.push_back(record);
            lines.push_back(record_line);
        }
        record.clear();
        field.clear();
        field_started = false;
    };
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                if (c == '\n') ++line;
                field += c;
            }
            continue;
        }
        switch (c) {
            case '"': quoted = field_started = true; break;
            case ',':
                record.push_back(field);
                field.clear();
                field_started = true;
                break;
            case '\r': break;
            case '\n':
                end_record();
                record_line = ++line;
                break;
            default: field += c; field_started = true;
        }
    }
    if (quoted) {
        error = "line " + std::to_string(record_line) + ": a quoted field is not closed";
        return false;
    }
    end_record();
    return true;
}

}  // namespace

bool parse_csv(const std::string& text, CsvTable& out, std::string& error) {
    std::vector<std::vector<std::string>> records;
    std::vector<int> lines;
    out = CsvTable{};
    if (!split_records(text, records, lines, error)) return false;
    if (records.empty()) {
        error = "empty file (no header)";
        return false;
    }
    out.header = records.front();
    for (size_t r = 1; r < records.size(); ++r) {
        if (records[r].size() != out.header.size()) {
            error = "line " + std::to_string(lines[r]) + ": " + std::to_string(records[r].size()) +
                    " fields, the header has " + std::to_string(out.header.size());
            return false;
        }
        out.rows.push_back(std::move(records[r]));
    }
    return true;
}

std::string csv_field(const std::string& value) {
    if (value.find_first_of(",\"\n\r") == std::string::npos) return value;
    std::string q = "\"";
    for (char c : value) {
        if (c == '"') q += '"';
        q += c;
    }
    return q + '"';
}

void write_csv_row(std::ostream& out, const std::vector<std::string>& fields) {
    for (size_t i = 0; i < fields.size(); ++i) out << (i ? "," : "") << csv_field(fields[i]);
    out << '\n';
}

}  // namespace nicsim::sweep
