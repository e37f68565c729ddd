#include "sim/stats/stats_registry.h"

#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "sim/stats/json_text.h"

namespace nicsim::sim::stats {

namespace {

constexpr double kPercentiles[] = {50, 90, 99};

std::string num(double v) { return json_number(v); }

// Bucket edges are nominal (lo + k * width): 12 significant digits print 54.4, not the
// 54.400000000000006 that 17 * 3.2 is in binary.
std::string edge(double v) {
    if (!std::isfinite(v)) return "null";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.12g", v);
    return buf;
}

}  // namespace

const char* stat_kind_name(StatKind k) {
    switch (k) {
        case StatKind::Counter: return "counter";
        case StatKind::Gauge: return "gauge";
        case StatKind::Accumulator: return "accumulator";
        case StatKind::Histogram: return "histogram";
    }
    return "?";
}

const char* StatsRegistry::csv_header() {
    return "name,kind,unit,value,count,sum,sum_sq,min,max,mean,stddev,p50,p90,p99,lo,hi";
}

Stat& StatsRegistry::get(const std::string& name, StatKind kind, const std::string& unit) {
    if (name.empty() || name.find_first_of(" \t\n\r,\"") != std::string::npos)
        throw std::invalid_argument("stats: bad name '" + name + "'");
    auto it = by_name_.find(name);
    if (it != by_name_.end()) {
        if (it->second->kind != kind)
            throw std::invalid_argument("stats: '" + name + "' is a " + stat_kind_name(it->second->kind) +
                                        ", not a " + stat_kind_name(kind));
        return *it->second;
    }
    auto s = std::make_unique<Stat>();
    s->name = name;
    s->kind = kind;
    s->unit = unit;
    Stat* p = s.get();
    order_.push_back(std::move(s));
    by_name_[name] = p;
    return *p;
}

void StatsRegistry::counter(const std::string& name, uint64_t v, const std::string& unit) {
    get(name, StatKind::Counter, unit).count_value = v;
}

void StatsRegistry::gauge(const std::string& name, double v, const std::string& unit) {
    get(name, StatKind::Gauge, unit).value = v;
}

Accumulator& StatsRegistry::accumulator(const std::string& name, const std::string& unit) {
    return get(name, StatKind::Accumulator, unit).acc;
}

Histogram& StatsRegistry::histogram(const std::string& name, const std::string& unit, const HistogramSpec& spec) {
    Stat& s = get(name, StatKind::Histogram, unit);
    if (!s.hist) s.hist = std::make_unique<Histogram>(spec);
    return *s.hist;
}

void StatsRegistry::meta(const std::string& key, const std::string& text) { meta_.emplace_back(key, json_string(text)); }
void StatsRegistry::meta(const std::string& key, double number) { meta_.emplace_back(key, json_number(number)); }

const Stat* StatsRegistry::find(const std::string& name) const {
    auto it = by_name_.find(name);
    return it == by_name_.end() ? nullptr : it->second;
}

namespace {

void summary_json(std::ostream& o, const Accumulator& a) {
    o << "\"count\": " << a.count() << ", \"sum\": " << num(a.sum()) << ", \"sum_sq\": " << num(a.sum_sq())
      << ", \"min\": " << num(a.min()) << ", \"max\": " << num(a.max()) << ", \"mean\": " << num(a.mean())
      << ", \"stddev\": " << num(a.stddev());
}

void summary_csv(std::ostream& o, const Accumulator& a) {
    o << a.count() << ',' << num(a.sum()) << ',' << num(a.sum_sq()) << ',' << num(a.min()) << ',' << num(a.max())
      << ',' << num(a.mean()) << ',' << num(a.stddev());
}

}  // namespace

std::string StatsRegistry::to_json() const {
    std::ostringstream o;
    o << "{\n  \"format\": \"nicsim-stats\",\n  \"version\": 1,\n  \"meta\": {";
    for (size_t i = 0; i < meta_.size(); ++i)
        o << (i ? ",\n    " : "\n    ") << json_string(meta_[i].first) << ": " << meta_[i].second;
    o << (meta_.empty() ? "},\n" : "\n  },\n") << "  \"stats\": {";
    bool first = true;
    for (const auto& sp : order_) {
        const Stat& s = *sp;
        o << (first ? "\n    " : ",\n    ") << json_string(s.name) << ": {\"kind\": \"" << stat_kind_name(s.kind)
          << "\", \"unit\": " << json_string(s.unit);
        first = false;
        switch (s.kind) {
            case StatKind::Counter: o << ", \"value\": " << s.count_value; break;
            case StatKind::Gauge: o << ", \"value\": " << num(s.value); break;
            case StatKind::Accumulator: o << ", "; summary_json(o, s.acc); break;
            case StatKind::Histogram: {
                const Histogram& h = *s.hist;
                o << ", ";
                summary_json(o, h.summary());
                for (double p : kPercentiles) o << ", \"p" << int(p) << "\": " << num(h.percentile(p));
                o << ", \"scale\": \"" << (h.spec().scale == HistogramSpec::Scale::Linear ? "linear" : "log2")
                  << "\", \"underflow\": " << h.underflow() << ", \"overflow\": " << h.overflow()
                  << ", \"buckets\": [";
                bool fb = true;
                for (uint32_t k = 0; k < h.bucket_count(); ++k) {
                    if (!h.count_in(k)) continue;
                    o << (fb ? "" : ", ") << "{\"lo\": " << edge(h.bucket_lo(k)) << ", \"hi\": " << edge(h.bucket_hi(k))
                      << ", \"count\": " << h.count_in(k) << '}';
                    fb = false;
                }
                o << ']';
                break;
            }
        }
        o << '}';
    }
    o << (first ? "}\n}\n" : "\n  }\n}\n");
    return o.str();
}

std::string StatsRegistry::to_csv() const {
    std::ostringstream o;
    o << csv_header() << '\n';
    for (const auto& sp : order_) {
        const Stat& s = *sp;
        o << csv_field(s.name) << ',' << stat_kind_name(s.kind) << ',' << csv_field(s.unit) << ',';
        switch (s.kind) {
            case StatKind::Counter: o << s.count_value << ",,,,,,,,,,,,\n"; break;
            case StatKind::Gauge: o << num(s.value) << ",,,,,,,,,,,,\n"; break;
            case StatKind::Accumulator:
                o << ',';
                summary_csv(o, s.acc);
                o << ",,,,,\n";
                break;
            case StatKind::Histogram: {
                const Histogram& h = *s.hist;
                o << ',';
                summary_csv(o, h.summary());
                for (double p : kPercentiles) o << ',' << num(h.percentile(p));
                o << ",,\n";
                auto bucket = [&](uint64_t n, const std::string& lo, const std::string& hi) {
                    o << csv_field(s.name) << ",bucket," << csv_field(s.unit) << ",," << n << ",,,,,,,,,," << lo << ','
                      << hi << '\n';
                };
                if (h.underflow()) bucket(h.underflow(), "", edge(h.bucket_lo(0)));
                for (uint32_t k = 0; k < h.bucket_count(); ++k)
                    if (h.count_in(k)) bucket(h.count_in(k), edge(h.bucket_lo(k)), edge(h.bucket_hi(k)));
                if (h.overflow()) bucket(h.overflow(), edge(h.bucket_hi(h.bucket_count() - 1)), "");
                break;
            }
        }
    }
    return o.str();
}

}  // namespace nicsim::sim::stats
