// Catch2 owns main() for SystemC test binaries. libsystemc.so still references sc_main, so a
// stub must exist; tests elaborate their own modules and call sc_start() themselves.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#include <systemc>

int sc_main(int, char**) { return 0; }
