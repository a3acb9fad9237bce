#pragma once
// The writer thread: the only place child log files are opened, written and rotated, so a slow or
// full disk never stalls the event loop. Each service has a LogQueue in front of it (see log_queue.hpp).
//
// Threads: add_stream()/push() are called from the event loop; files are touched only by the writer
// thread; the callbacks given in Hooks run on the writer thread and must only hand work back to the
// loop (e.g. asio::post).
//
// Under log_overflow = "block" the writer also reads the child's pipes itself (adopt_pipes): one
// thread reads, prefixes and writes each 64 KiB, where a hand-over from the loop per read cost
// more than the copying (docs/performance.md). The child then waits for the disk, as "block" says.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "vigil/buffer_pool.hpp"
#include "vigil/line_splitter.hpp"
#include "vigil/log_line_format.hpp"
#include "vigil/log_queue.hpp"

namespace vigil {

struct LogFileOptions {
  std::string path;               // <log_dir>/<service>.log
  std::uint64_t max_size = 50'000'000;
  int keep = 5;                   // rotated files kept: path.1 (newest) ... path.keep
  OverflowPolicy overflow = OverflowPolicy::Block;
  std::size_t high_water = 1 << 20;
};

/// A child's stdout and stderr read by the writer thread. The loop reads only the atomics.
struct PipeFeed {
  std::atomic<std::int64_t> last_output{0};    // steady_clock ticks of the last read that got bytes
  std::atomic<std::uint64_t> lines[2]{};       // stdout, stderr lines read so far
  std::atomic<bool> open[2]{true, true};       // false once that pipe's EOF is seen and its lines written
  // Under mu: the writer holds it while it reads; the loop takes it to hand the pipes back.
  std::mutex mu;
  int fd[2] = {-1, -1};
  LineSplitter split[2];
  bool reclaimed = false;        // handed back to the loop
  bool close_requested = false;  // read what is there, then close
  // Writer thread only: poll() found the pipe readable in this pass.
  bool ready[2] = {false, false};
};

class LogWriter {
 public:
  using StreamId = std::size_t;

  struct Hooks {
    std::function<void(StreamId)> resume;                            // block policy: the pump may read again
    // First failure of a streak. `held`: block policy on a full disk, the output waits (is retried
    // every kRetryHeld, the service blocks once its queue is full); otherwise it is lost and counted.
    std::function<void(StreamId, std::string error, bool held)> write_failed;
    std::function<void(StreamId, std::uint64_t lost_lines)> write_recovered;  // writes work again
    std::function<void(StreamId, std::string error)> rotate_failed;  // first failure of a streak
    std::function<void(StreamId, std::uint64_t lines)> dropped;     // drop policy: lines lost
  };

  /// How often output held by a full disk is tried again.
  static constexpr std::chrono::milliseconds kRetryHeld{250};

  explicit LogWriter(Hooks hooks);
  /// Drains every queue to disk, then joins the thread.
  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  StreamId add_stream(LogFileOptions options);
  /// Also send this stream's lines to journald as SYSLOG_IDENTIFIER=`identifier` (stdout at
  /// PRIORITY=6, stderr at 4), attributed to the pid given by set_pid().
  void set_journal(StreamId id, std::string identifier);
  void set_pid(StreamId id, int pid);
  LogQueue::PushResult push(StreamId id, std::string&& chunk, std::size_t lines);
  /// An empty string to build the next chunk in, reusing the memory of one already written.
  std::string spare_buffer() { return spare_.take(); }
  /// Whether the writer reads this stream's pipes itself: under log_overflow = "block" only (under
  /// "drop" the loop reads, so a stalled disk never blocks the child).
  bool reads_pipes(StreamId id);
  /// Hands a child's (non-blocking) pipes to the writer thread, which owns the fds from now on.
  std::shared_ptr<PipeFeed> adopt_pipes(StreamId id, int out_fd, int err_fd);
  /// Shutdown: what the pipes hold now is read and written, then they are closed.
  void release_pipes(PipeFeed& f);
  /// Takes the pipes back (a line matcher now needs the lines on the loop): each fd still open
  /// (-1 for one at EOF) and each stream's splitter, with its partial line, move to the caller.
  void reclaim_pipes(PipeFeed& f, int fd[2], LineSplitter split[2]);

  /// Its service is gone (a reload removed it): what is queued is written, then the file is closed.
  /// A late chunk (a pipe drained after the service went) is still written, and the file closed again.
  void close_stream(StreamId id);

  /// Replaces `path` with `content` atomically (write path.tmp, then rename) on the writer thread.
  /// Only the latest content per path is kept: a burst of updates costs one write. `mode`: the
  /// new file's permissions (0644 for a file another user's collector reads).
  void write_file_atomically(const std::string& path, std::string content, unsigned mode = 0600);

  /// Blocks until everything pushed before the call is written (tests and shutdown use it).
  void flush();

 private:
  struct Stream;
  struct Feed {
    std::shared_ptr<PipeFeed> pipes;
    Stream* stream;
  };
  void run();
  void wake();
  // Writer thread:
  void read_feed(PipeFeed& f, Stream& s, bool stopping);
  bool write_stream(Stream& s, bool stopping);
  bool drain(Stream& s, std::deque<std::string>& chunks, bool stopping);
  bool write_chunk(Stream& s, const std::string& chunk, std::string* err, int* code);
  bool append(Stream& s, const std::string& record);
  void rotate(Stream& s);
  Stream* best_to_rotate(const Stream& full);

  Hooks hooks_;
  BufferPool spare_{8, 512 * 1024};  // a few chunks in flight; a chunk is ~1.5x a 64 KiB read
  std::mutex mu_;
  int wake_fd_ = -1;  // an eventfd: the writer waits in poll() on it and on the pipes it reads
  std::condition_variable idle_;
  std::vector<Feed> feeds_;  // pipes the writer reads (under mu_)
  LogTimestamp clock_;       // writer thread
  std::vector<std::unique_ptr<Stream>> streams_;
  std::map<std::string, std::pair<std::string, unsigned>> files_;  // pending atomic file writes (content, mode)
  std::vector<Stream*> active_;               // writer thread: the streams of the current pass
  bool pending_ = false;
  bool busy_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace vigil
