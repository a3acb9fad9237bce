// The output pump and the log writer at their seam: real pipes on a real Asio loop, real files,
// rotation by size.
#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

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
  // About 10 KB in separate reads: several rotations' worth.
  for (int i = 0; i < 100; ++i) {
    out.write("line " + std::to_string(i) + " " + std::string(60, 'x') + "\n");
    io.restart();
    io.poll();
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
