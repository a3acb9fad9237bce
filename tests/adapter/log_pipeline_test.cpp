// The output pump and the log writer at their seam: real pipes on a real Asio loop, real files,
// rotation by size.
#include <fcntl.h>
#include <unistd.h>

#include <csignal>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "vigil/line_matcher.hpp"
#include "vigil/log_writer.hpp"
#include "vigil/output_pump.hpp"

using namespace vigil;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/vigil-adapter-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Pipe {
  int r = -1, w = -1;
  Pipe() {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    r = fds[0];
    w = fds[1];
    ::fcntl(r, F_SETFL, O_NONBLOCK);
  }
  void write(const std::string& s) const { EXPECT_EQ(::write(w, s.data(), s.size()), static_cast<ssize_t>(s.size())); }
};

// Runs the loop until the pump has seen EOF on both pipes (bounded).
void run_until_finished(boost::asio::io_context& io, const std::shared_ptr<OutputPump>& pump) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!pump->finished() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(pump->finished());
}

}  // namespace

TEST(LogPipeline, LinesArriveTimestampedAndTaggedByStream) {
  TempDir dir;
  boost::asio::io_context io;
  LogWriter writer({});
  LogFileOptions opt;
  opt.path = (dir.path / "svc.log").string();
  LogWriter::StreamId id = writer.add_stream(opt);
  Pipe out, err;
  auto pump = OutputPump::create(io, out.r, err.r, writer, id);
  pump->start();
  out.write("first line\nsecond ");
  err.write("an error\n");
  out.write("half\nno newline at the end");
  ::close(out.w);
  ::close(err.w);
  run_until_finished(io, pump);
  writer.flush();
  std::string log = slurp(opt.path);
  // 2026-11-22T18:45:01.123Z out first line
  EXPECT_NE(log.find("Z out first line\n"), std::string::npos) << log;
  EXPECT_NE(log.find("Z out second half\n"), std::string::npos) << log;
  EXPECT_NE(log.find("Z err an error\n"), std::string::npos) << log;
  EXPECT_NE(log.find("Z out no newline at the end\n"), std::string::npos) << log;
  EXPECT_EQ(log.size() > 24 ? log[4] : ' ', '-') << log;
}

TEST(LogPipeline, RotatesBySizeAndKeepsTheConfiguredNumber) {
  TempDir dir;
  boost::asio::io_context io;
  LogWriter writer({});
  LogFileOptions opt;
  opt.path = (dir.path / "svc.log").string();
  opt.max_size = 2000;
  opt.keep = 2;
  LogWriter::StreamId id = writer.add_stream(opt);
  Pipe out, err;
  auto pump = OutputPump::create(io, out.r, err.r, writer, id);
  pump->start();
  ::close(err.w);
  // About 10 KB in separate reads (each line read before the next is written): several rotations' worth.
  for (int i = 0; i < 100; ++i) {
    out.write("line " + std::to_string(i) + " " + std::string(60, 'x') + "\n");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (pump->stdout_lines() < static_cast<std::uint64_t>(i + 1) && std::chrono::steady_clock::now() < deadline) {
      io.restart();
      io.run_for(std::chrono::milliseconds(1));
    }
  }
  ::close(out.w);
  run_until_finished(io, pump);
  writer.flush();
  EXPECT_TRUE(fs::exists(opt.path));
  EXPECT_TRUE(fs::exists(opt.path + ".1"));
  EXPECT_TRUE(fs::exists(opt.path + ".2"));
  EXPECT_FALSE(fs::exists(opt.path + ".3")) << "keep = 2";
  for (const std::string& p : {opt.path, opt.path + ".1", opt.path + ".2"})
    EXPECT_LE(fs::file_size(p), opt.max_size + 1000) << p;  // the chunk of one read may straddle it
  EXPECT_NE(slurp(opt.path).find("line 99 "), std::string::npos) << "the newest lines are in the live file";
}

namespace {

// Waits (bounded) until `done` holds, running the loop meanwhile.
template <class Done>
bool run_until(boost::asio::io_context& io, Done done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(std::chrono::milliseconds(1));
  }
  return done();
}

// One service's log: a writer with one stream, a pump on two fresh pipes (started).
struct Pipeline {
  TempDir dir;
  boost::asio::io_context io;
  LogWriter writer{{}};
  LogFileOptions opt;
  LogWriter::StreamId id;
  Pipe out, err;
  std::shared_ptr<OutputPump> pump;
  explicit Pipeline(OverflowPolicy overflow) {
    opt.path = (dir.path / "svc.log").string();
    opt.overflow = overflow;
    id = writer.add_stream(opt);
    pump = OutputPump::create(io, out.r, err.r, writer, id);
  }
  std::string log() const { return slurp(opt.path); }
};

}  // namespace

