#pragma once
// Shared by the libFuzzer harnesses. A defect that is known and not fixed yet may get a filter here
// (naming its issue) so that the fuzzer finds everything else instead of that one crash again and
// again; the commit that fixes the defect deletes the filter and stores the input in the corpus.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::fuzz {

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace vigil::fuzz
