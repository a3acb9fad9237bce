#include "vigil/log_writer.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <atomic>
#include <filesystem>
#include <utility>

#include "vigil/journal.hpp"

namespace vigil {

struct LogWriter::Stream {
  StreamId id;
  LogFileOptions opt;
  LogQueue queue;
  // Writer-thread state:
  int fd = -1;
  std::uint64_t size = 0;      // of the current file, also while it is closed after an error
  bool failing = false;        // in a streak of write errors (reported once)
  bool rotate_failing = false;  // in a streak of rotation errors (reported once)
  std::uint64_t lost_lines = 0;  // lines lost in the current streak
  std::uint64_t unmarked_lines = 0;  // of those, not yet marked in the file
  std::string lost_reason;       // the error that lost them
  bool cut = false;              // a partial record could not be cut back: the next write starts a line
  std::deque<std::string> held;  // block policy: chunks a full disk refused, retried in order
  std::string journal_id;  // set before the first push; "" = no journal
  std::atomic<int> pid{0};
  std::atomic<bool> closed{false};  // its service is gone: keep no file open

  explicit Stream(StreamId i, LogFileOptions o)
      : id(i), opt(std::move(o)), queue(opt.overflow, opt.high_water) {}
};

namespace {

std::string errno_text(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

bool open_log(LogFileOptions& opt, int* fd, std::uint64_t* size, std::string* err) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(opt.path).parent_path(), ec);
  int f = ::open(opt.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (f < 0) {
    *err = errno_text("cannot open", opt.path);
    return false;
  }
  struct stat st {};
  *size = ::fstat(f, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  *fd = f;
  return true;
}

// service.log.(keep-1) → .keep, ..., service.log → .1. keep = 0 keeps no old file. Returns the
// first error that matters ("" = rotated): a missing older file is not one.
std::string rotate_files(const LogFileOptions& opt) {
  std::string base = opt.path;
  auto failed = [](const char* what, const std::string& path) {
    return errno == ENOENT ? std::string() : errno_text(what, path);
  };
  if (opt.keep <= 0) return ::unlink(base.c_str()) == 0 ? "" : failed("cannot remove", base);
  std::string oldest = base + "." + std::to_string(opt.keep);
  if (::unlink(oldest.c_str()) != 0)
    if (auto err = failed("cannot remove", oldest); !err.empty()) return err;
  for (int i = opt.keep - 1; i >= 1; --i) {
    std::string from = base + "." + std::to_string(i);
    if (::rename(from.c_str(), (base + "." + std::to_string(i + 1)).c_str()) != 0)
      if (auto err = failed("cannot rename", from); !err.empty()) return err;
  }
  if (::rename(base.c_str(), (base + ".1").c_str()) != 0) return failed("cannot rename", base);
  return "";
}

// Writes all of it; on failure returns false with errno set and *written saying how much got out.
bool write_all(int fd, const char* data, std::size_t n, std::size_t* written = nullptr) {
  std::size_t done = 0;
  while (done < n) {
    ssize_t w = ::write(fd, data + done, n - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      if (w == 0) errno = ENOSPC;
      if (written) *written = done;
      return false;
    }
    done += static_cast<std::size_t>(w);
  }
  if (written) *written = done;
  return true;
}

// Lines of service output in a chunk (vigil's own marker lines are not the service's).
std::uint64_t lines_in(const std::string& chunk) {
  if (chunk.rfind("--- vigil:", 0) == 0) return 0;
  return static_cast<std::uint64_t>(std::count(chunk.begin(), chunk.end(), '\n'));
}

// Space may come back (a rotation, another file removed): worth holding output for.
bool out_of_space(int err) { return err == ENOSPC || err == EDQUOT; }

}  // namespace

LogWriter::LogWriter(Hooks hooks)
    : hooks_(std::move(hooks)), wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)), thread_([this] { run(); }) {}

LogWriter::~LogWriter() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake();
  thread_.join();
  for (auto& s : streams_)
    if (s->fd >= 0) ::close(s->fd);
  for (auto& f : feeds_)
    for (int& fd : f.pipes->fd)
      if (fd >= 0) ::close(std::exchange(fd, -1));
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void LogWriter::wake() {
  std::uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);
}

