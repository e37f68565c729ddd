// Named statistics of one run ("a.nic.tx_frames", "a.nic.rx.mpa_rx.utilisation", ...) and
// their two file forms, stats.json and stats.csv (docs/outputs.md). Names are dotted paths,
// host first; a name keeps the kind it was first registered with. Entries keep the order in
// which they were registered, so related names stay together in the files.
//
// Kinds: counter (an exact unsigned count), gauge (one real value: a ratio, a mean level),
// accumulator (count, sum, sum of squares, min, max, mean, stddev) and histogram (an
// accumulator plus buckets and percentiles).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/stats/accumulator.h"
#include "sim/stats/histogram.h"

namespace nicsim::sim::stats {

enum class StatKind { Counter, Gauge, Accumulator, Histogram };
const char* stat_kind_name(StatKind k);

struct Stat {
    std::string name;
    StatKind kind = StatKind::Counter;
    std::string unit;
    uint64_t count_value = 0;       // counter
    double value = 0;               // gauge
    Accumulator acc;                // accumulator
    std::unique_ptr<Histogram> hist;  // histogram
};

class StatsRegistry {
public:
    // Each registers the name on first use and returns/sets it; using a name again with
    // another kind throws std::invalid_argument, as does an empty name or one with spaces,
    // commas or quotes (they would need quoting in CSV and in users' scripts).
    void counter(const std::string& name, uint64_t v, const std::string& unit = "");
    void gauge(const std::string& name, double v, const std::string& unit = "");
    Accumulator& accumulator(const std::string& name, const std::string& unit = "");
    Histogram& histogram(const std::string& name, const std::string& unit = "",
                         const HistogramSpec& spec = HistogramSpec::log2());

    // Run-level facts written once at the top of stats.json (not in the CSV, which stays one
    // table with one header line).
    void meta(const std::string& key, const std::string& text);
    void meta(const std::string& key, double number);

    const Stat* find(const std::string& name) const;
    size_t size() const { return order_.size(); }
    const std::vector<std::unique_ptr<Stat>>& entries() const { return order_; }

    // {"format": "nicsim-stats", "version": 1, "meta": {...}, "stats": {name: {...}, ...}}
    std::string to_json() const;
    // Header: name,kind,unit,value,count,sum,sum_sq,min,max,mean,stddev,p50,p90,p99,lo,hi;
    // one row per stat, plus one "bucket" row per non-empty histogram bucket.
    std::string to_csv() const;

    static const char* csv_header();

private:
    Stat& get(const std::string& name, StatKind kind, const std::string& unit);

    std::vector<std::unique_ptr<Stat>> order_;
    std::map<std::string, Stat*> by_name_;
    std::vector<std::pair<std::string, std::string>> meta_;  // key, JSON text of the value
};

}  // namespace nicsim::sim::stats
