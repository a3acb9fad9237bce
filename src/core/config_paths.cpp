#include "vigil/config_paths.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace vigil {

EnvLookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

namespace {

std::string home(const EnvLookup& env) {
  if (auto h = env("HOME"); h && !h->empty()) return *h;
  return "/";
}

bool is_var_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::optional<std::string> expand_path(std::string_view text, const std::string& base_dir, const EnvLookup& env,
                                       std::string* err) {
  std::string out;
  std::size_t i = 0;
  if (!text.empty() && text[0] == '~' && (text.size() == 1 || text[1] == '/')) {
    out = home(env);
    i = 1;
  }
  while (i < text.size()) {
    char c = text[i];
    if (c != '$') {
      out += c;
      ++i;
      continue;
    }
    std::string name;
    if (i + 1 < text.size() && text[i + 1] == '{') {
      std::size_t close = text.find('}', i + 2);
      if (close == std::string_view::npos) {
        if (err) *err = "unterminated ${ in path '" + std::string(text) + "'";
        return std::nullopt;
      }
      name = std::string(text.substr(i + 2, close - i - 2));
      i = close + 1;
    } else {
      std::size_t j = i + 1;
      while (j < text.size() && is_var_char(text[j])) ++j;
      name = std::string(text.substr(i + 1, j - i - 1));
      i = j;
    }
    if (name.empty()) {
      out += '$';
      continue;
    }
    auto v = env(name);
    if (!v) {
      if (err) *err = "environment variable $" + name + " is not set (in path '" + std::string(text) + "')";
      return std::nullopt;
    }
    out += *v;
  }
  if (out.empty() || out[0] != '/') out = (std::filesystem::path(base_dir) / out).lexically_normal().string();
  return out;
}

std::string default_config_path(const EnvLookup& env) {
  if (auto x = env("XDG_CONFIG_HOME"); x && !x->empty()) return *x + "/vigil/vigil.toml";
  return home(env) + "/.config/vigil/vigil.toml";
}

std::string default_state_dir(const EnvLookup& env) {
  if (auto x = env("XDG_STATE_HOME"); x && !x->empty()) return *x + "/vigil";
  return home(env) + "/.local/state/vigil";
}

std::string default_socket_path(const EnvLookup& env) {
  if (auto x = env("XDG_RUNTIME_DIR"); x && !x->empty()) return *x + "/vigil/control.sock";
  return "/tmp/vigil-" + std::to_string(::getuid()) + "/control.sock";
}

std::string parent_dir(const std::string& path) {
  auto p = std::filesystem::path(path).parent_path().string();
  return p.empty() ? "." : p;
}

}  // namespace vigil
