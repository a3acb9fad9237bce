#include "vigil/history.hpp"

#include <pthread.h>
#include <sqlite3.h>

#include <filesystem>

#include "vigil/oplog.hpp"

namespace vigil {

namespace {

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS runs ("
    " run_id INTEGER NOT NULL, attempt INTEGER NOT NULL, job TEXT NOT NULL, trigger TEXT NOT NULL,"
    " started REAL NOT NULL, ended REAL, result TEXT NOT NULL, exit_code INTEGER, signal INTEGER,"
    " cpu_seconds REAL, max_rss INTEGER, log_file TEXT, error TEXT, final INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (run_id, attempt));"
    "CREATE INDEX IF NOT EXISTS runs_by_job ON runs (job, run_id);"
    "CREATE INDEX IF NOT EXISTS runs_by_end ON runs (ended);";

// Every write is retried for up to this long while another process (sqlite3 CLI, a backup) holds a lock.
constexpr int kBusyTimeoutMs = 2000;

std::string errmsg(sqlite3* db) { return db ? sqlite3_errmsg(db) : "out of memory"; }

bool exec(sqlite3* db, const std::string& sql, std::string* err) {
  char* msg = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) == SQLITE_OK) return true;
  if (err) *err = msg ? msg : errmsg(db);
  sqlite3_free(msg);
  return false;
}

// A prepared statement freed at scope exit.
struct Stmt {
  sqlite3_stmt* s = nullptr;
  Stmt(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &s, nullptr); }
  ~Stmt() { sqlite3_finalize(s); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
};

std::string text(sqlite3_stmt* s, int col) {
  const unsigned char* t = sqlite3_column_text(s, col);
  return t ? reinterpret_cast<const char*>(t) : "";
}

}  // namespace

RunResult run_result_from(std::string_view w) {
  for (RunResult r : {RunResult::Success, RunResult::Failed, RunResult::Skipped, RunResult::Timeout,
                      RunResult::OutputTimeout, RunResult::Cancelled, RunResult::Interrupted})
    if (to_string(r) == w) return r;
  return RunResult::None;
}

Trigger trigger_from(std::string_view w) {
  for (Trigger t : {Trigger::Schedule, Trigger::Manual, Trigger::After, Trigger::CatchUp})
    if (to_string(t) == w) return t;
  return Trigger::Manual;
}

History::~History() {
  close();
  if (db_) sqlite3_close(db_);
}

std::optional<std::string> History::open(const std::string& path, Duration retention) {
  path_ = path;
  retention_ = retention;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    std::string e = "cannot open " + path + ": " + errmsg(db);
    sqlite3_close(db);
    return e;
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  std::string err;
  // WAL: a reader (vigil history, sqlite3) never blocks the writer; synchronous=NORMAL survives a
  // crash of vigil (a power cut may lose the last transactions, never the file).
  if (!exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", &err) || !exec(db, kSchema, &err)) {
    sqlite3_close(db);
    return path + ": " + err;
  }
  {
    Stmt s(db, "UPDATE runs SET result = 'interrupted', final = 1, ended = COALESCE(ended, ?) WHERE result = 'running'");
    sqlite3_bind_double(s.s, 1, unix_now());
    sqlite3_step(s.s);
    interrupted_ = sqlite3_changes(db);
  }
  {
    Stmt s(db, "DELETE FROM runs WHERE ended IS NOT NULL AND ended < ?");
    sqlite3_bind_double(s.s, 1, unix_now() - to_seconds(retention));
    sqlite3_step(s.s);
  }
  db_ = db;
  thread_ = std::thread([this] { run(); });
  return std::nullopt;
}

std::vector<AttemptRecord> History::newest(int limit) const {
  std::vector<AttemptRecord> out;
  if (!db_) return out;
  Stmt s(db_,
         "SELECT run_id, attempt, job, trigger, started, ended, result, exit_code, signal, cpu_seconds, max_rss,"
         " log_file, error, final FROM (SELECT * FROM runs ORDER BY run_id DESC, attempt DESC LIMIT ?)"
         " ORDER BY run_id, attempt");
  sqlite3_bind_int(s.s, 1, limit);
  while (sqlite3_step(s.s) == SQLITE_ROW) {
    AttemptRecord r;
    r.run_id = sqlite3_column_int64(s.s, 0);
    r.attempt = sqlite3_column_int(s.s, 1);
    r.job = text(s.s, 2);
    r.trigger = trigger_from(text(s.s, 3));
    r.started = sqlite3_column_double(s.s, 4);
    r.ended = sqlite3_column_double(s.s, 5);
    r.result = run_result_from(text(s.s, 6));
    r.exit_code = sqlite3_column_type(s.s, 7) == SQLITE_NULL ? -1 : sqlite3_column_int(s.s, 7);
    r.signal = sqlite3_column_type(s.s, 8) == SQLITE_NULL ? 0 : sqlite3_column_int(s.s, 8);
    r.cpu_seconds = sqlite3_column_double(s.s, 9);
    r.max_rss = static_cast<std::uint64_t>(sqlite3_column_int64(s.s, 10));
    r.log_file = text(s.s, 11);
    r.error = text(s.s, 12);
    r.final = sqlite3_column_int(s.s, 13) != 0;
    out.push_back(std::move(r));
  }
  return out;
}

