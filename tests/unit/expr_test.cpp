#include "vigil/expr.hpp"

#include <gtest/gtest.h>

using namespace vigil;
using namespace vigil::expr;

namespace {

ServiceSnapshot running_service() {
  ServiceSnapshot s;
  s.name = "scan-bridge";
  s.state = State::Running;
  s.pid = 42;
  s.uptime = 120;
  s.cpu = 85;
  s.memory = 612e6;
  s.data_age = 73.2;
  s.threads = 4;
  s.custom["lag"] = 2.5;
  s.start_ages = {30, 200, 900};
  return s;
}

bool eval(const std::string& text, const ServiceSnapshot& s, std::optional<bool> store_up = true) {
  Parsed p = parse(text, {{"lag", Type::Plain}});
  EXPECT_FALSE(p.error) << text << ": " << p.error->message;
  if (p.error) return false;
  return holds(*p.root, Context{&s, store_up});
}

std::string error_of(const std::string& text) {
  Parsed p = parse(text, {{"lag", Type::Plain}});
  if (!p.error) return "no error";
  return std::to_string(p.error->column) + ": " + p.error->message;
}

}  // namespace

TEST(Expr, ComparisonsWithUnits) {
  auto s = running_service();
  EXPECT_TRUE(eval("data_age > 60s", s));
  EXPECT_FALSE(eval("data_age > 2m", s));
  EXPECT_TRUE(eval("data_age > 60", s));  // a plain number is in the metric's base unit
  EXPECT_TRUE(eval("memory > 500MB", s));
  EXPECT_FALSE(eval("memory > 1GiB", s));
  EXPECT_TRUE(eval("cpu >= 85%", s));
  EXPECT_TRUE(eval("cpu > 80", s));
  EXPECT_TRUE(eval("uptime < 1h", s));
  EXPECT_TRUE(eval("lag > 2", s));
  EXPECT_TRUE(eval("threads == 4", s));
}

TEST(Expr, PrecedenceAndArithmetic) {
  auto s = running_service();
  EXPECT_TRUE(eval("cpu > 50 or memory > 1GB and data_age > 1h", s));  // and binds tighter
  EXPECT_FALSE(eval("(cpu > 50 or memory > 1GB) and data_age > 1h", s));
  EXPECT_TRUE(eval("not data_age > 1h", s));
  EXPECT_TRUE(eval("data_age - 60s > 10s", s));
  EXPECT_TRUE(eval("memory / 2 > 300MB", s));
  EXPECT_TRUE(eval("data_age / 1m > 1", s));  // a ratio of two durations is plain
  EXPECT_TRUE(eval("1 + 2 * 3 == 7", s));
  EXPECT_TRUE(eval("-cpu < 0", s));
}

TEST(Expr, StatesBooleansAndRestartWindows) {
  auto s = running_service();
  EXPECT_TRUE(eval("state == \"running\"", s));
  EXPECT_TRUE(eval("state != 'failed'", s));
  EXPECT_TRUE(eval("running", s));
  EXPECT_TRUE(eval("running == true and store_up", s));
  EXPECT_TRUE(eval("restarts(1m) == 1", s));
  EXPECT_TRUE(eval("restarts(10m) == 2", s));
  EXPECT_TRUE(eval("restarts(1h) > 2", s));
}

TEST(Expr, AMissingValueMakesItsComparisonFalse) {
  ServiceSnapshot s;  // stopped: no cpu, no data_age
  s.state = State::Stopped;
  EXPECT_FALSE(eval("cpu > 0", s));
  EXPECT_FALSE(eval("cpu <= 0", s));
  EXPECT_FALSE(eval("data_age > 60s", s));
  EXPECT_TRUE(eval("not running", s));
  EXPECT_FALSE(eval("store_up == false", s, std::nullopt));  // no store configured
  EXPECT_TRUE(eval("store_up == false", s, false));
  EXPECT_FALSE(eval("exit_code != 0", s));
  s.last_exit = LastExit{ExitStatus::from_wait_status(3 << 8), 1};
  EXPECT_TRUE(eval("exit_code == 3", s));
  EXPECT_FALSE(eval("exit_signal == 9", s));
  s.last_exit = LastExit{ExitStatus::from_wait_status(9), 1};
  EXPECT_TRUE(eval("exit_signal == 9", s));
  EXPECT_FALSE(eval("exit_code != 0", s));  // a signal death has no exit code
}

