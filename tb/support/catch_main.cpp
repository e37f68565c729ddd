// Catch2 owns main() for plain C++ test binaries.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
