#include "vigil/supervisor.hpp"

#include <algorithm>

#include "vigil/oplog.hpp"
#include "vigil/reaper.hpp"

namespace vigil {

Supervisor::Supervisor(boost::asio::io_context& io, const Config& config, LogWriter& writer) {
  for (const ServiceSpec& spec : config.services)
    services_.push_back(std::make_unique<Service>(io, spec, config.vigil, writer, *this));
}

Service* Supervisor::find(const std::string& name) {
  for (auto& s : services_)
    if (s->name() == name) return s.get();
  return nullptr;
}

void Supervisor::start_all() {
  for (auto& s : services_) waiting_to_start_.insert(s->name());
  for (auto& s : services_) {
    std::vector<std::string> deps;
    for (const auto& d : s->spec().after) deps.push_back(d);
    if (!deps.empty()) {
      std::string list;
      for (const auto& d : deps) list += (list.empty() ? "" : ", ") + d;
      oplog::info(s->name() + ": waiting for " + list + " to be running before starting");
    }
  }
  start_waiting();
}

void Supervisor::start_waiting() {
  if (shutting_down_) return;
  // Starting one service can make another startable (ready = "started" is ready at once), so loop.
  bool progress = true;
  while (progress) {
    progress = false;
    for (auto& s : services_) {
      if (!waiting_to_start_.count(s->name())) continue;
      bool deps_up = std::all_of(s->spec().after.begin(), s->spec().after.end(),
                                 [&](const std::string& d) { return find(d)->state() == State::Running; });
      if (!deps_up) continue;
      waiting_to_start_.erase(s->name());
      s->start();
      progress = true;
    }
  }
}

bool Supervisor::dependants_down(const Service& svc) const {
  for (const auto& other : services_) {
    const auto& after = other->spec().after;
    if (std::find(after.begin(), after.end(), svc.name()) != after.end() && has_processes(other->state()))
      return false;
  }
  return true;
}

void Supervisor::shutdown(std::function<void()> done) {
  shutting_down_ = true;
  on_all_down_ = std::move(done);
  waiting_to_start_.clear();
  continue_shutdown();
}

void Supervisor::continue_shutdown() {
  bool all_down = true;
  for (auto& s : services_) {
    State st = s->state();
    if (st == State::Stopped) continue;
    if (st == State::Stopping) {
      all_down = false;
      continue;
    }
    if (!has_processes(st) || dependants_down(*s)) s->stop();
    if (s->state() != State::Stopped) all_down = false;
  }
  if (all_down && on_all_down_) {
    auto done = std::move(on_all_down_);
    on_all_down_ = nullptr;
    done();
  }
}

void Supervisor::kill_all_now() {
  for (auto& s : services_) s->kill_now();
}

void Supervisor::on_state_changed(Service& svc, State from) {
  (void)svc;
  (void)from;
  if (shutting_down_)
    continue_shutdown();
  else
    start_waiting();
}

void Supervisor::own_pid(pid_t pid, bool owned) {
  if (owned)
    owned_pids_.insert(pid);
  else
    owned_pids_.erase(pid);
}

void Supervisor::on_child_signal() {
  reap_adopted([this](pid_t pid) { return owned_pids_.count(pid) > 0; });
  for (auto& s : services_) s->check_group();
}

void Supervisor::on_log_resume(LogWriter::StreamId stream) {
  for (auto& s : services_)
    if (s->log_stream() == stream) s->resume_output();
}

std::string Supervisor::service_for_stream(LogWriter::StreamId stream) const {
  for (const auto& s : services_)
    if (s->log_stream() == stream) return s->name();
  return "?";
}

}  // namespace vigil
