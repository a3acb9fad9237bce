#include "vigil/notify_socket.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "vigil/notify_message.hpp"

namespace vigil {

NotifySocket::NotifySocket(boost::asio::io_context& io, std::string path, Handler handler)
    : path_(std::move(path)), handler_(std::move(handler)) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.size() >= sizeof addr.sun_path) {
    error_ = "notify socket path too long (" + std::to_string(path_.size()) + " bytes): " + path_;
    return;
  }
  std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) {
    error_ = std::string("socket: ") + std::strerror(errno);
    return;
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
  ::unlink(path_.c_str());
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
    error_ = "cannot bind notify socket " + path_ + ": " + std::strerror(errno);
    ::close(fd);
    return;
  }
  fd_ = fd;
  sd_ = std::make_unique<boost::asio::posix::stream_descriptor>(io, fd_);
  arm();
}

NotifySocket::~NotifySocket() {
  if (sd_) {
    boost::system::error_code ec;
    sd_->close(ec);
    ::unlink(path_.c_str());
  }
}

void NotifySocket::arm() {
  sd_->async_wait(boost::asio::posix::stream_descriptor::wait_read, [this](const boost::system::error_code& ec) {
    if (ec) return;
    drain();
    arm();
  });
}

void NotifySocket::drain() {
  char data[kMaxNotifyDatagram + 1];
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred)) + CMSG_SPACE(sizeof(int) * 16)];
  for (int i = 0; i < 64; ++i) {  // bounded: a flood cannot monopolise the loop
    iovec iov{data, sizeof data - 1};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(fd_, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
    if (n < 0) return;  // EAGAIN: drained
    pid_t sender = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
        ucred cred;
        std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
        sender = cred.pid;
      } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        // Someone passed descriptors (FDSTORE=1): vigil keeps no fd store; close them.
        int nfds = static_cast<int>((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        for (int k = 0; k < nfds; ++k) {
          int fd;
          std::memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof fd);
          ::close(fd);
        }
      }
    }
    if (sender <= 0 || static_cast<std::size_t>(n) > kMaxNotifyDatagram || (msg.msg_flags & MSG_TRUNC)) continue;
    handler_(sender, std::string_view(data, static_cast<std::size_t>(n)));
  }
}

}  // namespace vigil
