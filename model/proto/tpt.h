// The Translation and Protection Table rules (RFC 5040 §5.4, RFC 5041 §5): an STag names a
// registered region with a protection domain, access rights and bounds. The checks return
// the Terminate cause of the layer that performs them: DDP for tagged placement (Write,
// Read Response), RDMAP for the source of a Read and for access rights (DDP has no code).
#pragma once

#include <map>
#include <optional>

#include "terminate_codes.h"

namespace nicsim::proto {

enum AccessFlags : uint32_t {
    kAccessLocalRead = 1,
    kAccessLocalWrite = 2,
    kAccessRemoteRead = 4,
    kAccessRemoteWrite = 8,
};

struct MemoryRegion {
    uint32_t stag = 0;
    uint32_t pd = 0;
    uint64_t base_to = 0;  // first valid tagged offset
    uint64_t length = 0;
    uint32_t access = 0;
    bool valid = true;
    uint64_t host_address = 0;  // where the region lives in host memory (for the timed model)
};

enum class TaggedUse { PlaceRemoteWrite, PlaceReadResponse, ReadSource };

class Tpt {
public:
    void add(const MemoryRegion& mr) { regions_[mr.stag] = mr; }
    void remove(uint32_t stag) { regions_.erase(stag); }
    const MemoryRegion* find(uint32_t stag) const;

    // Checks an access of `length` bytes at tagged offset `to` by the stream of domain `pd`.
    std::optional<TermCause> check(uint32_t stag, uint64_t to, uint64_t length, TaggedUse use, uint32_t pd) const;

    // Send with Invalidate: the peer asks us to invalidate `stag`.
    std::optional<TermCause> remote_invalidate(uint32_t stag, uint32_t pd);

private:
    std::map<uint32_t, MemoryRegion> regions_;
};

}  // namespace nicsim::proto
