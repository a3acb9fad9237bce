// The job requests of the control socket (rows of kCommands in control_handler.cpp): jobs,
// run-now, cancel, history.
#include "vigil/control_handler.hpp"
#include "vigil/clock.hpp"
#include "vigil/json_out.hpp"
#include "vigil/suggest.hpp"
#include "vigil/supervisor.hpp"

namespace vigil {

namespace {

std::string unknown_job(Supervisor& sup, const std::string& name) {
  std::string msg = "unknown job '" + name + "'" + did_you_mean(name, sup.jobs().names());
  if (sup.find(name)) msg += " ('" + name + "' is a service: vigil start/stop/restart)";
  return error_reply(msg);
}

}  // namespace

std::string ControlHandler::jobs(const Request&) {
  return ok_reply([&](JsonOut& j) { j.key("jobs").json(jobs_json(sup_.jobs().snapshot(unix_now()))); });
}

std::string ControlHandler::run_now(const Request& r) {
  if (sup_.shutting_down()) return error_reply("vigil is shutting down");
  Job* job = sup_.jobs().find(r.job);
  if (!job) return unknown_job(sup_, r.job);
  std::int64_t id = 0;
  Job::Outcome o = sup_.jobs().run_now(*job, &id);
  if (o == Job::Outcome::Skipped)
    return error_reply(r.job + ": run " + std::to_string(job->run_id()) + " is still going (concurrency = \"" +
                       (job->spec().concurrency == JobConcurrency::Queue ? "queue\" and another run waits" : "skip\"") + ")");
  return ok_reply([&](JsonOut& j) {
    j.key("outcome").value(o == Job::Outcome::Started ? "started" : "queued");
    j.key("run_id").value(id);
    j.key("log_file").value(job->log_file());
  });
}

std::string ControlHandler::cancel(const Request& r) {
  int n = 0;
  std::vector<std::string> names;
  if (r.all) {
    for (const std::string& name : sup_.jobs().names()) {
      Job* job = sup_.jobs().find(name);
      if (job && (job->active() || job->queued())) names.push_back(name);
      if (job) n += sup_.jobs().cancel(*job);
    }
  } else {
    Job* job = sup_.jobs().find(r.job);
    if (!job) return unknown_job(sup_, r.job);
    if (job->active() || job->queued()) names.push_back(r.job);
    n = sup_.jobs().cancel(*job);
  }
  return ok_reply([&](JsonOut& j) {
    j.key("cancelled").value(n);
    j.key("jobs").begin_array();
    for (const auto& name : names) j.value(name);
    j.end_array();
  });
}

std::string ControlHandler::history(const Request& r) {
  if (!r.job.empty() && !sup_.jobs().find(r.job)) return unknown_job(sup_, r.job);
  std::vector<const AttemptRecord*> rows;
  const auto& recent = sup_.jobs().recent();
  for (auto it = recent.rbegin(); it != recent.rend() && static_cast<int>(rows.size()) < r.limit; ++it)
    if (r.job.empty() || it->job == r.job) rows.push_back(&*it);
  return ok_reply([&](JsonOut& j) {
    j.key("runs").begin_array();
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) attempt_json(j, **it);
    j.end_array();
  });
}

}  // namespace vigil
