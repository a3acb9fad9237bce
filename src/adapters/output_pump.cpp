#include "vigil/output_pump.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>

namespace vigil {
namespace {

constexpr std::size_t kReadSize = 64 * 1024;

// "2026-11-22T18:45:01.123Z" for now; the part up to the seconds is recomputed once per second.
class Timestamp {
 public:
  const std::string& now() {
    auto t = std::chrono::system_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    if (secs != cached_secs_) {
      std::tm tm{};
      ::gmtime_r(&secs, &tm);
      char buf[32];
      std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.", &tm);
      text_ = buf;
      text_ += "000Z";
      cached_secs_ = secs;
    }
    int m = static_cast<int>(ms % 1000);
    std::size_t at = text_.size() - 4;
    text_[at] = static_cast<char>('0' + m / 100);
    text_[at + 1] = static_cast<char>('0' + m / 10 % 10);
    text_[at + 2] = static_cast<char>('0' + m % 10);
    return text_;
  }

 private:
  std::time_t cached_secs_ = -1;
  std::string text_;
};

// One read buffer and one clock cache for the whole loop thread: pumps only use them inside a handler.
thread_local char t_buffer[kReadSize];
thread_local Timestamp t_clock;
thread_local std::string t_prefix;

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
  arm(out_);
  arm(err_);
}

void OutputPump::resume() {
  if (!paused_) return;
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
    // Every line of one read gets the same "TIMESTAMP TAG " prefix.
    std::string& prefix = t_prefix;
    prefix.assign(t_clock.now()).append(1, ' ').append(p.tag).append(1, ' ');
    // Room for the prefixes up front (enough for lines of 60 bytes and longer): growing a 64 KiB
    // string mid-chunk copied it once more. Counting the newlines first cost more than it saved.
    std::string chunk = writer_.spare_buffer();
    chunk.reserve(p.lines.pending() + static_cast<std::size_t>(n) * 3 / 2 + 256);
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
      p.lines.feed(std::string_view(t_buffer, static_cast<std::size_t>(n)), [&](std::string_view line) {
        chunk.append(prefix).append(line).push_back('\n');
        ++count;
      });
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
  p.lines.finish([&](std::string_view line) {
    chunk.append(t_clock.now()).append(1, ' ').append(p.tag).append(1, ' ').append(line).append(1, '\n');
    ++count;
    if (matcher_ && !matcher_->idle()) matcher_->feed(line, now);
  });
  if (count) push(std::move(chunk), count);
}

void OutputPump::drain_and_close() {
  // At shutdown the writer drains everything before vigil exits, so the pause no longer applies.
  draining_ = true;
  for (Pipe* p : {&out_, &err_}) {
    if (!p->open) continue;
    if (read_some(*p, 1024)) flush_partial(*p);  // at EOF read_some flushed already
    close(*p);
  }
}

}  // namespace vigil
