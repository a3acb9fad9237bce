// [job.NAME]: a command run on a schedule, on demand or after other jobs (config_jobs.hpp).
#include "config_jobs.hpp"

#include <algorithm>
#include <functional>
#include <map>

#include "config_run.hpp"
#include "vigil/signal_names.hpp"
#include "vigil/suggest.hpp"

namespace vigil {
namespace {

const std::vector<std::string> kJobKeys = {
    "command", "cwd",     "env",        "schedule", "timezone",    "every",       "condition",
    "timeout", "output_timeout", "retries", "retry_delay", "retry_max_delay", "after", "concurrency",
    "priority", "catch_up", "stop_signal", "stop_timeout"};

bool valid_name(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  auto ok_first = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  if (!ok_first(n[0])) return false;
  return std::all_of(n.begin(), n.end(), [&](char c) { return ok_first(c) || c == '-' || c == '_' || c == '.' || c == '@'; });
}

Diagnostic at(const Value& v, const std::string& path, const std::string& msg, std::uint32_t extra_col = 0) {
  auto loc = v.location();
  return {path, static_cast<std::uint32_t>(loc.line()), static_cast<std::uint32_t>(loc.column()) + extra_col, msg};
}

std::optional<std::vector<std::string>> argv_of(Fields& f, const std::string& key) {
  const Value* c = f.get(key);
  if (!c) return std::nullopt;
  if (c->is_string()) {
    f.error_at(*c, key, "must be an array of arguments, no shell is used, e.g. [\"pipeline\", \"check\"]");
    return std::nullopt;
  }
  auto argv = f.strings(key);
  if (argv && (argv->empty() || (*argv)[0].empty())) {
    f.error_at(*c, key, "must name a program: [\"program\", \"arg\", ...]");
    return std::nullopt;
  }
  return argv;
}

void positive(Fields& f, const std::string& key, Duration* out) {
  if (auto d = f.duration(key)) {
    if (d->count() <= 0) f.error_at(*f.get(key), key, "must be greater than 0");
    else *out = *d;
  }
}

JobSpec read_job(const std::string& name, const Value& table, const std::string& path, const std::string& base_dir,
                 const EnvLookup& lookup, Diagnostics& diags) {
  JobSpec j;
  j.name = name;
  j.cwd = base_dir;
  std::string ctx = "[job." + name + "]";
  std::vector<std::string> keys = kJobKeys;
  keys.insert(keys.end(), run_setting_keys().begin(), run_setting_keys().end());
  keys.insert(keys.end(), hook_keys().begin(), hook_keys().end());
  Fields f(table, ctx, path, diags, keys);
  read_hooks(f, ctx, path, j.hooks, diags);

  if (auto argv = argv_of(f, "command")) j.command = *argv;
  else if (!f.get("command")) f.error_here("command is required, e.g. command = [\"pipeline\", \"run\"]");
  if (auto s = f.str("cwd")) {
    std::string err;
    auto p = expand_path(*s, base_dir, lookup, &err);
    if (!p) f.error_at(*f.get("cwd"), "cwd", err);
    else j.cwd = *p;
  }
  if (const Value* e = f.get("env")) {
    if (!e->is_table()) {
      f.error_at(*e, "env", "expected a table of strings, e.g. env = { DAY = \"today\" }");
    } else {
      for (const auto& [k, v] : e->as_table()) {
        if (!v.is_string()) f.error_at(v, "env." + k, "expected a string, got " + Fields::type_name(v) + " (quote it: \"...\")");
        else if (k.empty() || k.find('=') != std::string::npos) f.error_at(v, "env", "invalid variable name '" + k + "'");
        else j.env.emplace_back(k, v.as_string().str);
      }
      std::sort(j.env.begin(), j.env.end());
    }
  }
  read_run_settings(f, base_dir, lookup, j.env, j.run, diags);

  if (auto s = f.str("schedule")) {
    CronError err;
    if (auto c = parse_cron(*s, &err)) {
      j.cron = *c;
      j.has_cron = true;
      j.schedule = *s;
    } else {
      // The column of the field at fault: one past the opening quote.
      diags.push_back(at(*f.get("schedule"), path, ctx + " schedule: " + err.message,
                         static_cast<std::uint32_t>(err.column) + 1));
    }
  }
  if (auto tz = f.str("timezone")) {
    std::string err;
    if (auto z = load_time_zone(*tz, &err)) j.zone = *z;
    else f.error_at(*f.get("timezone"), "timezone", err);
    if (!f.get("schedule")) f.error_at(*f.get("timezone"), "timezone", "applies to a cron `schedule`; this job has none");
  }
  if (auto d = f.duration("every")) {
    if (*d < std::chrono::milliseconds(100)) f.error_at(*f.get("every"), "every", "must be at least 100ms");
    else j.every = *d;
    if (f.get("schedule")) f.error_at(*f.get("every"), "every", "give either schedule (cron) or every (a period), not both");
  }
  if (const Value* c = f.get("condition"); c && !c->is_string()) {
    if (auto argv = argv_of(f, "condition")) j.condition = *argv;
  } else if (c) {
    argv_of(f, "condition");  // reports the string form
  }
  positive(f, "timeout", &j.timeout);
  positive(f, "output_timeout", &j.output_timeout);
  if (auto n = f.integer("retries", 0, 1000)) j.retries = static_cast<int>(*n);
  positive(f, "retry_delay", &j.retry_delay);
  positive(f, "retry_max_delay", &j.retry_max_delay);
  if (f.get("retry_delay") && f.get("retry_max_delay") && j.retry_delay > j.retry_max_delay)
    f.error_at(*f.get("retry_delay"), "retry_delay",
               format_duration(j.retry_delay) + " is longer than retry_max_delay (" + format_duration(j.retry_max_delay) + ")");
  else if (j.retry_delay > j.retry_max_delay)
    j.retry_max_delay = j.retry_delay;
  if (auto a = f.strings("after")) j.after = *a;
  if (auto c = f.choice<JobConcurrency>("concurrency", {{"skip", JobConcurrency::Skip}, {"queue", JobConcurrency::Queue}}))
    j.concurrency = *c;
  if (auto n = f.integer("priority", -1000, 1000)) j.priority = static_cast<int>(*n);
  if (auto b = f.boolean("catch_up")) {
    j.catch_up = *b;
    if (*b && !f.get("schedule") && !f.get("every"))
      f.error_at(*f.get("catch_up"), "catch_up", "needs a schedule (or every): only a scheduled run can be missed");
  }
  if (const Value* sig = f.get("stop_signal")) {
    std::optional<int> n;
    if (sig->is_integer()) n = f.integer_value(*sig, "stop_signal", 1, 64);
    else if (sig->is_string()) {
      n = parse_signal(sig->as_string().str);
      if (!n) f.error_at(*sig, "stop_signal", "unknown signal \"" + sig->as_string().str + "\" (e.g. \"TERM\", \"SIGINT\", \"15\")");
    } else {
      f.error_at(*sig, "stop_signal", "expected a signal name like \"TERM\", got " + Fields::type_name(*sig));
    }
    if (n) j.stop_signal = *n;
  }
  positive(f, "stop_timeout", &j.stop_timeout);
  return j;
}

}  // namespace

void read_jobs(const Value& jobs, Config& cfg, const std::string& path, const std::string& base_dir,
               const EnvLookup& env, Diagnostics& diags) {
  if (!jobs.is_table()) {
    diags.push_back(at(jobs, path, "job must be a table of [job.NAME] tables"));
    return;
  }
  for (const auto& [name, table] : jobs.as_table()) {
    auto loc = table.location();
    std::uint32_t line = static_cast<std::uint32_t>(loc.line());
    if (!table.is_table()) {
      diags.push_back(at(table, path, "job." + name + " must be a table: [job." + name + "]"));
      continue;
    }
    if (!valid_name(name)) {
      diags.push_back({path, line, 1,
                       "[job." + name + "]: invalid job name '" + name +
                           "': use letters, digits, '-', '_', '.', '@' (at most 64, starting with a letter or digit)"});
      continue;
    }
    JobSpec j = read_job(name, table, path, base_dir, env, diags);
    j.line = line;
    cfg.jobs.push_back(std::move(j));
  }
  std::sort(cfg.jobs.begin(), cfg.jobs.end(), [](const JobSpec& a, const JobSpec& b) { return a.line < b.line; });
}

void check_jobs(const Value& root, const Config& cfg, const std::string& path, Diagnostics& diags) {
  if (cfg.jobs.empty()) return;
  const Value& tables = root.as_table().at("job");
  auto after_value = [&](const std::string& job) -> const Value& { return tables.as_table().at(job).as_table().at("after"); };
  std::vector<std::string> names;
  for (const JobSpec& j : cfg.jobs) names.push_back(j.name);
  for (const JobSpec& j : cfg.jobs)
    if (cfg.find(j.name))
      diags.push_back({path, j.line, 1, "[job." + j.name + "]: a service is already called '" + j.name +
                                            "'; a job and a service may not share a name"});
  bool all_known = true;
  for (const JobSpec& j : cfg.jobs) {
    for (const std::string& dep : j.after) {
      if (dep == j.name) {
        diags.push_back(at(after_value(j.name), path, "[job." + j.name + "] after: a job cannot wait for itself"));
        all_known = false;
      } else if (!cfg.find_job(dep)) {
        diags.push_back(at(after_value(j.name), path,
                           "[job." + j.name + "] after: unknown job '" + dep + "'" + did_you_mean(dep, names)));
        all_known = false;
      }
    }
  }
  if (!all_known) return;
  std::map<std::string, int> mark;  // 0 new, 1 on stack, 2 done
  std::vector<std::string> stack;
  std::function<bool(const JobSpec&)> visit = [&](const JobSpec& j) {
    mark[j.name] = 1;
    stack.push_back(j.name);
    for (const std::string& dep : j.after) {
      if (mark[dep] == 1) {
        std::string cycle;
        for (auto it = std::find(stack.begin(), stack.end(), dep); it != stack.end(); ++it) cycle += *it + " -> ";
        diags.push_back(at(after_value(dep), path, "[job." + dep + "] after: dependency cycle: " + cycle + dep));
        return true;
      }
      if (mark[dep] == 0 && visit(*cfg.find_job(dep))) return true;
    }
    stack.pop_back();
    mark[j.name] = 2;
    return false;
  };
  for (const JobSpec& j : cfg.jobs)
    if (mark[j.name] == 0 && visit(j)) return;
}

}  // namespace vigil
