// telehub: the telemetry hub. Start-up and configuration errors are printed
// as one line and exit with status 2.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "hub/hub_config.hpp"
#include "hub/hub_context.hpp"
#include "hub/hub_server.hpp"
#include "hub/token_command.hpp"

int main(int argc, char** argv) {
    try {
        if (telehub::hub::is_token_command(argc, argv)) return telehub::hub::run_token_command(argc, argv);
        auto cli = telehub::hub::parse_hub_config(argc, argv);
        if (cli.help) {
            std::fputs(cli.help->c_str(), stdout);
            return 0;
        }
        if (cli.config_template) {
            std::fputs(cli.config_template->c_str(), stdout);
            return 0;
        }
        if (cli.version) {
            std::puts(telehub::hub::hub_version_line().c_str());
            return 0;
        }
        if (cli.check_config) {
            for (const auto& w : telehub::hub::check_hub_files(cli.config)) std::fprintf(stderr, "telehub: warning: %s\n", w.c_str());
            std::printf("telehub: the configuration is valid (%s); web root %s, data in %s\n",
                        cli.config.config_file.empty() ? "command line only, no --config"
                                                       : cli.config.config_file.c_str(),
                        cli.config.web_root.c_str(), cli.config.data_dir.c_str());
            return 0;
        }
        // SIGHUP reads the same command line and its --config file again.
        std::vector<std::string> args(argv, argv + argc);
        auto reread = [args] {
            std::vector<const char*> ptrs;
            for (const auto& a : args) ptrs.push_back(a.c_str());
            return telehub::hub::parse_hub_config(static_cast<int>(ptrs.size()), ptrs.data()).config;
        };
        telehub::hub::HubServer server(std::move(cli.config), reread);
        return server.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "telehub: %s\n", e.what());
        return 2;
    }
}
