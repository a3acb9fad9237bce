#include "vigil/rules_watcher.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace vigil {

namespace {
constexpr auto kSettle = std::chrono::milliseconds(100);
// Every way an editor or tool replaces a file: in place (echo >, sed -i, cp), by rename (vim,
// atomic tmp+rename), or by remove and recreate.
constexpr std::uint32_t kMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MODIFY |
                                IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;
}  // namespace

RulesWatcher::RulesWatcher(boost::asio::io_context& io, std::string file, std::function<void()> on_change)
    : io_(io), on_change_(std::move(on_change)), debounce_(io) {
  std::filesystem::path p(file);
  dir_ = p.parent_path().string();
  name_ = p.filename().string();
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) {
    error_ = std::string("inotify_init1: ") + std::strerror(errno);
    return;
  }
  sd_ = std::make_unique<boost::asio::posix::stream_descriptor>(io, fd_);
  add_watch();
  arm();
}

RulesWatcher::~RulesWatcher() {
  if (sd_) {
    boost::system::error_code ec;
    sd_->close(ec);
  }
}

void RulesWatcher::add_watch() {
  wd_ = ::inotify_add_watch(fd_, dir_.c_str(), kMask);
  if (wd_ < 0) {
    error_ = "cannot watch " + dir_ + ": " + std::strerror(errno);
    // The folder may come back (moved back, recreated): look again every second until it is.
    if (!rewatch_.active())
      rewatch_ = every(io_, std::chrono::seconds(1), [this] {
        add_watch();
        if (wd_ >= 0) debounce();  // it is back: re-read what is there now
      });
    return;
  }
  rewatch_.stop();
  error_.clear();
}

void RulesWatcher::arm() {
  sd_->async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
    if (ec) return;
    on_events();
    arm();
  });
}

void RulesWatcher::on_events() {
  alignas(inotify_event) char buf[8192];
  bool relevant = false, lost_dir = false;
  for (;;) {
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) break;
    for (char* p = buf; p < buf + n;) {
      auto* e = reinterpret_cast<inotify_event*>(p);
      if (e->mask & IN_Q_OVERFLOW) relevant = true;  // events were lost: just re-read
      if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) lost_dir = true;
      if (e->len > 0 && name_ == e->name) relevant = true;
      p += sizeof(inotify_event) + e->len;
    }
  }
  if (lost_dir) {
    if (wd_ >= 0) ::inotify_rm_watch(fd_, wd_);
    wd_ = -1;
    add_watch();
    relevant = true;
  }
  if (relevant) debounce();
}

void RulesWatcher::debounce() {
  debounce_.expires_after(kSettle);
  debounce_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) on_change_();
  });
}

}  // namespace vigil
