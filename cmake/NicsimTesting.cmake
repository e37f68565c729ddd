# nicsim_add_test(NAME <target> LABEL <unit|rtl|integration|slow> [TIMEOUT s] [SYSTEMC]
#                 SOURCES ... LIBS ...)
# One Catch2 executable; catch_discover_tests() registers every TEST_CASE as its own CTest
# test, i.e. its own process, which SystemC requires (it elaborates once per process).
include(Catch)

add_library(nicsim_catch_main OBJECT ${CMAKE_SOURCE_DIR}/tb/support/catch_main.cpp)
target_link_libraries(nicsim_catch_main PUBLIC Catch2::Catch2)
add_library(nicsim_catch_main_systemc OBJECT ${CMAKE_SOURCE_DIR}/tb/support/catch_main_systemc.cpp)
target_link_libraries(nicsim_catch_main_systemc PUBLIC Catch2::Catch2 SystemC::systemc)

# Helpers shared by tests (tshark oracle).
add_library(nicsim_test_support STATIC ${CMAKE_SOURCE_DIR}/tb/support/tshark_oracle.cpp)
target_include_directories(nicsim_test_support PUBLIC ${CMAKE_SOURCE_DIR}/tb/support)
target_link_libraries(nicsim_test_support PRIVATE nicsim_warnings)

function(nicsim_add_test)
  cmake_parse_arguments(T "SYSTEMC" "NAME;LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 60)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  if(T_SYSTEMC)
    target_link_libraries(${T_NAME} PRIVATE nicsim_catch_main_systemc)
  else()
    target_link_libraries(${T_NAME} PRIVATE nicsim_catch_main)
  endif()
  target_link_libraries(${T_NAME} PRIVATE Catch2::Catch2 nicsim_warnings nicsim_test_support ${T_LIBS})
  target_include_directories(${T_NAME} PRIVATE ${CMAKE_SOURCE_DIR}/tb/support)
  # Tests find the source tree through NICSIM_TEST_SOURCE_DIR (compiled in) unless the
  # NICSIM_SOURCE_DIR environment variable says otherwise. One ENVIRONMENT entry only:
  # catch_discover_tests splits a ';' list into separate property arguments.
  target_compile_definitions(${T_NAME} PRIVATE NICSIM_TEST_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  catch_discover_tests(${T_NAME}
    TEST_PREFIX "${T_NAME}."
    PROPERTIES LABELS "${T_LABEL}" TIMEOUT ${T_TIMEOUT}
               ENVIRONMENT "SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1")
endfunction()
