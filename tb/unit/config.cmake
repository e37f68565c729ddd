# Configuration system tests (label unit): registry and value parsing, YAML loader diagnostics,
# --set overrides, resolved-config round trip, the bundled NIC configs, and the `nicsim params`
# and `nicsim validate` commands (run as a child process: exit codes, files written, docs).
nicsim_add_test(NAME config_tests LABEL unit TIMEOUT 30
  SOURCES
    test_config_registry.cpp
    test_config_values.cpp
    test_config_loader.cpp
    test_config_overrides.cpp
    test_config_resolved.cpp
    test_config_bundled.cpp
    test_config_cli.cpp
  LIBS nicsim_config)
target_compile_definitions(config_tests PRIVATE NICSIM_BINARY="$<TARGET_FILE:nicsim>")
add_dependencies(config_tests nicsim)

# Config -> the models' parameter structs (links SystemC through the models, hence its own binary).
if(TARGET nicsim_config_bind)
  nicsim_add_test(NAME config_bind_tests LABEL unit TIMEOUT 30 SYSTEMC
    SOURCES test_config_bind.cpp
    LIBS nicsim_config_bind)
endif()
