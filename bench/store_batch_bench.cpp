// The store half of a sample: 10,000 freshness keys read in one pipelined batch from a real
// redis-server (on a unix socket in a temp folder, started and stopped here), each reply
// interpreted into a data_age. Target: one pass ≤ 20 ms.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "vigil/redis_client.hpp"
#include "vigil/store_protocol.hpp"

using namespace vigil;
namespace fs = std::filesystem;

namespace {

// A private redis-server for the benchmark's lifetime.
class PrivateRedis {
 public:
  PrivateRedis() {
    char tmpl[] = "/tmp/vigil-bench-redis-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    socket_ = dir_ + "/redis.sock";
    pid_ = ::fork();
    if (pid_ == 0) {
      int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::dup2(null, 2);
      ::execlp("redis-server", "redis-server", "--port", "0", "--unixsocket", socket_.c_str(), "--save", "",
               "--appendonly", "no", "--dir", dir_.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~PrivateRedis() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    fs::remove_all(dir_);
  }
  StoreTarget target() const {
    StoreTarget t;
    t.unix_path = socket_;
    t.display = "unix:" + socket_;
    return t;
  }

 private:
  std::string dir_, socket_;
  pid_t pid_ = -1;
};

// Runs the loop until `done` or a deadline; false on timeout.
template <class Pred>
bool run_until(boost::asio::io_context& io, Pred done, std::chrono::seconds limit = std::chrono::seconds(10)) {
  auto end = std::chrono::steady_clock::now() + limit;
  io.restart();
  while (!done()) {
    if (std::chrono::steady_clock::now() > end) return false;
    io.run_for(std::chrono::milliseconds(10));
    io.restart();
  }
  return true;
}

}  // namespace

static void BM_FreshnessBatch10000Keys(benchmark::State& state) {
  constexpr int kKeys = 10000;
  PrivateRedis redis;
  boost::asio::io_context io;
  RedisClient client(io, redis.target(), std::chrono::seconds(5), [](bool, const std::string&) {});
  // The server needs a moment to create its socket; the client reconnects with backoff meanwhile.
  client.start();
  if (!run_until(io, [&] { return client.up(); })) {
    state.SkipWithError("redis-server did not come up");
    return;
  }
  double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  std::vector<Command> fill, reads;
  std::vector<Freshness> keys;
  for (int i = 0; i < kKeys; ++i) {
    Freshness f{"bridge:" + std::to_string(i), "ts", FreshnessFormat::Unix};
    fill.push_back({"HSET", f.key, f.field, std::to_string(now - i % 60)});
    reads.push_back(freshness_command(f));
    keys.push_back(f);
  }
  bool filled = false;
  client.batch(fill, [&](auto, const std::string&) { filled = true; });
  run_until(io, [&] { return filled; });

  for (auto _ : state) {
    bool done = false;
    std::size_t fresh = 0;
    client.batch(reads, [&](std::optional<std::vector<RedisValue>> replies, const std::string&) {
      done = true;
      if (!replies) return;
      for (std::size_t i = 0; i < replies->size(); ++i)
        fresh += interpret_freshness(keys[i], (*replies)[i], now).value.has_value();
    });
    if (!run_until(io, [&] { return done; }) || fresh != kKeys) {
      state.SkipWithError("the batch failed");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * kKeys);
}
BENCHMARK(BM_FreshnessBatch10000Keys)->Unit(benchmark::kMillisecond)->UseRealTime();
