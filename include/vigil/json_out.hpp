#pragma once
// A streaming JSON writer for the one hot JSON path: the status object, written every sample for
// every service (status.json) and for every `vigil status`. Building an nlohmann DOM of a
// thousand services and dumping it cost 4-5 ms a sample; this appends straight to a string.
//
// Strings are escaped as JSON requires, and invalid UTF-8 (a child's STATUS= text can be
// anything) becomes U+FFFD, so every reader can parse the result. Non-finite numbers are null.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

class JsonOut {
 public:
  explicit JsonOut(std::string& out) : out_(out) {}

  JsonOut& begin_object() { return open('{'); }
  JsonOut& end_object() { return close('}'); }
  JsonOut& begin_array() { return open('['); }
  JsonOut& end_array() { return close(']'); }
  /// A member name inside an object; the next call writes its value.
  JsonOut& key(std::string_view name);

  JsonOut& value(std::string_view s);
  JsonOut& value(const std::string& s) { return value(std::string_view(s)); }
  JsonOut& value(const char* s) { return value(std::string_view(s)); }
  JsonOut& value(double d);
  JsonOut& value(std::int64_t i);
  JsonOut& value(int i) { return value(static_cast<std::int64_t>(i)); }
  JsonOut& value(std::uint64_t u);
  JsonOut& value(bool b);
  JsonOut& null();
  template <class T>
  JsonOut& value(const std::optional<T>& v) {
    return v ? value(*v) : null();
  }
  /// A value that is already JSON (written by JsonOut elsewhere), taken as it is.
  JsonOut& json(std::string_view written);
  /// A string, or null when it is empty.
  JsonOut& string_or_null(const std::string& s) { return s.empty() ? null() : value(s); }

 private:
  JsonOut& open(char bracket);
  template <class Int>
  JsonOut& integer(Int i);
  JsonOut& close(char bracket);
  void separate();  // the comma before a member or element, unless it is the first
  void escaped(std::string_view s);

  std::string& out_;
  std::vector<bool> first_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace vigil
