// What the store sends back: the hiredis reader (as the client uses it) over bytes cut into pieces,
// then every interpretation vigil makes of a reply: freshness in each format, a metric, the
// keyspace channel of a subscription message.
#include "fuzz_input.hpp"
#include "vigil/redis_reply.hpp"
#include "vigil/store_protocol.hpp"

using namespace vigil;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::size_t piece = 1 + data[0] % 64;  // the first byte picks how the socket cuts the stream
  ReadReplies r = read_replies(fuzz::text(data + 1, size - 1), piece);
  static const FreshnessFormat kFormats[] = {FreshnessFormat::Unix, FreshnessFormat::UnixMs, FreshnessFormat::Iso8601,
                                             FreshnessFormat::Stream};
  StoreMetric metric{"queue", ""};
  for (const RedisValue& v : r.replies) {
    for (FreshnessFormat f : kFormats) (void)interpret_freshness(Freshness{"latest", "", f}, v, 1.8e9);
    (void)interpret_metric(metric, v);
    if (v.type == RedisValue::Type::Array)
      for (const RedisValue& e : v.elements)
        if (e.type == RedisValue::Type::String) (void)key_of_keyspace_channel(0, e.str);
    if (v.type == RedisValue::Type::String) (void)parse_iso8601(v.str);
  }
  return 0;
}
