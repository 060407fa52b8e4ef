// telehub: the telemetry hub. Start-up and configuration errors are printed
// as one line and exit with status 2.
#include <cstdio>
#include <exception>

#include "hub/hub_config.hpp"
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
        telehub::hub::HubServer server(std::move(cli.config));
        return server.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "telehub: %s\n", e.what());
        return 2;
    }
}
