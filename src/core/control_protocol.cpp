#include "vigil/control_protocol.hpp"

#include <nlohmann/json.hpp>

#include "vigil/json_out.hpp"

namespace vigil {

std::string error_reply(const std::string& message) {
  std::string out;
  JsonOut j(out);
  j.begin_object();
  j.key("error").value(message);
  j.key("ok").value(false);
  j.end_object();
  out += '\n';
  return out;
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
  Request r;
  r.cmd = j["cmd"];
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
  auto str = [&](const char* key) { return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : ""; };
  r.service = str("service");
  r.rule = str("rule");
  r.reason = str("reason");
  r.id = str("id");
  r.for_text = str("for");
  r.job = str("job");
  r.all = j.contains("all") && j["all"].is_boolean() && j["all"].get<bool>();
  if (j.contains("n")) {
    if (!j["n"].is_number_integer() || j["n"].get<std::int64_t>() < 1 || j["n"].get<std::int64_t>() > 100000) {
      out.error = "\"n\" must be a count from 1 to 100000";
      return out;
    }
    r.limit = j["n"].get<int>();
  }
  out.request = r;
  return out;
}

std::string check_arguments(Request& r, Takes takes) {
  switch (takes) {
    case Takes::Nothing:
    case Takes::Services:
      return "";
    case Takes::SomeServices:
      return r.services.empty() ? r.cmd + " needs at least one service" : "";
    case Takes::Silence: {
      if (r.service.empty()) return "silence needs a \"service\" (a name or glob)";
      std::string err;
      auto d = parse_duration(r.for_text, &err);
      if (!d || d->count() <= 0) return "silence needs \"for\": a duration like \"2h\"" + (err.empty() ? "" : " (" + err + ")");
      r.duration = *d;
      return "";
    }
    case Takes::SilenceId:
      return r.id.empty() ? "unsilence needs an \"id\" (see `vigil silence --list`)" : "";
    case Takes::Job:
      return r.job.empty() ? r.cmd + " needs a \"job\"" : "";
    case Takes::JobOrAll:
      if (r.job.empty() == !r.all) return r.cmd + " needs a \"job\" or \"all\": true (not both)";
      return "";
    case Takes::History:
      return "";
  }
  return "";
}

}  // namespace vigil
