#pragma once
// vigil is a child subreaper (PR_SET_CHILD_SUBREAPER): when a service's main process dies, its
// orphaned descendants become vigil's children instead of PID 1's. That lets vigil collect them at
// once (PID 1 may reap lazily, and a zombie still counts as a member of its process group), so
// "is the service's process group gone?" gets a prompt, true answer.
//
// The rule that keeps this safe: reap_adopted() never waits on a pid vigil spawned itself; those are
// collected only through their pidfd (see child_process.hpp). Called on the event-loop thread.
#include <sys/types.h>

#include <functional>
#include <mutex>

namespace vigil {

/// Makes this process a subreaper. Returns false (and vigil carries on) if the kernel refuses.
bool become_subreaper();

/// Reaps every zombie child of vigil for which `owned(pid)` is false and that nobody claimed.
/// Returns how many were reaped.
int reap_adopted(const std::function<bool(pid_t)>& owned);

/// Children started off the event loop (alert commands on notifier threads) are claimed while
/// this lock is held across their fork, so the loop's reaper can never take their exit status.
std::unique_lock<std::mutex> lock_children();
void claim_child(pid_t pid);    // call with lock_children() held
void release_child(pid_t pid);  // after its owner reaped it

}  // namespace vigil
