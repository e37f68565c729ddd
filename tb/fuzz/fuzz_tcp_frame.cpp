// libFuzzer harness: the Ethernet/IPv4/TCP frame parser (with TCP options) on untrusted bytes.
#include <cstddef>
#include <cstdint>

#include "proto/packet.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    nicsim::proto::parse_tcp_frame(nicsim::proto::ByteView(data, size));
    return 0;
}
