# Warnings for our own code; third-party and generated code is compiled without them.
add_library(nicsim_warnings INTERFACE)
target_compile_options(nicsim_warnings INTERFACE -Wall -Wextra -Wshadow -Wnon-virtual-dtor)

if(NICSIM_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

if(NICSIM_FUZZ AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "NICSIM_FUZZ needs clang (configure with CXX=clang++ CC=clang)")
endif()