LogWriter::StreamId LogWriter::add_stream(LogFileOptions options) {
  std::lock_guard lock(mu_);
  StreamId id = streams_.size();
  streams_.push_back(std::make_unique<Stream>(id, std::move(options)));
  return id;
}

void LogWriter::set_journal(StreamId id, std::string identifier) {
  std::lock_guard lock(mu_);
  streams_[id]->journal_id = std::move(identifier);
}

void LogWriter::set_pid(StreamId id, int pid) {
  std::lock_guard lock(mu_);
  streams_[id]->pid = pid;
}

namespace {

// Each chunk line is "2026-11-22T18:45:01.123Z out text": the journal gets the text, with the
// stream as priority, and keeps its own timestamp.
void send_to_journal(const std::string& chunk, const std::string& id, int pid) {
  std::size_t start = 0;
  while (start < chunk.size()) {
    std::size_t nl = chunk.find('\n', start);
    if (nl == std::string::npos) nl = chunk.size();
    std::string_view line(chunk.data() + start, nl - start);
    start = nl + 1;
    bool err = line.size() > 28 && line.substr(24, 4) == " err";
    std::string_view text = line.size() > 28 && line[23] == 'Z' ? line.substr(29) : line;
    journal_send({"MESSAGE=" + std::string(text), std::string("PRIORITY=") + (err ? "4" : "6"),
                  "SYSLOG_IDENTIFIER=" + id, "VIGIL_SERVICE=" + id, "SYSLOG_PID=" + std::to_string(pid),
                  std::string("VIGIL_STREAM=") + (err ? "stderr" : "stdout")});
  }
}

}  // namespace

LogQueue::PushResult LogWriter::push(StreamId id, std::string&& chunk, std::size_t lines) {
  Stream* s;
  {
    std::lock_guard lock(mu_);
    s = streams_[id].get();
  }
  auto r = s->queue.push(std::move(chunk), lines);
  {
    // Marked pending only after the chunk is queued, so the writer cannot miss it.
    std::lock_guard lock(mu_);
    pending_ = true;
  }
  wake();
  return r;
}

void LogWriter::close_stream(StreamId id) {
  {
    std::lock_guard lock(mu_);
    streams_[id]->closed = true;
    pending_ = true;
  }
  wake();
}

void LogWriter::write_file_atomically(const std::string& path, std::string content, unsigned mode) {
  {
    std::lock_guard lock(mu_);
    files_[path] = {std::move(content), mode};
    pending_ = true;
  }
  wake();
}

namespace {

void replace_file(const std::string& path, const std::string& content, unsigned mode) {
  std::string tmp = path + ".tmp";
  // A fresh file, never one found there: O_EXCL also refuses to follow a symlink planted at tmp.
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) return;
  ::fchmod(fd, mode);  // whatever the umask says: the mode asked for
  bool ok = write_all(fd, content.data(), content.size());
  ::close(fd);
  if (ok) ::rename(tmp.c_str(), path.c_str());
  else ::unlink(tmp.c_str());
}

}  // namespace

void LogWriter::flush() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [this] { return !pending_ && !busy_; });
}

