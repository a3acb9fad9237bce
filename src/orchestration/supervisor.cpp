#include "vigil/supervisor.hpp"

#include <sys/stat.h>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "vigil/clock.hpp"
#include "vigil/oplog.hpp"
#include "vigil/proc_sampler.hpp"
#include "vigil/reaper.hpp"
#include "vigil/signal_names.hpp"
#include "vigil/spec_diff.hpp"

namespace vigil {

Supervisor::Supervisor(boost::asio::io_context& io, Config config, LogWriter& writer, std::string runtime_dir,
                       const Containment& containment)
    : io_(io),
      config_(std::move(config)),
      writer_(writer),
      runtime_dir_(std::move(runtime_dir)),
      containment_(containment),
      started_at_(Clock::now()),
      sampling_([&io](std::function<void()> fn) { boost::asio::post(io, std::move(fn)); }),
      publish_timer_(io),
      early_timer_(io) {
  config_loaded_at_ = unix_now();
  std::error_code ec;
  std::filesystem::create_directories(runtime_dir_, ec);
  ::chmod(runtime_dir_.c_str(), 0700);
  notify_ = std::make_unique<NotifySocket>(io, runtime_dir_ + "/notify.sock", [this](pid_t sender, std::string_view d) {
    Service* svc = service_for_pid(sender);
    if (!svc) {
      oplog::debug("notify message from pid " + std::to_string(sender) + ", which belongs to no service: ignored");
      return;
    }
    svc->on_notify(parse_notify(d));
    publish_soon();
  });
  if (!notify_->ok())
    oplog::warn(notify_->error() + "; services with ready = \"notify\" or a watchdog cannot report to vigil");
  for (const ServiceSpec& spec : config_.services)
    services_.push_back(std::make_unique<Service>(io, spec, config_.vigil, writer, *this));
  jobs_ = std::make_unique<JobRunner>(io, config_, writer, [this](pid_t pid, bool owned) { own_pid(pid, owned); },
                                      default_state_dir(process_env()) + "/history.db", containment_);
  alerting_ = std::make_unique<Alerting>(io, config_, default_state_dir(process_env()), writer,
                                         [this](const ActionRequest& a) { return act(a); });
  make_store();
  jobs_->on_finished([this](const Job& job, RunResult result) {
    switch (result) {
      case RunResult::Success:
        alerting_->set_vigil_alert("job_failed", job.name(), std::nullopt);
        break;
      case RunResult::Failed:
      case RunResult::Timeout:
      case RunResult::OutputTimeout: {
        std::string how = job.last_run() && job.last_run()->exit_code >= 0 ? " (exit " + std::to_string(job.last_run()->exit_code) + ")"
                          : job.last_run() && job.last_run()->signal > 0 ? " (" + signal_name(job.last_run()->signal) + ")"
                                                                          : "";
        alerting_->set_vigil_alert("job_failed", job.name(),
                                   "job " + job.name() + " run " + std::to_string(job.run_id()) + " " +
                                       std::string(to_string(result)) + how + " after " + std::to_string(job.attempt()) +
                                       " attempt(s); see `vigil history " + job.name() + "`");
        break;
      }
      case RunResult::None:
      case RunResult::Skipped:
      case RunResult::Cancelled:
      case RunResult::Interrupted:
        break;
    }
    publish_soon();
  });
}

Supervisor::~Supervisor() = default;

std::string Supervisor::act(const ActionRequest& a) {
  std::string verb(to_string(a.action));
  Service* svc = find(a.service);
  // Why the action cannot run, if it cannot: logged, and shown in the alert.
  std::string skipped;
  if (!svc) skipped = "no service " + a.service;
  else if (shutting_down_) skipped = "vigil is shutting down";
  else {
    switch (svc->state()) {
      case State::Failed: skipped = "service is failed (start limit hit; a rule does not restart it)"; break;
      case State::Stopped: skipped = "service is stopped"; break;
      case State::Stopping: skipped = "service is already stopping"; break;
      case State::Backoff:
        if (a.action == RuleAction::Restart) skipped = "service is already restarting (backoff)";
        break;
      case State::Starting:
      case State::Running: break;
    }
  }
  if (!skipped.empty()) {
    std::string outcome = verb + " skipped: " + skipped;
    oplog::warn(a.service + ": rule " + a.reason + "; " + outcome);
    return outcome;
  }
  if (a.action == RuleAction::Restart) {
    bool last = svc->start_limit_reached();
    svc->fault("rule " + a.reason, "rule");
    return last ? "restart requested; the start limit is reached, so the service ends failed" : "restart requested";
  }
  oplog::warn(svc->name() + ": rule " + a.reason + "; stopping it (action = \"stop\")");
  svc->stop();
  return "stop requested";
}

std::string Supervisor::reload() {
  ConfigResult r = load_config(config_.path, process_env());
  publish_soon();
  if (!r.config) {
    std::string all;
    for (const auto& d : r.errors) {
      if (!all.empty()) all += '\n';
      all += d.str();
    }
    oplog::config_rejected(config_.path, all);
    alerting_->set_vigil_error("config_reload_failed", r.errors.front().str());
    last_reload_ = {unix_now(), false, "config refused, the one in force stays: " + r.errors.front().str()};
    return "config refused, the config and rules in force stay:\n" + all;
  }
  alerting_->set_vigil_error("config_reload_failed", "");
  config_loaded_at_ = unix_now();
  std::string changes = apply_config(std::move(*r.config));
  // The rules are checked against the services just applied (names, custom metrics).
  std::string rules = alerting_->reload();
  last_reload_ = {unix_now(), rules.empty(), rules.empty() ? "config applied:" + changes : "config applied:" + changes + "; rules refused: " + rules};
  if (rules.empty()) return "";
  return "config applied; rules refused, the rules in force stay:\n" + rules;
}

std::string Supervisor::apply_config(Config next) {
  std::string added, changed, removed;
  for (auto& s : services_) {
    if (next.find(s->name())) continue;
    retiring_.insert(s->name());
    waiting_to_start_.erase(s->name());
    removed += " -" + s->name();
  }
  for (const ServiceSpec& spec : next.services) {
    Service* existing = find(spec.name);
    if (!existing) {
      services_.push_back(std::make_unique<Service>(io_, spec, next.vigil, writer_, *this));
      waiting_to_start_.insert(spec.name);
      added += " +" + spec.name;
    } else if (!(existing->spec() == spec)) {
      SpecChange c = compare_specs(existing->spec(), spec);
      std::string keys;
      for (const auto& k : c.keys) keys += (keys.empty() ? "" : ", ") + k;
      if (c.restart) {
        redefine_[spec.name] = spec;
        changed += " ~" + spec.name + " (" + keys + ": restarting it)";
      } else {
        existing->update_live(spec);  // monitoring and policy keys: the running process stays
        changed += " ~" + spec.name + " (" + keys + ": applied live, no restart)";
      }
    }
  }
  if (next.vigil.socket != config_.vigil.socket || next.vigil.log_dir != config_.vigil.log_dir ||
      next.vigil.cgroups != config_.vigil.cgroups)
    oplog::warn("socket, log_dir and cgroups changes take effect when vigil itself restarts");
  if (!(next.vigil.http == config_.vigil.http) || next.vigil.http_token_file != config_.vigil.http_token_file ||
      next.vigil.textfile != config_.vigil.textfile || next.vigil.external_url != config_.vigil.external_url)
    oplog::warn("http, http_token_file, textfile and external_url changes take effect when vigil itself restarts");
  bool store_changed = (next.store.has_value() != config_.store.has_value()) ||
                       (next.store && (next.store->url != config_.store->url || next.store->timeout != config_.store->timeout));
  config_ = std::move(next);
  jobs_->apply(config_);
  sample_timer_.set_period(config_.vigil.sample_interval);
  if (store_changed) make_store();
  else if (store_) store_->set_plan(store_plan());
  oplog::info("config " + config_.path + " reloaded:" +
              (added + changed + removed).append(added.empty() && changed.empty() && removed.empty() ? " no service changed" : ""));
  // Changed and removed services go down first; settle_redefinitions() finishes the job once they are.
  for (const auto& [name, spec] : redefine_) find(name)->stop();
  for (const auto& name : retiring_) find(name)->stop();
  settle_redefinitions();
  start_waiting();
  return added.empty() && changed.empty() && removed.empty() ? " no service changed" : added + changed + removed;
}

void Supervisor::settle_redefinitions() {
  bool settled = false;
  for (auto it = redefine_.begin(); it != redefine_.end();) {
    Service* s = find(it->first);
    if (s && s->state() == State::Stopped) {
      s->redefine(it->second);
      it = redefine_.erase(it);
      settled = true;
      s->start();
    } else {
      ++it;
    }
  }
  for (auto it = retiring_.begin(); it != retiring_.end();) {
    auto pos = std::find_if(services_.begin(), services_.end(), [&](const auto& s) { return s->name() == *it; });
    if (pos != services_.end() && (*pos)->state() == State::Stopped) {
      samples_.forget(*it);
      writer_.close_stream((*pos)->log_stream());
      // Freed from a posted handler of its own: this may run inside the service's own state change,
      // and every handler already queued for it (a timer that fired before it was cancelled) runs
      // first. Handlers of operations cancelled by the destruction only see operation_aborted.
      Service* gone = pos->get();
      retired_.push_back(std::move(*pos));
      boost::asio::post(io_, [this, gone] {
        std::erase_if(retired_, [gone](const std::unique_ptr<Service>& s) { return s.get() == gone; });
      });
      services_.erase(pos);
      it = retiring_.erase(it);
      settled = true;
    } else {
      ++it;
    }
  }
  // The store reads what the services now in force declare.
  if (settled && store_) store_->set_plan(store_plan());
}

std::string Supervisor::notify_socket_path() const { return notify_ && notify_->ok() ? notify_->path() : ""; }

Service* Supervisor::service_for_pid(pid_t pid) {
  // Walk up the parent chain until a service's main process; each service also leads its own
  // session, which catches a descendant whose parent already died (re-parented to vigil).
  for (int depth = 0; depth < 64 && pid > 1; ++depth) {
    for (auto& s : services_)
      if (s->pid() == pid) return s.get();
    std::optional<ProcStat> st = read_proc_stat(pid);
    if (!st) return nullptr;
    for (auto& s : services_)
      if (s->pid() > 0 && s->pid() == st->session) return s.get();
    pid = st->ppid;
  }
  return nullptr;
}

void Supervisor::sample() {
  // Two halves run at once, the /proc walk on the sampling thread and the store batch on the loop;
  // the sample is evaluated and published once, when both are in. The store half is bounded by
  // [store] timeout. Readings are kept by service name and root pid: a reload or restart may come
  // in between, and the snapshot only uses a /proc reading of the service's current main process.
  sample_parts_left_ = 2;
  SamplingThread::Roots roots;
  std::vector<std::string> cgroups;
  for (auto& s : services_) {
    roots.emplace_back(s->name(), has_processes(s->state()) ? s->pid() : 0);
    cgroups.push_back(s->cgroup());
  }
  bool walking = sampling_.submit(std::move(roots), std::move(cgroups), owned_pids_, [this](SamplingThread::Roots done, std::vector<TreeSample> samples) {
    for (std::size_t i = 0; i < done.size(); ++i) {
      // Usually still at the same index (a reload may have moved it): no name search per service.
      bool known = (i < services_.size() && services_[i]->name() == done[i].first) || find(done[i].first);
      if (known) samples_.set_proc(done[i].first, done[i].second, samples[i]);
    }
    sample_part_done();
  });
  if (!walking) --sample_parts_left_;  // the previous walk is still running: its figures stay for now
  if (!read_store_then([this] { sample_part_done(); })) --sample_parts_left_;
  if (sample_parts_left_ == 0) refresh();
  next_sample_ = Clock::now() + config_.vigil.sample_interval;
}

void Supervisor::sample_part_done() {
  // <= 0: a half that overran into the next sample is published as soon as it lands.
  if (--sample_parts_left_ <= 0 && !shutting_down_) refresh();
}

Snapshot Supervisor::snapshot() const {
  Snapshot snap;
  TimePoint now = Clock::now();
  snap.version = VIGIL_VERSION;
  snap.pid = ::getpid();
  snap.uptime = to_seconds(now - started_at_);
  snap.taken_at = unix_now();
  snap.config_path = config_.path;
  snap.cgroups = containment_.mode() == ContainmentMode::Cgroups;
  snap.containment_detail = containment_.detail();
  snap.reload = last_reload_;
  snap.config_loaded_at = config_loaded_at_;
  if (store_) snap.store = store_->state();
  double wall = unix_now();
  snap.jobs = jobs_->snapshot(wall);
  snap.services.reserve(services_.size());
  for (const auto& s : services_) {
    snap.services.push_back(s->snapshot(now));
    // A store that went down hides the values read before; one vigil stopped itself keeps them.
    bool store_down = snap.store.configured && !snap.store.up && !shutting_down_;
    samples_.fill(snap.services.back(), wall, store_down ? &snap.store.error : nullptr);
    if (!dropped_lines_.empty())
      if (auto d = dropped_lines_.find(s->name()); d != dropped_lines_.end()) snap.services.back().log_dropped_lines = d->second;
  }
  return snap;
}

Snapshot Supervisor::described_snapshot() const {
  Snapshot snap = snapshot();
  alerting_->describe(snap);
  return snap;
}

std::string Supervisor::request_reload() { return on_reload_request_ ? on_reload_request_() : reload(); }

std::vector<std::string> Supervisor::service_names() const {
  std::vector<std::string> names;
  for (const auto& s : services_) names.push_back(s->name());
  return names;
}

void Supervisor::make_store() {
  store_.reset();
  if (!config_.store) return;
  std::string err;
  store_ = StoreSampler::create(io_, *config_.store, &err);
  if (!store_) {
    oplog::error(err + "; store checks are off");
    return;
  }
  // A watched key was written (keyspace notifications): read just those services back, and let
  // the rules see the new data_age now rather than at the next sample.
  store_->set_plan(store_plan());
  store_->on_keys_written([this] {
    if (store_ && !shutting_down_)
      store_->sample_written([this](std::vector<StoreValues> values) {
        for (StoreValues& v : values) samples_.set_store(std::move(v));
        publish_soon();
      });
  });
}

std::vector<StoreReads> Supervisor::store_plan() const {
  std::vector<StoreReads> plan;
  plan.reserve(services_.size());
  for (const auto& s : services_) plan.push_back({s->name(), s->spec().freshness, s->spec().metrics});
  return plan;
}

bool Supervisor::read_store_then(std::function<void()> done) {
  if (!store_) return false;
  return store_->sample([this, done = std::move(done)](std::vector<StoreValues> values) {
    for (StoreValues& v : values) samples_.set_store(std::move(v));
    done();
  });
}

void Supervisor::refresh() {
  // What asked for a refresh until now is in this snapshot; a change while it is evaluated (a
  // rule's restart) calls publish_soon() again and is published after it.
  publish_pending_ = false;
  publish_timer_.cancel();
  status_file_.snapshot_taken();
  auto snap = std::make_shared<Snapshot>(snapshot());
  evaluate(*snap);
  publish(std::move(snap));
}

void Supervisor::evaluate(Snapshot& snap) {
  // While vigil stops its services on purpose, "not running" is not news: no evaluation then.
  if (shutting_down_) {
    alerting_->describe(snap);
    return;
  }
  alerting_->evaluate(snap);
  // Something due before the next sample (data_age reaching a threshold, a `for` running out):
  // wake up for it then, re-read the store, and evaluate, instead of up to a sample late.
  if (auto due = alerting_->next_deadline(snap); due && *due < next_sample_) {
    early_timer_.expires_at(*due);
    early_timer_.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      if (!read_store_then([this] { refresh(); })) refresh();
    });
  }
}

