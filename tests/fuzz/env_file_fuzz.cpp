// `env_file` contents: dotenv lines, quotes, escapes, comments.
#include <string>

#include "fuzz_input.hpp"
#include "vigil/env_file.hpp"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  EnvFile f = parse_env_file(fuzz::text(data, size), "/etc/vigil/app.env");
  for (const auto& d : f.errors) (void)d.str();
  for (const auto& [key, value] : f.vars)
    if (key.empty()) __builtin_trap();  // an accepted variable always has a name
  return 0;
}
