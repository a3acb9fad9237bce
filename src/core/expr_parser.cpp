// Recursive-descent parser with type checking for rule expressions (expr.hpp). Pure.
#include <algorithm>
#include <vector>

#include "vigil/expr.hpp"
#include "vigil/expr_lexer.hpp"
#include "vigil/suggest.hpp"

namespace vigil::expr {

namespace {

const char* kStates[] = {"stopped", "starting", "running", "stopping", "backoff", "failed"};

// The parser, the evaluator and the tree's destructor each recurse once per level, so the depth
// of the tree is bounded twice: by the tokens an expression may have (a chain of `and`s is as
// deep as it is long) and by how deeply parentheses, `not` and `-` may nest.
constexpr std::size_t kMaxTokens = 1000;
constexpr std::size_t kMaxLength = 16384;  // characters; checked before lexing
constexpr int kMaxNesting = 32;

bool numeric(Type t) { return t == Type::Plain || t == Type::Duration || t == Type::Size || t == Type::Percent; }

// Two numeric types go together when equal or when one is a plain number.
bool compatible(Type a, Type b) { return a == b || (numeric(a) && numeric(b) && (a == Type::Plain || b == Type::Plain)); }

class Parser {
 public:
  Parser(std::vector<Token> tokens, const std::map<std::string, Type>& custom, Subject subject)
      : t_(std::move(tokens)), custom_(custom), subject_(subject) {}

  Parsed run() {
    Parsed p;
    NodePtr root = or_expr();
    if (!error_ && peek().kind != Token::Kind::End) fail(peek(), "unexpected '" + peek().text + "'");
    if (!error_ && root->type != Type::Bool)
      fail_at(root->column, "the condition must be true or false, but this is " + std::string(to_string(root->type)) +
                                " (compare it: ... > 10)");
    if (error_) {
      p.error = error_;
      return p;
    }
    p.root = root;
    p.metrics = used_;
    p.windows = windows_;
    return p;
  }

 private:
  const Token& peek() const { return t_[pos_]; }
  const Token& next() { return t_[pos_ < t_.size() - 1 ? pos_++ : pos_]; }
  bool accept(Token::Kind k) {
    if (peek().kind != k) return false;
    ++pos_;
    return true;
  }
  void fail(const Token& at, const std::string& msg) { fail_at(at.column, msg); }
  void fail_at(std::uint32_t col, const std::string& msg) {
    if (!error_) error_ = Error{col, msg};
  }
  // Entering one more level of nesting; false (and an error) past the limit.
  bool deeper(const Token& at) {
    if (++depth_ <= kMaxNesting) return true;
    fail(at, "nested more than " + std::to_string(kMaxNesting) + " levels deep (parentheses, not, -)");
    return false;
  }
  NodePtr dummy(std::uint32_t col, Type type) {
    auto n = std::make_shared<Node>();
    n->kind = Node::Kind::Bool;
    n->type = type;
    n->column = col;
    return n;
  }
  NodePtr binary(Op op, NodePtr l, NodePtr r, Type type, std::uint32_t col) {
    auto n = std::make_shared<Node>();
    n->kind = Node::Kind::Binary;
    n->op = op;
    n->lhs = std::move(l);
    n->rhs = std::move(r);
    n->type = type;
    n->column = col;
    return n;
  }

