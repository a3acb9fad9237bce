#include "vigil/metrics.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include "vigil/expr.hpp"
#include "vigil/snapshot.hpp"

using namespace vigil;

namespace {

std::string read_doc(const std::string& relative) {
  std::ifstream in(std::string(VIGIL_SOURCE_DIR) + "/" + relative);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

// docs/health.md shows the metric table of the source, row for row.
TEST(MetricTable, DocsTableIsTheTable) {
  std::string doc = read_doc("docs/health.md");
  ASSERT_FALSE(doc.empty());
  std::string table = metric_table_markdown();
  EXPECT_NE(doc.find(table), std::string::npos) << "docs/health.md should contain exactly:\n" << table;
}

TEST(MetricTable, NamesAreUniqueAndDocumented) {
  std::set<std::string_view> names;
  for (const MetricDef& m : metric_table()) {
    EXPECT_TRUE(names.insert(m.name).second) << m.name;
    EXPECT_FALSE(m.doc.empty()) << m.name;
    EXPECT_EQ(find_metric(m.name), &m);
  }
  EXPECT_EQ(find_metric("no_such_metric"), nullptr);
}

// Every row parses in a rule with its own type, so a new row is usable in rules at once.
TEST(MetricTable, EveryRowIsARuleMetric) {
  for (const MetricDef& m : metric_table()) {
    if (m.name == "restarts") continue;  // a function of a window: restarts(10m)
    std::string text = m.type == MetricType::Bool     ? std::string(m.name)
                       : m.type == MetricType::String ? std::string(m.name) + " == \"running\""
                                                      : std::string(m.name) + " > 0";
    expr::Parsed p = expr::parse(text, {});
    EXPECT_FALSE(p.error) << text << ": " << (p.error ? p.error->message : "");
  }
}

// The snapshot's `metrics` object has a key for each row marked for it, plus the custom ones; a
// metric with no value is null, never 0.
TEST(MetricTable, SnapshotJsonWritesTheMarkedRows) {
  Snapshot snap;
  ServiceSnapshot s;
  s.name = "a";
  s.state = State::Running;
  s.cpu = 12.5;
  s.custom["lag"] = 3;
  s.custom["queue"] = std::nullopt;
  snap.services.push_back(s);
  auto m = nlohmann::json::parse(to_json(snap))["services"][0]["metrics"];
  std::set<std::string> expected = {"lag", "queue"};
  for (const MetricDef& d : metric_table())
    if (d.in_status_json) expected.insert(std::string(d.name));
  std::set<std::string> keys;
  for (auto it = m.begin(); it != m.end(); ++it) keys.insert(it.key());
  EXPECT_EQ(keys, expected);
  EXPECT_EQ(m["running"], true);
  EXPECT_EQ(m["cpu"], 12.5);
  EXPECT_TRUE(m["memory"].is_null());
  EXPECT_EQ(m["lag"], 3);
  EXPECT_TRUE(m["queue"].is_null());
}

TEST(MetricTable, ReadAndFormat) {
  ServiceSnapshot s;
  s.state = State::Stopped;
  s.custom["lag"] = 2.5;
  EXPECT_EQ(format_metric(MetricType::Bool, read_metric("running", s, std::nullopt)), "false");
  EXPECT_EQ(format_metric(MetricType::String, read_metric("state", s, std::nullopt)), "stopped");
  EXPECT_EQ(format_metric(MetricType::Percent, read_metric("cpu", s, std::nullopt)), "n/a");
  EXPECT_EQ(format_metric(MetricType::Bool, read_metric("store_up", s, std::nullopt)), "n/a");
  EXPECT_EQ(format_metric(MetricType::Bool, read_metric("store_up", s, true)), "true");
  EXPECT_EQ(format_metric(MetricType::Plain, read_metric("lag", s, std::nullopt)), "2.5");
  EXPECT_FALSE(read_metric("nothing", s, true).present);
}

// docs/jobs.md shows the job metric table of the source, row for row.
TEST(JobMetricTable, DocsTableIsTheTable) {
  std::string doc = read_doc("docs/jobs.md");
  ASSERT_FALSE(doc.empty());
  std::string table = job_metric_table_markdown();
  EXPECT_NE(doc.find(table), std::string::npos) << "docs/jobs.md should contain exactly:\n" << table;
}
