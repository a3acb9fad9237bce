#include "vigil/pattern.hpp"

#include <re2/re2.h>

namespace vigil {

std::optional<Pattern> Pattern::compile(const std::string& text, std::string* error) {
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_shared<const RE2>(text, opts);
  if (!re->ok()) {
    if (error) *error = re->error();
    return std::nullopt;
  }
  Pattern p;
  p.text_ = text;
  p.re_ = std::move(re);
  return p;
}

bool Pattern::found_in(std::string_view text) const { return re_ && RE2::PartialMatch(text, *re_); }

}  // namespace vigil
