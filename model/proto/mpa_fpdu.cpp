#include "mpa_fpdu.h"

#include <stdexcept>

#include "crc32c.h"
#include "mpa_markers.h"

namespace nicsim::proto {

Bytes mpa_frame_fpdu(ByteView ulpdu, const MpaFramingOptions& opt, uint64_t stream_offset) {
    if (ulpdu.size > kMaxUlpduLength) throw std::length_error("ULPDU longer than 65535 bytes");
    Bytes plain;
    plain.reserve(mpa_plain_fpdu_length(ulpdu.size));
    put_be16(plain, uint16_t(ulpdu.size));
    put_bytes(plain, ulpdu);
    plain.resize(plain.size() + mpa_pad_length(ulpdu.size), 0);

    Bytes fpdu = opt.markers ? insert_markers(plain, stream_offset) : std::move(plain);
    put_le32(fpdu, opt.crc ? crc32c(fpdu) : 0u);
    return fpdu;
}

size_t mpa_fpdu_wire_length(size_t ulpdu_len, bool markers, uint64_t stream_offset) {
    size_t plain = mpa_plain_fpdu_length(ulpdu_len);
    return markers ? plain + kMarkerSize * markers_in_fpdu(stream_offset, plain) : plain;
}

size_t mpa_mulpdu(size_t emss, bool markers) {
    size_t overhead = kMpaLengthSize + kMpaCrcSize + emss % 4;
    if (markers) overhead += kMarkerSize * ((emss + kMarkerSpacing - 1) / kMarkerSpacing);
    return emss > overhead ? emss - overhead : 0;
}

}  // namespace nicsim::proto
