// CRC32c (Castagnoli), as MPA uses it (RFC 5044 §4.4, RFC 3385): polynomial 0x1EDC6F41,
// reflected (0x82F63B78), initial value and final XOR 0xFFFFFFFF. The value goes on the wire
// least-significant byte first (put_le32), as in iSCSI.
//
// All functions take and return *finished* CRC values, so they chain:
//   crc32c(b, crc32c(a)) == crc32c(a ++ b)
#pragma once

#include "bytes.h"

namespace nicsim::proto {

// Bit-serial reference, written straight from the definition; slow, obviously correct.
uint32_t crc32c_reference(ByteView data, uint32_t crc = 0);

// Portable table-driven implementation (slicing-by-8).
uint32_t crc32c_slicing8(ByteView data, uint32_t crc = 0);

// SSE4.2 `crc32` instruction; only call when crc32c_hw_available().
uint32_t crc32c_sse42(ByteView data, uint32_t crc = 0);
bool crc32c_hw_available();

// Fastest implementation this CPU supports.
uint32_t crc32c(ByteView data, uint32_t crc = 0);

// The CRC register value after a message followed by its own little-endian CRC, before the
// final XOR; receivers may check this constant instead of comparing the field.
constexpr uint32_t kCrc32cResidue = 0xB798B438u;

}  // namespace nicsim::proto
