#pragma once
// One delivery attempt per call, blocking but bounded by the notifier's timeout. Called only on a
// notifier thread (notifier.hpp), never on the event loop. Each returns "" on success or what went
// wrong, worded for the operator log. `cancel` turning true (vigil is stopping) ends an attempt
// early, so shutdown never waits for a hung receiver.
#include <atomic>
#include <string>
#include <utility>
#include <vector>

#include "vigil/rule_engine.hpp"
#include "vigil/rules_config.hpp"

namespace vigil {

/// exec: argv (no shell), `input` on stdin, `env` added; the whole process group is SIGKILLed at
/// the timeout and the child is always reaped.
std::string deliver_exec(const NotifierSpec& spec, const std::string& input,
                         const std::vector<std::pair<std::string, std::string>>& env, const std::atomic<bool>& cancel);

/// webhook: HTTP POST of `body` (application/json) to `url` (one of the spec's) with the spec's
/// headers; 2xx is success. The first call loads libcurl (see notify_webhook.cpp).
std::string deliver_webhook(const NotifierSpec& spec, const std::string& url, const std::string& body,
                            const std::atomic<bool>& cancel);

/// journal: one structured entry (VIGIL_EVENT=alert, VIGIL_RULE, VIGIL_SEVERITY, VIGIL_SERVICE).
std::string deliver_journal(const Notification& n);

}  // namespace vigil
