#include "vigil/output_pump.hpp"

#include <unistd.h>

#include <cerrno>
#include <utility>

#include "vigil/log_line_format.hpp"

namespace vigil {
namespace {

constexpr std::size_t kReadSize = 64 * 1024;

// One read buffer and one clock cache for the whole loop thread: pumps only use them inside a handler.
thread_local char t_buffer[kReadSize];
thread_local LogTimestamp t_clock;

}  // namespace

std::shared_ptr<OutputPump> OutputPump::create(boost::asio::io_context& io, int out_fd, int err_fd, LogWriter& writer,
                                               LogWriter::StreamId stream) {
  return std::shared_ptr<OutputPump>(new OutputPump(io, out_fd, err_fd, writer, stream));
}

OutputPump::OutputPump(boost::asio::io_context& io, int out_fd, int err_fd, LogWriter& writer,
                       LogWriter::StreamId stream)
    : writer_(writer),
      stream_(stream),
      out_(io, out_fd, "out"),
      err_(io, err_fd, "err"),
      last_output_(std::chrono::steady_clock::now()) {}

void OutputPump::start() {
  int out_fd = std::exchange(out_.fd, -1), err_fd = std::exchange(err_.fd, -1);
  if (!matcher_ && writer_.reads_pipes(stream_)) {
    feed_ = writer_.adopt_pipes(stream_, out_fd, err_fd);
    out_.open = err_.open = false;  // the writer's now
    return;
  }
  read_on_loop(out_fd, err_fd);
}

OutputPump::~OutputPump() {
  for (int fd : {out_.fd, err_.fd})  // never started
    if (fd >= 0) ::close(fd);
}

void OutputPump::read_on_loop(int out_fd, int err_fd) {
  for (auto [p, fd] : {std::pair{&out_, out_fd}, std::pair{&err_, err_fd}}) {
    p->open = fd >= 0;
    if (!p->open) continue;
    boost::system::error_code ec;
    p->sd.assign(fd, ec);
    if (ec) {  // the loop's epoll refused it (out of memory): the child's writes then fail
      ::close(fd);
      p->open = false;
      continue;
    }
    arm(*p);
  }
}

void OutputPump::set_matcher(std::shared_ptr<LineMatcher> m) {
  matcher_ = std::move(m);
  if (!matcher_ || !feed_) return;
  // The matcher's state lives on the loop: the lines must be split here from now on.
  int fds[2];
  LineSplitter split[2];
  writer_.reclaim_pipes(*feed_, fds, split);
  out_.lines = std::move(split[0]);
  err_.lines = std::move(split[1]);
  last_output_ = last_output();
  feed_.reset();
  read_on_loop(fds[0], fds[1]);
}

bool OutputPump::finished() const {
  if (feed_) return !feed_->open[0] && !feed_->open[1];
  return !out_.open && !err_.open;
}

std::chrono::steady_clock::time_point OutputPump::last_output() const {
  if (!feed_) return last_output_;
  return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(feed_->last_output.load()));
}

void OutputPump::resume() {
  if (feed_ || !paused_) return;
  paused_ = false;
  arm(out_);
  arm(err_);
}

void OutputPump::arm(Pipe& p) {
  if (!p.open || p.waiting || paused_) return;
  p.waiting = true;
  p.sd.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                  [self = shared_from_this(), &p](const boost::system::error_code& ec) {
                    p.waiting = false;
                    if (ec) return;  // cancelled: the pump is closing
                    self->on_readable(p);
                  });
}

void OutputPump::on_readable(Pipe& p) {
  // A few reads per wake-up keeps one chatty child from starving the rest of the loop.
  if (!read_some(p, 4)) {
    close(p);
    return;
  }
  arm(p);
}

bool OutputPump::read_some(Pipe& p, int max_reads) {
  for (int i = 0; i < max_reads; ++i) {
    ssize_t n = ::read(p.sd.native_handle(), t_buffer, kReadSize);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
    if (n == 0) {
      flush_partial(p);
      return false;
    }
    last_output_ = std::chrono::steady_clock::now();
    const std::string& prefix = t_clock.prefix(p.tag);
    std::string chunk = writer_.spare_buffer();
    reserve_for_read(chunk, p.lines, static_cast<std::size_t>(n));
    std::size_t count = 0;
    if (matcher_ && !matcher_->idle()) {
      // Lines are matched where they are split, no copy; one scan of the read first rules out most
      // of them at once (LineMatcher::begin_block). RE2 keeps every match linear.
      double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
      std::string_view read(t_buffer, static_cast<std::size_t>(n));
      std::string_view block = read;
      if (p.lines.pending()) {  // the read's first bytes end a line begun earlier: matched on its own
        std::size_t nl = read.find('\n');
        block = nl == std::string_view::npos ? std::string_view() : read.substr(nl + 1);
      }
      matcher_->begin_block(block);
      p.lines.feed(read, [&](std::string_view line) {
        chunk.append(prefix).append(line).push_back('\n');
        ++count;
        matcher_->feed(line, now);
      });
      matcher_->end_block();
    } else {
      count = append_lines(p.lines, std::string_view(t_buffer, static_cast<std::size_t>(n)), prefix, chunk);
    }
    if (count) push(std::move(chunk), count);
    if (paused_ && !draining_) return true;  // the writer is behind: leave the rest in the pipe
    if (static_cast<std::size_t>(n) < kReadSize) return true;  // drained for now
  }
  return true;
}

void OutputPump::push(std::string&& chunk, std::size_t lines) {
  if (writer_.push(stream_, std::move(chunk), lines) == LogQueue::PushResult::Paused) paused_ = true;
}

void OutputPump::close(Pipe& p) {
  if (!p.open) return;
  p.open = false;
  boost::system::error_code ec;
  p.sd.close(ec);
}

void OutputPump::flush_partial(Pipe& p) {
  std::string chunk;
  std::size_t count = 0;
  double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string& prefix = t_clock.prefix(p.tag);
  p.lines.finish([&](std::string_view line) {
    chunk.append(prefix).append(line).push_back('\n');
    ++count;
    if (matcher_ && !matcher_->idle()) matcher_->feed(line, now);
  });
  if (count) push(std::move(chunk), count);
}

void OutputPump::drain_and_close() {
  if (feed_) {
    writer_.release_pipes(*feed_);
    return;
  }
  // At shutdown the writer drains everything before vigil exits, so the pause no longer applies.
  draining_ = true;
  for (Pipe* p : {&out_, &err_}) {
    if (!p->open) continue;
    if (read_some(*p, 1024)) flush_partial(*p);  // at EOF read_some flushed already
    close(*p);
  }
}

}  // namespace vigil
