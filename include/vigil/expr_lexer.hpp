#pragma once
// Tokens of the rule expression language (see expr.hpp). Numbers carry their unit, converted to
// base units (seconds, bytes, percent); every token knows its column for error messages.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vigil/expr.hpp"

namespace vigil::expr {

struct Token {
  enum class Kind {
    Number, String, Ident, True, False, And, Or, Not,
    Lt, Le, Gt, Ge, Eq, Ne, Plus, Minus, Star, Slash, LParen, RParen, Comma, Assign, End
  };
  Kind kind = Kind::End;
  double number = 0;
  Type type = Type::Plain;
  std::string text;
  std::uint32_t column = 1;
};

std::variant<std::vector<Token>, Error> lex(std::string_view text);

}  // namespace vigil::expr
