// MPA connection setup rules: what each side asks for, how the responder answers and how
// the initiator judges the answer (RFC 5044 §7.1, RFC 6581 §9).
//  * Markers are per direction: M in a frame asks the *peer* to send markers.
//  * CRC is on in both directions if either frame sets C.
//  * Enhanced (rev 2): IRD/ORD exchange; with peer-to-peer the initiator offers RTR types,
//    the responder echoes A and picks exactly one, the initiator sends that RTR first.
#pragma once

#include <optional>

#include "mpa_startup.h"
#include "terminate_codes.h"

namespace nicsim::proto {

struct MpaPeerConfig {
    bool markers_rx = false;  // this side wants to receive markers
    bool crc = true;          // this side asks for CRC
    uint8_t revision = 2;     // 1 = RFC 5044, 2 = RFC 6581 enhanced
    bool peer_to_peer = true;
    uint8_t rtr_types = kRtrZeroLengthRead;  // initiator: offered; responder: acceptable
    uint16_t ird = 16;
    uint16_t ord = 16;
    Bytes private_data;
};

// What both ends agree on once the Reply is accepted.
struct MpaSession {
    bool crc = true;
    bool markers_initiator_to_responder = false;
    bool markers_responder_to_initiator = false;
    bool enhanced = false;
    uint8_t rtr = kRtrNone;  // the one RTR the initiator must send first (peer-to-peer)
    uint16_t initiator_ird = 0, initiator_ord = 0;
    uint16_t responder_ird = 0, responder_ord = 0;
};

MpaStartupFrame make_mpa_request(const MpaPeerConfig& initiator);

struct MpaResponse {
    MpaStartupFrame reply;
    std::optional<MpaSession> session;  // empty when the responder rejects
    std::optional<TermCause> error;     // why it rejects
};
MpaResponse respond_to_mpa_request(const MpaPeerConfig& responder, const MpaStartupFrame& request);

struct MpaReplyCheck {
    std::optional<MpaSession> session;
    std::optional<TermCause> error;  // Terminate the initiator must send instead
};
MpaReplyCheck accept_mpa_reply(const MpaPeerConfig& initiator, const MpaStartupFrame& request,
                               const MpaStartupFrame& reply);

}  // namespace nicsim::proto
