#include "sim/sweep/run_id.h"

#include <cstdio>

namespace nicsim::sweep {

uint32_t overrides_hash(const std::vector<std::string>& assignments) {
    uint32_t h = 2166136261u;
    auto mix = [&h](unsigned char c) {
        h ^= c;
        h *= 16777619u;
    };
    for (const std::string& a : assignments) {
        for (char c : a) mix(static_cast<unsigned char>(c));
        mix('\n');
    }
    return h;
}

std::string make_run_id(size_t index, size_t count, const std::vector<std::string>& assignments) {
    int width = 4;
    for (size_t n = 10000; n < count; n *= 10) ++width;
    char buf[48];
    std::snprintf(buf, sizeof buf, "%0*zu-%08x", width, index, static_cast<unsigned>(overrides_hash(assignments)));
    return buf;
}

}  // namespace nicsim::sweep