  NodePtr or_expr() {
    NodePtr l = and_expr();
    while (!error_ && peek().kind == Token::Kind::Or) {
      const Token& op = next();
      NodePtr r = and_expr();
      check_bool(l, op);
      check_bool(r, op);
      l = binary(Op::Or, l, r, Type::Bool, op.column);
    }
    return l;
  }
  NodePtr and_expr() {
    NodePtr l = not_expr();
    while (!error_ && peek().kind == Token::Kind::And) {
      const Token& op = next();
      NodePtr r = not_expr();
      check_bool(l, op);
      check_bool(r, op);
      l = binary(Op::And, l, r, Type::Bool, op.column);
    }
    return l;
  }
  NodePtr not_expr() {
    if (peek().kind == Token::Kind::Not) {
      const Token& op = next();
      if (!deeper(op)) return dummy(op.column, Type::Bool);
      NodePtr inner = not_expr();
      --depth_;
      check_bool(inner, op);
      auto n = std::make_shared<Node>();
      n->kind = Node::Kind::Unary;
      n->op = Op::Not;
      n->lhs = inner;
      n->type = Type::Bool;
      n->column = op.column;
      return n;
    }
    return comparison();
  }
  void check_bool(const NodePtr& n, const Token& op) {
    if (!error_ && n->type != Type::Bool)
      fail_at(n->column, "'" + op.text + "' needs true/false on both sides, but this is " + std::string(to_string(n->type)));
  }
  NodePtr comparison() {
    NodePtr l = additive();
    static constexpr std::pair<Token::Kind, Op> kComparisons[] = {
        {Token::Kind::Lt, Op::Lt}, {Token::Kind::Le, Op::Le}, {Token::Kind::Gt, Op::Gt},
        {Token::Kind::Ge, Op::Ge}, {Token::Kind::Eq, Op::Eq}, {Token::Kind::Ne, Op::Ne}};
    auto found = std::find_if(std::begin(kComparisons), std::end(kComparisons),
                              [&](const auto& c) { return c.first == peek().kind; });
    if (found == std::end(kComparisons)) return l;
    Op op = found->second;
    const Token& tok = next();
    NodePtr r = additive();
    if (error_) return l;
    bool ordering = op != Op::Eq && op != Op::Ne;
    if (!compatible(l->type, r->type)) {
      fail_at(r->column, "cannot compare " + std::string(to_string(l->type)) + " with " + std::string(to_string(r->type)));
    } else if (ordering && !numeric(l->type)) {
      fail_at(tok.column, "'" + tok.text + "' compares numbers; " + std::string(to_string(l->type)) +
                              " can only be compared with == or !=");
    }
    // state == "runing": catch the typo now rather than never matching.
    for (const NodePtr& side : {l, r}) {
      const NodePtr& other = side == l ? r : l;
      if (other->kind == Node::Kind::Metric && other->text == "state" && side->kind == Node::Kind::String &&
          std::find(std::begin(kStates), std::end(kStates), side->text) == std::end(kStates)) {
        std::vector<std::string> names(std::begin(kStates), std::end(kStates));
        fail_at(side->column, "unknown state \"" + side->text + "\"" + did_you_mean(side->text, names) +
                                  "; states are stopped, starting, running, stopping, backoff, failed");
      }
    }
    return binary(op, l, r, Type::Bool, tok.column);
  }
  NodePtr additive() {
    NodePtr l = multiplicative();
    while (!error_ && (peek().kind == Token::Kind::Plus || peek().kind == Token::Kind::Minus)) {
      const Token& tok = next();
      NodePtr r = multiplicative();
      if (error_) break;
      if (!numeric(l->type) || !numeric(r->type) || !compatible(l->type, r->type)) {
        fail_at(r->column, "cannot " + std::string(tok.kind == Token::Kind::Plus ? "add " : "subtract ") +
                               std::string(to_string(r->type)) + (tok.kind == Token::Kind::Plus ? " to " : " from ") +
                               std::string(to_string(l->type)));
        break;
      }
      Type t = l->type == Type::Plain ? r->type : l->type;
      l = binary(tok.kind == Token::Kind::Plus ? Op::Add : Op::Sub, l, r, t, tok.column);
    }
    return l;
  }
  NodePtr multiplicative() {
    NodePtr l = unary();
    while (!error_ && (peek().kind == Token::Kind::Star || peek().kind == Token::Kind::Slash)) {
      const Token& tok = next();
      NodePtr r = unary();
      if (error_) break;
      bool star = tok.kind == Token::Kind::Star;
      Type t;
      if (!numeric(l->type) || !numeric(r->type)) {
        fail_at(r->column, "'" + tok.text + "' needs numbers");
        break;
      }
      if (r->type == Type::Plain) t = l->type;
      else if (star && l->type == Type::Plain) t = r->type;
      else if (!star && l->type == r->type) t = Type::Plain;  // a ratio: 30s / 1m
      else {
        fail_at(r->column, "cannot " + std::string(star ? "multiply " : "divide ") + std::string(to_string(l->type)) +
                               (star ? " by " : " by ") + std::string(to_string(r->type)));
        break;
      }
      l = binary(star ? Op::Mul : Op::Div, l, r, t, tok.column);
    }
    return l;
  }
  NodePtr unary() {
    if (peek().kind == Token::Kind::Minus) {
      const Token& tok = next();
      if (!deeper(tok)) return dummy(tok.column, Type::Plain);
      NodePtr inner = unary();
      --depth_;
      if (!error_ && !numeric(inner->type)) fail_at(inner->column, "'-' needs a number");
      auto n = std::make_shared<Node>();
      n->kind = Node::Kind::Unary;
      n->op = Op::Neg;
      n->lhs = inner;
      n->type = inner->type;
      n->column = tok.column;
      return n;
    }
    return primary();
  }
  NodePtr primary() {
    const Token& tok = next();
    auto n = std::make_shared<Node>();
    n->column = tok.column;
    if (tok.kind == Token::Kind::Number) {
      n->kind = Node::Kind::Number;
      n->number = tok.number;
      n->type = tok.type;
      return n;
    }
    if (tok.kind == Token::Kind::String) {
      n->kind = Node::Kind::String;
      n->text = tok.text;
      n->type = Type::String;
      return n;
    }
    if (tok.kind == Token::Kind::True || tok.kind == Token::Kind::False) {
      n->kind = Node::Kind::Bool;
      n->boolean = tok.kind == Token::Kind::True;
      n->type = Type::Bool;
      return n;
    }
    if (tok.kind == Token::Kind::LParen) {
      if (!deeper(tok)) return dummy(tok.column, Type::Bool);
      NodePtr inner = or_expr();
      --depth_;
      if (!error_ && !accept(Token::Kind::RParen)) fail(peek(), "expected ')'");
      return inner;
    }
    if (tok.kind == Token::Kind::Ident) return subject_ == Subject::Job ? job_metric(tok) : metric(tok);
    fail(tok, tok.kind == Token::Kind::End ? "the expression ends too early" : "unexpected '" + tok.text + "'");
    return dummy(tok.column, Type::Bool);
  }
  // The window of restarts(W), updates(W), rate(M, W)...: a duration greater than zero.
  std::optional<double> window_arg(const char* usage) {
    const Token& w = next();
    if (w.kind != Token::Kind::Number || w.type != Type::Duration || w.number <= 0) {
      fail(w, std::string("the window must be a duration greater than 0: ") + usage);
      return std::nullopt;
    }
    return w.number;
  }
  void need_window(const std::string& metric, double window) {
    double& longest = windows_[metric];
    longest = std::max(longest, window);
  }
  NodePtr window_function(const Token& tok, WindowFn fn) {
    std::string usage = tok.text + "(METRIC, WINDOW), e.g. " + tok.text + "(log.errors, 5m)";
    if (!accept(Token::Kind::LParen)) {
      fail(peek(), tok.text + " needs a metric and a window: " + usage);
      return dummy(tok.column, Type::Plain);
    }
    const Token& m = next();
    if (m.kind != Token::Kind::Ident || window_fn_named(m.text) || m.text == "updates" || m.text == "restarts") {
      fail(m, tok.text + " takes a metric first: " + usage);
      return dummy(tok.column, Type::Plain);
    }
    NodePtr inner = metric(m);
    if (error_) return dummy(tok.column, Type::Plain);
    if (inner->kind != Node::Kind::Metric) {
      fail(m, tok.text + " takes a metric, not " + m.text + "(...): " + usage);
      return dummy(tok.column, Type::Plain);
    }
    bool changes = fn == WindowFn::Changes;
    if (!numeric(inner->type) && !(changes && inner->type == Type::Bool)) {
      fail(m, tok.text + " needs a numeric metric" + std::string(changes ? " or a boolean one" : "") + "; " + m.text +
                  " is " + std::string(to_string(inner->type)));
      return dummy(tok.column, Type::Plain);
    }
    if (!accept(Token::Kind::Comma)) {
      fail(peek(), "expected ',' and a window: " + usage);
      return dummy(tok.column, Type::Plain);
    }
    auto w = window_arg(usage.c_str());
    if (!w) return dummy(tok.column, Type::Plain);
    if (!accept(Token::Kind::RParen)) {
      fail(peek(), "expected ')' after the window");
      return dummy(tok.column, Type::Plain);
    }
    auto n = std::make_shared<Node>();
    n->column = tok.column;
    n->kind = Node::Kind::Window;
    n->window_fn = fn;
    n->text = inner->text;
    n->metric = inner->metric;
    n->number = *w;
    // A rate is per second and a count of changes a count; the others keep the metric's unit.
    n->type = fn == WindowFn::Rate || changes ? Type::Plain : inner->type;
    need_window(inner->text, *w);
    return n;
  }
  // A job rule names the job metrics only: a job has no process tree to sample, no store keys and
  // no history of samples for windows.
  NodePtr job_metric(const Token& tok) {
    auto n = std::make_shared<Node>();
    n->column = tok.column;
    n->job_metric = find_job_metric(tok.text);
    if (!n->job_metric) {
      std::vector<std::string> names;
      for (const JobMetricDef& m : job_metric_table()) names.emplace_back(m.name);
      std::string known;
      for (const auto& name : names) known += (known.empty() ? "" : ", ") + name;
      fail(tok, "a job rule (jobs = [...]) knows the job metrics only (" + known + "), not '" + tok.text + "'" +
                    did_you_mean(tok.text, names));
      return dummy(tok.column, Type::Plain);
    }
    n->kind = Node::Kind::Metric;
    n->text = tok.text;
    n->type = n->job_metric->type;
    used_.insert(tok.text);
    return n;
  }