void Supervisor::publish(std::shared_ptr<const Snapshot> snap) {
  if (status_file_.due(*snap, Clock::now())) writer_.write_file_atomically(runtime_dir_ + "/status.json", to_json(*snap));
  if (on_publish_) on_publish_(snap);
}

void Supervisor::publish_soon() {
  status_file_.note_change();
  if (publish_pending_) return;
  publish_pending_ = true;
  // Coalesce bursts (a crash loop, a flood of STATUS=) into one write per 100 ms.
  publish_timer_.expires_after(std::chrono::milliseconds(100));
  publish_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) refresh();
  });
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
  alerting_->start();
  jobs_->start();
  start_waiting();
  sample();
  sample_timer_ = every(io_, config_.vigil.sample_interval, [this] { sample(); });
}

void Supervisor::start_waiting() {
  if (shutting_down_) return;
  // Each start reports a state change, which calls back here; the loop below already picks up
  // whatever that change made startable. Returning keeps services starting in file order (the
  // nested calls started the *last* one first) and the stack flat with thousands of services.
  if (starting_waiting_) return;
  starting_waiting_ = true;
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
  starting_waiting_ = false;
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
  if (store_) store_->stop();
  on_all_down_ = std::move(done);
  waiting_to_start_.clear();
  // Job runs are cancelled (their process groups stopped) while the services come down.
  jobs_->shutdown([this] {
    jobs_down_ = true;
    continue_shutdown();
  });
  continue_shutdown();
}

