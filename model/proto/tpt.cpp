#include "tpt.h"

namespace nicsim::proto {

const MemoryRegion* Tpt::find(uint32_t stag) const {
    auto it = regions_.find(stag);
    return it == regions_.end() ? nullptr : &it->second;
}

std::optional<TermCause> Tpt::check(uint32_t stag, uint64_t to, uint64_t length, TaggedUse use, uint32_t pd) const {
    bool rdmap = use == TaggedUse::ReadSource;
    const MemoryRegion* mr = find(stag);
    if (!mr || !mr->valid) return rdmap ? term::kRdmapInvalidStag : term::kDdpInvalidStag;
    if (mr->pd != pd) return rdmap ? term::kRdmapStagNotAssociated : term::kDdpStagNotAssociated;
    if (to + length < to) return rdmap ? term::kRdmapToWrap : term::kDdpToWrap;
    if (to < mr->base_to || to + length > mr->base_to + mr->length)
        return rdmap ? term::kRdmapBaseBounds : term::kDdpBaseBounds;
    uint32_t need = use == TaggedUse::PlaceRemoteWrite ? kAccessRemoteWrite
                    : use == TaggedUse::ReadSource     ? kAccessRemoteRead
                                                       : kAccessLocalWrite;
    if (!(mr->access & need)) return term::kRdmapAccessRights;
    return std::nullopt;
}

std::optional<TermCause> Tpt::remote_invalidate(uint32_t stag, uint32_t pd) {
    auto it = regions_.find(stag);
    if (it == regions_.end() || !it->second.valid) return term::kRdmapCannotInvalidate;
    if (it->second.pd != pd) return term::kRdmapCannotInvalidate;
    it->second.valid = false;
    return std::nullopt;
}

}  // namespace nicsim::proto
