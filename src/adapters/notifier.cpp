#include "vigil/notifier.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "vigil/alert_payload.hpp"
#include "vigil/clock.hpp"
#include "vigil/notify_delivery.hpp"

namespace vigil {

namespace {
constexpr std::size_t kQueueLimit = 256;
// Alertmanager forgets a firing alert whose endsAt passed; vigil renews it well before (every
// `resend`): the lease is four resends, and at least 5 minutes.
double alertmanager_lease(const NotifierSpec& spec) {
  return std::max(300.0, 4 * std::chrono::duration<double>(spec.resend).count());
}

bool same_spec(const NotifierSpec& a, const NotifierSpec& b) {
  return a.type == b.type && a.command == b.command && a.cwd == b.cwd && a.urls == b.urls && a.format == b.format &&
         a.headers == b.headers && a.timeout == b.timeout && a.retries == b.retries && a.labels == b.labels &&
         a.resend == b.resend && a.proxy == b.proxy;
}

std::string_view type_name(NotifierType t) {
  switch (t) {
    case NotifierType::Exec: return "exec";
    case NotifierType::Webhook: return "webhook";
    case NotifierType::Journal: return "journal";
  }
  return "?";
}
}  // namespace

struct NotifierPool::Channel {
  NotifierSpec spec;
  std::string host;
  std::string generator_url;
  FailureHook on_failure;
  mutable std::mutex mu;
  std::condition_variable cv;
  std::deque<Notification> queue;
  bool stop = false;
  std::atomic<bool> cancel{false};  // vigil is stopping: end the attempt in progress
  std::atomic<bool> finished{false};  // run() returned: the thread can be joined at once
  ChannelStats stats;
  std::thread thread;

  std::string webhook_body(const Notification& n) const {
    switch (spec.format) {
      case WebhookFormat::Json: return alert_json(n, host);
      case WebhookFormat::Alertmanager:
        return alertmanager_json(n, host, alertmanager_lease(spec), spec.labels,
                                 generator_url.empty() ? "" : generator_url + "#svc-" + n.alert.service);
      case WebhookFormat::Slack: return slack_json(n);
    }
    return "";
  }

  // `done`: the URLs already delivered to (a retry goes only to the peers that failed).
  std::string attempt(const Notification& n, std::vector<bool>& done) {
    switch (spec.type) {
      case NotifierType::Exec:
        return deliver_exec(spec, alert_json(n, host), alert_env(n), cancel);
      case NotifierType::Webhook: {
        std::string body = webhook_body(n), errors;
        done.resize(spec.urls.size(), false);
        for (std::size_t i = 0; i < spec.urls.size(); ++i) {
          if (done[i]) continue;
          std::string err = deliver_webhook(spec, spec.urls[i], body, cancel);
          if (err.empty()) done[i] = true;
          else errors += (errors.empty() ? "" : "; ") + err;
        }
        return errors;
      }
      case NotifierType::Journal:
        return deliver_journal(n);
    }
    return "unknown notifier type";
  }

  void run() {
    for (;;) {
      Notification n;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return stop || !queue.empty(); });
        if (stop) return;
        n = std::move(queue.front());
        queue.pop_front();
      }
      std::string what = n.alert.rule + " " + std::string(state_word(n)) + " for " + n.alert.service;
      std::vector<bool> done;
      for (int attempt_no = 0;; ++attempt_no) {
        std::string err = attempt(n, done);
        std::unique_lock lock(mu);
        if (err.empty()) {
          ++stats.sent;
          break;
        }
        ++stats.failed;
        stats.last_error = err;
        stats.last_error_at = unix_now();
        bool give_up = attempt_no >= spec.retries || stop;
        lock.unlock();
        on_failure(spec.name, what, err, give_up);
        lock.lock();
        if (give_up) break;
        // Back off, but leave at once when vigil stops.
        if (cv.wait_for(lock, std::chrono::seconds(1 << std::min(attempt_no, 5)), [&] { return stop; })) return;
      }
    }
  }
};

NotifierPool::NotifierPool(std::string host, FailureHook on_failure)
    : host_(std::move(host)), on_failure_(std::move(on_failure)) {}

NotifierPool::~NotifierPool() {
  std::vector<std::shared_ptr<Channel>> all = retired_;
  for (auto& [n, c] : channels_) all.push_back(c);
  for (auto& c : all) {
    {
      std::lock_guard lock(c->mu);
      c->stop = true;
    }
    c->cancel = true;  // a delivery stuck until its timeout would hold vigil's exit
    c->cv.notify_all();
  }
  for (auto& c : all)
    if (c->thread.joinable()) c->thread.join();
}

void NotifierPool::configure(const std::vector<NotifierSpec>& specs) {
  // Channels replaced earlier whose last attempt is over are freed now (the join does not wait).
  std::erase_if(retired_, [](const std::shared_ptr<Channel>& c) {
    if (!c->finished) return false;
    c->thread.join();
    return true;
  });
  std::map<std::string, std::shared_ptr<Channel>> next;
  for (const auto& spec : specs) {
    auto it = channels_.find(spec.name);
    if (it != channels_.end() && same_spec(it->second->spec, spec)) {
      next[spec.name] = it->second;
      continue;
    }
    auto c = std::make_shared<Channel>();
    c->spec = spec;
    c->host = host_;
    c->generator_url = generator_url_;
    c->on_failure = on_failure_;
    c->stats.name = spec.name;
    c->stats.type = std::string(type_name(spec.type));
    c->thread = std::thread([raw = c.get()] {
      ::pthread_setname_np(::pthread_self(), "vigil-notify");  // for top -H and /proc/PID/task
      raw->run();
      raw->finished = true;
    });
    next[spec.name] = c;
  }
  for (auto& [name, c] : channels_) {
    if (next.count(name) && next[name] == c) continue;
    {
      std::lock_guard lock(c->mu);
      c->stop = true;
    }
    c->cv.notify_all();
    retired_.push_back(c);  // joined at destruction; it may be inside a bounded attempt right now
  }
  channels_ = std::move(next);
}

void NotifierPool::send(const Notification& n) {
  for (const auto& t : n.targets) send_to(t, n);
}

void NotifierPool::send_to(const std::string& channel, const Notification& n) {
  auto it = channels_.find(channel);
  if (it == channels_.end()) return;
  Channel& c = *it->second;
  {
    std::lock_guard lock(c.mu);
    if (c.queue.size() >= kQueueLimit) {
      c.queue.pop_front();  // the oldest news is the least useful
      ++c.stats.dropped;
    }
    c.queue.push_back(n);
  }
  c.cv.notify_one();
}

bool NotifierPool::is_alertmanager(const std::string& channel) const {
  auto it = channels_.find(channel);
  return it != channels_.end() && it->second->spec.type == NotifierType::Webhook &&
         it->second->spec.format == WebhookFormat::Alertmanager;
}

std::optional<Duration> NotifierPool::alertmanager_resend(const std::string& channel) const {
  if (!is_alertmanager(channel)) return std::nullopt;
  return channels_.at(channel)->spec.resend;
}

std::vector<NotifierPool::ChannelStats> NotifierPool::stats() const {
  std::vector<ChannelStats> out;
  for (const auto& [n, c] : channels_) {
    std::lock_guard lock(c->mu);
    out.push_back(c->stats);
  }
  return out;
}

}  // namespace vigil
