#include "vigil/cgroup_parse.hpp"

#include <charconv>
#include <vector>

namespace vigil {
namespace {

// The next line of `text` (without its '\n'); `text` keeps the rest.
std::string_view next_line(std::string_view& text) {
  std::size_t nl = text.find('\n');
  std::string_view line = text.substr(0, nl);
  text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  return line;
}

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    std::size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

// mountinfo writes ' ', '\t', '\n' and '\\' in paths as \OOO.
std::string unescape_octal(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// `inner` is `outer` or below it, as paths ("/a" holds "/a/b" but not "/ab").
bool path_holds(std::string_view outer, std::string_view inner) {
  if (outer == "/") return !inner.empty() && inner[0] == '/';
  return inner.substr(0, outer.size()) == outer && (inner.size() == outer.size() || inner[outer.size()] == '/');
}

std::optional<std::uint64_t> keyed_number(std::string_view text, std::string_view key) {
  while (!text.empty()) {
    std::string_view line = next_line(text);
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == ' ') {
      std::string_view num = line.substr(key.size() + 1);
      std::uint64_t v = 0;
      auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
      if (ec == std::errc() && end == num.data() + num.size()) return v;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> unified_cgroup(std::string_view text) {
  while (!text.empty()) {
    std::string_view line = next_line(text);
    if (line.substr(0, 3) == "0::" && line.size() > 3 && line[3] == '/') return std::string(line.substr(3));
  }
  return std::nullopt;
}

std::optional<std::string> cgroup_dir(std::string_view mountinfo, std::string_view cgroup) {
  std::optional<std::string> best;
  std::size_t best_root = 0;
  while (!mountinfo.empty()) {
    std::vector<std::string_view> f = split_spaces(next_line(mountinfo));
    // ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER_OPTIONS
    std::size_t dash = 6;
    while (dash < f.size() && f[dash] != "-") ++dash;
    if (f.size() < 7 || dash + 1 >= f.size() || f[dash + 1] != "cgroup2") continue;
    std::string root = unescape_octal(f[3]);
    if (!path_holds(root, cgroup)) continue;
    if (best && root.size() <= best_root) continue;
    std::string dir = unescape_octal(f[4]);
    std::string_view rest = root == "/" ? cgroup : cgroup.substr(root.size());
    if (rest == "/") rest = {};
    best = dir == "/" && !rest.empty() ? std::string(rest) : dir + std::string(rest);
    best_root = root.size();
  }
  return best;
}

std::optional<bool> cgroup_populated(std::string_view events) {
  auto v = keyed_number(events, "populated");
  if (!v) return std::nullopt;
  return *v != 0;
}

std::optional<std::uint64_t> cgroup_cpu_usage_usec(std::string_view cpu_stat) { return keyed_number(cpu_stat, "usage_usec"); }

std::optional<std::uint64_t> cgroup_working_set(std::string_view memory_current, std::string_view memory_stat) {
  while (!memory_current.empty() && (memory_current.back() == '\n' || memory_current.back() == ' ')) memory_current.remove_suffix(1);
  std::uint64_t current = 0;
  auto [end, ec] = std::from_chars(memory_current.data(), memory_current.data() + memory_current.size(), current);
  if (memory_current.empty() || ec != std::errc() || end != memory_current.data() + memory_current.size()) return std::nullopt;
  std::uint64_t inactive = keyed_number(memory_stat, "inactive_file").value_or(0);
  return inactive < current ? current - inactive : 0;
}

std::string cgroup_leaf(std::string_view kind, std::string_view name) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out(kind);
  out += '-';
  for (char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (plain) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace vigil
