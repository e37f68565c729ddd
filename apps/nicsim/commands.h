// Sub-commands of the nicsim command line; each registers itself on the CLI11 app and
// returns the process exit code when run (0 success, 1 run failure, 2 bad input).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace nicsim::app {

using Command = std::function<int()>;

Command add_golden_capture_command(CLI::App& app);
Command add_params_command(CLI::App& app);
Command add_validate_command(CLI::App& app);
Command add_run_command(CLI::App& app);
Command add_sweep_command(CLI::App& app);

}  // namespace nicsim::app
