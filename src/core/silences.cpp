#include "vigil/silences.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "vigil/rules_config.hpp"

namespace vigil {

const Silence* Silences::match(const std::string& service, const std::string& rule, double now) const {
  for (const auto& s : items_)
    if (s.until > now && glob_match(s.service, service) && (s.rule.empty() || s.rule == rule)) return &s;
  return nullptr;
}

Silence& Silences::add(Silence s, double now) {
  s.id = "s" + std::to_string(next_id_++);
  s.created = now;
  items_.push_back(std::move(s));
  return items_.back();
}

bool Silences::remove(const std::string& id) {
  auto n = items_.size();
  std::erase_if(items_, [&](const Silence& s) { return s.id == id; });
  return items_.size() != n;
}

bool Silences::expire(double now) {
  auto n = items_.size();
  std::erase_if(items_, [&](const Silence& s) { return s.until <= now; });
  return items_.size() != n;
}

std::string Silences::to_json() const {
  nlohmann::json j;
  j["next_id"] = next_id_;
  j["silences"] = nlohmann::json::array();
  for (const auto& s : items_)
    j["silences"].push_back({{"id", s.id}, {"service", s.service}, {"rule", s.rule}, {"until", s.until},
                             {"created", s.created}, {"reason", s.reason}});
  return j.dump(2);
}

bool Silences::from_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || !j["silences"].is_array()) return false;
  std::vector<Silence> items;
  try {
    for (const auto& e : j["silences"])
      items.push_back(Silence{e.at("id").get<std::string>(), e.at("service").get<std::string>(),
                              e.at("rule").get<std::string>(), e.at("until").get<double>(),
                              e.at("created").get<double>(), e.at("reason").get<std::string>()});
    next_id_ = j.value("next_id", static_cast<std::uint64_t>(items.size() + 1));
  } catch (const nlohmann::json::exception&) {
    return false;
  }
  items_ = std::move(items);
  return true;
}

}  // namespace vigil
