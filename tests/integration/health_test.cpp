// Process sampling end to end: real hog children, numbers read back from the live status.
#include <gtest/gtest.h>

#include <filesystem>

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
    // The main process only waits, so any sustained CPU is the grandchild's. No share is asserted:
    // on a saturated 2-core machine a busy loop may get 10-20% of a core.
    return seen >= 10;
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

TEST(Health, FdsCountsEveryOpenFileOfTheTree) {
  TempDir dir;
  // stdin/stdout/stderr plus seven more, inherited by sleep.
  VigilRun vigil(dir, std::string(kFastSampling) +
                          "[service.holder]\ncommand = [\"sh\", \"-c\", "
                          "\"exec 3</dev/null 4</dev/null 5</dev/null 6</dev/null 7</dev/null 8</dev/null 9</dev/null; "
                          "exec sleep 1000\"]\n");
  double fds = 0;
  EXPECT_TRUE(wait_for([&] {
    fds = vigil.metric("holder", "fds").value_or(0);
    return fds == 10;
  })) << "fds " << fds;
}

TEST(Health, ATreeOfTwoThousandProcessesIsCountedWhole) {
  TempDir dir;
  // The shell's children list is longer than one read of /proc (≥ 10 KB of pids).
  VigilRun vigil(dir, std::string(kFastSampling) +
                          "[service.wide]\ncommand = [\"sh\", \"-c\", "
                          "\"i=0; while [ $i -lt 2000 ]; do sleep 1000 & i=$((i+1)); done; echo spawned; wait\"]\n");
  ASSERT_TRUE(wait_for([&] { return read_file(dir / "state/vigil/logs/wide.log").find("spawned") != std::string::npos; },
                       std::chrono::seconds(60)));
  double threads = 0;
  EXPECT_TRUE(wait_for([&] {
    threads = vigil.metric("wide", "threads").value_or(0);
    return threads == 2001;
  })) << "threads " << threads;
}

namespace {
std::size_t open_fds(pid_t pid) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) ++n;
  return n;
}
}  // namespace

TEST(Health, ProcessesThatComeAndGoLeaveNoFdsOpenInVigil) {
  TempDir dir;
  // Forty short-lived children a second: each is sampled while alive, then exits.
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"50ms\"\n"
                      "[service.churn]\ncommand = [\"sh\", \"-c\", \"while :; do sleep 0.025; done\"]\n");
  ASSERT_TRUE(wait_for([&] { return vigil.metric("churn", "cpu").has_value(); })) << vigil.status().dump(2);
  // Let many children be born, sampled and die; vigil's own fd count must not follow them.
  std::size_t before = open_fds(vigil.pid());
  std::size_t most = before;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  wait_for([&] {
    most = std::max(most, open_fds(vigil.pid()));
    return std::chrono::steady_clock::now() > until;
  });
  // Three kept files per live process of the tree (the shell and at most one sleep): a few fds
  // of slack, never some per child that ever lived (~80 children by now).
  EXPECT_LE(most, before + 6) << "vigil's fds grew from " << before << " to " << most;
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
