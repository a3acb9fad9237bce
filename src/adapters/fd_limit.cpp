#include "vigil/fd_limit.hpp"

namespace vigil {
namespace {
// Written once at startup, before any child is forked; only read after that.
struct rlimit g_original {};
bool g_raised = false;
}  // namespace

rlim_t raise_fd_limit() {
  struct rlimit lim {};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  if (lim.rlim_cur >= lim.rlim_max) return lim.rlim_cur;
  g_original = lim;
  struct rlimit raised = lim;
  raised.rlim_cur = lim.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &raised) != 0) return lim.rlim_cur;
  g_raised = true;
  return raised.rlim_cur;
}

void restore_fd_limit_for_child() {
  if (g_raised) ::setrlimit(RLIMIT_NOFILE, &g_original);
}

}  // namespace vigil
