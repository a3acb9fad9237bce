#include "vigil/control_protocol.hpp"

#include <nlohmann/json.hpp>

#include "vigil/suggest.hpp"

namespace vigil {

std::string error_reply(const std::string& message) {
  return nlohmann::json({{"ok", false}, {"error", message}}).dump() + "\n";
}

ParsedRequest parse_request(const std::string& line) {
  ParsedRequest out;
  auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    out.error = "malformed request: expected one JSON object per line, like {\"cmd\":\"status\"}";
    return out;
  }
  if (!j.contains("cmd") || !j["cmd"].is_string()) {
    out.error = "request has no \"cmd\"";
    return out;
  }
  static const std::vector<std::pair<std::string, Request::Cmd>> kCmds = {
      {"ping", Request::Cmd::Ping},         {"status", Request::Cmd::Status},   {"start", Request::Cmd::Start},
      {"stop", Request::Cmd::Stop},         {"restart", Request::Cmd::Restart}, {"reload", Request::Cmd::Reload},
      {"alerts", Request::Cmd::Alerts},     {"silence", Request::Cmd::Silence}, {"silences", Request::Cmd::Silences},
      {"unsilence", Request::Cmd::Unsilence}};
  std::string cmd = j["cmd"];
  Request r;
  bool known = false;
  std::vector<std::string> names;
  for (const auto& [name, c] : kCmds) {
    names.push_back(name);
    if (name == cmd) {
      r.cmd = c;
      known = true;
    }
  }
  if (!known) {
    out.error = "unknown command '" + cmd + "'" + did_you_mean(cmd, names);
    return out;
  }
  if (j.contains("services")) {
    if (!j["services"].is_array()) {
      out.error = "\"services\" must be an array of names";
      return out;
    }
    for (const auto& s : j["services"]) {
      if (!s.is_string()) {
        out.error = "\"services\" must be an array of names";
        return out;
      }
      r.services.push_back(s);
    }
  }
  bool needs_services = r.cmd == Request::Cmd::Start || r.cmd == Request::Cmd::Stop || r.cmd == Request::Cmd::Restart;
  if (needs_services && r.services.empty()) {
    out.error = cmd + " needs at least one service";
    return out;
  }
  auto str = [&](const char* key) { return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : ""; };
  if (r.cmd == Request::Cmd::Silence) {
    r.service = str("service");
    r.rule = str("rule");
    r.reason = str("reason");
    if (r.service.empty()) {
      out.error = "silence needs a \"service\" (a name or glob)";
      return out;
    }
    std::string err;
    auto d = parse_duration(str("for"), &err);
    if (!d || d->count() <= 0) {
      out.error = "silence needs \"for\": a duration like \"2h\"" + (err.empty() ? "" : " (" + err + ")");
      return out;
    }
    r.duration = *d;
  }
  if (r.cmd == Request::Cmd::Unsilence) {
    r.id = str("id");
    if (r.id.empty()) {
      out.error = "unsilence needs an \"id\" (see `vigil silence --list`)";
      return out;
    }
  }
  out.request = r;
  return out;
}

}  // namespace vigil
