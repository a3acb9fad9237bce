#include "vigil/job_runner.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cmath>

#include "vigil/clock.hpp"
#include "vigil/oplog.hpp"

namespace vigil {

namespace asio = boost::asio;

namespace {
// A cron timer wakes at least this often to look at the wall clock again (the clock may be set).
constexpr auto kCronRecheck = std::chrono::seconds(30);
constexpr std::size_t kRecent = 1000;
}  // namespace

JobRunner::JobRunner(asio::io_context& io, const Config& config, LogWriter& writer, OwnPid own_pid,
                     const std::string& history_path, const Containment& containment)
    : io_(io), config_(&config), writer_(writer), own_pid_(std::move(own_pid)), containment_(containment) {
  std::map<std::string, double> last_ok_end;  // each job's last run that ended ok, from the history
  if (!history_path.empty()) {
    if (auto err = history_.open(history_path, config.vigil.history_retention)) {
      oplog::warn("job history: " + *err + "; runs are not recorded on disk");
    } else {
      if (history_.interrupted() > 0)
        oplog::warn("job history: " + std::to_string(history_.interrupted()) +
                    " run attempt(s) were still going when vigil last stopped without finishing them; marked interrupted");
      next_id_ = history_.max_run_id();
      for (AttemptRecord& r : history_.newest(static_cast<int>(kRecent))) recent_.push_back(std::move(r));
      last_scheduled_ = history_.last_scheduled();
      last_ok_end = history_.last_ok_end();
    }
  }
  for (const JobSpec& spec : config.jobs) {
    Entry e;
    e.job = std::make_unique<Job>(io, spec, config.vigil, writer, *this);
    e.job->set_next_run_id(&next_id_);
    e.timer = std::make_unique<asio::steady_timer>(io);
    // What the job's latest run was, across vigil's restarts (status, `after`).
    for (const AttemptRecord& r : recent_)
      if (r.job == spec.name) {
        e.job->set_last_run(r);
        if (r.final) e.job->set_last_finished(r);
      }
    if (auto ok = last_ok_end.find(spec.name); ok != last_ok_end.end()) e.job->set_last_success_at(ok->second);
    jobs_.push_back(std::move(e));
  }
}

JobRunner::~JobRunner() = default;

void JobRunner::start() {
  for (Entry& e : jobs_) {
    arm(e);
    // catch_up: a scheduled run fell due while vigil was down (after the last one recorded).
    const JobSpec& s = e.job->spec();
    auto last = last_scheduled_.find(s.name);
    if (!s.catch_up || last == last_scheduled_.end()) continue;
    double due = 0;
    if (s.every.count() > 0) due = last->second + to_seconds(s.every);
    else if (s.has_cron)
      if (auto n = vigil::next_run(s.cron, s.zone, static_cast<std::int64_t>(std::floor(last->second)))) due = static_cast<double>(*n);
    if (due <= 0 || due > unix_now()) continue;
    oplog::info(s.name + ": a scheduled run fell due while vigil was not running; catching up (catch_up = true)");
    std::int64_t id = 0;
    e.job->trigger(Trigger::CatchUp, &id);
  }
}

void JobRunner::arm(Entry& e) {
  const JobSpec& s = e.job->spec();
  std::uint64_t gen = ++e.gen;
  std::string name = s.name;
  if (shutting_down_ || e.removed) return;
  if (s.every.count() > 0) {
    e.next_due = unix_now() + to_seconds(s.every);
    e.timer->expires_after(s.every);
  } else if (s.has_cron) {
    double now = unix_now();
    if (e.next_due <= 0) {
      auto next = vigil::next_run(s.cron, s.zone, static_cast<std::int64_t>(std::floor(now)));
      if (!next) {
        oplog::warn(s.name + ": schedule \"" + s.schedule + "\" has no next run; it will not run on its own");
        e.next_due = 0;
        return;
      }
      e.next_due = static_cast<double>(*next);
    }
    auto wait = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(std::max(0.0, e.next_due - now)));
    e.timer->expires_after(std::min<Duration>(wait, kCronRecheck));
  } else {
    e.next_due = 0;
    return;
  }
  e.timer->async_wait([this, gen, name](const boost::system::error_code& ec) {
    Entry* en = entry(name);
    if (ec || !en || en->gen != gen || shutting_down_) return;
    const JobSpec& sp = en->job->spec();
    if (sp.has_cron && unix_now() < en->next_due) {
      arm(*en);  // woke early to re-read the clock
      return;
    }
    en->next_due = 0;
    std::int64_t id = 0;
    en->job->trigger(Trigger::Schedule, &id);
    arm(*en);
  });
}

