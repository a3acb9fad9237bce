// GET /metrics for 1,000 services (issue "vigil in a fleet": ≤ 5 ms), and what the dashboard's
// endpoints cost at that scale. Numbers, not assertions: run build/bench/vigil_bench.
#include <benchmark/benchmark.h>

#include "vigil/exposition.hpp"
#include "vigil/http_site.hpp"
#include "vigil/snapshot.hpp"

using namespace vigil;

namespace {

// 1,000 running services with every sampled value, two store metrics each, and 50 firing alerts.
Snapshot big_snapshot(int services) {
  Snapshot snap;
  snap.version = "0.1.0";
  snap.taken_at = 1'700'000'000.25;
  snap.store.configured = true;
  snap.store.up = true;
  for (int i = 0; i < services; ++i) {
    ServiceSnapshot s;
    s.name = "service-" + std::to_string(i);
    s.state = State::Running;
    s.pid = 10000 + i;
    s.uptime = 3600.5 + i;
    s.restarts = i % 7;
    s.cpu = 1.25 * (i % 13);
    s.memory = 12'345'678.0 + i;
    s.threads = 4;
    s.fds = 17;
    s.output_idle = 0.75;
    s.data_age = 2.5;
    s.cpu_seconds_total = 123.45 + i;
    s.custom["queue_depth"] = i;
    s.custom["lag_seconds"] = 0.125;
    s.last_exit = LastExit{};
    s.last_exit->status.code = 0;
    snap.services.push_back(std::move(s));
  }
  for (int i = 0; i < 50; ++i) {
    AlertView a;
    a.rule = "stale_data";
    a.service = "service-" + std::to_string(i);
    a.state = AlertState::Firing;
    a.severity = Severity::Warning;
    snap.alerts.push_back(a);
  }
  snap.notifiers = {{"am", "webhook", 10, 1, 0, "", 0}, {"pager", "exec", 3, 0, 0, "", 0}};
  return snap;
}

}  // namespace

// The whole exposition (as the textfile writes it), into a reused buffer as the listener does.
static void BM_Exposition(benchmark::State& state) {
  Snapshot snap = big_snapshot(static_cast<int>(state.range(0)));
  std::string out;
  for (auto _ : state) {
    out.clear();
    append_exposition(out, {snap, nullptr});
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["bytes"] = static_cast<double>(out.size());
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Exposition)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

// A scrape as the listener answers it: publish (history, events) then GET /metrics with process_*.
static void BM_PublishAndScrape(benchmark::State& state) {
  Snapshot snap = big_snapshot(1000);
  HttpSite site(read_self_process);
  site.set_ready(true);
  for (auto _ : state) {
    snap.taken_at += 1;
    site.publish(snap);
    HttpAnswer a = site.answer("GET", "/metrics", "");
    benchmark::DoNotOptimize(a.body.data());
  }
}
BENCHMARK(BM_PublishAndScrape)->Unit(benchmark::kMillisecond);

// The dashboard's refresh at 1,000 services: the status object and the hour of history.
static void BM_DashboardRefresh(benchmark::State& state) {
  Snapshot snap = big_snapshot(1000);
  HttpSite site(nullptr);
  for (int i = 0; i < 240; ++i) {  // two hours of 30-second points: the history is full
    snap.taken_at += 30;
    site.publish(snap);
  }
  for (auto _ : state) {
    snap.taken_at += 1;
    site.publish(snap);
    HttpAnswer st = site.answer("GET", "/api/v1/status", "");
    HttpAnswer h = site.answer("GET", "/api/v1/history", "");
    benchmark::DoNotOptimize(st.body.data());
    benchmark::DoNotOptimize(h.body.data());
  }
}
BENCHMARK(BM_DashboardRefresh)->Unit(benchmark::kMillisecond);
