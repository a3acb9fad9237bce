// Tokens of the rule expression language, each with its column. Part of expr.hpp's pure core.
#include "vigil/expr_lexer.hpp"

#include <cmath>
#include <cstdlib>

namespace vigil::expr {
namespace {

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident(char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

struct Unit {
  std::string_view name;
  double factor;
  Type type;
};
constexpr Unit kUnits[] = {
    {"ms", 0.001, Type::Duration}, {"s", 1, Type::Duration},        {"m", 60, Type::Duration},
    {"h", 3600, Type::Duration},   {"d", 86400, Type::Duration},    {"B", 1, Type::Size},
    {"KB", 1e3, Type::Size},       {"MB", 1e6, Type::Size},         {"GB", 1e9, Type::Size},
    {"TB", 1e12, Type::Size},      {"KiB", 1024.0, Type::Size},     {"MiB", 1048576.0, Type::Size},
    {"GiB", 1073741824.0, Type::Size}, {"%", 1, Type::Percent},
};

}  // namespace

std::variant<std::vector<Token>, Error> lex(std::string_view s) {
  std::vector<Token> out;
  std::size_t i = 0;
  auto col = [&](std::size_t at) { return static_cast<std::uint32_t>(at + 1); };
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    Token t;
    t.column = col(i);
    if ((c >= '0' && c <= '9') || (c == '.' && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '9')) {
      std::size_t start = i;
      while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
      std::string num(s.substr(start, i - start));
      char* end = nullptr;
      double v = std::strtod(num.c_str(), &end);
      if (*end != 0) return Error{t.column, "invalid number '" + num + "'"};
      std::size_t ustart = i;
      while (i < s.size() && (is_ident(s[i]) || s[i] == '%')) ++i;
      std::string_view unit = s.substr(ustart, i - ustart);
      t.kind = Token::Kind::Number;
      t.number = v;
      t.type = Type::Plain;
      if (!unit.empty()) {
        bool found = false;
        for (const Unit& u : kUnits) {
          if (unit == u.name) {
            t.number = v * u.factor;
            t.type = u.type;
            found = true;
          }
        }
        if (!found)
          return Error{col(ustart), "unknown unit '" + std::string(unit) + "' in '" + num + std::string(unit) +
                                        "': use ms s m h d, B KB MB GB KiB MiB GiB, or %"};
      }
      t.text = std::string(s.substr(start, i - start));
      out.push_back(t);
      continue;
    }
    if (c == '"' || c == '\'') {
      std::size_t close = s.find(c, i + 1);
      if (close == std::string_view::npos) return Error{t.column, "unterminated string"};
      t.kind = Token::Kind::String;
      t.text = std::string(s.substr(i + 1, close - i - 1));
      i = close + 1;
      out.push_back(t);
      continue;
    }
    if (is_ident_start(c)) {
      std::size_t start = i;
      // Dotted names are one identifier: probe.http, log.errors (a '.' followed by a name).
      while (i < s.size() && (is_ident(s[i]) || (s[i] == '.' && i + 1 < s.size() && is_ident_start(s[i + 1])))) ++i;
      t.text = std::string(s.substr(start, i - start));
      if (t.text == "and") t.kind = Token::Kind::And;
      else if (t.text == "or") t.kind = Token::Kind::Or;
      else if (t.text == "not") t.kind = Token::Kind::Not;
      else if (t.text == "true") t.kind = Token::Kind::True;
      else if (t.text == "false") t.kind = Token::Kind::False;
      else t.kind = Token::Kind::Ident;
      out.push_back(t);
      continue;
    }
    auto two = s.substr(i, 2);
    struct Sym {
      std::string_view text;
      Token::Kind kind;
    };
    static constexpr Sym kSyms[] = {{">=", Token::Kind::Ge}, {"<=", Token::Kind::Le}, {"==", Token::Kind::Eq},
                                    {"!=", Token::Kind::Ne}, {"&&", Token::Kind::And}, {"||", Token::Kind::Or},
                                    {">", Token::Kind::Gt},  {"<", Token::Kind::Lt},  {"+", Token::Kind::Plus},
                                    {"-", Token::Kind::Minus}, {"*", Token::Kind::Star}, {"/", Token::Kind::Slash},
                                    {"(", Token::Kind::LParen}, {")", Token::Kind::RParen}, {"!", Token::Kind::Not},
                                    {",", Token::Kind::Comma},
                                    {"=", Token::Kind::Assign}};
    bool matched = false;
    for (const Sym& sym : kSyms) {
      if ((sym.text.size() == 2 && two == sym.text) || (sym.text.size() == 1 && c == sym.text[0])) {
        t.kind = sym.kind;
        t.text = std::string(sym.text);
        i += sym.text.size();
        matched = true;
        break;
      }
    }
    if (!matched) return Error{t.column, std::string("unexpected character '") + c + "'"};
    if (t.kind == Token::Kind::Assign) return Error{t.column, "'=' is not a comparison: write '=='"};
    out.push_back(t);
  }
  Token end;
  end.kind = Token::Kind::End;
  end.column = col(s.size());
  out.push_back(end);
  return out;
}

}  // namespace vigil::expr
