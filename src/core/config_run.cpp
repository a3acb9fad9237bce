// Run settings shared by services and jobs: env_file, umask, nice, limits (config_run.hpp).
#include "config_run.hpp"

#include <algorithm>
#include <fstream>
#include <map>

#include "vigil/env_file.hpp"
#include "vigil/trusted_file.hpp"

namespace vigil {
namespace {

// The kernel's ceiling for RLIMIT_NOFILE (fs.nr_open); setrlimit above it fails with EPERM even for root.
std::int64_t nr_open() {
  std::ifstream in("/proc/sys/fs/nr_open");
  std::int64_t n = 0;
  if (in >> n && n > 0) return n;
  return 1 << 20;
}

std::int64_t max_for(int resource) {
  switch (resource) {
    case RLIMIT_NOFILE: return nr_open();
    case RLIMIT_NICE: return 40;
    case RLIMIT_RTPRIO: return 99;
    default: return INT64_MAX;
  }
}

void read_limits(Fields& parent, const Value& v, RunSettings& out) {
  if (!v.is_table()) {
    parent.error_at(v, "limits", "expected a table, e.g. limits = { nofile = 65536, core = 0 }");
    return;
  }
  std::vector<std::string> names;
  for (const LimitName& l : limit_names()) names.emplace_back(l.name);
  for (const auto& [key, val] : v.as_table()) {
    const std::string& name = key;  // clang 14 cannot capture a structured binding
    auto it = std::find_if(limit_names().begin(), limit_names().end(), [&](const LimitName& l) { return name == l.name; });
    if (it == limit_names().end()) {
      parent.error_at(val, "limits", "unknown limit '" + key + "'" + did_you_mean(key, names));
      continue;
    }
    std::string k = "limits." + key;
    std::int64_t max = max_for(it->resource);
    ResourceLimit lim;
    lim.resource = it->resource;
    if (val.is_string() && val.as_string().str == "infinity") {
      if (it->resource == RLIMIT_NOFILE) {
        parent.error_at(val, k, "cannot be \"infinity\" (the kernel's ceiling is fs.nr_open = " + std::to_string(max) + ")");
        continue;
      }
      lim.value = RLIM_INFINITY;
    } else if (val.is_integer()) {
      std::int64_t n = val.as_integer();
      if (n < 0 || n > max) {
        parent.error_at(val, k, std::to_string(n) + " is out of range (0 to " +
                                    (max == INT64_MAX ? std::string("\"infinity\"") : std::to_string(max)) + ")");
        continue;
      }
      lim.value = static_cast<rlim_t>(n);
    } else if (val.is_string() && it->bytes) {
      std::string err;
      auto s = parse_size(val.as_string().str, &err);
      if (!s) {
        parent.error_at(val, k, err + ", or \"infinity\"");
        continue;
      }
      lim.value = static_cast<rlim_t>(*s);
    } else {
      parent.error_at(val, k, std::string("expected ") + (it->bytes ? "a size like \"64MB\", " : "") +
                                  "an integer or \"infinity\", got " + Fields::type_name(val));
      continue;
    }
    out.limits.push_back(lim);
  }
  std::sort(out.limits.begin(), out.limits.end(),
            [](const ResourceLimit& a, const ResourceLimit& b) { return a.resource < b.resource; });
}

}  // namespace

const std::vector<LimitName>& limit_names() {
  static const std::vector<LimitName> kNames = {
      {"as", RLIMIT_AS, true},           {"core", RLIMIT_CORE, true},         {"cpu", RLIMIT_CPU, false},
      {"data", RLIMIT_DATA, true},       {"fsize", RLIMIT_FSIZE, true},       {"locks", RLIMIT_LOCKS, false},
      {"memlock", RLIMIT_MEMLOCK, true}, {"msgqueue", RLIMIT_MSGQUEUE, true}, {"nice", RLIMIT_NICE, false},
      {"nofile", RLIMIT_NOFILE, false},  {"nproc", RLIMIT_NPROC, false},      {"rss", RLIMIT_RSS, true},
      {"rtprio", RLIMIT_RTPRIO, false},  {"rttime", RLIMIT_RTTIME, false},    {"sigpending", RLIMIT_SIGPENDING, false},
      {"stack", RLIMIT_STACK, true},
  };
  return kNames;
}

std::string_view limit_name(int resource) {
  for (const LimitName& l : limit_names())
    if (l.resource == resource) return l.name;
  return "?";
}

const std::vector<std::string>& hook_keys() {
  static const std::vector<std::string> kKeys = {"pre_start", "post_start", "post_stop", "on_failure", "on_success"};
  return kKeys;
}

namespace {

bool read_argv(Fields& f, const Value& v, const std::string& key, std::vector<std::string>* out) {
  if (!v.is_array() || v.as_array().empty()) {
    f.error_at(v, key, "expected a command as an array of strings, e.g. [\"notify-send\", \"backup done\"] (no shell is used)");
    return false;
  }
  for (const Value& e : v.as_array()) {
    if (!e.is_string()) {
      f.error_at(e, key, "expected a string element, got " + Fields::type_name(e));
      return false;
    }
    out->push_back(e.as_string().str);
  }
  if ((*out)[0].empty()) {
    f.error_at(v, key, "must name a program");
    return false;
  }
  return true;
}

void read_hook(Fields& f, const Value& v, const std::string& key, const std::string& context, const std::string& path,
               std::vector<Hook>& out, Diagnostics& diags) {
  Hook h;
  if (v.is_table()) {
    Fields t(v, context + " " + key, path, diags, {"command", "timeout"});
    const Value* c = t.get("command");
    if (!c) {
      t.error_here("command is required");
      return;
    }
    if (!read_argv(t, *c, "command", &h.argv)) return;
    if (auto d = t.duration("timeout")) {
      if (d->count() <= 0) t.error_at(*t.get("timeout"), "timeout", "must be greater than 0");
      else h.timeout = *d;
    }
  } else if (!read_argv(f, v, key, &h.argv)) {
    return;
  }
  out.push_back(std::move(h));
}

}  // namespace

void read_hooks(Fields& f, const std::string& context, const std::string& path, Hooks& out, Diagnostics& diags) {
  std::vector<Hook>* lists[] = {&out.pre_start, &out.post_start, &out.post_stop, &out.on_failure, &out.on_success};
  for (std::size_t i = 0; i < hook_keys().size(); ++i) {
    const std::string& key = hook_keys()[i];
    const Value* v = f.get(key);
    if (!v) continue;
    // One hook (an argv of strings, or a table), or a list of hooks (argvs or tables).
    bool list = v->is_array() && !v->as_array().empty() && !v->as_array()[0].is_string();
    if (list)
      for (const Value& e : v->as_array()) read_hook(f, e, key, context, path, *lists[i], diags);
    else
      read_hook(f, *v, key, context, path, *lists[i], diags);
  }
}

const std::vector<std::string>& run_setting_keys() {
  static const std::vector<std::string> kKeys = {"env_file", "umask", "nice", "limits"};
  return kKeys;
}

void read_run_settings(Fields& f, const std::string& base_dir, const EnvLookup& lookup,
                       std::vector<std::pair<std::string, std::string>>& env, RunSettings& out, Diagnostics& diags) {
  if (auto s = f.str("env_file")) {
    std::string err;
    auto p = expand_path(*s, base_dir, lookup, &err);
    if (!p) {
      f.error_at(*f.get("env_file"), "env_file", err);
    } else {
      out.env_file = *p;
      TrustedRead file = read_trusted_file(*p, "env file");
      if (file.error) {
        f.error_at(*f.get("env_file"), "env_file", file.error->str());
      } else {
        EnvFile ef = parse_env_file(file.text, *p);
        diags.insert(diags.end(), ef.errors.begin(), ef.errors.end());
        // `env` in the config wins over the file.
        for (auto& [k, v] : ef.vars) {
          const std::string& name = k;  // clang 14 cannot capture a structured binding
          if (std::none_of(env.begin(), env.end(), [&](const auto& kv) { return kv.first == name; }))
            env.emplace_back(k, v);
        }
        std::sort(env.begin(), env.end());
      }
    }
  }
  if (const Value* u = f.get("umask")) {
    bool ok = u->is_string() && !u->as_string().str.empty() && u->as_string().str.size() <= 4 &&
              std::all_of(u->as_string().str.begin(), u->as_string().str.end(), [](char c) { return c >= '0' && c <= '7'; });
    if (!ok)
      f.error_at(*u, "umask", "expected octal digits as a string, e.g. umask = \"0027\"");
    else
      out.umask = static_cast<int>(std::stoi(u->as_string().str, nullptr, 8)) & 0777;
  }
  if (auto n = f.integer("nice", -20, 19)) {
    out.nice = static_cast<int>(*n);
    out.has_nice = true;
  }
  if (const Value* l = f.get("limits")) read_limits(f, *l, out);
}

}  // namespace vigil
