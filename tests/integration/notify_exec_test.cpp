// The exec delivery adapter at its seam: a real child, a real pipe, real timeouts.
#include <gtest/gtest.h>

#include <future>

#include "test_support.hpp"
#include "vigil/notify_delivery.hpp"

using namespace vt;

namespace {

std::string deliver_in_time(const vigil::NotifierSpec& spec, const std::string& input, std::atomic<bool>& cancel) {
  auto attempt = std::async(std::launch::async, [&] { return vigil::deliver_exec(spec, input, {}, cancel); });
  if (attempt.wait_for(kDeadline) != std::future_status::ready) {
    // The attempt hangs: nothing can unblock it, so end the test run rather than hang it.
    ADD_FAILURE() << "deliver_exec did not return within " << kDeadline.count() << " ms";
    std::_Exit(1);
  }
  return attempt.get();
}

// A command that never reads its stdin.
vigil::NotifierSpec deaf(std::chrono::milliseconds timeout) {
  vigil::NotifierSpec spec;
  spec.name = "deaf";
  spec.command = {"sleep", "30"};
  spec.timeout = timeout;
  return spec;
}

}  // namespace

// A blocking write of the alert used to come before the timeout: with more than a pipe holds and
// a command that never reads its stdin, the attempt (and vigil's exit, which joins it) hung.
TEST(NotifyExec, AnInputThatOutgrowsThePipeIsWrittenUnderTheTimeout) {
  std::atomic<bool> cancel{false};
  EXPECT_EQ(deliver_in_time(deaf(std::chrono::milliseconds(500)), std::string(1 << 20, 'x'), cancel), "killed after its timeout of 500ms");
}

TEST(NotifyExec, CancellingEndsAnAttemptStuckWritingTheInput) {
  std::atomic<bool> cancel{false};
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // vigil stopping, while the write waits
    cancel = true;
  });
  EXPECT_EQ(deliver_in_time(deaf(std::chrono::seconds(60)), std::string(1 << 20, 'x'), cancel),
            "killed because vigil is stopping");
  stopper.join();
}

TEST(NotifyExec, ALargeInputReachesACommandThatReadsIt) {
  TempDir dir;
  vigil::NotifierSpec spec;
  spec.name = "reader";
  spec.command = {"sh", "-c", "wc -c > " + (dir / "count")};
  spec.timeout = std::chrono::seconds(10);
  std::atomic<bool> cancel{false};
  EXPECT_EQ(deliver_in_time(spec, std::string(1 << 20, 'x'), cancel), "");
  EXPECT_EQ(read_file(dir / "count"), "1048576\n");
}
