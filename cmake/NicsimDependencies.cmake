# All dependencies come from Debian 12 packages (scripts/setup installs them).
find_package(PkgConfig REQUIRED)

# SystemC 2.3.4 ships pkg-config metadata only (no CMake package).
pkg_check_modules(SYSTEMC REQUIRED IMPORTED_TARGET systemc>=2.3.4)
add_library(SystemC::systemc ALIAS PkgConfig::SYSTEMC)

find_package(Catch2 2 REQUIRED)
find_package(yaml-cpp 0.7 REQUIRED)
find_package(CLI11 2 REQUIRED)
find_package(Threads REQUIRED)
if(NICSIM_RTL)
  find_package(verilator 5.006 REQUIRED HINTS /usr/share/verilator)
endif()