void Supervisor::continue_shutdown() {
  // Each stop reports a state change, which calls back here: note it and go round again instead
  // of nesting (with a thousand services the nesting was a thousand frames deep, each a full scan).
  if (in_shutdown_pass_) {
    shutdown_again_ = true;
    return;
  }
  in_shutdown_pass_ = true;
  bool all_down = true;
  do {
    shutdown_again_ = false;
    all_down = true;
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
  } while (shutdown_again_ && !all_down);
  in_shutdown_pass_ = false;
  if (all_down && jobs_down_ && on_all_down_) {
    sample_timer_.stop();
    early_timer_.cancel();
    status_file_.note_change();  // the state vigil leaves behind: everything stopped
    refresh();
    auto done = std::move(on_all_down_);
    on_all_down_ = nullptr;
    done();
  }
}

void Supervisor::kill_all_now() {
  for (auto& s : services_) s->kill_now();
  jobs_->kill_all_now();
}

void Supervisor::close_output() {
  for (auto& s : services_) s->close_output();
  jobs_->close_output();
}

void Supervisor::on_state_changed(Service& svc, State from) {
  (void)svc;
  (void)from;
  publish_soon();
  if (shutting_down_) {
    continue_shutdown();
  } else {
    settle_redefinitions();
    start_waiting();
  }
}

void Supervisor::on_health_changed(Service& svc) {
  (void)svc;
  // A probe's verdict is news for the rules (restart on a failing probe) and for status: now, not
  // at the next sample.
  if (!shutting_down_) publish_soon();
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
  jobs_->on_child_signal();
}

void Supervisor::on_log_resume(LogWriter::StreamId stream) {
  for (auto& s : services_)
    if (s->log_stream() == stream) s->resume_output();
  jobs_->on_log_resume(stream);
}

void Supervisor::on_log_dropped(LogWriter::StreamId stream, std::uint64_t lines) {
  for (const auto& s : services_)
    if (s->log_stream() == stream) dropped_lines_[s->name()] += lines;
}

std::string Supervisor::service_for_stream(LogWriter::StreamId stream) const {
  for (const auto& s : services_)
    if (s->log_stream() == stream) return s->name();
  std::string job = jobs_->name_for_stream(stream);
  return job.empty() ? "?" : job;
}

}  // namespace vigil