std::int64_t History::max_run_id() const {
  if (!db_) return 0;
  Stmt s(db_, "SELECT COALESCE(MAX(run_id), 0) FROM runs");
  return sqlite3_step(s.s) == SQLITE_ROW ? sqlite3_column_int64(s.s, 0) : 0;
}

std::map<std::string, double> History::last_scheduled() const {
  std::map<std::string, double> out;
  if (!db_) return out;
  Stmt s(db_, "SELECT job, MAX(started) FROM runs WHERE trigger IN ('schedule', 'catch-up') GROUP BY job");
  while (sqlite3_step(s.s) == SQLITE_ROW) out[text(s.s, 0)] = sqlite3_column_double(s.s, 1);
  return out;
}

std::map<std::string, double> History::last_ok_end() const {
  std::map<std::string, double> out;
  if (!db_) return out;
  Stmt s(db_, "SELECT job, MAX(ended) FROM runs WHERE result IN ('success', 'skipped') GROUP BY job");
  while (sqlite3_step(s.s) == SQLITE_ROW) out[text(s.s, 0)] = sqlite3_column_double(s.s, 1);
  return out;
}

void History::attempt_started(const AttemptRecord& r) {
  post([this, r](sqlite3* db) { write(db, r, true); });
}

void History::attempt_ended(const AttemptRecord& r) {
  post([this, r](sqlite3* db) { write(db, r, false); });
}

void History::post(std::function<void(sqlite3*)> op) {
  if (!db_) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    queue_.push_back(std::move(op));
  }
  cv_.notify_one();
}

void History::write(sqlite3* db, const AttemptRecord& r, bool insert) {
  Stmt s(db,
         "INSERT INTO runs (run_id, attempt, job, trigger, started, ended, result, exit_code, signal, cpu_seconds,"
         " max_rss, log_file, error, final) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
         " ON CONFLICT (run_id, attempt) DO UPDATE SET ended = excluded.ended, result = excluded.result,"
         " exit_code = excluded.exit_code, signal = excluded.signal, cpu_seconds = excluded.cpu_seconds,"
         " max_rss = excluded.max_rss, error = excluded.error, final = excluded.final");
  sqlite3_bind_int64(s.s, 1, r.run_id);
  sqlite3_bind_int(s.s, 2, r.attempt);
  sqlite3_bind_text(s.s, 3, r.job.c_str(), -1, SQLITE_TRANSIENT);
  std::string trig(to_string(r.trigger));
  sqlite3_bind_text(s.s, 4, trig.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(s.s, 5, r.started);
  std::string result = insert ? "running" : std::string(to_string(r.result));
  if (insert) sqlite3_bind_null(s.s, 6);
  else sqlite3_bind_double(s.s, 6, r.ended);
  sqlite3_bind_text(s.s, 7, result.c_str(), -1, SQLITE_TRANSIENT);
  if (insert || r.exit_code < 0) sqlite3_bind_null(s.s, 8);
  else sqlite3_bind_int(s.s, 8, r.exit_code);
  if (insert || r.signal <= 0) sqlite3_bind_null(s.s, 9);
  else sqlite3_bind_int(s.s, 9, r.signal);
  sqlite3_bind_double(s.s, 10, r.cpu_seconds);
  sqlite3_bind_int64(s.s, 11, static_cast<sqlite3_int64>(r.max_rss));
  sqlite3_bind_text(s.s, 12, r.log_file.c_str(), -1, SQLITE_TRANSIENT);
  if (r.error.empty()) sqlite3_bind_null(s.s, 13);
  else sqlite3_bind_text(s.s, 13, r.error.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(s.s, 14, r.final ? 1 : 0);
  if (sqlite3_step(s.s) != SQLITE_DONE) oplog::warn("history " + path_ + ": cannot record run " + std::to_string(r.run_id) + ": " + errmsg(db));
  if (++writes_ % 1000 == 0) {
    Stmt d(db, "DELETE FROM runs WHERE ended IS NOT NULL AND ended < ?");
    sqlite3_bind_double(d.s, 1, unix_now() - to_seconds(retention_));
    sqlite3_step(d.s);
  }
}

void History::run() {
  ::pthread_setname_np(::pthread_self(), "vigil-history");  // for top -H and /proc/PID/task
  for (;;) {
    std::function<void(sqlite3*)> op;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stop_ and nothing left
      op = std::move(queue_.front());
      queue_.pop_front();
    }
    op(db_);
  }
}

void History::close() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

}  // namespace vigil
