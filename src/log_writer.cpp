#include "vigil/log_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <atomic>
#include <filesystem>

#include "vigil/journal.hpp"

namespace vigil {

struct LogWriter::Stream {
  StreamId id;
  LogFileOptions opt;
  LogQueue queue;
  // Writer-thread state:
  int fd = -1;
  std::uint64_t size = 0;
  bool failing = false;
  std::string journal_id;  // set before the first push; "" = no journal
  std::atomic<int> pid{0};

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

// service.log.(keep-1) → .keep, ..., service.log → .1. keep = 0 keeps no old file.
void rotate_files(const LogFileOptions& opt) {
  std::string base = opt.path;
  if (opt.keep <= 0) {
    ::unlink(base.c_str());
    return;
  }
  std::string oldest = base + "." + std::to_string(opt.keep);
  ::unlink(oldest.c_str());
  for (int i = opt.keep - 1; i >= 1; --i) {
    std::string from = base + "." + std::to_string(i);
    std::string to = base + "." + std::to_string(i + 1);
    ::rename(from.c_str(), to.c_str());
  }
  ::rename(base.c_str(), (base + ".1").c_str());
}

bool write_all(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

}  // namespace

LogWriter::LogWriter(Hooks hooks) : hooks_(std::move(hooks)), thread_([this] { run(); }) {}

LogWriter::~LogWriter() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
  for (auto& s : streams_)
    if (s->fd >= 0) ::close(s->fd);
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
  wake_.notify_one();
  return r;
}

void LogWriter::write_file_atomically(const std::string& path, std::string content) {
  {
    std::lock_guard lock(mu_);
    files_[path] = std::move(content);
    pending_ = true;
  }
  wake_.notify_one();
}

namespace {

void replace_file(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  // A fresh file, never one found there: O_EXCL also refuses to follow a symlink planted at tmp.
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return;
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
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return pending_ || stop_; });
    if (!pending_ && stop_) break;
    pending_ = false;
    busy_ = true;
    std::vector<Stream*> streams;
    streams.reserve(streams_.size());
    for (auto& s : streams_) streams.push_back(s.get());
    std::map<std::string, std::string> files;
    files.swap(files_);
    lock.unlock();
    bool more = false;
    for (Stream* s : streams) more |= write_stream(*s);
    for (const auto& [path, content] : files) replace_file(path, content);
    lock.lock();
    busy_ = false;
    if (more) pending_ = true;
    if (!pending_) idle_.notify_all();
  }
  idle_.notify_all();
}

// Writes one stream's queued chunks; returns true when it had something (the queue may have refilled).
bool LogWriter::write_stream(Stream& s) {
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

  for (std::string& chunk : t.chunks) {
    std::string err;
    if (s.fd >= 0 && s.size > 0 && s.size + chunk.size() > s.opt.max_size) {
      ::close(s.fd);
      s.fd = -1;
      rotate_files(s.opt);
    }
    if (s.fd < 0 && !open_log(s.opt, &s.fd, &s.size, &err)) {
      // Could not open: the chunk is lost, supervision goes on; the loop hears about it once.
      if (!s.failing && hooks_.write_failed) hooks_.write_failed(s.id, err);
      s.failing = true;
      continue;
    }
    if (!write_all(s.fd, chunk.data(), chunk.size())) {
      err = errno_text("cannot write", s.opt.path);
      if (!s.failing && hooks_.write_failed) hooks_.write_failed(s.id, err);
      s.failing = true;
      ::close(s.fd);  // reopen next time: the file may have been removed or the disk freed
      s.fd = -1;
      continue;
    }
    s.size += chunk.size();
    if (s.failing) {
      s.failing = false;
      if (hooks_.write_recovered) hooks_.write_recovered(s.id);
    }
  }
  return true;
}

}  // namespace vigil
