// Hot path of child output: splitting 100-byte lines out of 64 KiB reads.
#include <benchmark/benchmark.h>

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


