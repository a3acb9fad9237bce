#include "vigil/json_out.hpp"

#include <charconv>
#include <cmath>

namespace vigil {

void JsonOut::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
  }
}

JsonOut& JsonOut::open(char bracket) {
  separate();
  out_ += bracket;
  first_.push_back(true);
  return *this;
}

JsonOut& JsonOut::close(char bracket) {
  out_ += bracket;
  first_.pop_back();
  return *this;
}

JsonOut& JsonOut::key(std::string_view name) {
  separate();
  escaped(name);
  out_ += ':';
  after_key_ = true;
  return *this;
}

JsonOut& JsonOut::value(std::string_view s) {
  separate();
  escaped(s);
  return *this;
}

JsonOut& JsonOut::value(double d) {
  if (!std::isfinite(d)) return null();
  separate();
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, d);  // shortest text that reads back the same
  out_.append(buf, r.ptr);
  return *this;
}

template <class Int>
JsonOut& JsonOut::integer(Int i) {
  separate();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, i);
  out_.append(buf, r.ptr);
  return *this;
}

JsonOut& JsonOut::value(std::int64_t i) { return integer(i); }
JsonOut& JsonOut::value(std::uint64_t u) { return integer(u); }

JsonOut& JsonOut::value(bool b) {
  separate();
  out_ += b ? "true" : "false";
  return *this;
}

JsonOut& JsonOut::json(std::string_view written) {
  separate();
  out_.append(written);
  return *this;
}

JsonOut& JsonOut::null() {
  separate();
  out_ += "null";
  return *this;
}

namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF).
std::size_t utf8_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return k < s.size() && byte(k) >= lo && byte(k) <= hi;
  };
  unsigned c = byte(i);
  if (c >= 0xC2 && c <= 0xDF) return cont(i + 1) ? 2 : 0;
  if (c == 0xE0) return cont(i + 1, 0xA0) && cont(i + 2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(i + 1) && cont(i + 2) ? 3 : 0;
  if (c == 0xED) return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0;
  if (c == 0xF0) return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c == 0xF4) return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  return 0;
}

}  // namespace

void JsonOut::escaped(std::string_view s) {
  out_ += '"';
  std::size_t i = 0;
  while (i < s.size()) {
    // Runs of plain characters are copied at once.
    std::size_t start = i;
    while (i < s.size()) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
      ++i;
    }
    out_.append(s.data() + start, i - start);
    if (i == s.size()) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      std::size_t n = utf8_length(s, i);
      if (n) {
        out_.append(s.data() + i, n);
        i += n;
      } else {
        out_ += "\xEF\xBF\xBD";  // U+FFFD for a byte that is not UTF-8
        ++i;
      }
      continue;
    }
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      case '\b': out_ += "\\b"; break;
      case '\f': out_ += "\\f"; break;
      default: {
        static const char hex[] = "0123456789abcdef";
        out_ += "\\u00";
        out_ += hex[c >> 4];
        out_ += hex[c & 15];
      }
    }
    ++i;
  }
  out_ += '"';
}

}  // namespace vigil