  NodePtr metric(const Token& tok) {
    auto n = std::make_shared<Node>();
    n->column = tok.column;
    if (auto fn = window_fn_named(tok.text)) return window_function(tok, *fn);
    if (tok.text == "updates") {
      // updates(WINDOW): how many times the freshness timestamp changed within the window.
      if (!accept(Token::Kind::LParen)) {
        fail(peek(), "updates needs a window: updates(5m)");
        return dummy(tok.column, Type::Plain);
      }
      auto w = window_arg("updates(5m)");
      if (!w) return dummy(tok.column, Type::Plain);
      if (!accept(Token::Kind::RParen)) fail(peek(), "expected ')' after the window");
      n->kind = Node::Kind::Updates;
      n->number = *w;
      n->type = Type::Plain;
      n->text = "updates";
      need_window(kUpdates, *w);
      return n;
    }
    if (tok.text == "restarts") {
      // restarts(WINDOW): starts within the window.
      if (!accept(Token::Kind::LParen)) {
        fail(peek(), "restarts needs a window: restarts(10m)");
        return dummy(tok.column, Type::Plain);
      }
      const Token& w = next();
      if (w.kind != Token::Kind::Number || w.type != Type::Duration) {
        fail(w, "restarts(WINDOW) takes a duration, e.g. restarts(10m)");
        return dummy(tok.column, Type::Plain);
      }
      if (!accept(Token::Kind::RParen)) fail(peek(), "expected ')' after the window");
      n->kind = Node::Kind::Restarts;
      n->number = w.number;
      n->type = Type::Plain;
      n->text = "restarts";
      used_.insert("restarts");
      return n;
    }
    n->metric = find_metric(tok.text);
    auto custom = custom_.find(tok.text);
    if (!n->metric && custom == custom_.end()) {
      std::vector<std::string> names;
      for (const MetricDef& m : metric_table()) names.emplace_back(m.name);
      for (const auto& [name, ty] : custom_) names.push_back(name);
      std::sort(names.begin(), names.end());  // ties in "did you mean" go to the first name
      fail(tok, "unknown metric '" + tok.text + "'" + did_you_mean(tok.text, names));
      return dummy(tok.column, Type::Plain);
    }
    n->kind = Node::Kind::Metric;
    n->text = tok.text;
    n->type = n->metric ? n->metric->type : custom->second;
    used_.insert(tok.text);
    return n;
  }

  std::vector<Token> t_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  const std::map<std::string, Type>& custom_;  // family members the services declare
  Subject subject_;
  std::optional<Error> error_;
  std::set<std::string> used_;
  WindowNeeds windows_;
};

}  // namespace

Parsed parse(std::string_view text, const std::map<std::string, Type>& custom_metrics, Subject subject) {
  if (text.size() > kMaxLength) {
    Parsed p;
    p.error = Error{static_cast<std::uint32_t>(kMaxLength + 1),
                    "the expression is longer than " + std::to_string(kMaxLength) + " characters"};
    return p;
  }
  auto lexed = lex(text);
  if (auto* e = std::get_if<Error>(&lexed)) {
    Parsed p;
    p.error = *e;
    return p;
  }
  auto& tokens = std::get<std::vector<Token>>(lexed);
  if (tokens.size() > kMaxTokens + 1) {  // + the End token
    Parsed p;
    p.error = Error{tokens[kMaxTokens].column,
                    "the expression is too long: at most " + std::to_string(kMaxTokens) +
                        " words, numbers and operators (split it into several rules)"};
    return p;
  }
  return Parser(std::move(tokens), custom_metrics, subject).run();
}

}  // namespace vigil::expr
