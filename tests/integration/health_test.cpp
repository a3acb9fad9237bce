// Process sampling end to end: real hog children, numbers read back from status.json.
#include <gtest/gtest.h>

#include "test_support.hpp"

using namespace vt;

namespace {
const char* kFastSampling = "[vigil]\nsample_interval = \"200ms\"\n";
}

TEST(Health, ABurningGrandchildCountsTowardTheServicesCpu) {
  TempDir dir;
  // The main process only waits; its child does the burning.
  VigilRun vigil(dir, std::string(kFastSampling) +
                          "[service.hog]\ncommand = [\"sh\", \"-c\", \"sh -c 'while :; do :; done' & wait\"]\n");
  double seen = 0;
  bool hot = wait_for([&] {
    seen = vigil.metric("hog", "cpu").value_or(0);
    return seen >= 60;  // one core is 100; leave room for a loaded machine
  });
  EXPECT_TRUE(hot) << "cpu stayed at " << seen << "%\n" << vigil.status().dump(2);
  EXPECT_LE(seen, 110);
  EXPECT_GE(vigil.metric("hog", "threads").value_or(0), 2);  // main + burner, one thread each
}

TEST(Health, MemoryOfATreeThatTouched200MBIsAtLeast200MB) {
  TempDir dir;
  VigilRun vigil(dir, std::string(kFastSampling) +
                          "[service.fat]\ncommand = [\"python3\", \"-c\", "
                          "\"import time; b = b'x' * 200_000_000; print('allocated', flush=True); time.sleep(1000)\"]\n");
  double mem = 0;
  EXPECT_TRUE(wait_for([&] {
    mem = vigil.metric("fat", "memory").value_or(0);
    return mem >= 200e6;
  })) << "memory " << mem;
  EXPECT_LT(mem, 400e6);
}

TEST(Health, AnIdleServiceHasLowCpuAndItsOutputIdleGrows) {
  TempDir dir;
  VigilRun vigil(dir, std::string(kFastSampling) +
                          "[service.quiet]\ncommand = [\"sh\", \"-c\", \"echo hello; exec sleep 1000\"]\n");
  ASSERT_TRUE(wait_for([&] { return vigil.metric("quiet", "output_idle").value_or(0) >= 1.0; }))
      << vigil.status().dump(2);
  auto cpu = vigil.metric("quiet", "cpu");
  ASSERT_TRUE(cpu);
  EXPECT_LT(*cpu, 5);
  EXPECT_GE(vigil.metric("quiet", "fds").value_or(0), 3);
}

TEST(Health, StatusRecordsTheLastExitRestartsAndTheBackoffCountdown) {
  TempDir dir;
  VigilRun vigil(dir, "[service.crashy]\ncommand = [\"sh\", \"-c\", \"exit 3\"]\nrestart_delay = \"5s\"\n");
  ASSERT_TRUE(wait_for([&] { return vigil.service("crashy")["state"] == "backoff"; })) << vigil.status().dump(2);
  nlohmann::json s = vigil.service("crashy");
  EXPECT_EQ(s["last_exit"]["code"], 3);
  EXPECT_TRUE(s["last_exit"]["signal"].is_null());
  EXPECT_GT(s["next_start_in"].get<double>(), 3.0);
  EXPECT_TRUE(s["metrics"]["cpu"].is_null());  // not running: no value, not zero
  EXPECT_EQ(s["metrics"]["running"], false);
}
