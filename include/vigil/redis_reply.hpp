#pragma once
// hiredis reply objects → RedisValue: the one place where bytes from the store become vigil's values.
// The client (redis_client) bounds its reader with bound_reader() and copies each reply through
// copy_reply(); read_replies() runs a reader bounded the same way over raw bytes, so the whole
// reply path can be tested and fuzzed without a socket. No hiredis header here: its types are
// only declared.
#include <string>
#include <string_view>
#include <vector>

#include "vigil/store_protocol.hpp"

struct redisReply;
struct redisReader;

namespace vigil {

// What one reply may claim. vigil reads single values and one stream entry; a peer that claims
// more (a squatter on the Redis port: "*1795374406\r\n" makes hiredis 0.14 calloc 14 GB and free()
// then walks 1.8e9 slots on the loop) is cut off before hiredis allocates anything. hiredis 0.14
// has no reader limit of its own (`maxelements` came with 1.0), so the array constructor is wrapped.
constexpr int kMaxReplyElements = 1 << 16;
constexpr std::size_t kMaxReplyBytes = 16u << 20;  // unparsed bytes a reply may hold in the reader

/// Makes `reader` refuse an array of more than kMaxReplyElements elements: the reader then fails
/// ("Out of memory") before allocating it, and `*refused` (if not null) says what was refused.
/// The unparsed-bytes bound (kMaxReplyBytes) is checked by the caller after each read.
void bound_reader(redisReader& reader, std::string* refused);

/// A deep copy of one hiredis reply (nested arrays included).
RedisValue copy_reply(const redisReply& reply);

struct ReadReplies {
  std::vector<RedisValue> replies;  // every complete reply, in order
  std::string error;                // set when the reader rejected the bytes (a protocol error)
};
/// Feeds `bytes` to a fresh bounded hiredis reader in pieces of at most `piece` bytes (as a socket may
/// deliver them) and collects the complete replies; an incomplete tail is left unread.
ReadReplies read_replies(std::string_view bytes, std::size_t piece = 4096);

}  // namespace vigil
