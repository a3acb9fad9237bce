// log_match and ready_log: the per-read prefilter (Vectorscan's atom scan, else the RE2 gate) must
// never pass over a line a pattern is found in. The input's first line holds up to four patterns,
// tab-separated; the rest is output, fed as two reads cut where the input's second byte says. The
// counts of a matcher fed read by read must equal those of one that tries every pattern on every line.
#include <string>
#include <utility>
#include <vector>

#include "fuzz_input.hpp"
#include "vigil/line_matcher.hpp"
#include "vigil/line_splitter.hpp"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = fuzz::text(data, size);
  std::size_t nl = in.find('\n');
  if (nl == std::string_view::npos || nl + 1 >= in.size()) return 0;
  std::vector<std::pair<std::string, std::string>> patterns;
  std::string_view head = in.substr(0, nl);
  while (!head.empty() && patterns.size() < 4) {
    std::size_t tab = head.find('\t');
    std::string text(head.substr(0, tab));
    if (!text.empty() && text.size() <= 200 && Pattern::compile(text, nullptr))
      patterns.emplace_back("p" + std::to_string(patterns.size()), text);
    head = tab == std::string_view::npos ? std::string_view() : head.substr(tab + 1);
  }
  if (patterns.empty()) return 0;
  std::string_view output = in.substr(nl + 2);
  std::size_t cut = output.empty() ? 0 : static_cast<unsigned char>(in[nl + 1]) % (output.size() + 1);

  LineMatcher each(patterns, "");
  LineMatcher gated(patterns, "");
  LineSplitter a(64), b(64);  // short lines, so that cut pieces of long ones are fed too
  for (std::string_view read : {output.substr(0, cut), output.substr(cut)}) {
    a.feed(read, [&](std::string_view line) { each.feed(line, 1); });
    std::string_view block = read;
    if (b.pending()) {
      std::size_t first = read.find('\n');
      block = first == std::string_view::npos ? std::string_view() : read.substr(first + 1);
    }
    gated.begin_block(block);
    b.feed(read, [&](std::string_view line) { gated.feed(line, 1); });
    gated.end_block();
  }
  auto want = each.counters(), got = gated.counters();
  for (std::size_t i = 0; i < want.size(); ++i)
    if (got[i].count != want[i].count) __builtin_trap();  // a line was passed over that a pattern is found in
  return 0;
}
