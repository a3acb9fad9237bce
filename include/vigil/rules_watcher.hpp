#pragma once
// Watches the rules file's folder with inotify (a watch on the file itself dies at the first
// rename-replace, and editors save by rename) and calls `on_change` once things settle: 100 ms after
// the last event about that name, so a save that writes, renames and chmods is one reload.
// Runs on the event loop.
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>

#include "vigil/periodic.hpp"

namespace vigil {

class RulesWatcher {
 public:
  RulesWatcher(boost::asio::io_context& io, std::string file, std::function<void()> on_change);
  ~RulesWatcher();
  /// "" when watching; otherwise why not (vigil then only reloads on SIGHUP / `vigil reload`).
  const std::string& error() const { return error_; }

 private:
  void add_watch();
  void arm();
  void on_events();
  void debounce();

  boost::asio::io_context& io_;
  std::string dir_, name_;
  std::function<void()> on_change_;
  std::string error_;
  int fd_ = -1;
  int wd_ = -1;
  std::unique_ptr<boost::asio::posix::stream_descriptor> sd_;
  boost::asio::steady_timer debounce_;
  PeriodicTimer rewatch_;  // while the folder cannot be watched
};

}  // namespace vigil
