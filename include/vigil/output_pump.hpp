#pragma once
// One child run's stdout and stderr → timestamped lines → its service's log file.
// Two ways, chosen at start():
//  - direct: under log_overflow = "block" without a line matcher, the pipes go to the writer
//    thread, which reads, prefixes and writes them (LogWriter::adopt_pipes); the pump only
//    answers from what that thread publishes. A matcher set later takes the pipes back.
//  - on the loop: it waits for readability, reads what is there (non-blocking), matches lines and
//    queues them for the writer; under "block" it stops waiting while the writer is behind, so the
//    child blocks on its own write instead of vigil buffering without bound.
// A pump outlives its child until both pipes reach EOF (grandchildren may still hold them).
//
// Line format in the log file: log_line_format.hpp.
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "vigil/line_matcher.hpp"
#include "vigil/line_splitter.hpp"
#include "vigil/log_writer.hpp"

namespace vigil {

class OutputPump : public std::enable_shared_from_this<OutputPump> {
 public:
  /// Takes ownership of both fds.
  static std::shared_ptr<OutputPump> create(boost::asio::io_context& io, int out_fd, int err_fd, LogWriter& writer,
                                            LogWriter::StreamId stream);
  ~OutputPump();
  void start();
  /// The writer caught up (block policy): read again.
  void resume();
  /// Shutdown: take what the pipes hold right now, then close them.
  void drain_and_close();

  /// The service's log_match / ready_log matcher: every line split here is fed to it (none: nullptr).
  /// A pump whose pipes the writer reads takes them back: the matcher works on the loop.
  void set_matcher(std::shared_ptr<LineMatcher> m);

  bool finished() const;
  /// When the child last wrote anything (steady clock), for output_idle.
  std::chrono::steady_clock::time_point last_output() const;
  /// Lines read from each stream so far.
  std::uint64_t stdout_lines() const { return feed_ ? feed_->lines[0].load() : out_.lines.lines(); }
  std::uint64_t stderr_lines() const { return feed_ ? feed_->lines[1].load() : err_.lines.lines(); }

 private:
  struct Pipe {
    boost::asio::posix::stream_descriptor sd;
    int fd;  // until start() gives it to `sd` or to the writer
    LineSplitter lines;
    const char* tag;
    bool open = true;
    bool waiting = false;
    Pipe(boost::asio::io_context& io, int f, const char* t) : sd(io), fd(f), tag(t) {}
  };

  OutputPump(boost::asio::io_context& io, int out_fd, int err_fd, LogWriter& writer, LogWriter::StreamId stream);
  void arm(Pipe& p);
  void read_on_loop(int out_fd, int err_fd);  // the fds not at EOF, -1 for one that is
  void on_readable(Pipe& p);
  // Reads until EAGAIN, EOF or `max_reads`; returns false at EOF or error.
  bool read_some(Pipe& p, int max_reads);
  void close(Pipe& p);
  void flush_partial(Pipe& p);  // a last line without '\n' is still a line
  void push(std::string&& chunk, std::size_t lines);

  LogWriter& writer_;
  LogWriter::StreamId stream_;
  Pipe out_, err_;
  bool paused_ = false;
  bool draining_ = false;
  std::chrono::steady_clock::time_point last_output_;
  std::shared_ptr<LineMatcher> matcher_;
  std::shared_ptr<PipeFeed> feed_;  // direct: what the writer thread publishes
};

}  // namespace vigil
