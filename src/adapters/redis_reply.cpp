#include "vigil/redis_reply.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <memory>

namespace vigil {

namespace {
// hiredis's own reply constructors with a bound on arrays. Returning null makes the reader fail.
void* (*g_create_array)(const redisReadTask*, int) = nullptr;

void* create_bounded_array(const redisReadTask* task, int elements) {
  if (elements > kMaxReplyElements) {
    if (auto* refused = static_cast<std::string*>(task->privdata); refused && refused->empty())
      *refused = "an array of " + std::to_string(elements) + " elements (at most " +
                 std::to_string(kMaxReplyElements) + ")";
    return nullptr;
  }
  return g_create_array(task, elements);
}

// Every reader starts with hiredis's default functions; one bounded copy of them serves all.
const redisReplyObjectFunctions* bounded_functions(const redisReplyObjectFunctions* defaults) {
  static const redisReplyObjectFunctions bounded = [defaults] {
    redisReplyObjectFunctions f = *defaults;
    g_create_array = f.createArray;
    f.createArray = create_bounded_array;
    return f;
  }();
  return &bounded;
}
}  // namespace

void bound_reader(redisReader& reader, std::string* refused) {
  reader.fn = const_cast<redisReplyObjectFunctions*>(bounded_functions(reader.fn));
  reader.privdata = refused;
}

RedisValue copy_reply(const redisReply& r) {
  RedisValue v;
  switch (r.type) {
    case REDIS_REPLY_STRING: v.type = RedisValue::Type::String; v.str.assign(r.str, r.len); break;
    case REDIS_REPLY_STATUS: v.type = RedisValue::Type::Status; v.str.assign(r.str, r.len); break;
    case REDIS_REPLY_ERROR: v.type = RedisValue::Type::Error; v.str.assign(r.str, r.len); break;
    case REDIS_REPLY_INTEGER: v.type = RedisValue::Type::Integer; v.integer = r.integer; break;
    case REDIS_REPLY_ARRAY:
      v.type = RedisValue::Type::Array;
      v.elements.reserve(r.elements);
      for (size_t i = 0; i < r.elements; ++i) v.elements.push_back(copy_reply(*r.element[i]));
      break;
    default: v.type = RedisValue::Type::Nil; break;
  }
  return v;
}

ReadReplies read_replies(std::string_view bytes, std::size_t piece) {
  ReadReplies out;
  std::unique_ptr<redisReader, void (*)(redisReader*)> reader(redisReaderCreate(), redisReaderFree);
  if (!reader) {
    out.error = "out of memory";
    return out;
  }
  std::string refused;
  bound_reader(*reader, &refused);
  piece = std::max<std::size_t>(piece, 1);
  do {
    std::size_t n = std::min(piece, bytes.size());
    if (redisReaderFeed(reader.get(), bytes.data(), n) != REDIS_OK) {
      out.error = reader->errstr;
      return out;
    }
    bytes.remove_prefix(n);
    void* reply = nullptr;
    while (redisReaderGetReply(reader.get(), &reply) == REDIS_OK && reply) {
      out.replies.push_back(copy_reply(*static_cast<redisReply*>(reply)));
      freeReplyObject(reply);
      reply = nullptr;
    }
    if (reader->err) {
      out.error = refused.empty() ? reader->errstr : "refused " + refused;
      return out;
    }
    if (reader->len - reader->pos > kMaxReplyBytes) {
      out.error = "refused a reply longer than " + std::to_string(kMaxReplyBytes >> 20) + " MiB";
      return out;
    }
  } while (!bytes.empty());
  return out;
}

}  // namespace vigil
