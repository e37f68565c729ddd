// `nicsim params`: every configuration key with its type, default, unit, range and description.
#include <iostream>
#include <memory>
#include <string>

#include "commands.h"
#include "sim/config/param_docs.h"

namespace nicsim::app {

Command add_params_command(CLI::App& app) {
    auto format = std::make_shared<std::string>("table");
    auto prefix = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("params", "List every configuration key: name, type, default, unit, range, description");
    cmd->add_option("--format", *format, "table (aligned text) or markdown (docs/parameters.md)")
        ->check(CLI::IsMember({"table", "markdown"}))
        ->capture_default_str();
    cmd->add_option("prefix", *prefix, "only keys under this group, e.g. nic.tp");

    return [cmd, format, prefix]() {
        if (!cmd->parsed()) return -1;
        const auto& reg = config::default_registry();
        if (!prefix->empty() && !reg.find(*prefix) && !reg.is_group(*prefix)) {
            std::string msg = "nicsim params: no key or group '" + *prefix + "'";
            const std::string near = reg.suggest(*prefix);
            if (!near.empty()) msg += " (did you mean " + near + "?)";
            std::cerr << msg << '\n';
            return 2;
        }
        if (*format == "markdown")
            config::write_params_markdown(reg, std::cout, *prefix);
        else
            config::write_params_table(reg, std::cout, *prefix);
        return 0;
    };
}

}  // namespace nicsim::app
