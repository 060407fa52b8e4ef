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
    o.max_lines_per_s = c.log_rate;
    return o;
}

void load_tokens(const HubConfig& c, AccessTokens& t, std::string& generated_admin) {
    for (const auto& v : c.agent_tokens) t.add(Role::agent, "agent", v);
    for (const auto& f : c.agent_token_files) t.add_file(Role::agent, f);
    for (const auto& v : c.admin_tokens) t.add(Role::admin, "admin", v);
    for (const auto& f : c.admin_token_files) t.add_file(Role::admin, f);
    for (const auto& v : c.viewer_tokens) t.add(Role::viewer, "viewer", v);
    for (const auto& f : c.viewer_token_files) t.add_file(Role::viewer, f);
    if (!t.has(Role::admin)) {
        generated_admin = AccessTokens::random_token();
        t.add(Role::admin, "admin", generated_admin);
    }
}

}  // namespace

HubContext::HubContext(HubConfig cfg)
    : config(std::move(cfg)),
      registry(registry_options(config)),
      log(log_options(config)),
      files(config.web_root),
      relay(agents, std::chrono::milliseconds(config.command_timeout_ms)),
      started_ms(HostRegistry::system_clock_ms()) {
    load_tokens(config, tokens, generated_admin_token);
    audit = std::make_unique<AuditLog>(config.audit_log);
    audit->set_error_sink([this](const std::string& m) { log.event(m); });
}

}  // namespace telehub::hub
