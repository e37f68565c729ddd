#include "sim/sweep/sweep_points.h"

#include "sim/sweep/run_id.h"

namespace nicsim::sweep {

std::vector<std::string> SweepPoint::assignments() const {
    std::vector<std::string> out;
    for (const Assignment& a : all) out.push_back(a.text());
    return out;
}

std::vector<SweepPoint> expand_points(const SweepSpec& spec) {
    const size_t zip_len = spec.zip.empty() ? 1 : spec.zip.front().values.size();
    for (const Axis& a : spec.zip) {
        if (a.values.size() != zip_len)
            throw config::ConfigError({{a.where, "zip." + a.key,
                                        std::to_string(a.values.size()) + " values, but zip." + spec.zip.front().key +
                                            " has " + std::to_string(zip_len) + " (zip lists must have equal lengths)"}});
    }
    // Radices of the mixed-radix counter: each matrix axis, then the zip as one axis.
    std::vector<size_t> radix;
    for (const Axis& a : spec.matrix) radix.push_back(a.values.size());
    if (!spec.zip.empty()) radix.push_back(zip_len);
    size_t total = 1;
    for (size_t r : radix) {
        total *= r;
        if (total > kMaxPoints)
            throw config::ConfigError({{spec.matrix.empty() ? spec.zip.front().where : spec.matrix.front().where, "matrix",
                                        "the sweep has more than " + std::to_string(kMaxPoints) + " points"}});
    }

    std::vector<SweepPoint> points;
    points.reserve(total);
    std::vector<size_t> digit(radix.size(), 0);
    for (size_t index = 0; index < total; ++index) {
        SweepPoint p;
        p.index = index;
        for (size_t m = 0; m < spec.matrix.size(); ++m) p.swept.push_back(spec.matrix[m].values[digit[m]]);
        for (const Axis& z : spec.zip) p.swept.push_back(z.values[digit.back()]);
        p.all = spec.fixed;
        p.all.insert(p.all.end(), p.swept.begin(), p.swept.end());
        p.id = make_run_id(index, total, p.assignments());
        points.push_back(std::move(p));
        // Increment, last axis fastest.
        for (size_t d = radix.size(); d-- > 0;) {
            if (++digit[d] < radix[d]) break;
            digit[d] = 0;
        }
    }
    return points;
}

}  // namespace nicsim::sweep