void LogWriter::run() {
  ::pthread_setname_np(::pthread_self(), "vigil-logs");  // for top -H and /proc/PID/task
  bool holding = false;  // some stream holds chunks a full disk refused: try again after a while
  bool stopped = false;  // a pass has run since stop_: every pipe is drained and closed
  std::vector<pollfd> polled;
  std::vector<std::pair<std::shared_ptr<PipeFeed>, int>> polled_pipes;  // polled[i + 1] is which pipe
  std::vector<Feed> feeds;
  for (;;) {
    bool now;
    {
      std::lock_guard lock(mu_);
      if (stopped && !pending_ && !holding) break;
      now = pending_ || stop_;
      polled.assign(1, pollfd{wake_fd_, POLLIN, 0});
      polled_pipes.clear();
      for (const Feed& f : feeds_) {
        if (!f.stream->held.empty()) continue;  // a full disk holds its output: the child waits
        std::lock_guard feed_lock(f.pipes->mu);
        for (int i = 0; i < 2; ++i)
          if (!f.pipes->reclaimed && f.pipes->fd[i] >= 0) {
            polled.push_back(pollfd{f.pipes->fd[i], POLLIN, 0});
            polled_pipes.emplace_back(f.pipes, i);
          }
      }
    }
    // Without an eventfd (none could be made) the writer looks every 50 ms instead of being woken.
    int timeout = now ? 0 : holding ? static_cast<int>(kRetryHeld.count()) : wake_fd_ < 0 ? 50 : -1;
    if (::poll(polled.data(), polled.size(), timeout) < 0 && errno != EINTR) ::poll(nullptr, 0, 50);
    std::uint64_t wakes;
    if (polled[0].revents & POLLIN) (void)!::read(wake_fd_, &wakes, sizeof wakes);
    for (std::size_t i = 1; i < polled.size(); ++i)
      if (polled[i].revents) polled_pipes[i - 1].first->ready[polled_pipes[i - 1].second] = true;

    std::unique_lock lock(mu_);
    bool stopping = stop_;
    pending_ = false;
    busy_ = true;
    active_.clear();
    for (auto& s : streams_) active_.push_back(s.get());
    decltype(files_) files;
    files.swap(files_);
    std::erase_if(feeds_, [](const Feed& f) { return !f.pipes->open[0] && !f.pipes->open[1]; });
    feeds = feeds_;
    lock.unlock();
    bool more = false;
    for (Stream* s : active_) more |= write_stream(*s, stopping);
    // Queues first: a pump that took its pipes back (reclaim_pipes) queued only what it read after
    // the writer's last read of them, which was written in that pass.
    for (const Feed& f : feeds) read_feed(*f.pipes, *f.stream, stopping);
    holding = false;
    for (Stream* s : active_) holding |= !s->held.empty();
    for (const auto& [path, file] : files) replace_file(path, file.first, file.second);
    feeds.clear();
    lock.lock();
    busy_ = false;
    if (more) pending_ = true;
    if (stopping) stopped = true;
    if (!pending_) idle_.notify_all();
  }
  idle_.notify_all();
}

bool LogWriter::reads_pipes(StreamId id) {
  std::lock_guard lock(mu_);
  return streams_[id]->opt.overflow == OverflowPolicy::Block;
}

std::shared_ptr<PipeFeed> LogWriter::adopt_pipes(StreamId id, int out_fd, int err_fd) {
  auto f = std::make_shared<PipeFeed>();
  f->fd[0] = out_fd;
  f->fd[1] = err_fd;
  for (int i = 0; i < 2; ++i) f->open[i] = f->fd[i] >= 0;
  f->last_output = std::chrono::steady_clock::now().time_since_epoch().count();
  {
    std::lock_guard lock(mu_);
    feeds_.push_back(Feed{f, streams_[id].get()});
  }
  wake();
  return f;
}

void LogWriter::release_pipes(PipeFeed& f) {
  {
    std::lock_guard lock(f.mu);
    f.close_requested = true;
  }
  wake();
}

void LogWriter::reclaim_pipes(PipeFeed& f, int fd[2], LineSplitter split[2]) {
  std::lock_guard lock(f.mu);
  f.reclaimed = true;
  for (int i = 0; i < 2; ++i) {
    fd[i] = std::exchange(f.fd[i], -1);
    split[i] = std::move(f.split[i]);
    f.open[i] = false;  // the writer lets go of it
  }
}

namespace {
thread_local char t_read_buffer[64 * 1024];
}  // namespace

