// Child output → log files: complete, ordered, tagged, rotated.
#include <gtest/gtest.h>

#include <csignal>

#include "test_support.hpp"

using namespace vt;

namespace {

std::string logs_config(const TempDir& dir, const std::string& extra_vigil = "") {
  return "[vigil]\nlog_dir = \"" + (dir / "logs") + "\"\n" + extra_vigil;
}

// "2026-11-22T18:45:01.123Z out text" → "text" (and checks the shape on the way).
std::string payload(const std::string& line, const char* tag) {
  std::string want = std::string(" ") + tag + " ";
  if (line.size() < 25 || line[10] != 'T' || line[23] != 'Z' || line.compare(24, want.size(), want) != 0) return "<bad:" + line + ">";
  return line.substr(24 + want.size());
}

}  // namespace

TEST(Output, TwoHundredThousandLinesArriveCompleteAndInOrderInBlockMode) {
  TempDir dir;
  VigilRun vigil(dir, logs_config(dir, "log_overflow = \"block\"\nlog_max_size = \"1GB\"\n") +
                          "[service.firehose]\ncommand = [\"seq\", \"1\", \"200000\"]\nrestart = \"never\"\n");
  ASSERT_TRUE(vigil.wait_log("firehose: running -> stopped (exited)")) << vigil.log();
  std::vector<std::string> lines;
  ASSERT_TRUE(wait_for([&] {
    lines = lines_of(read_file(dir / "logs/firehose.log"));
    return lines.size() >= 200000;
  })) << lines.size() << " lines";
  ASSERT_EQ(lines.size(), 200000u);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    ASSERT_EQ(payload(lines[i], "out"), std::to_string(i + 1)) << "line " << i + 1;
  }
}

TEST(Output, StdoutAndStderrAreTaggedAndAFinalPartialLineIsKept) {
  TempDir dir;
  VigilRun vigil(dir, logs_config(dir) +
                          "[service.talker]\ncommand = [\"sh\", \"-c\", \"echo to-out; echo to-err >&2; "
                          "printf 'no newline at the end'\"]\nrestart = \"never\"\n");
  ASSERT_TRUE(vigil.wait_log("talker: running -> stopped (exited)")) << vigil.log();
  std::vector<std::string> lines;
  ASSERT_TRUE(wait_for([&] {
    lines = lines_of(read_file(dir / "logs/talker.log"));
    return lines.size() >= 3;
  }));
  std::string all = read_file(dir / "logs/talker.log");
  EXPECT_NE(all.find("Z out to-out\n"), std::string::npos) << all;
  EXPECT_NE(all.find("Z err to-err\n"), std::string::npos) << all;
  EXPECT_NE(all.find("Z out no newline at the end\n"), std::string::npos) << all;
}

TEST(Output, RotationKeepsLogKeepFiles) {
  TempDir dir;
  // Each run writes ~40 KB; with a 10 KB limit every run rotates.
  VigilRun vigil(dir, logs_config(dir, "log_max_size = \"10KB\"\nlog_keep = 2\n") +
                          "[service.chatty]\ncommand = [\"sh\", \"-c\", \"seq -f 'line %g of a chatty run' 1 1500; "
                          "date +%s%N >> " + (dir / "runs") + "\"]\nrestart_delay = \"20ms\"\nstart_limit_burst = 1000\n");
  ASSERT_TRUE(wait_for([&] { return lines_of(read_file(dir / "runs")).size() >= 6; })) << vigil.log();
  ASSERT_TRUE(wait_for([&] { return file_exists(dir / "logs/chatty.log.2"); }));
  vigil.signal(SIGTERM);
  ASSERT_EQ(vigil.wait_exit(), 0);
  EXPECT_TRUE(file_exists(dir / "logs/chatty.log"));
  EXPECT_TRUE(file_exists(dir / "logs/chatty.log.1"));
  EXPECT_TRUE(file_exists(dir / "logs/chatty.log.2"));
  EXPECT_FALSE(file_exists(dir / "logs/chatty.log.3"));
  // Rotation happens between whole lines: every line of every file is well formed.
  for (const char* f : {"logs/chatty.log.1", "logs/chatty.log.2"})
    for (const auto& l : lines_of(read_file(dir / f))) ASSERT_EQ(payload(l, "out").rfind("line ", 0), 0u) << l;
}

TEST(Output, AnUnwritableLogDirectoryDegradesLoggingNotSupervision) {
  TempDir dir;
  write_file(dir / "not-a-dir", "a file where the log directory should be");
  VigilRun vigil(dir, "[vigil]\nlog_dir = \"" + (dir / "not-a-dir") + "\"\n" +
                          "[service.survivor]\ncommand = [\"sh\", \"-c\", \"echo hi; date +%s%N >> " + (dir / "runs") +
                          "; exit 1\"]\nrestart_delay = \"50ms\"\nstart_limit_burst = 1000\n");
  ASSERT_TRUE(vigil.wait_log("survivor: child output is being lost: cannot open")) << vigil.log();
  // Supervision goes on: the service keeps being restarted, and the error is reported once, not per line.
  ASSERT_TRUE(wait_for([&] { return lines_of(read_file(dir / "runs")).size() >= 4; }));
  EXPECT_EQ(count_of(vigil.log(), "child output is being lost"), 1) << vigil.log();
}
