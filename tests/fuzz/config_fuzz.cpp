// vigil.toml: toml11 and every check of the loader, as `vigil check` and a reload run them.
#include <string>

#include "fuzz_input.hpp"
#include "vigil/config.hpp"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const EnvLookup kEnv = [](const std::string& name) -> std::optional<std::string> {
    if (name == "HOME") return "/home/op";
    if (name == "XDG_RUNTIME_DIR") return "/run/user/1000";
    if (name == "PORT") return "6379";
    return std::nullopt;
  };
  std::string text(fuzz::text(data, size));
  ConfigResult r = parse_config(text, "/etc/vigil/vigil.toml", kEnv);
  for (const auto& d : r.errors) (void)d.str();
  return 0;
}