// Reads the pipes that poll() found ready (all of them when draining): a few reads each, so one
// chatty child does not keep the others waiting; then writes what it read, as write_stream does.
void LogWriter::read_feed(PipeFeed& f, Stream& s, bool stopping) {
  bool ready[2] = {std::exchange(f.ready[0], false), std::exchange(f.ready[1], false)};
  if (!s.held.empty() && !stopping) return;
  std::deque<std::string> chunks;
  bool ended[2] = {false, false};
  {
    std::lock_guard lock(f.mu);
    if (f.reclaimed) return;
    bool drain_all = stopping || f.close_requested;
    for (int i = 0; i < 2; ++i) {
      if (f.fd[i] < 0 || !(ready[i] || drain_all)) continue;
      const char* tag = i == 0 ? "out" : "err";
      // At EOF, or when draining ends it: a last line without '\n' is still a line.
      auto end_pipe = [&] {
        std::string chunk;
        if (append_last_line(f.split[i], clock_.prefix(tag), chunk)) chunks.push_back(std::move(chunk));
        ::close(std::exchange(f.fd[i], -1));
        ended[i] = true;
      };
      for (int reads = 0; reads < (drain_all ? 1024 : 4); ++reads) {
        ssize_t n = ::read(f.fd[i], t_read_buffer, sizeof t_read_buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (n <= 0) {  // EOF (or an error, which ends the pipe the same way)
          end_pipe();
          break;
        }
        f.last_output = std::chrono::steady_clock::now().time_since_epoch().count();
        std::string chunk = spare_.take();
        reserve_for_read(chunk, f.split[i], static_cast<std::size_t>(n));
        if (append_lines(f.split[i], std::string_view(t_read_buffer, static_cast<std::size_t>(n)),
                         clock_.prefix(tag), chunk))
          chunks.push_back(std::move(chunk));
        else
          spare_.give(std::move(chunk));
        if (static_cast<std::size_t>(n) < sizeof t_read_buffer) break;  // drained for now
      }
      if (drain_all && f.fd[i] >= 0) end_pipe();
      f.lines[i] = f.split[i].lines();
    }
  }
  if (!s.journal_id.empty())
    for (const std::string& chunk : chunks) send_to_journal(chunk, s.journal_id, s.pid);
  drain(s, chunks, stopping);
  if (s.closed && s.held.empty() && s.fd >= 0) ::close(std::exchange(s.fd, -1));  // as write_stream does
  // Only now: who sees the pipe ended finds its lines in the file.
  for (int i = 0; i < 2; ++i)
    if (ended[i]) f.open[i] = false;
}

// The log whose rotation frees the most space on the full filesystem: rotation deletes its
// oldest kept file (with log_keep = 0, its only file). Any service's: the quiet one that hit the
// full disk may have nothing to give, the chatty one that filled it has. Null if none would help.
LogWriter::Stream* LogWriter::best_to_rotate(const Stream& full) {
  struct stat here {};
  if (::stat(std::filesystem::path(full.opt.path).parent_path().c_str(), &here) != 0) return nullptr;
  Stream* best = nullptr;
  blkcnt_t most = 0;
  for (Stream* c : active_) {
    std::string oldest = c->opt.keep <= 0 ? c->opt.path : c->opt.path + "." + std::to_string(c->opt.keep);
    struct stat st {};
    if (::stat(oldest.c_str(), &st) != 0 || st.st_dev != here.st_dev || st.st_blocks <= most) continue;
    best = c;
    most = st.st_blocks;
  }
  return best;
}

void LogWriter::rotate(Stream& s) {
  if (s.fd >= 0) ::close(s.fd);
  s.fd = -1;
  std::string err = rotate_files(s.opt);
  if (err.empty()) {
    s.size = 0;
    s.rotate_failing = false;
  } else if (!s.rotate_failing) {
    s.rotate_failing = true;
    if (hooks_.rotate_failed) hooks_.rotate_failed(s.id, err);
  }
}

// Appends one record whole or not at all: what a failing write got out is cut back, so a
// half line is never glued to the next record. If even that fails, the next record starts
// with a line saying so.
bool LogWriter::append(Stream& s, const std::string& record) {
  std::size_t written = 0;
  if (write_all(s.fd, record.data(), record.size(), &written)) {
    s.size += written;
    return true;
  }
  int code = errno;
  if (written > 0) {
    off_t end = ::lseek(s.fd, 0, SEEK_END);  // O_APPEND: the record began `written` bytes before
    if (end < 0 || ::ftruncate(s.fd, end - static_cast<off_t>(written)) != 0) {
      s.size += written;
      s.cut = true;
    }
  }
  errno = code;
  return false;
}

bool LogWriter::write_chunk(Stream& s, const std::string& chunk, std::string* err, int* code) {
  if (s.size > 0 && s.size + chunk.size() > s.opt.max_size) rotate(s);
  for (int attempt = 0;; ++attempt) {
    bool ok = s.fd >= 0 || open_log(s.opt, &s.fd, &s.size, err);
    if (ok && s.cut) {
      ok = append(s, "\n--- vigil: a write error cut the line above ---\n");
      if (ok) s.cut = false;
    }
    if (ok && s.unmarked_lines > 0) {
      char marker[512];
      std::snprintf(marker, sizeof marker, "--- vigil: %llu lines lost here: %s ---\n",
                    static_cast<unsigned long long>(s.unmarked_lines), s.lost_reason.c_str());
      ok = append(s, marker);
      if (ok) s.unmarked_lines = 0;
    }
    if (ok && append(s, chunk)) return true;
    *code = errno;
    if (s.fd >= 0) *err = errno_text("cannot write", s.opt.path);
    // Full: rotating a log early drops its oldest file and frees that space, so a full disk is
    // not the end of logging (before, files that together did not fit the disk never rotated
    // again, and every service's output was lost for good). Once per chunk.
    if (attempt == 0 && out_of_space(*code)) {
      if (Stream* v = best_to_rotate(s)) {
        rotate(*v);
        continue;
      }
    }
    if (s.fd >= 0) ::close(s.fd);  // reopen next time: the file may have been removed or the disk freed
    s.fd = -1;
    return false;
  }
}

// Writes `chunks` in order. Returns false when a full disk made it hold them (block policy).
bool LogWriter::drain(Stream& s, std::deque<std::string>& chunks, bool stopping) {
  while (!chunks.empty()) {
    std::string err;
    int code = 0;
    if (write_chunk(s, chunks.front(), &err, &code)) {
      spare_.give(std::move(chunks.front()));
      chunks.pop_front();
      if (s.failing) {
        s.failing = false;
        if (hooks_.write_recovered) hooks_.write_recovered(s.id, s.lost_lines);
        s.lost_lines = 0;
      }
      continue;
    }
    // block: nothing is lost to a full disk; the chunks wait here, the queue behind them fills
    // and the pump pauses the service, until space returns. (Not when vigil is stopping.)
    bool hold = s.opt.overflow == OverflowPolicy::Block && out_of_space(code) && !stopping;
    if (!s.failing) {
      s.failing = true;
      s.lost_reason = std::strerror(code);
      if (hooks_.write_failed) hooks_.write_failed(s.id, err, hold);
    }
    if (hold) {
      if (&chunks != &s.held) {
        for (auto& c : chunks) s.held.push_back(std::move(c));
        chunks.clear();
      }
      return false;
    }
    std::uint64_t lines = lines_in(chunks.front());
    s.lost_lines += lines;
    s.unmarked_lines += lines;
    chunks.pop_front();
  }
  return true;
}

// Writes one stream's held and queued chunks; returns true when it took something (the queue may
// have refilled).
bool LogWriter::write_stream(Stream& s, bool stopping) {
  // A stream whose service is gone keeps no file open once everything it got is written.
  struct CloseIfGone {
    Stream& s;
    ~CloseIfGone() {
      if (s.closed && s.held.empty() && s.fd >= 0) {
        ::close(s.fd);
        s.fd = -1;
      }
    }
  } close_if_gone{s};
  // Held chunks go first; until they are written nothing new is taken, so the order holds.
  if (!s.held.empty() && !drain(s, s.held, stopping)) return false;
  LogQueue::Taken t = s.queue.take();
  if (t.resume && hooks_.resume) hooks_.resume(s.id);
  if (t.chunks.empty() && t.dropped_lines == 0) return false;

  if (t.dropped_lines > 0) {
    if (hooks_.dropped) hooks_.dropped(s.id, t.dropped_lines);
    char marker[128];
    std::snprintf(marker, sizeof marker, "--- vigil: %llu lines dropped here (log_overflow = \"drop\") ---\n",
                  static_cast<unsigned long long>(t.dropped_lines));
    t.chunks.emplace_front(marker);
  }
  if (!s.journal_id.empty())
    for (const std::string& chunk : t.chunks) send_to_journal(chunk, s.journal_id, s.pid);
  drain(s, t.chunks, stopping);
  return true;
}

}  // namespace vigil
