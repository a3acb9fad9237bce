// Child output → log files: complete, ordered, tagged, rotated.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>

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

// A small tmpfs mounted for one test, so a full disk is real. Needs root: callers skip otherwise.
class SmallDisk {
 public:
  SmallDisk(const std::string& path, const char* size) : path_(path) {
    std::filesystem::create_directories(path);
    mounted_ = ::mount("tmpfs", path.c_str(), "tmpfs", 0, (std::string("size=") + size).c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  /// Writes `file` until the disk is full.
  void fill(const std::string& file) const {
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    std::string block(64 * 1024, 'f');
    while (::write(fd, block.data(), block.size()) > 0) {
    }
    while (::write(fd, "f", 1) > 0) {
    }
    ::close(fd);
  }

 private:
  std::string path_;
  bool mounted_ = false;
};

#define REQUIRE_SMALL_DISK(disk)                                                                        \
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs as a full log disk (CI runs as root)"; \
  ASSERT_TRUE((disk).mounted()) << "mount -t tmpfs failed: " << std::strerror(errno)

// A service printing "tick 1", "tick 2", ... every 20 ms while `condition` (sh) holds.
std::string ticker(const std::string& condition) {
  return "[service.ticker]\ncommand = [\"sh\", \"-c\", \"i=0; while " + condition +
         "; do i=$((i+1)); echo tick $i; sleep 0.02; done\"]\nrestart = \"never\"\n";
}

// Every line of a service's log files, oldest file first.
std::vector<std::string> all_lines(const TempDir& dir, const std::string& svc, int keep) {
  std::vector<std::string> out;
  for (int i = keep; i >= 0; --i) {
    std::string f = dir / ("logs/" + svc + ".log" + (i ? "." + std::to_string(i) : ""));
    for (auto& l : lines_of(read_file(f))) out.push_back(l);
  }
  return out;
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

// Block mode on a full disk: output waits (the service blocks once its queue is full) and is
// written once space returns. Nothing is lost, and vigil says so.
TEST(Output, AFullLogDiskLosesNothingInBlockModeOnceSpaceReturns) {
  TempDir dir;
  SmallDisk disk(dir / "logs", "1m");
  REQUIRE_SMALL_DISK(disk);
  disk.fill(dir / "logs/filler");
  VigilRun vigil(dir, logs_config(dir, "log_overflow = \"block\"\n") + ticker("[ $i -lt 60 ]"));
  ASSERT_TRUE(vigil.wait_log("ticker: cannot write its log: cannot write " + (dir / "logs/ticker.log") +
                             ": No space left on device; its output is held and retried"))
      << vigil.log();
  std::filesystem::remove(dir / "logs/filler");
  ASSERT_TRUE(vigil.wait_log("ticker: child log writable again; no line was lost")) << vigil.log();
  ASSERT_TRUE(vigil.wait_log("ticker: running -> stopped (exited)")) << vigil.log();
  ASSERT_TRUE(wait_for([&] { return lines_of(read_file(dir / "logs/ticker.log")).size() >= 60; })) << vigil.log();
  auto lines = lines_of(read_file(dir / "logs/ticker.log"));
  ASSERT_EQ(lines.size(), 60u);
  for (int i = 0; i < 60; ++i) EXPECT_EQ(payload(lines[i], "out"), "tick " + std::to_string(i + 1));
}

// Drop mode on a full disk: the lines that could not be written are counted, marked in the file
// where they are missing, and the count is in vigil's log: every line is written or counted once.
TEST(Output, AFullLogDiskInDropModeCountsAndMarksTheLostLines) {
  TempDir dir;
  SmallDisk disk(dir / "logs", "1m");
  REQUIRE_SMALL_DISK(disk);
  disk.fill(dir / "logs/filler");
  VigilRun vigil(dir, logs_config(dir, "log_overflow = \"drop\"\n") + ticker("[ ! -e " + (dir / "done") + " ]"));
  ASSERT_TRUE(vigil.wait_log("ticker: child output is being lost: cannot write")) << vigil.log();
  std::filesystem::remove(dir / "logs/filler");
  ASSERT_TRUE(vigil.wait_log("ticker: child log writable again; ")) << vigil.log();
  write_file(dir / "done", "");
  ASSERT_TRUE(vigil.wait_log("ticker: running -> stopped (exited)")) << vigil.log();
  std::string log = vigil.log();
  auto at = log.find("ticker: child log writable again; ");
  unsigned long long reported = std::stoull(log.substr(at + std::strlen("ticker: child log writable again; ")));
  EXPECT_GT(reported, 0u);
  auto lines = lines_of(read_file(dir / "logs/ticker.log"));
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "--- vigil: " + std::to_string(reported) + " lines lost here: No space left on device ---");
  // The ticks written follow the lost ones without a gap: lost + written = all.
  int next = static_cast<int>(reported) + 1;
  for (std::size_t i = 1; i < lines.size(); ++i, ++next) EXPECT_EQ(payload(lines[i], "out"), "tick " + std::to_string(next));
}

// The repro from the chaos run: a 1 MB disk cannot hold log_keep + 1 files of log_max_size. A
// full disk now rotates early (dropping the oldest file frees its space), so the fast writer's log
// goes on and the slow one's lines resume; in block mode none of either is lost.
TEST(Output, AFullLogDiskRecoversByRotationAndTheQuietServiceResumes) {
  TempDir dir;
  SmallDisk disk(dir / "logs", "1m");
  REQUIRE_SMALL_DISK(disk);
  VigilRun vigil(dir, logs_config(dir, "log_overflow = \"block\"\nlog_max_size = \"400KB\"\nlog_keep = 2\n") +
                          "[service.fast]\ncommand = [\"seq\", \"1\", \"200000\"]\nrestart = \"never\"\n" +
                          ticker("[ $i -lt 100 ]"));
  ASSERT_TRUE(vigil.wait_log("fast: running -> stopped (exited)", 1, 60s)) << vigil.log();
  ASSERT_TRUE(vigil.wait_log("ticker: running -> stopped (exited)", 1, 30s)) << vigil.log();
  // The fast writer's newest lines, across its rotated files, run without a gap up to the last.
  ASSERT_TRUE(wait_for([&] {
    auto l = lines_of(read_file(dir / "logs/fast.log"));
    return !l.empty() && payload(l.back(), "out") == "200000";
  })) << vigil.log();
  auto fast = all_lines(dir, "fast", 2);
  long expected = std::stol(payload(fast.front(), "out"));
  for (const auto& l : fast) ASSERT_EQ(payload(l, "out"), std::to_string(expected++)) << l;
  EXPECT_TRUE(file_exists(dir / "logs/fast.log.2"));
  // The quiet service lost nothing either.
  auto ticks = all_lines(dir, "ticker", 2);
  ASSERT_EQ(ticks.size(), 100u) << vigil.log();
  for (int i = 0; i < 100; ++i) EXPECT_EQ(payload(ticks[i], "out"), "tick " + std::to_string(i + 1));
  EXPECT_EQ(vigil.log().find("lines were lost"), std::string::npos) << vigil.log();
}

// A write cut short by a full disk used to leave half a line glued to the next record. Records
// are written whole: the part that got out is cut back, and the record is written once space returns.
TEST(Output, AWriteCutShortByAFullDiskLeavesNoHalfLine) {
  TempDir dir;
  SmallDisk disk(dir / "logs", "1m");
  REQUIRE_SMALL_DISK(disk);
  std::string go = dir / "go";
  VigilRun vigil(dir, logs_config(dir, "log_overflow = \"block\"\n") +
                          "[service.writer]\ncommand = [\"sh\", \"-c\", \"echo first; while [ ! -e " + go +
                          " ]; do sleep 0.02; done; printf '%08000d\\\\n' 7; echo after\"]\nrestart = \"never\"\n");
  ASSERT_TRUE(wait_for([&] { return read_file(dir / "logs/writer.log").find("first") != std::string::npos; }));
  // The log file's page has room for part of the next record, the disk for nothing more.
  disk.fill(dir / "logs/filler");
  write_file(go, "");
  ASSERT_TRUE(vigil.wait_log("writer: cannot write its log")) << vigil.log();
  std::filesystem::remove(dir / "logs/filler");
  ASSERT_TRUE(vigil.wait_log("writer: running -> stopped (exited)")) << vigil.log();
  ASSERT_TRUE(wait_for([&] { return read_file(dir / "logs/writer.log").find("after") != std::string::npos; }))
      << vigil.log();
  auto lines = lines_of(read_file(dir / "logs/writer.log"));
  ASSERT_EQ(lines.size(), 3u) << read_file(dir / "logs/writer.log").substr(0, 200);
  EXPECT_EQ(payload(lines[0], "out"), "first");
  EXPECT_EQ(payload(lines[1], "out"), std::string(7999, '0') + "7");
  EXPECT_EQ(payload(lines[2], "out"), "after");
}

// A rotation that fails used to be ignored: the file grew past log_max_size without a word. It is
// reported once, and nothing is lost meanwhile. (A directory where the oldest rotated file should
// be makes unlink fail even for root.)
TEST(Output, ARotationThatFailsIsReportedOnceAndLosesNothing) {
  TempDir dir;
  std::filesystem::create_directories(dir / "logs/chatty.log.1");
  write_file(dir / "logs/chatty.log.1/pinned", "x");
  VigilRun vigil(dir, logs_config(dir, "log_max_size = \"1KB\"\nlog_keep = 1\n") +
                          "[service.chatty]\ncommand = [\"sh\", \"-c\", \"for i in $(seq 1 100); do echo line $i; sleep 0.005; done\"]\n"
                          "restart = \"never\"\n");
  ASSERT_TRUE(vigil.wait_log("chatty: running -> stopped (exited)")) << vigil.log();
  ASSERT_TRUE(vigil.wait_log("chatty: cannot rotate its log: cannot remove " + (dir / "logs/chatty.log.1") +
                             ": Is a directory; the file grows past log_max_size until rotation works"))
      << vigil.log();
  ASSERT_TRUE(wait_for([&] { return lines_of(read_file(dir / "logs/chatty.log")).size() == 100; })) << vigil.log();
  EXPECT_EQ(count_of(vigil.log(), "cannot rotate its log"), 1) << vigil.log();
}