JobRunner::Entry* JobRunner::entry(const std::string& name) {
  for (Entry& e : jobs_)
    if (e.job->name() == name) return &e;
  return nullptr;
}

Job* JobRunner::find(const std::string& name) {
  Entry* e = entry(name);
  return e && !e->removed ? e->job.get() : nullptr;
}

std::vector<std::string> JobRunner::names() const {
  std::vector<std::string> out;
  for (const Entry& e : jobs_)
    if (!e.removed) out.push_back(e.job->name());
  return out;
}

double JobRunner::next_run(const Job& job) const {
  for (const Entry& e : jobs_)
    if (e.job.get() == &job) return e.next_due;
  return 0;
}

Job::Outcome JobRunner::run_now(Job& job, std::int64_t* run_id) {
  oplog::info(job.name() + ": run requested over the control socket");
  return job.trigger(Trigger::Manual, run_id);
}

int JobRunner::cancel(Job& job) {
  int n = (job.active() ? 1 : 0) + (job.queued() ? 1 : 0);
  if (n) oplog::info(job.name() + ": cancel requested over the control socket");
  job.cancel();
  return n;
}

void JobRunner::want_slot(Job& job) {
  waiting_.push_back(&job);
  if (shutting_down_) {
    job.cancel();
    return;
  }
  admit_waiting();
}

void JobRunner::admit_waiting() {
  if (admitting_) return;  // the loop below picks up what a nested call would have
  admitting_ = true;
  while (!shutting_down_ && running_ < config_->vigil.max_parallel_jobs && !waiting_.empty()) {
    // Highest priority first; among equals, the one that asked first.
    auto best = waiting_.begin();
    for (auto it = waiting_.begin(); it != waiting_.end(); ++it)
      if ((*it)->spec().priority > (*best)->spec().priority) best = it;
    Job* job = *best;
    waiting_.erase(best);
    ++running_;
    job->admit();
  }
  admitting_ = false;
}

void JobRunner::attempt_started(Job&, const AttemptRecord& record) { history_.attempt_started(record); }

void JobRunner::attempt_over(Job&, const AttemptRecord& record) {
  history_.attempt_ended(record);
  recent_.push_back(record);
  while (recent_.size() > kRecent) recent_.pop_front();
}

void JobRunner::run_finished(Job& job, RunResult result) {
  auto w = std::find(waiting_.begin(), waiting_.end(), &job);
  if (w != waiting_.end()) waiting_.erase(w);  // cancelled before it had a slot
  else --running_;
  // The run's last attempt (others' attempts may have been recorded since) carries the run's result:
  // a run that timed out between attempts ends as timed out.
  for (auto it = recent_.rbegin(); it != recent_.rend(); ++it) {
    if (it->run_id != job.run_id()) continue;
    it->result = result;
    it->final = true;
    history_.attempt_ended(*it);
    break;
  }
  if (on_finished_ && !shutting_down_) on_finished_(job, result);
  if (!shutting_down_ && result == RunResult::Success) {
    // Dependent jobs: each runs once every job it names in `after` last succeeded.
    for (Entry& e : jobs_) {
      const auto& after = e.job->spec().after;
      if (e.removed || std::find(after.begin(), after.end(), job.name()) == after.end()) continue;
      bool all_ok = std::all_of(after.begin(), after.end(), [&](const std::string& dep) {
        Job* d = find(dep);
        return d && d->last_run() && d->last_run()->result == RunResult::Success;
      });
      if (!all_ok) continue;
      std::int64_t id = 0;
      e.job->trigger(Trigger::After, &id);
    }
  }
  // A removed job is freed once its run is over, from a handler of its own.
  for (auto it = jobs_.begin(); it != jobs_.end(); ++it) {
    if (it->job.get() != &job || !it->removed || job.active()) continue;
    writer_.close_stream(job.log_stream());
    retired_.push_back(std::move(it->job));
    jobs_.erase(it);
    asio::post(io_, [this, gone = &job] {
      std::erase_if(retired_, [gone](const std::unique_ptr<Job>& j) { return j.get() == gone; });
    });
    break;
  }
  admit_waiting();
  maybe_done();
}

