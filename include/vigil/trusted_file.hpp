#pragma once
// What vigil trusts on disk.
//
// Reading a file whose content vigil acts on (vigil.toml, rules.toml). Whoever can write such a
// file runs commands as vigil's user (an exec notifier applies within seconds of a save), so, as
// sshd and sudo do, vigil refuses one that is group- or other-writable or owned by another user
// than itself or root. The check is made on the opened file (fstat), so it is the file read.
#include <sys/types.h>

#include <optional>
#include <string>

#include "vigil/error.hpp"

namespace vigil {

/// Pure: why a file with this owner and mode cannot be trusted by user `self`, or nullopt.
/// `owner_name` only words the reason ("uid 1001 (bob)").
std::optional<std::string> untrusted_file_reason(uid_t owner, const std::string& owner_name, mode_t mode, uid_t self);

struct TrustedRead {
  std::string text;
  std::optional<Diagnostic> error;  // cannot read it, or may not trust it
};

/// Reads `path` whole if vigil may trust it. `what` names the file in errors ("config", "rules").
TrustedRead read_trusted_file(const std::string& path, const std::string& what);

/// The folder of vigil's control socket, notify socket and status.json (the runtime dir; without
/// XDG_RUNTIME_DIR it is /tmp/vigil-UID, where anyone could have made it first). Creates it mode
/// 0700 if missing, then demands, as tmux and ssh-agent do: a real directory (not a symlink),
/// owned by vigil's user, with no permission for group or others. Returns why not, or nullopt.
std::optional<std::string> prepare_private_dir(const std::string& dir);

}  // namespace vigil
