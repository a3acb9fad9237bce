// Hot path of child output: splitting 100-byte lines out of 64 KiB reads, and matching them.
#include <benchmark/benchmark.h>

#include "vigil/line_matcher.hpp"
#include "vigil/line_splitter.hpp"

static void BM_SplitLines(benchmark::State& state) {
  std::string line(99, 'x');
  line += '\n';
  std::string chunk;
  while (chunk.size() + line.size() <= 64 * 1024) chunk += line;
  vigil::LineSplitter splitter;
  std::size_t n = 0;
  for (auto _ : state) {
    splitter.feed(chunk, [&](std::string_view l) { n += l.size(); });
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * chunk.size()));
}
BENCHMARK(BM_SplitLines);



// The same lines through a service's two `log_match` patterns (one line in 1,000 matches), next to
// the splitter alone above: the matcher's share of the log path.
static void BM_SplitAndMatchTwoPatterns(benchmark::State& state) {
  std::string chunk;
  for (int i = 0; chunk.size() + 100 <= 64 * 1024; ++i) {
    std::string line = std::to_string(1000000000 + i) + (i % 1000 == 0 ? " ERROR " : " INFO  ");
    line.resize(99, 'x');
    chunk += line + '\n';
  }
  vigil::LineSplitter splitter;
  vigil::LineMatcher matcher({{"errors", "ERROR|Traceback"}, {"slow", "took [0-9]{4,}ms"}}, "");
  for (auto _ : state) {
    matcher.begin_block(chunk);  // as the output pump does for each read
    splitter.feed(chunk, [&](std::string_view l) { matcher.feed(l, 0); });
    matcher.end_block();
  }
  benchmark::DoNotOptimize(matcher.counters());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * chunk.size()));
}
BENCHMARK(BM_SplitAndMatchTwoPatterns);
