#include "terminate_codes.h"

#include <cstdio>

namespace nicsim::proto {
namespace {

const char* code_text(const TermCause& c) {
    struct Row { TermCause cause; const char* text; };
    static const Row rows[] = {
        {term::kRdmapInvalidStag, "invalid STag"},
        {term::kRdmapBaseBounds, "base or bounds violation"},
        {term::kRdmapAccessRights, "access rights violation"},
        {term::kRdmapStagNotAssociated, "STag not associated with RDMAP stream"},
        {term::kRdmapToWrap, "TO wrap"},
        {term::kRdmapCannotInvalidate, "STag cannot be invalidated"},
        {term::kRdmapInvalidVersion, "invalid RDMAP version"},
        {term::kRdmapUnexpectedOpcode, "unexpected OpCode"},
        {term::kRdmapCatastrophicStream, "catastrophic error, localized to RDMAP stream"},
        {term::kRdmapCatastrophicGlobal, "catastrophic error, global"},
        {term::kRdmapLocalCatastrophic, "local catastrophic"},
        {term::kDdpLocalCatastrophic, "local catastrophic"},
        {term::kDdpInvalidStag, "invalid STag"},
        {term::kDdpBaseBounds, "base or bounds violation"},
        {term::kDdpStagNotAssociated, "STag not associated with DDP stream"},
        {term::kDdpToWrap, "TO wrap"},
        {term::kDdpTaggedInvalidVersion, "invalid DDP version"},
        {term::kDdpInvalidQn, "invalid QN"},
        {term::kDdpNoBuffer, "invalid MSN - no buffer available"},
        {term::kDdpMsnRange, "invalid MSN - MSN range is not valid"},
        {term::kDdpInvalidMo, "invalid MO"},
        {term::kDdpMessageTooLong, "DDP message too long for available buffer"},
        {term::kDdpUntaggedInvalidVersion, "invalid DDP version"},
        {term::kMpaConnectionLost, "TCP connection closed, terminated or lost"},
        {term::kMpaCrcError, "MPA CRC error"},
        {term::kMpaMarkerMismatch, "MPA Marker and ULPDU Length field mismatch"},
        {term::kMpaInvalidReqRep, "invalid MPA Request or Reply frame"},
        {term::kMpaLocalCatastrophic, "local catastrophic error"},
        {term::kMpaInsufficientIrd, "insufficient IRD resources"},
        {term::kMpaNoMatchingRtr, "no matching RTR option"},
    };
    for (const Row& r : rows)
        if (r.cause == c) return r.text;
    return "unknown";
}

}  // namespace

std::string describe(const TermCause& c) {
    static const char* layers[] = {"RDMAP", "DDP", "LLP"};
    static const char* rdmap_types[] = {"local-catastrophic", "remote-protection", "remote-operation"};
    static const char* ddp_types[] = {"local-catastrophic", "tagged", "untagged"};
    unsigned layer = unsigned(c.layer);
    const char* lname = layer < 3 ? layers[layer] : "?";
    const char* tname = "MPA";
    if (c.layer == TermLayer::Rdmap) tname = c.etype < 3 ? rdmap_types[c.etype] : "?";
    if (c.layer == TermLayer::Ddp) tname = c.etype < 3 ? ddp_types[c.etype] : "?";
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s/%s/0x%02x %s", lname, tname, c.code, code_text(c));
    return buf;
}

}  // namespace nicsim::proto