TEST(Expr, ThreeValuedEvaluationTellsNoValueFromFalse) {
  ServiceSnapshot s;  // stopped: no cpu, no memory
  s.state = State::Stopped;
  auto truth = [&](const std::string& text) {
    Parsed p = parse(text, {{"lag", Type::Plain}});
    EXPECT_FALSE(p.error) << text;
    return evaluate(*p.root, Context{&s, true});
  };
  EXPECT_EQ(truth("cpu > 80"), Truth::Unknown);
  EXPECT_EQ(truth("not (cpu > 80)"), Truth::Unknown);  // holds() says true here, as documented
  EXPECT_TRUE(eval("not (cpu > 80)", s));
  EXPECT_EQ(truth("running and cpu > 80"), Truth::False);   // decided without the missing value
  EXPECT_EQ(truth("not running or cpu > 80"), Truth::True);
  EXPECT_EQ(truth("cpu > 80 or memory > 1GB"), Truth::Unknown);
  EXPECT_EQ(truth("cpu + 1 > 80"), Truth::Unknown);
  EXPECT_EQ(truth("state == 'stopped'"), Truth::True);
  s.cpu = 90;
  EXPECT_EQ(truth("cpu > 80 or memory > 1GB"), Truth::True);
  EXPECT_EQ(truth("cpu > 80 and memory > 1GB"), Truth::Unknown);
  EXPECT_EQ(truth("cpu < 80 and memory > 1GB"), Truth::False);
}

TEST(Expr, SimpleThresholdsAreReadFromPlainComparisons) {
  auto th = [](const std::string& text) { return simple_threshold(*parse(text, {}).root); };
  EXPECT_EQ(th("data_age > 60s"), std::make_pair(std::string("data_age"), 60.0));
  EXPECT_EQ(th("1GB <= memory"), std::make_pair(std::string("memory"), 1e9));
  EXPECT_FALSE(th("data_age > 60s and running"));
  EXPECT_FALSE(th("uptime < 30s"));
}

TEST(ExprErrors, PointAtTheOffendingToken) {
  EXPECT_EQ(error_of("data_agee > 60s"), "1: unknown metric 'data_agee' (did you mean 'data_age'?)");
  EXPECT_EQ(error_of("cpu > 80% and memery > 1GB"), "15: unknown metric 'memery' (did you mean 'memory'?)");
  EXPECT_EQ(error_of("data_age > 500MB"), "12: cannot compare a duration with a size");
  EXPECT_EQ(error_of("state > \"running\""), "7: '>' compares numbers; a string can only be compared with == or !=");
  EXPECT_EQ(error_of("state == 5"), "10: cannot compare a string with a number");
  EXPECT_EQ(error_of("state == \"runing\""), "10: unknown state \"runing\" (did you mean 'running'?); states are stopped, starting, running, stopping, backoff, failed");
  EXPECT_EQ(error_of("data_age > 60x"), "14: unknown unit 'x' in '60x': use ms s m h d, B KB MB GB KiB MiB GiB, or %");
  EXPECT_EQ(error_of("data_age = 60s"), "10: '=' is not a comparison: write '=='");
  EXPECT_EQ(error_of("data_age"), "1: the condition must be true or false, but this is a duration (compare it: ... > 10)");
  EXPECT_EQ(error_of("(cpu > 1"), "9: expected ')'");
  EXPECT_EQ(error_of("cpu >"), "6: the expression ends too early");
  EXPECT_EQ(error_of("restarts > 3"), "10: restarts needs a window: restarts(10m)");
  EXPECT_EQ(error_of("restarts(5) > 3"), "10: restarts(WINDOW) takes a duration, e.g. restarts(10m)");
  EXPECT_EQ(error_of("cpu > 1 and 5"), "13: 'and' needs true/false on both sides, but this is a number");
  EXPECT_EQ(error_of("memory + 5s > 1GB"), "10: cannot add a duration to a size");
  EXPECT_EQ(error_of("data_age * 1s > 1"), "12: cannot multiply a duration by a duration");
}

