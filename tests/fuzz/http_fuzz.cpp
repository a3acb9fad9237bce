// The HTTP listener's request path: bytes as a client sends them, parsed by Beast with the
// listener's limits (one connection may carry several requests), each answered by HttpSite
// from a small published snapshot, with and without a token.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <optional>
#include <string>

#include "fuzz_input.hpp"
#include "vigil/http_server.hpp"
#include "vigil/http_site.hpp"

using namespace vigil;
namespace http = boost::beast::http;

namespace {

HttpSite& site(bool token) {
  static HttpSite* sites[2] = {nullptr, nullptr};
  if (!sites[token]) {
    auto* s = new HttpSite([] { return SelfProcess{}; });
    Snapshot snap;
    snap.version = "0.1.0";
    ServiceSnapshot svc;
    svc.name = "web";
    svc.state = State::Running;
    svc.pid = 42;
    svc.uptime = 5;
    snap.services = {svc};
    s->publish(snap);
    s->set_ready(true);
    if (token) s->set_token("0123456789abcdef");
    sites[token] = s;
  }
  return *sites[token];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  bool token = data[0] & 1;
  boost::asio::const_buffer in(data + 1, size - 1);
  for (int requests = 0; in.size() > 0 && requests < 16; ++requests) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(HttpServer::kHeaderLimit);
    parser.body_limit(HttpServer::kBodyLimit);
    parser.eager(true);
    boost::beast::error_code ec;
    std::size_t used = parser.put(in, ec);
    if (ec || !parser.is_done()) {
      if (ec == http::error::need_more) parser.put_eof(ec);
      if (!parser.is_done()) break;  // the listener answers 4xx and closes
    }
    in += used;
    const auto& req = parser.get();
    std::string_view auth;
    if (auto it = req.find(http::field::authorization); it != req.end()) auth = it->value();
    HttpAnswer a = site(token).answer(req.method_string(), req.target(), auth);
    if (a.status < 200 || a.status > 599) __builtin_trap();
    if (used == 0) break;
  }
  return 0;
}
