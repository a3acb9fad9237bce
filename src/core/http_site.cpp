// What the HTTP listener serves (http_site.hpp): routing, the dashboard's history and events.
#include "vigil/http_site.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_map>

#include "vigil/json_out.hpp"

namespace vigil {

// ---- history ----

namespace {

// A point as JSON: the shortest text of the float, null for no value.
void append_point(std::string& out, float v) {
  if (std::isnan(v) || std::isinf(v)) {
    out += "null";
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

}  // namespace

void DashboardHistory::Points::push(float v) {
  values.push_back(v);
  std::size_t before = text.size();
  append_point(text, v);
  text += ',';
  widths.push_back(static_cast<std::uint16_t>(text.size() - before));
  while (values.size() > kPoints) {
    values.pop_front();
    text.erase(0, widths.front());
    widths.pop_front();
  }
}

void DashboardHistory::close_bucket() {
  auto avg = [](double sum, int n) { return n > 0 ? static_cast<float>(sum / n) : NAN; };
  for (auto& [name, series] : series_) {
    const Acc& a = series.acc;
    series.cpu.push(avg(a.cpu, a.n_cpu));
    series.memory.push(avg(a.memory, a.n_memory));
    series.data_age.push(avg(a.data_age, a.n_data_age));
    series.acc = Acc{};
  }
  json_valid_ = false;
}

void DashboardHistory::record(const Snapshot& snap) {
  double bucket = std::floor(snap.taken_at / kStep) * kStep;
  if (bucket_start_ == 0) bucket_start_ = bucket;
  if (bucket > bucket_start_) {
    // Buckets that passed without a sample (vigil stopped, the machine slept) are gaps.
    double missed = std::min((bucket - bucket_start_) / kStep, static_cast<double>(kPoints));
    close_bucket();
    for (int i = 1; i < static_cast<int>(missed); ++i) close_bucket();
    bucket_start_ = bucket;
  }
  ++records_;
  for (const ServiceSnapshot& s : snap.services) {
    auto [it, added] = series_.try_emplace(s.name);
    if (added) json_valid_ = false;
    Series& series = it->second;
    series.seen = records_;
    Acc& a = series.acc;
    if (s.cpu) a.cpu += *s.cpu, ++a.n_cpu;
    if (s.memory) a.memory += *s.memory, ++a.n_memory;
    if (s.data_age) a.data_age += *s.data_age, ++a.n_data_age;
  }
  // A service a reload removed takes its history with it.
  if (series_.size() != snap.services.size()) {
    std::erase_if(series_, [&](const auto& kv) { return kv.second.seen != records_; });
    json_valid_ = false;
  }
}

const std::string& DashboardHistory::json() {
  if (json_valid_) return json_;
  json_.clear();
  std::size_t size = 64;
  for (const auto& [name, s] : series_) size += name.size() + s.cpu.text.size() + s.memory.text.size() + s.data_age.text.size() + 64;
  json_.reserve(size);
  JsonOut j(json_);
  j.begin_object();
  j.key("step").value(kStep);
  j.key("end").value(bucket_start_);
  j.key("services").begin_object();
  std::string arr;
  for (const auto& [name, s] : series_) {
    auto list = [&](const char* key, const Points& p) {
      arr.assign("[").append(p.text);
      if (arr.back() == ',') arr.back() = ']';
      else arr += ']';
      j.key(key).json(arr);
    };
    j.key(name).begin_object();
    list("cpu", s.cpu);
    list("memory", s.memory);
    list("data_age", s.data_age);
    j.end_object();
  }
  j.end_object();
  j.end_object();
  json_valid_ = true;
  return json_;
}

// ---- events ----

void DashboardEvents::add(double at, std::string kind, std::string service, std::string text) {
  events_.push_back({at, std::move(kind), std::move(service), std::move(text)});
  while (events_.size() > kMax) events_.pop_front();
}

void DashboardEvents::compare(const Snapshot* prev, const Snapshot& next) {
  double at = next.taken_at;
  // Usually the same services in the same order: compared by position, by name only if not.
  std::unordered_map<std::string_view, const ServiceSnapshot*> before;
  bool same_order = prev && prev->services.size() == next.services.size();
  for (std::size_t i = 0; same_order && i < next.services.size(); ++i)
    same_order = prev->services[i].name == next.services[i].name;
  if (prev && !same_order)
    for (const auto& s : prev->services) before[s.name] = &s;
  for (std::size_t i = 0; i < next.services.size(); ++i) {
    const ServiceSnapshot& s = next.services[i];
    const ServiceSnapshot* p = nullptr;
    if (same_order) p = &prev->services[i];
    else if (auto it = before.find(s.name); it != before.end()) p = it->second;
    if (p && s.exits > p->exits && s.last_exit)
      add(at, "exit", s.name,
          s.last_exit->status.describe() + (s.last_exit->requested ? " (requested)" : ""));
    if (s.pid != 0 && (!p || p->pid != s.pid)) add(at, "start", s.name, "started, pid " + std::to_string(s.pid));
    if (p && s.state == State::Failed && p->state != State::Failed)
      add(at, "exit", s.name, "failed: " + s.failed_reason);
  }
  auto firing = [](const Snapshot& snap) {
    std::map<std::pair<std::string, std::string>, const AlertView*> m;
    for (const auto& a : snap.alerts)
      if (a.state == AlertState::Firing) m[{a.rule, a.service}] = &a;
    return m;
  };
  auto now_firing = firing(next);
  std::map<std::pair<std::string, std::string>, const AlertView*> was_firing;
  if (prev) was_firing = firing(*prev);
  for (const auto& [key, a] : now_firing)
    if (!was_firing.count(key))
      add(at, "alert", a->service, std::string(to_string(a->severity)) + " " + a->rule + ": " + a->summary);
  for (const auto& [key, a] : was_firing)
    if (!now_firing.count(key)) add(at, "resolved", a->service, a->rule + " resolved");
  if (prev && next.reload.at != prev->reload.at)
    add(next.reload.at, "reload", "", next.reload.ok ? "reload: " + next.reload.result : "reload rejected: " + next.reload.result);
  if (prev && next.rules.error != prev->rules.error && !next.rules.error.empty())
    add(at, "reload", "", "rules edit rejected: " + next.rules.error);
}

std::string DashboardEvents::json() const {
  std::string out;
  JsonOut j(out);
  j.begin_array();
  for (const Event& e : events_) {
    j.begin_object();
    j.key("at").value(e.at);
    j.key("kind").value(e.kind);
    j.key("service").string_or_null(e.service);
    j.key("text").value(e.text);
    j.end_object();
  }
  j.end_array();
  return out;
}

// ---- site ----

void HttpSite::publish(std::shared_ptr<const Snapshot> next) {
  events_.compare(snap_.get(), *next);
  history_.record(*next);
  snap_ = std::move(next);
  metrics_cached_ = false;
  status_cached_ = false;
}

const std::string& HttpSite::metrics_text() {
  if (!metrics_cached_) {
    metrics_cache_.clear();
    if (snap_) append_exposition(metrics_cache_, ExpositionInput{*snap_, nullptr});
    metrics_cached_ = true;
  }
  return metrics_cache_;
}

namespace {

// Constant time in the length of the secret: no early exit on the first differing byte.
bool same_secret(std::string_view given, std::string_view secret) {
  unsigned diff = given.size() != secret.size() ? 1u : 0u;
  for (std::size_t i = 0; i < secret.size(); ++i)
    diff |= static_cast<unsigned char>(secret[i]) ^ static_cast<unsigned char>(i < given.size() ? given[i] : 0);
  return diff == 0;
}

HttpAnswer text(unsigned status, std::string body) {
  HttpAnswer a;
  a.status = status;
  a.body = std::move(body);
  return a;
}

HttpAnswer json(std::string body) {
  HttpAnswer a;
  a.content_type = "application/json";
  a.body = std::move(body);
  return a;
}

}  // namespace

HttpAnswer HttpSite::answer(std::string_view method, std::string_view target, std::string_view authorization) {
  if (!token_.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    bool ok = authorization.size() > kBearer.size() && authorization.substr(0, kBearer.size()) == kBearer &&
              same_secret(authorization.substr(kBearer.size()), token_);
    if (!ok) {
      HttpAnswer a = text(401, "401 unauthorized: this listener needs Authorization: Bearer <token>\n");
      a.authenticate = true;
      return a;
    }
  }
  if (method != "GET" && method != "HEAD") {
    HttpAnswer a = text(405, "405 method not allowed: vigil's HTTP listener is read-only (GET, HEAD)\n");
    a.allow = "GET, HEAD";
    return a;
  }
  std::string_view path = target.substr(0, target.find('?'));
  if (path == "/-/healthy") return text(200, "vigil is healthy\n");
  if (path == "/-/ready") {
    if (ready_ && snap_) return text(200, "vigil is ready\n");
    return text(503, "vigil is not ready: the services are not launched yet\n");
  }
  if (!snap_) return text(503, "vigil has not published a snapshot yet\n");
  if (path == "/metrics") {
    HttpAnswer a;
    a.content_type = kExpositionContentType;
    a.body = metrics_text();
    if (self_) {
      SelfProcess self = self_();
      std::string process;
      ExpositionInput in{*snap_, &self};
      // Only the process_* rows: the rest is the cached text.
      for (const ExpositionFamily& f : exposition_table()) {
        if (!f.self) continue;
        ExpositionWriter w(process);
        process.append("# HELP ").append(f.name).append(" ").append(f.help).append("\n# TYPE ").append(f.name);
        process.append(" ").append(f.type).append("\n");
        f.write(w, in);
      }
      a.body += process;
    }
    return a;
  }
  if (path == "/api/v1/status") {
    if (!status_cached_) {
      status_cache_ = to_json(*snap_);
      status_cached_ = true;
    }
    return json(status_cache_);
  }
  if (path == "/api/v1/alerts") return json(alerts_json(*snap_));
  if (path == "/api/v1/history") return json(history_.json());  // a copy of the cached text
  if (path == "/api/v1/events") return json(events_.json());
  if (path == "/" || path == "/index.html") {
    HttpAnswer a;
    a.content_type = "text/html; charset=utf-8";
    a.body = std::string(dashboard_page());
    return a;
  }
  return text(404, "404 not found: try /, /metrics, /-/healthy, /-/ready, /api/v1/status\n");
}

}  // namespace vigil
