#include "vigil/env_file.hpp"

#include <algorithm>

namespace vigil {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool key_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool key_char(char c) { return key_start(c) || (c >= '0' && c <= '9'); }

class LineParser {
 public:
  LineParser(std::string_view line, std::uint32_t number, const std::string& path, EnvFile& out)
      : s_(line), number_(number), path_(path), out_(out) {}

  void parse() {
    skip_blanks();
    if (done() || s_[i_] == '#') return;
    if (s_.substr(i_, 7) == "export " || s_.substr(i_, 7) == "export\t") {
      i_ += 7;
      skip_blanks();
    }
    const std::size_t key_at = i_;
    if (done() || !key_start(s_[i_])) return error(key_at, "expected KEY=value (KEY: letters, digits and _, not starting with a digit)");
    while (!done() && key_char(s_[i_])) ++i_;
    std::string key(s_.substr(key_at, i_ - key_at));
    if (!done() && !is_blank(s_[i_]) && s_[i_] != '=')
      return error(i_, "'" + std::string(1, s_[i_]) + "' cannot be part of a name; expected KEY=value");
    skip_blanks();
    if (done() || s_[i_] != '=') return error(i_, "expected '=' after " + key);
    ++i_;
    skip_blanks();
    std::string value;
    if (!done() && (s_[i_] == '\'' || s_[i_] == '"')) {
      if (!quoted(&value)) return;
      skip_blanks();
      if (!done() && s_[i_] != '#') return error(i_, "unexpected text after the closing quote");
    } else {
      std::size_t end = i_;
      while (end < s_.size() && !(s_[end] == '#' && end > i_ && is_blank(s_[end - 1]))) ++end;
      std::string_view v = s_.substr(i_, end - i_);
      while (!v.empty() && is_blank(v.back())) v.remove_suffix(1);
      value = std::string(v);
    }
    auto it = std::find_if(out_.vars.begin(), out_.vars.end(), [&](const auto& kv) { return kv.first == key; });
    if (it != out_.vars.end()) it->second = std::move(value);
    else out_.vars.emplace_back(std::move(key), std::move(value));
  }

 private:
  bool done() const { return i_ >= s_.size(); }
  void skip_blanks() {
    while (!done() && is_blank(s_[i_])) ++i_;
  }
  void error(std::size_t at, const std::string& msg) {
    out_.errors.push_back({path_, number_, static_cast<std::uint32_t>(at + 1), msg});
  }

  bool quoted(std::string* value) {
    const char q = s_[i_];
    const std::size_t open = i_++;
    while (!done() && s_[i_] != q) {
      char c = s_[i_++];
      if (q == '"' && c == '\\') {
        if (done()) break;
        const char e = s_[i_++];
        switch (e) {
          case 'n': c = '\n'; break;
          case 't': c = '\t'; break;
          case 'r': c = '\r'; break;
          case '\\': case '"': case '$': c = e; break;
          default:
            error(i_ - 2, std::string("unknown escape \\") + e + " (use \\n \\t \\r \\\\ \\\" \\$)");
            return false;
        }
      }
      *value += c;
    }
    if (done()) {
      error(open, std::string("unterminated ") + (q == '"' ? "double" : "single") + " quote (a value is one line)");
      return false;
    }
    ++i_;
    return true;
  }

  std::string_view s_;
  std::size_t i_ = 0;
  std::uint32_t number_;
  const std::string& path_;
  EnvFile& out_;
};

}  // namespace

EnvFile parse_env_file(std::string_view text, const std::string& path) {
  EnvFile out;
  std::uint32_t number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    ++number;
    if (line.find('\0') != std::string_view::npos) {
      out.errors.push_back({path, number, 1, "a NUL byte cannot be part of an environment variable"});
    } else {
      LineParser(line, number, path, out).parse();
    }
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return out;
}

}  // namespace vigil