TEST(LogPipeline, UnderDropTheLoopReadsAndTheLinesAreTheSame) {
  Pipeline p(OverflowPolicy::Drop);
  EXPECT_FALSE(p.writer.reads_pipes(p.id)) << "a stalled disk must never block a drop-policy child";
  p.pump->start();
  p.out.write("first line\nno newline at the end");
  p.err.write("an error\n");
  ::close(p.out.w);
  ::close(p.err.w);
  run_until_finished(p.io, p.pump);
  p.writer.flush();
  std::string log = p.log();
  EXPECT_NE(log.find("Z out first line\n"), std::string::npos) << log;
  EXPECT_NE(log.find("Z err an error\n"), std::string::npos) << log;
  EXPECT_NE(log.find("Z out no newline at the end\n"), std::string::npos) << log;
  EXPECT_EQ(p.pump->stdout_lines(), 2u);
  EXPECT_EQ(p.pump->stderr_lines(), 1u);
}

TEST(LogPipeline, TheWriterReadsABlockPolicyPipeAndTellsTheLoopWhatItSaw) {
  Pipeline p(OverflowPolicy::Block);
  ASSERT_TRUE(p.writer.reads_pipes(p.id));
  p.pump->start();
  auto before = p.pump->last_output();
  p.out.write("one\ntwo\n");
  // Nothing runs on the loop: the writer thread reads, and says so through the pump.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (p.pump->stdout_lines() < 2 && std::chrono::steady_clock::now() < deadline) ::usleep(1000);
  EXPECT_EQ(p.pump->stdout_lines(), 2u);
  EXPECT_GT(p.pump->last_output(), before) << "the writer's read is the child's last output";
  EXPECT_FALSE(p.pump->finished());
  p.err.write("oops\n");
  ::close(p.err.w);
  ::close(p.out.w);
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!p.pump->finished() && std::chrono::steady_clock::now() < deadline) ::usleep(1000);
  ASSERT_TRUE(p.pump->finished());
  // Finished means written: no flush needed.
  std::string log = p.log();
  EXPECT_NE(log.find("Z out one\n"), std::string::npos) << log;
  EXPECT_NE(log.find("Z out two\n"), std::string::npos) << log;
  EXPECT_NE(log.find("Z err oops\n"), std::string::npos) << log;
  EXPECT_EQ(p.pump->stderr_lines(), 1u);
}

TEST(LogPipeline, AMatcherSetOnALivePumpTakesThePipesBackWithTheHalfLine) {
  Pipeline p(OverflowPolicy::Block);
  p.pump->start();
  p.out.write("before\nan ERR");
  // One write, so one read: once the writer thread has the whole line, it holds the half one too.
  ASSERT_TRUE(run_until(p.io, [&] { return p.pump->stdout_lines() == 1; }));
  // A reload adds log_match: from now on the loop splits the lines and the matcher sees them.
  auto matcher = std::make_shared<LineMatcher>(std::vector<std::pair<std::string, std::string>>{{"errors", "ERROR"}}, "");
  p.pump->set_matcher(matcher);
  p.out.write("OR here\nERROR again\n");
  ::close(p.out.w);
  ::close(p.err.w);
  run_until_finished(p.io, p.pump);
  p.writer.flush();
  std::string log = p.log();
  EXPECT_NE(log.find("Z out before\n"), std::string::npos) << log;
  EXPECT_NE(log.find("Z out an ERROR here\n"), std::string::npos) << "the half line kept across the hand-back\n" << log;
  EXPECT_NE(log.find("Z out ERROR again\n"), std::string::npos) << log;
  EXPECT_EQ(p.pump->stdout_lines(), 3u);
  EXPECT_EQ(matcher->counters().at(0).count, 2u);
}

TEST(LogPipeline, ShutdownWritesWhatTheWritersPipesHoldAndClosesThem) {
  TempDir dir;
  LogFileOptions opt;
  opt.path = (dir.path / "svc.log").string();
  Pipe out, err;
  {
    boost::asio::io_context io;
    LogWriter writer({});
    LogWriter::StreamId id = writer.add_stream(opt);
    auto pump = OutputPump::create(io, out.r, err.r, writer, id);
    pump->start();
    out.write("still in the pipe\nand a half line");
    // A grandchild keeps the write ends open: the pipes never reach EOF on their own.
    pump->drain_and_close();
  }  // the writer drains before it stops
  std::string log = slurp(opt.path);
  EXPECT_NE(log.find("Z out still in the pipe\n"), std::string::npos) << log;
  EXPECT_NE(log.find("Z out and a half line\n"), std::string::npos) << log;
  // Our read ends are closed: writing now fails with EPIPE.
  auto old_handler = ::signal(SIGPIPE, SIG_IGN);
  EXPECT_EQ(::write(out.w, "x", 1), -1);
  EXPECT_EQ(errno, EPIPE);
  ::signal(SIGPIPE, old_handler);
  ::close(out.w);
  ::close(err.w);
}
