// Job records (job_record.hpp): the trigger names, an attempt as JSON. Pure.
#include "vigil/job_record.hpp"

#include "vigil/json_out.hpp"

namespace vigil {

std::string_view to_string(Trigger t) {
  switch (t) {
    case Trigger::Schedule: return "schedule";
    case Trigger::Manual: return "manual";
    case Trigger::After: return "after";
    case Trigger::CatchUp: return "catch-up";
  }
  return "?";
}

bool run_ok(RunResult r) { return r == RunResult::Success || r == RunResult::Skipped; }

void attempt_json(JsonOut& j, const AttemptRecord& r) {
  j.begin_object();
  j.key("run_id").value(r.run_id);
  j.key("job").value(r.job);
  j.key("trigger").value(to_string(r.trigger));
  j.key("attempt").value(r.attempt);
  j.key("started").value(r.started);
  j.key("ended").value(r.ended);
  j.key("duration").value(r.ended - r.started);
  j.key("result").value(to_string(r.result));
  j.key("exit_code");
  if (r.exit_code >= 0) j.value(r.exit_code);
  else j.null();
  j.key("signal");
  if (r.signal > 0) j.value(r.signal);
  else j.null();
  j.key("cpu_seconds").value(r.cpu_seconds);
  j.key("max_rss");
  if (r.max_rss > 0) j.value(r.max_rss);
  else j.null();  // not known (ExitStatus::max_rss)
  j.key("log_file").value(r.log_file);
  j.key("error").string_or_null(r.error);
  j.key("final").value(r.final);
  j.end_object();
}

}  // namespace vigil
