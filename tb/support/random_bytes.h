// Reproducible pseudo-random payloads for tests: the same (n, seed) gives the same bytes.
#pragma once

#include <random>

#include "proto/bytes.h"

namespace nicsim::test {

inline proto::Bytes random_bytes(size_t n, uint32_t seed) {
    proto::Bytes b(n);
    std::mt19937 rng(seed);
    for (auto& x : b) x = uint8_t(rng());
    return b;
}

}  // namespace nicsim::test
