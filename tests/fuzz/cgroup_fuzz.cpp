// The cgroup v2 text vigil reads: /proc/self/cgroup, mountinfo (mount points are names users can
// choose), cgroup.events, cpu.stat, memory.current/memory.stat, and the leaf names made from service
// names. The input is split at the first NUL into a file's text and a path or name.
#include "fuzz_input.hpp"
#include "vigil/cgroup_parse.hpp"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = fuzz::text(data, size);
  std::size_t nul = in.find('\0');
  std::string_view text = in.substr(0, nul);
  std::string_view arg = nul == std::string_view::npos ? std::string_view("/") : in.substr(nul + 1);
  if (auto path = unified_cgroup(text); path && (path->empty() || (*path)[0] != '/')) __builtin_trap();
  if (!arg.empty() && arg[0] == '/') {
    if (auto dir = cgroup_dir(text, arg); dir && dir->empty()) __builtin_trap();
  }
  (void)cgroup_populated(text);
  (void)cgroup_cpu_usage_usec(text);
  (void)cgroup_working_set(arg, text);
  std::string leaf = cgroup_leaf("service", arg);
  if (leaf.find('/') != std::string::npos || leaf.find('\0') != std::string::npos) __builtin_trap();  // must stay a leaf
  return 0;
}
