// CRC32c throughput of each implementation on one core (target: >= 5 GB/s fast path).
//   build/tb/bench/bench_crc32c [MiB]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "proto/crc32c.h"

using namespace nicsim::proto;

namespace {

double gbytes_per_s(uint32_t (*fn)(ByteView, uint32_t), const Bytes& buf, size_t total_bytes, uint32_t& sink) {
    size_t rounds = total_bytes / buf.size() + 1;
    auto t0 = std::chrono::steady_clock::now();
    for (size_t i = 0; i < rounds; ++i) sink ^= fn(buf, sink);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return double(rounds * buf.size()) / s / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
    size_t mib = argc > 1 ? size_t(std::atoi(argv[1])) : 2048;
    std::mt19937_64 rng(1);
    uint32_t sink = 0;
    std::printf("CRC32c throughput, one core, %zu MiB per measurement\n", mib);
    std::printf("%-12s %10s %12s\n", "impl", "buffer", "GB/s");
    for (size_t size : {64u, 1500u, 9000u, 65536u}) {
        Bytes buf(size);
        for (auto& b : buf) b = uint8_t(rng());
        std::printf("%-12s %10zu %12.2f\n", "slicing8", size, gbytes_per_s(crc32c_slicing8, buf, mib << 20, sink));
        if (crc32c_hw_available())
            std::printf("%-12s %10zu %12.2f\n", "sse4.2", size, gbytes_per_s(crc32c_sse42, buf, mib << 20, sink));
        std::printf("%-12s %10zu %12.3f\n", "reference", size, gbytes_per_s(crc32c_reference, buf, (mib << 20) / 64, sink));
    }
    std::printf("(checksum sink %08x)\n", sink);
    return 0;
}