void JobRunner::shutdown(std::function<void()> done) {
  shutting_down_ = true;
  on_down_ = std::move(done);
  for (Entry& e : jobs_) {
    ++e.gen;
    e.timer->cancel();
  }
  for (Entry& e : jobs_) e.job->cancel(true);
  maybe_done();
}

void JobRunner::maybe_done() {
  if (!shutting_down_ || !on_down_) return;
  for (const Entry& e : jobs_)
    if (e.job->active()) return;
  auto done = std::move(on_down_);
  on_down_ = nullptr;
  done();
}

void JobRunner::kill_all_now() {
  for (Entry& e : jobs_) e.job->kill_now();
}

void JobRunner::apply(const Config& config) {
  config_ = &config;
  for (Entry& e : jobs_) {
    if (e.removed) continue;
    const JobSpec* spec = config.find_job(e.job->name());
    if (!spec) {
      oplog::info(e.job->name() + ": removed from the config" + (e.job->active() ? "; cancelling its run" : ""));
      e.removed = true;
      ++e.gen;
      e.timer->cancel();
      e.job->cancel();
      continue;
    }
    e.job->redefine(*spec);
    e.next_due = 0;
    arm(e);
  }
  for (const JobSpec& spec : config.jobs) {
    if (find(spec.name)) continue;
    Entry e;
    e.job = std::make_unique<Job>(io_, spec, config.vigil, writer_, *this);
    e.job->set_next_run_id(&next_id_);
    e.timer = std::make_unique<asio::steady_timer>(io_);
    jobs_.push_back(std::move(e));
    arm(jobs_.back());
  }
  // Removed jobs that were idle go now.
  for (auto it = jobs_.begin(); it != jobs_.end();) {
    if (it->removed && !it->job->active()) {
      writer_.close_stream(it->job->log_stream());
      it = jobs_.erase(it);
    } else {
      ++it;
    }
  }
}

void JobRunner::on_child_signal() {
  for (Entry& e : jobs_) e.job->check_group();
}

void JobRunner::on_log_resume(LogWriter::StreamId stream) {
  for (Entry& e : jobs_)
    if (e.job->log_stream() == stream) e.job->resume_output();
}

std::string JobRunner::name_for_stream(LogWriter::StreamId stream) const {
  for (const Entry& e : jobs_)
    if (e.job->log_stream() == stream) return e.job->name();
  return "";
}

void JobRunner::close_output() {
  for (Entry& e : jobs_) e.job->close_output();
}

void JobRunner::own_pid(pid_t pid, bool owned) { own_pid_(pid, owned); }

std::vector<JobSnapshot> JobRunner::snapshot(double now) const {
  std::vector<JobSnapshot> out;
  out.reserve(jobs_.size());
  for (const Entry& e : jobs_) {
    if (e.removed) continue;
    const Job& job = *e.job;
    JobSnapshot v;
    v.name = job.name();
    v.state = job.active() ? std::string(to_string(job.state())) : "idle";
    v.schedule = job.spec().has_cron            ? job.spec().schedule
                 : job.spec().every.count() > 0 ? "every " + format_duration(job.spec().every)
                                                : "";
    v.next_run = e.next_due;
    if (job.active()) v.run = ActiveRun{job.run_id(), job.run_trigger(), job.attempt(), job.run_started(), job.pid()};
    v.queued = job.queued();
    v.log_file = job.log_file();
    v.last = job.last_run();
    v.last_finished = job.last_finished();
    v.last_success_at = job.last_success_at();
    v.taken_at = now;
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace vigil
