#include "hub/hub_context.hpp"

namespace telehub::hub {
namespace {

RegistryOptions registry_options(const HubConfig& c) {
    RegistryOptions o;
    o.history_points = c.history_points;
    o.high_cpu = c.high_cpu;
    return o;
}

TerminalLogOptions log_options(const HubConfig& c) {
    TerminalLogOptions o;
    o.format = c.log_format;
    o.high_cpu = c.high_cpu;
    o.min_cpu = c.log_min_cpu;
    o.quiet = c.quiet;
    return o;
}

}  // namespace

HubContext::HubContext(HubConfig cfg)
    : config(std::move(cfg)),
      registry(registry_options(config)),
      log(log_options(config)),
      files(config.web_root),
      started_ms(HostRegistry::system_clock_ms()) {}

}  // namespace telehub::hub
