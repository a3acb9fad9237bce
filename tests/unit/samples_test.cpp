#include "vigil/samples.hpp"

#include <gtest/gtest.h>

#include "vigil/snapshot.hpp"

using namespace vigil;

namespace {

ServiceSnapshot running(const std::string& name, pid_t pid) {
  ServiceSnapshot s;
  s.name = name;
  s.state = State::Running;
  s.pid = pid;
  s.custom["lag"] = std::nullopt;  // declared by the service
  return s;
}

}  // namespace

TEST(SampleTable, FillsWhatWasSampledForTheCurrentRun) {
  SampleTable t;
  TreeSample tree;
  tree.cpu = 12.5;
  tree.memory = 4096;
  tree.threads = 3;
  tree.fds = 7;
  tree.processes = 2;
  t.set_proc("a", 100, tree);
  t.set_store({"a", 1000.0, {{"lag", 2.5}, {"undeclared", 1.0}}, ""});

  ServiceSnapshot s = running("a", 100);
  t.fill(s, 1010.0);
  EXPECT_EQ(s.cpu, 12.5);
  EXPECT_EQ(s.memory, 4096);
  EXPECT_EQ(s.threads, 3);
  EXPECT_EQ(s.fds, 7);
  EXPECT_EQ(s.data_age, 10.0);
  EXPECT_EQ(s.custom.at("lag"), 2.5);
  EXPECT_FALSE(s.custom.count("undeclared")) << "only what the service declares";

  // A new run (another main pid) has no /proc values until its own sample.
  ServiceSnapshot next = running("a", 200);
  t.fill(next, 1010.0);
  EXPECT_FALSE(next.cpu);
  EXPECT_FALSE(next.memory);
  EXPECT_EQ(next.data_age, 10.0);  // the store's reading is about the data, not the run
}

TEST(SampleTable, NoValueIsNotZero) {
  SampleTable t;
  t.set_store({"a", std::nullopt, {{"lag", std::nullopt}}, "key 'x' does not exist"});
  ServiceSnapshot s = running("a", 100);
  t.fill(s, 1000.0);
  EXPECT_FALSE(s.data_age);
  EXPECT_FALSE(s.custom.at("lag"));
  EXPECT_EQ(s.store_error, "key 'x' does not exist");
  ServiceSnapshot stopped = running("a", 0);
  stopped.state = State::Stopped;
  t.set_proc("a", 0, TreeSample{});
  t.fill(stopped, 1000.0);
  EXPECT_FALSE(stopped.cpu);
}

TEST(SampleTable, AFutureTimestampReadsAsFreshAndForgetDrops) {
  SampleTable t;
  t.set_store({"a", 1005.0, {}, ""});
  ServiceSnapshot s = running("a", 1);
  t.fill(s, 1000.0);
  EXPECT_EQ(s.data_age, 0.0);
  t.forget("a");
  EXPECT_EQ(t.size(), 0u);
  ServiceSnapshot again = running("a", 1);
  t.fill(again, 1000.0);
  EXPECT_FALSE(again.data_age);
}

// The store went down after its last read (the live status between two samples): the values that
// read found are not known now, as after a failed read; the /proc figures stay.
TEST(SampleTable, WhileTheStoreIsDownItsEarlierValuesAreNotShown) {
  SampleTable t;
  TreeSample tree;
  tree.cpu = 1;
  tree.processes = 1;
  t.set_proc("a", 100, tree);
  t.set_store({"a", 1000.0, {{"lag", 2.5}}, ""});
  std::string why = "Connection refused";
  ServiceSnapshot s = running("a", 100);
  t.fill(s, 1010.0, &why);
  EXPECT_EQ(s.cpu, 1);
  EXPECT_FALSE(s.data_age);
  EXPECT_FALSE(s.custom.at("lag"));
  EXPECT_EQ(s.store_error, "store unavailable: Connection refused");
}
