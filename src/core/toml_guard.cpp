#include "vigil/toml_guard.hpp"

namespace vigil {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char b = byte(i);
  if (b < 0x80) return 1;
  std::size_t n;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b >= 0xC2 && b <= 0xDF) n = 2;
  else if (b == 0xE0) n = 3, lo = 0xA0;
  else if (b == 0xED) n = 3, hi = 0x9F;
  else if (b >= 0xE1 && b <= 0xEF) n = 3;
  else if (b == 0xF0) n = 4, lo = 0x90;
  else if (b >= 0xF1 && b <= 0xF3) n = 4;
  else if (b == 0xF4) n = 4, hi = 0x8F;
  else return 0;
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return n;
}

// Walks the text once, knowing strings and comments, and tracks line and column (in characters).
class Scanner {
 public:
  Scanner(std::string_view text, const std::string& file) : s_(text), file_(file) {}

  std::optional<Diagnostic> run() {
    if (s_.size() > kMaxTomlBytes)
      return Diagnostic{file_, 0, 0,
                        "file of " + std::to_string(s_.size()) + " bytes; at most " +
                            std::to_string(kMaxTomlBytes) + " are read"};
    // Encoding first, over every byte: toml11 must not see invalid UTF-8 anywhere.
    for (std::size_t i = 0; i < s_.size();) {
      std::size_t n = utf8_sequence(s_, i);
      if (n == 0) return at(i, "invalid UTF-8 (byte 0x" + hex(s_[i]) + "); the file must be UTF-8 text");
      i += n;
    }
    return nesting();
  }

 private:
  static std::string hex(char c) {
    static constexpr char kDigits[] = "0123456789abcdef";
    auto b = static_cast<unsigned char>(c);
    return {kDigits[b >> 4], kDigits[b & 15]};
  }

  // Line and column of byte `pos` (columns count characters, not bytes).
  Diagnostic at(std::size_t pos, std::string message) const {
    std::uint32_t line = 1, col = 1;
    for (std::size_t i = 0; i < pos && i < s_.size(); ++i) {
      if (s_[i] == '\n') {
        ++line;
        col = 1;
      } else if ((static_cast<unsigned char>(s_[i]) & 0xC0) != 0x80) {
        ++col;
      }
    }
    return Diagnostic{file_, line, col, std::move(message)};
  }

  bool starts(std::size_t i, std::string_view what) const { return s_.substr(i, what.size()) == what; }

  // Index just past the string that starts at i (or the end of the text: toml11 reports that).
  std::size_t skip_string(std::size_t i) const {
    char q = s_[i];
    bool multi = starts(i, q == '"' ? "\"\"\"" : "'''");
    std::size_t k = i + (multi ? 3 : 1);
    while (k < s_.size()) {
      if (q == '"' && s_[k] == '\\') {
        k += 2;
        continue;
      }
      if (!multi && s_[k] == '\n') return k;
      if (multi ? starts(k, q == '"' ? "\"\"\"" : "'''") : s_[k] == q) return k + (multi ? 3 : 1);
      ++k;
    }
    return s_.size();
  }

  std::optional<Diagnostic> nesting() const {
    int depth = 0;        // open [ and {
    int key_parts = 1;    // parts of the dotted key (or number) being read
    for (std::size_t i = 0; i < s_.size();) {
      char c = s_[i];
      if (c == '"' || c == '\'') {
        i = skip_string(i);
        continue;
      }
      if (c == '#') {
        while (i < s_.size() && s_[i] != '\n') ++i;
        continue;
      }
      if (c == '[' || c == '{') {
        if (++depth > kMaxTomlNesting)
          return at(i, "nested more than " + std::to_string(kMaxTomlNesting) + " levels deep");
        key_parts = 1;
      } else if (c == ']' || c == '}') {
        if (depth > 0) --depth;
        key_parts = 1;
      } else if (c == '.') {
        if (++key_parts > kMaxTomlNesting)
          return at(i, "a dotted key of more than " + std::to_string(kMaxTomlNesting) + " parts");
      } else if (!(c == ' ' || c == '\t' || c == '_' || c == '-' || (c >= '0' && c <= '9') ||
                   (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
        key_parts = 1;  // '=', ',', a newline...: whatever follows is a new key or value
      }
      ++i;
    }
    return std::nullopt;
  }

  std::string_view s_;
  const std::string& file_;
};

}  // namespace

std::optional<Diagnostic> check_toml_input(std::string_view text, const std::string& file) {
  return Scanner(text, file).run();
}

}  // namespace vigil