// Each of these overflowed the stack (parser recursion, or the recursive destructor of a
// 300,000-deep chain) before the limits existed.
TEST(ExprErrors, DepthAndSizeAreBounded) {
  std::string parens = std::string(100, '(') + "running" + std::string(100, ')');
  EXPECT_EQ(error_of(parens), "33: nested more than 32 levels deep (parentheses, not, -)");
  std::string nots;
  for (int i = 0; i < 100; ++i) nots += "not ";
  EXPECT_EQ(error_of(nots + "running"), "129: nested more than 32 levels deep (parentheses, not, -)");
  EXPECT_EQ(error_of("cpu > " + std::string(100, '-') + "1"), "39: nested more than 32 levels deep (parentheses, not, -)");
  // The chaos run's 5,000 parentheses are first of all too many tokens.
  std::string deep = std::string(5000, '(') + "running" + std::string(5000, ')');
  EXPECT_EQ(error_of(deep).substr(0, 46), "1001: the expression is too long: at most 1000");
  std::string ands = "running";
  for (int i = 0; i < 300000; ++i) ands += " and running";
  EXPECT_EQ(error_of(ands), "16385: the expression is longer than 16384 characters");
  std::string many = "running";
  for (int i = 0; i < 600; ++i) many += " and running";
  EXPECT_EQ(error_of(many).substr(0, 46), "6001: the expression is too long: at most 1000");
  // What a real rule needs stays well inside the limits.
  std::string nested32 = std::string(32, '(') + "running" + std::string(32, ')');
  EXPECT_EQ(error_of(nested32), "no error");
  std::string wide = "running";
  for (int i = 0; i < 400; ++i) wide += " and running";
  EXPECT_EQ(error_of(wide), "no error");
}

TEST(ExprValues, FormattedWithTheirUnit) {
  auto s = running_service();
  Context ctx{&s, true};
  std::map<std::string, Type> custom{{"lag", Type::Plain}};
  EXPECT_EQ(metric_value("data_age", ctx, custom), "1m13s");
  EXPECT_EQ(metric_value("memory", ctx, custom), "612MB");
  EXPECT_EQ(metric_value("cpu", ctx, custom), "85.0%");
  EXPECT_EQ(metric_value("lag", ctx, custom), "2.5");
  EXPECT_EQ(metric_value("state", ctx, custom), "running");
  ServiceSnapshot stopped;
  Context none{&stopped, std::nullopt};
  EXPECT_EQ(metric_value("cpu", none, custom), "n/a");
}

