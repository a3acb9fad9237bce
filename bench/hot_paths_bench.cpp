// Hot paths that run every sample for every service (or every line of output), as Google
// Benchmark programs. Numbers, not assertions: run build/bench/vigil_bench.
#include <benchmark/benchmark.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "vigil/expr.hpp"
#include "vigil/proc_parse.hpp"
#include "vigil/proc_sampler.hpp"
#include "vigil/snapshot.hpp"
#include "vigil/status_render.hpp"
#include "vigil/store_protocol.hpp"

using namespace vigil;

static void BM_ParseProcStat(benchmark::State& state) {
  const std::string line =
      "6057 (scan_bridge.py) S 6051 6051 1163 0 -1 4194304 101 0 0 0 712 93 0 0 20 0 4 0 111884 3133440 40812 "
      "18446744073709551615 94781947486208 94781947506089 140735330697408 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0";
  ProcStat st;
  for (auto _ : state) {
    benchmark::DoNotOptimize(parse_proc_stat(line, &st));
    benchmark::DoNotOptimize(st.utime);
  }
}
BENCHMARK(BM_ParseProcStat);

// A real sampling pass over this process's tree (reads /proc): the per-service cost of `cpu`,
// `memory`, `threads` and `fds` every sample_interval.
static void BM_SampleOwnTree(benchmark::State& state) {
  ProcSampler sampler;
  std::vector<pid_t> roots(static_cast<std::size_t>(state.range(0)), ::getpid());
  for (auto _ : state) {
    auto s = sampler.sample(roots, [](pid_t) { return true; }, std::chrono::steady_clock::now());
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SampleOwnTree)->Arg(1)->Arg(100);

// One sampling pass over 1,000 services, each a real `sleep` child: the scale target's pass
// (≤ 20 ms), without the status.json and rule work that follow it.
static void BM_SamplePass1000Sleepers(benchmark::State& state) {
  std::vector<pid_t> roots;
  for (int i = 0; i < 1000; ++i) {
    pid_t pid = ::fork();
    if (pid == 0) {
      ::execlp("sleep", "sleep", "100000", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    roots.push_back(pid);
  }
  ProcSampler sampler;
  for (auto _ : state) {
    auto s = sampler.sample(roots, [](pid_t) { return true; }, std::chrono::steady_clock::now());
    benchmark::DoNotOptimize(s);
  }
  for (pid_t pid : roots) ::kill(pid, SIGKILL);
  for (pid_t pid : roots) ::waitpid(pid, nullptr, 0);
}
BENCHMARK(BM_SamplePass1000Sleepers)->Unit(benchmark::kMillisecond);

static void BM_EvaluateRule(benchmark::State& state) {
  expr::Parsed p = expr::parse("data_age > 60s and cpu < 90% or memory > 500MB and restarts(10m) > 3", {});
  ServiceSnapshot s;
  s.state = State::Running;
  s.data_age = 73.2;
  s.cpu = 45;
  s.memory = 612e6;
  s.start_ages = {30, 200, 900};
  expr::Context ctx{&s, true};
  for (auto _ : state) benchmark::DoNotOptimize(expr::holds(*p.root, ctx));
}
BENCHMARK(BM_EvaluateRule);

static Snapshot big_snapshot(int n) {
  Snapshot snap;
  snap.version = "0.1.0";
  snap.config_path = "/home/op/.config/vigil/vigil.toml";
  for (int i = 0; i < n; ++i) {
    ServiceSnapshot s;
    s.name = "service-" + std::to_string(i);
    s.state = State::Running;
    s.pid = 10000 + i;
    s.uptime = 3600;
    s.cpu = 1.5;
    s.memory = 25e6;
    s.threads = 4;
    s.fds = 12;
    s.data_age = 1.2;
    s.log_file = "/home/op/.local/state/vigil/logs/" + s.name + ".log";
    snap.services.push_back(s);
  }
  return snap;
}

static void BM_StatusJson1000(benchmark::State& state) {
  Snapshot snap = big_snapshot(1000);
  for (auto _ : state) benchmark::DoNotOptimize(to_json(snap));
}
BENCHMARK(BM_StatusJson1000)->Unit(benchmark::kMillisecond);


static void BM_StatusTable1000(benchmark::State& state) {
  auto j = nlohmann::json::parse(to_json(big_snapshot(1000)));
  for (auto _ : state) benchmark::DoNotOptimize(render_status(j, {}));
}
BENCHMARK(BM_StatusTable1000)->Unit(benchmark::kMillisecond);

static void BM_InterpretFreshness(benchmark::State& state) {
  Freshness f{"latest_scan", "ts", FreshnessFormat::Unix};
  RedisValue v;
  v.type = RedisValue::Type::String;
  v.str = "1795374406.2327695";
  for (auto _ : state) benchmark::DoNotOptimize(interpret_freshness(f, v, 1795374410.0));
}
BENCHMARK(BM_InterpretFreshness);

BENCHMARK_MAIN();