// Probe and log metrics are dotted names; window functions read the histories the engine keeps.
TEST(ExprWindows, DottedMetricsAndWindowFunctionsParseAndEvaluate) {
  std::map<std::string, Type> custom = {{"probe.http", Type::Bool}, {"log.errors", Type::Plain},
                                        {"probe_latency.http", Type::Duration}, {"files", Type::Plain}};
  ServiceSnapshot s = running_service();
  s.custom["probe.http"] = 0;
  s.custom["log.errors"] = 0;
  s.custom["probe_latency.http"] = 0.2;
  s.custom["files"] = 0;
  WindowHistory h;
  Parsed inc = parse("increase(log.errors, 1m) > 3", custom);
  ASSERT_FALSE(inc.error) << inc.error->message;
  EXPECT_EQ(inc.windows.at("log.errors"), 60);
  Parsed upd = parse("updates(5m) < 1", custom);
  ASSERT_FALSE(upd.error) << upd.error->message;
  EXPECT_EQ(upd.windows.at(kUpdates), 300);
  WindowNeeds needs = inc.windows;
  needs.insert(upd.windows.begin(), upd.windows.end());
  needs["files"] = 60;
  h.set_needs(needs);
  auto reader = [&](const std::string& m) { return read_metric(m, s, true).present ? std::optional<double>(s.custom[m]) : std::nullopt; };
  Context ctx{&s, true, &h, 1000};
  // No history yet: no data, not "0 errors".
  EXPECT_EQ(evaluate(*inc.root, ctx), Truth::Unknown);
  for (int t = 0; t <= 60; t += 10) {
    s.custom["log.errors"] = t >= 50 ? 5 : 0;
    h.record(s.name, 1000 + t, reader, 100.0);
  }
  ctx.now = 1060;
  EXPECT_EQ(evaluate(*inc.root, ctx), Truth::True);
  EXPECT_EQ(evaluate(*parse("rate(log.errors, 1m) * 60 == 5", custom).root, ctx), Truth::True);
  EXPECT_EQ(evaluate(*parse("changes(log.errors, 1m) == 1", custom).root, ctx), Truth::True);
  EXPECT_EQ(evaluate(*parse("max_over(log.errors, 1m) == 5", custom).root, ctx), Truth::True);
  EXPECT_EQ(evaluate(*parse("min_over(log.errors, 1m) == 0", custom).root, ctx), Truth::True);
  // Five minutes were never seen: no data.
  EXPECT_EQ(evaluate(*upd.root, ctx), Truth::Unknown);
  EXPECT_EQ(evaluate(*parse("not probe.http", custom).root, ctx), Truth::True);
  EXPECT_EQ(evaluate(*parse("probe.http == false and probe_latency.http < 1s", custom).root, ctx), Truth::True);
  auto values = window_values(*inc.root, ctx);
  ASSERT_EQ(values.size(), 1u);
  EXPECT_EQ(values[0].first, "increase(log.errors, 1m)");
  EXPECT_EQ(values[0].second, "5");
}

TEST(ExprWindows, ErrorsSayHowToWriteThem) {
  std::map<std::string, Type> custom = {{"probe.http", Type::Bool}, {"log.errors", Type::Plain}};
  auto err = [&](const std::string& text) {
    Parsed p = parse(text, custom);
    return p.error ? std::to_string(p.error->column) + ": " + p.error->message : std::string("no error");
  };
  EXPECT_EQ(err("rate > 1"), "6: rate needs a metric and a window: rate(METRIC, WINDOW), e.g. rate(log.errors, 5m)");
  EXPECT_EQ(err("rate(log.errors) > 1"), "16: expected ',' and a window: rate(METRIC, WINDOW), e.g. rate(log.errors, 5m)");
  EXPECT_EQ(err("rate(log.errors, 5) > 1"), "18: the window must be a duration greater than 0: rate(METRIC, WINDOW), e.g. rate(log.errors, 5m)");
  EXPECT_EQ(err("avg_over(probe.http, 5m) > 1"), "10: avg_over needs a numeric metric; probe.http is a boolean");
  EXPECT_EQ(err("changes(probe.http, 5m) > 3"), "no error");
  EXPECT_EQ(err("increase(log.eror, 1m) > 1"), "10: unknown metric 'log.eror' (did you mean 'log.errors'?)");
  EXPECT_EQ(err("rate(rate(log.errors, 1m), 1m) > 1"), "6: rate takes a metric first: rate(METRIC, WINDOW), e.g. rate(log.errors, 5m)");
  EXPECT_EQ(err("updates(0s) < 1"), "9: the window must be a duration greater than 0: updates(5m)");
}
