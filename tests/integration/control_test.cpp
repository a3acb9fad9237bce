// The control socket and CLI against the real binary: exit codes from real situations, the JSON
// object, hostile clients, other users, and every command's round trip.
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <thread>

#include "http_peers.hpp"
#include "test_support.hpp"

using namespace vt;

namespace {

int connect_to(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

void send_all(int fd, const std::string& s) {
  for (std::size_t off = 0; off < s.size();) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

std::string read_line(int fd) {
  std::string out;
  char c;
  while (::read(fd, &c, 1) == 1) {
    if (c == '\n') return out;
    out += c;
  }
  return out;
}

nlohmann::json ask(int fd, const std::string& line) {
  send_all(fd, line + "\n");
  return nlohmann::json::parse(read_line(fd), nullptr, false);
}

bool serving(const TempDir& dir) {
  int fd = connect_to(control_socket(dir));
  if (fd < 0) return false;
  auto r = ask(fd, R"({"cmd":"ping"})");
  ::close(fd);
  return r.is_object() && r["ok"] == true;
}

// The table row of `service`, with its run of padding squeezed to one space: "web running 123 ...".
std::string row(const std::string& out, const std::string& service) {
  for (const auto& line : lines_of(out)) {
    if (line.rfind(service + " ", 0) != 0) continue;
    std::string squeezed;
    for (char c : line)
      if (!(c == ' ' && !squeezed.empty() && squeezed.back() == ' ')) squeezed += c;
    return squeezed;
  }
  return "";
}

bool shows(const std::string& out, const std::string& service, const std::string& state) {
  return row(out, service).rfind(service + " " + state, 0) == 0;
}

const char* kHealthy = "[service.web]\ncommand = [\"sleep\", \"1000\"]\n";

}  // namespace

TEST(Control, ExitZeroWhenEverythingIsHealthy) {
  TempDir dir;
  VigilRun vigil(dir, kHealthy);
  ASSERT_TRUE(wait_for([&] { return serving(dir); })) << vigil.log();
  ASSERT_TRUE(wait_for([&] { return shows(vigil_cli(dir, {"status"}).out, "web", "running"); }));
  CommandResult r = vigil_cli(dir, {"status"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("SERVICE  STATE    PID"), std::string::npos) << r.out;
}

TEST(Control, ExitOneForAFiringWarningAndTwoForACritical) {
  TempDir dir;
  write_file(dir / "rules.toml", "[[rule]]\nname = \"old\"\nservices = [\"web\"]\nwhen = \"uptime > 0s\"\nseverity = \"warning\"\n"
                                 "summary = \"{service} has been up {uptime}\"\n"
                                 "[[rule]]\nname = \"doomed\"\nservices = [\"db\"]\nwhen = \"running\"\nseverity = \"critical\"\n");
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"100ms\"\n" + std::string(kHealthy) + "[service.db]\ncommand = [\"sleep\", \"1000\"]\n");
  ASSERT_TRUE(wait_for([&] { return vigil_cli(dir, {"status"}).exit_code == 2; })) << vigil.log();
  CommandResult both = vigil_cli(dir, {"status"});
  EXPECT_NE(both.out.find("doomed firing (critical"), std::string::npos) << both.out;
  // The filter: web alone is only a warning.
  CommandResult web = vigil_cli(dir, {"status", "web"});
  EXPECT_EQ(web.exit_code, 1) << web.out;
  EXPECT_NE(web.out.find("warning  web has been up"), std::string::npos) << web.out;
  EXPECT_EQ(web.out.find("db "), std::string::npos) << web.out;
}

TEST(Control, ExitTwoForAFailedService) {
  TempDir dir;
  VigilRun vigil(dir, "[service.broken]\ncommand = [\"sh\", \"-c\", \"exit 1\"]\nstart_limit_burst = 1\n");
  ASSERT_TRUE(wait_for([&] { return vigil_cli(dir, {"status"}).exit_code == 2; })) << vigil.log();
  CommandResult r = vigil_cli(dir, {"status"});
  EXPECT_TRUE(shows(r.out, "broken", "failed")) << r.out;
  EXPECT_NE(r.out.find("last exit: exited with status 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("next start in"), std::string::npos) << r.out;  // failed_retry countdown
}

TEST(Control, ExitThreeWithTheLastKnownStateWhenVigilIsGone) {
  TempDir dir;
  VigilRun vigil(dir, kHealthy);
  ASSERT_TRUE(wait_for([&] { return file_exists(dir / "run/vigil/status.json") && serving(dir); }));
  vigil.signal(SIGKILL);
  vigil.wait_exit();
  CommandResult r = vigil_cli(dir, {"status"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out.rfind("vigil is not running (no answer on " + control_socket(dir), 0), 0u) << r.out;
  EXPECT_NE(r.out.find("last known state, written"), std::string::npos) << r.out;
  EXPECT_TRUE(shows(r.out, "web", "running")) << r.out;
  CommandResult j = vigil_cli(dir, {"status", "--json"});
  EXPECT_EQ(j.exit_code, 3);
  auto parsed = nlohmann::json::parse(j.out);
  EXPECT_EQ(parsed["reachable"], false);
  EXPECT_EQ(parsed["last_known"]["services"][0]["name"], "web");
  // Nothing at all to show: still 3, still clear.
  CommandResult none = run_command({VIGIL_BINARY, "status", "-s", dir / "nowhere/control.sock"});
  EXPECT_EQ(none.exit_code, 3);
  EXPECT_EQ(none.out.rfind("vigil is not running", 0), 0u) << none.out;
}

TEST(Control, JsonFollowsTheDocumentedSchema) {
  TempDir dir;
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"100ms\"\n" + std::string(kHealthy));
  ASSERT_TRUE(wait_for([&] {
    auto j = nlohmann::json::parse(vigil_cli(dir, {"status", "--json"}).out, nullptr, false);
    return j.is_object() && j["services"][0]["metrics"]["cpu"].is_number();
  })) << vigil.log();
  auto j = nlohmann::json::parse(vigil_cli(dir, {"status", "--json"}).out);
  auto has = [](const nlohmann::json& o, const char* key, auto check) {
    EXPECT_TRUE(o.contains(key)) << key << " missing in " << o.dump();
    if (o.contains(key)) {
      EXPECT_TRUE(check(o[key])) << key << " has the wrong type: " << o[key].dump();
    }
  };
  auto num = [](const nlohmann::json& v) { return v.is_number(); };
  auto str = [](const nlohmann::json& v) { return v.is_string(); };
  auto obj = [](const nlohmann::json& v) { return v.is_object(); };
  auto arr = [](const nlohmann::json& v) { return v.is_array(); };
  auto num_or_null = [](const nlohmann::json& v) { return v.is_number() || v.is_null(); };
  auto str_or_null = [](const nlohmann::json& v) { return v.is_string() || v.is_null(); };
  auto boolean = [](const nlohmann::json& v) { return v.is_boolean(); };
  has(j, "vigil", obj);
  for (const char* k : {"pid", "uptime", "taken_at"}) has(j["vigil"], k, num);
  for (const char* k : {"version", "config"}) has(j["vigil"], k, str);
  has(j, "store", obj);
  has(j["store"], "configured", boolean);
  has(j, "rules", obj);
  has(j["rules"], "loaded", boolean);
  has(j, "alerts", arr);
  has(j, "notifiers", arr);
  has(j, "services", arr);
  const auto& s = j["services"][0];
  for (const char* k : {"name", "state", "health", "health_summary", "status_text", "log_file"}) has(s, k, str);
  for (const char* k : {"pid", "uptime", "next_start_in"}) has(s, k, num_or_null);
  has(s, "restarts", num);
  has(s, "in_health_grace", boolean);
  has(s, "store_error", str_or_null);
  has(s, "metrics", obj);
  has(s["metrics"], "running", boolean);
  for (const char* k : {"cpu", "memory", "threads", "fds", "output_idle", "data_age", "watchdog_age"}) has(s["metrics"], k, num_or_null);
  EXPECT_EQ(s["state"], "running");
  EXPECT_GT(s["metrics"]["memory"].get<double>(), 0);
}

TEST(Control, ASecondVigilOnTheSameSocketRefusesAndStartsNothing) {
  TempDir dir;
  VigilRun vigil(dir, kHealthy);
  ASSERT_TRUE(wait_for([&] { return serving(dir); }));
  TempDir other;
  write_file(other / "vigil.toml", "[vigil]\nsocket = \"" + control_socket(dir) + "\"\n[service.intruder]\ncommand = [\"touch\", \"" +
                                       (other / "started") + "\"]\n");
  CommandResult r = run_command({VIGIL_BINARY, "run", "-c", other / "vigil.toml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not starting: another vigil is already running with control socket " + control_socket(dir)), std::string::npos)
      << r.err;
  EXPECT_FALSE(file_exists(other / "started"));
  EXPECT_TRUE(serving(dir));  // the first one was not disturbed
}

TEST(Control, AStaleSocketFromADeadVigilIsReplaced) {
  TempDir dir;
  {
    VigilRun first(dir, kHealthy);
    ASSERT_TRUE(wait_for([&] { return serving(dir); }));
    first.signal(SIGKILL);
    first.wait_exit();
  }
  ASSERT_TRUE(file_exists(control_socket(dir)));
  VigilRun second(dir, kHealthy);
  EXPECT_TRUE(wait_for([&] { return serving(dir); })) << second.log();
}

TEST(Control, AnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to create and become another user";
  if (!getpwnam("vigil-test-other")) {
    ASSERT_EQ(run_command({"/usr/sbin/useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                           "vigil-test-other"}).exit_code, 0);
  }
  passwd* pw = getpwnam("vigil-test-other");
  ASSERT_NE(pw, nullptr);
  TempDir dir;
  VigilRun vigil(dir, kHealthy);
  ASSERT_TRUE(wait_for([&] { return serving(dir); }));
  // Even with the socket opened up by mistake, SO_PEERCRED keeps another uid out.
  ::chmod(dir.path().c_str(), 0755);
  ::chmod((dir / "run").c_str(), 0755);
  ::chmod((dir / "run/vigil").c_str(), 0755);
  ::chmod(control_socket(dir).c_str(), 0666);
  uid_t uid = pw->pw_uid;
  gid_t gid = pw->pw_gid;
  std::string path = control_socket(dir), out_file = dir / "other.out";
  pid_t child = ::fork();
  if (child == 0) {
    if (::setgid(gid) != 0 || ::setuid(uid) != 0) ::_exit(10);
    int fd = connect_to(path);
    if (fd < 0) ::_exit(11);
    send_all(fd, "{\"cmd\":\"stop\",\"services\":[\"web\"]}\n");
    std::string reply = read_line(fd);
    char c;
    bool closed = ::read(fd, &c, 1) <= 0;  // EOF, or a reset: its unread request was discarded
    ::_exit(reply.find("permission denied") != std::string::npos && closed ? 0 : 12);
  }
  int ws = 0;
  ::waitpid(child, &ws, 0);
  EXPECT_EQ(WEXITSTATUS(ws), 0) << "10: setuid failed, 11: could not connect, 12: not refused";
  EXPECT_EQ(vigil_cli(dir, {"status"}).exit_code, 0);  // web was not stopped
}

TEST(Control, HostileClientsLeaveVigilServingOthers) {
  TempDir dir;
  VigilRun vigil(dir, kHealthy);
  ASSERT_TRUE(wait_for([&] { return serving(dir); }));

  int big = connect_to(control_socket(dir));
  auto r = ask(big, std::string(64 * 1024 + 1, 'x'));
  EXPECT_EQ(r["error"], "request too large (the limit is 64 KiB per line)");
  EXPECT_EQ(ask(big, R"({"cmd":"ping"})")["ok"], true);  // the same connection stays usable

  int garbage = connect_to(control_socket(dir));
  auto g = ask(garbage, std::string("\x01\xff\xfe garbage {", 12));
  EXPECT_EQ(g["ok"], false);
  EXPECT_EQ(ask(garbage, R"({"cmd":"nope"})")["error"], "unknown command 'nope'");
  EXPECT_EQ(ask(garbage, R"({"cmd":"stauts"})")["error"], "unknown command 'stauts' (did you mean 'status'?)");
  EXPECT_EQ(ask(garbage, R"({"cmd":"stop"})")["error"], "stop needs at least one service");
  EXPECT_EQ(ask(garbage, R"({"cmd":"status","services":["nope"]})")["error"], "unknown service 'nope'");
  EXPECT_EQ(ask(garbage, R"({"cmd":"ping"})")["ok"], true);

  int half = connect_to(control_socket(dir));
  send_all(half, "{\"cmd\":\"sta");  // and never finishes

  int deaf = connect_to(control_socket(dir));  // asks a lot and never reads a reply
  std::string many;
  for (int i = 0; i < 3000; ++i) many += "{\"cmd\":\"status\"}\n";
  send_all(deaf, many);

  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(serving(dir));
  CommandResult st = vigil_cli(dir, {"status"});
  EXPECT_EQ(st.exit_code, 0) << st.err;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  for (int fd : {big, garbage, half, deaf}) ::close(fd);
}

// Out of file descriptors, vigil neither spins on accept() nor stops supervising: it says so once,
// takes connections again as soon as fds are free, and says that too.
TEST(Control, OutOfFileDescriptorsPausesAcceptingAndRecovers) {
  TempDir dir;
  VigilRun vigil(dir, kHealthy, {}, {"/usr/bin/prlimit", "--nofile=32:32", "--"});
  ASSERT_TRUE(wait_for([&] { return serving(dir); }));
  std::vector<int> held;  // connected, never closed: each costs vigil one fd once accepted
  for (int i = 0; i < 64; ++i) {
    int fd = connect_to(control_socket(dir));
    if (fd >= 0) held.push_back(fd);
  }
  ASSERT_TRUE(vigil.wait_log("control socket cannot accept connections")) << vigil.log();
  EXPECT_TRUE(vigil.wait_log("Too many open files")) << vigil.log();
  for (int fd : held) ::close(fd);
  ASSERT_TRUE(vigil.wait_log("control socket accepts connections again")) << vigil.log();
  CommandResult st = vigil_cli(dir, {"status"});
  EXPECT_EQ(st.exit_code, 0) << st.out << st.err;
  EXPECT_TRUE(shows(st.out, "web", "running")) << st.out;
  EXPECT_EQ(count_of(vigil.log(), "cannot accept connections"), 1) << vigil.log();
}

TEST(Control, StartStopRestartAndReloadRoundTrips) {
  TempDir dir;
  VigilRun vigil(dir, "[service.web]\ncommand = [\"sh\", \"-c\", \"trap 'exit 0' TERM; while :; do sleep 0.05; done\"]\n");
  ASSERT_TRUE(wait_for([&] { return serving(dir); }));
  ASSERT_TRUE(wait_for([&] { return shows(vigil_cli(dir, {"status"}).out, "web", "running"); }));
  CommandResult stop = vigil_cli(dir, {"stop", "web"});
  EXPECT_EQ(stop.exit_code, 0) << stop.err;
  EXPECT_EQ(stop.out, "web: stopped\n");
  EXPECT_TRUE(shows(vigil_cli(dir, {"status"}).out, "web", "stopped"));
  CommandResult start = vigil_cli(dir, {"start", "web"});
  EXPECT_EQ(start.exit_code, 0) << start.err;
  EXPECT_EQ(start.out.rfind("web: running (pid ", 0), 0u) << start.out;
  std::string first_pid = start.out;
  CommandResult restart = vigil_cli(dir, {"restart", "web"});
  EXPECT_EQ(restart.exit_code, 0) << restart.err;
  EXPECT_EQ(restart.out.rfind("web: running (pid ", 0), 0u) << restart.out;
  EXPECT_NE(restart.out, first_pid);  // a new process
  CommandResult unknown = vigil_cli(dir, {"stop", "wbe"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("unknown service 'wbe' (did you mean 'web'?)"), std::string::npos) << unknown.err;
  EXPECT_EQ(vigil_cli(dir, {"stop"}).exit_code, 2);

  CommandResult reload = vigil_cli(dir, {"reload"});
  EXPECT_EQ(reload.exit_code, 0) << reload.err;
  write_file(vigil.config_path(), "[service.web]\ncommand = \"oops\"\n");
  CommandResult bad = vigil_cli(dir, {"reload"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("config refused, the config and rules in force stay"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find(vigil.config_path() + ":2:11:"), std::string::npos) << bad.err;

  // A good config with bad rules: the config is applied, only the rules are refused, and the
  // reply says exactly that (it used to say that nothing was applied).
  write_file(vigil.config_path(), "[service.web]\ncommand = [\"sleep\", \"60\"]\n");
  write_file(dir / "rules.toml", "[[rule]]\nname = \"r\"\nwhen = \"cpu >\"\n");
  CommandResult half = vigil_cli(dir, {"reload"});
  EXPECT_EQ(half.exit_code, 1);
  EXPECT_NE(half.err.find("config applied"), std::string::npos) << half.err;
  EXPECT_NE(half.err.find("rules refused, the rules in force stay"), std::string::npos) << half.err;
  EXPECT_NE(half.err.find("rules.toml:3:"), std::string::npos) << half.err;
  EXPECT_EQ(half.err.find("config refused"), std::string::npos) << half.err;
}

TEST(Control, CommonOptionsMayComeBeforeTheCommand) {
  TempDir dir;
  VigilRun vigil(dir, "[service.web]\ncommand = [\"sleep\", \"60\"]\n");
  ASSERT_TRUE(wait_for([&] { return serving(dir); }));
  CommandResult before = run_command({VIGIL_BINARY, "-s", control_socket(dir), "status"});
  EXPECT_EQ(before.exit_code, 0) << before.err;
  EXPECT_TRUE(shows(before.out, "web", "running")) << before.out;
  CommandResult check = run_command({VIGIL_BINARY, "-c", vigil.config_path(), "check"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  CommandResult dangling = run_command({VIGIL_BINARY, "-s", control_socket(dir)});
  EXPECT_EQ(dangling.exit_code, 2);
}

TEST(Control, AFailedServiceCanBeStartedByHand) {
  TempDir dir;
  write_file(dir / "go", "");
  VigilRun vigil(dir, "[service.flaky]\ncommand = [\"sh\", \"-c\", \"test -f " + (dir / "fixed") +
                          " && exec sleep 1000; exit 1\"]\nstart_limit_burst = 1\nfailed_retry = \"never\"\n");
  ASSERT_TRUE(wait_for([&] { return shows(vigil_cli(dir, {"status"}).out, "flaky", "failed"); }));
  write_file(dir / "fixed", "");
  CommandResult start = vigil_cli(dir, {"start", "flaky"});
  EXPECT_EQ(start.exit_code, 0) << start.err << vigil.log();
  // Running again; service_failed stays firing until the run lasts its `after` (30 s), so the
  // status exit code may still be critical: only a start that beat the alert's evaluation read 0.
  EXPECT_TRUE(shows(vigil_cli(dir, {"status"}).out, "flaky", "running"));
}

TEST(Control, AlertsAndSilenceRoundTrips) {
  TempDir dir;
  // The rule fires 2 s after start, so the silence below is in place before it does.
  write_file(dir / "rules.toml", "[[rule]]\nname = \"old\"\nwhen = \"uptime > 2s\"\nseverity = \"warning\"\n"
                                 "notify = [\"rec\"]\nsummary = \"{service} is up\"\n"
                                 "[notify.rec]\ntype = \"exec\"\ncommand = [\"sh\", \"-c\", \"cat >> " + (dir / "sent") + "\"]\n");
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"100ms\"\n[service.web]\ncommand = [\"sleep\", \"1000\"]\n"
                      "[service.db]\ncommand = [\"sleep\", \"1000\"]\n");
  ASSERT_TRUE(wait_for([&] { return serving(dir); }));
  CommandResult sil = vigil_cli(dir, {"silence", "db/old", "--for", "2h", "--reason", "maintenance"});
  EXPECT_EQ(sil.exit_code, 0) << sil.err;
  EXPECT_EQ(sil.out.rfind("silence s", 0), 0u) << sil.out;
  ASSERT_TRUE(wait_for([&] { return vigil_cli(dir, {"alerts"}).out.find("silenced by") != std::string::npos; })) << vigil.log();
  CommandResult alerts = vigil_cli(dir, {"alerts"});
  EXPECT_NE(alerts.out.find("web is up"), std::string::npos) << alerts.out;
  EXPECT_NE(alerts.out.find("db is up  [silenced by s1 (maintenance)]"), std::string::npos) << alerts.out;
  auto json = nlohmann::json::parse(vigil_cli(dir, {"alerts", "--json"}).out);
  EXPECT_EQ(json.size(), 2u);
  // Only web's firing went out.
  ASSERT_TRUE(wait_for([&] { return read_file(dir / "sent").find("\"web\"") != std::string::npos; }));
  EXPECT_EQ(read_file(dir / "sent").find("\"service\":\"db\""), std::string::npos) << read_file(dir / "sent");
  CommandResult list = vigil_cli(dir, {"silence", "--list"});
  EXPECT_NE(list.out.find("s1  db/old  until "), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("maintenance"), std::string::npos);
  EXPECT_EQ(vigil_cli(dir, {"silence", "nosuch", "--for", "1h"}).exit_code, 1);
  EXPECT_EQ(vigil_cli(dir, {"silence", "db", "--for", "soon"}).exit_code, 1);

  // Silences survive a restart of vigil.
  vigil.signal(SIGTERM);
  ASSERT_EQ(vigil.wait_exit(), 0);
  VigilRun again(dir, read_file(vigil.config_path()));
  ASSERT_TRUE(wait_for([&] { return serving(dir); }));
  EXPECT_NE(vigil_cli(dir, {"silence", "--list"}).out.find("s1  db/old"), std::string::npos);
  EXPECT_EQ(vigil_cli(dir, {"silence", "--remove", "s1"}).out, "silence s1 removed\n");
  EXPECT_EQ(vigil_cli(dir, {"silence", "--list"}).out, "no silences\n");
}

TEST(Control, LogsShowsTheTailAndFollowsAcrossRotation) {
  TempDir dir;
  VigilRun vigil(dir, "[vigil]\nlog_dir = \"" + (dir / "logs") + "\"\nlog_max_size = \"2KB\"\nlog_keep = 1\n"
                      "[service.talker]\ncommand = [\"sh\", \"-c\", \"i=0; while :; do i=$((i+1)); echo line-$i; sleep 0.02; done\"]\n");
  ASSERT_TRUE(wait_for([&] { return serving(dir) && lines_of(read_file(dir / "logs/talker.log")).size() >= 5; }));
  CommandResult tail = vigil_cli(dir, {"logs", "talker", "-n", "3"});
  EXPECT_EQ(tail.exit_code, 0) << tail.err;
  EXPECT_EQ(lines_of(tail.out).size(), 3u) << tail.out;
  // -f: a follower sees lines written after it started, including after rotations.
  ChildProcess follower({VIGIL_BINARY, "logs", "talker", "-f", "-n", "0", "-s", control_socket(dir)}, dir / "followed");
  ASSERT_TRUE(wait_for([&] { return file_exists(dir / "logs/talker.log.1"); }));
  auto count_now = [&] { return lines_of(read_file(dir / "followed")).size(); };
  ASSERT_TRUE(wait_for([&] { return count_now() > 150; })) << count_now();  // > 2KB: it crossed a rotation
  auto lines = lines_of(read_file(dir / "followed"));
  for (const auto& l : lines) EXPECT_NE(l.find(" out line-"), std::string::npos) << l;
}

TEST(Control, EveryCommandHasHelp) {
  for (const char* c : {"run", "check", "status", "start", "stop", "restart", "reload", "logs", "alerts", "silence"}) {
    CommandResult r = run_command({VIGIL_BINARY, c, "--help"});
    EXPECT_EQ(r.exit_code, 0) << c;
    EXPECT_EQ(r.out.rfind(std::string("usage: vigil ") + c, 0), 0u) << r.out;
  }
  CommandResult all = run_command({VIGIL_BINARY, "--help"});
  for (const char* c : {"status", "silence", "logs"}) EXPECT_NE(all.out.find(std::string("  ") + c), std::string::npos);
}

// Without XDG_RUNTIME_DIR the runtime dir is /tmp/vigil-UID, which anyone may create first. A
// folder others can enter or that is not ours is refused, as tmux and ssh-agent refuse theirs.
TEST(Control, ARuntimeDirOpenToOthersIsRefused) {
  TempDir dir;
  std::filesystem::create_directories(dir / "run/vigil");
  ::chmod((dir / "run/vigil").c_str(), 0777);
  VigilRun vigil(dir, kHealthy);
  EXPECT_EQ(vigil.wait_exit(), 1) << vigil.log();
  EXPECT_NE(vigil.log().find("not starting: the runtime dir " + (dir / "run/vigil") +
                             " is open to other users (mode 0777, owner uid "),
            std::string::npos)
      << vigil.log();
  EXPECT_FALSE(file_exists(control_socket(dir)));
}

TEST(Control, ARuntimeDirThatIsASymlinkIsRefused) {
  TempDir dir, elsewhere;
  std::filesystem::create_directories(dir / "run");
  std::filesystem::create_directory_symlink(elsewhere.path(), dir / "run/vigil");
  VigilRun vigil(dir, kHealthy);
  EXPECT_EQ(vigil.wait_exit(), 1) << vigil.log();
  EXPECT_NE(vigil.log().find(dir / "run/vigil" + " is a symbolic link"), std::string::npos) << vigil.log();
}

TEST(Control, ARuntimeDirOfAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the runtime dir to another user (CI runs as root)";
  TempDir dir;
  std::filesystem::create_directories(dir / "run/vigil");
  ASSERT_EQ(::chown((dir / "run/vigil").c_str(), 65534, 65534), 0);
  ::chmod((dir / "run/vigil").c_str(), 0700);
  VigilRun vigil(dir, kHealthy);
  EXPECT_EQ(vigil.wait_exit(), 1) << vigil.log();
  EXPECT_NE(vigil.log().find(" belongs to another user (mode 0700, owner uid 65534"), std::string::npos) << vigil.log();
}

// status.json is replaced through status.json.tmp: a symlink found there is never followed.
TEST(Control, ASymlinkAtTheStatusTempFileIsNotFollowed) {
  TempDir dir;
  write_file(dir / "victim", "precious\n");
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"100ms\"\n[service.flappy]\ncommand = [\"sh\", \"-c\", \"sleep 0.2\"]\n"
                      "restart_delay = \"100ms\"\nstart_limit_burst = 1000\n");
  ASSERT_TRUE(wait_for([&] { return vigil.status().is_object(); })) << vigil.log();
  std::filesystem::create_symlink(dir / "victim", dir / "run/vigil/status.json.tmp");
  int starts = count_of(vigil.log(), "flappy: started");
  // Restarts change the status, so it is rewritten several times meanwhile.
  ASSERT_TRUE(vigil.wait_log("flappy: started", starts + 3)) << vigil.log();
  ASSERT_TRUE(wait_for([&] {
    auto file = vigil.status_file();
    auto s = file.is_object() ? file["services"][0] : nlohmann::json();
    return s.is_object() && s["restarts"].is_number() && s["restarts"].get<int>() >= starts + 1;
  })) << read_file(dir / "run/vigil/status.json");
  EXPECT_EQ(read_file(dir / "victim"), "precious\n");
}

namespace {

// The times status.json was replaced (renamed into place) since the watch began.
class StatusFileWrites {
 public:
  explicit StatusFileWrites(const std::string& folder) : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    ::inotify_add_watch(fd_, folder.c_str(), IN_MOVED_TO);
  }
  ~StatusFileWrites() { ::close(fd_); }
  int count() {
    alignas(inotify_event) char buf[4096];
    for (ssize_t n; (n = ::read(fd_, buf, sizeof buf)) > 0;)
      for (char* p = buf; p < buf + n;) {
        auto* e = reinterpret_cast<inotify_event*>(p);
        if (e->len > 0 && std::string(e->name) == "status.json") ++count_;
        p += sizeof(inotify_event) + e->len;
      }
    return count_;
  }

 private:
  int fd_;
  int count_ = 0;
};

}  // namespace

// status.json is what a stopped vigil leaves behind: rewritten at every change of state, and
// otherwise every 10 s, not at every sample (the control socket has the live figures).
TEST(Control, TheStatusFileFollowsChangesOfStateNotEverySample) {
  TempDir dir;
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"100ms\"\n[service.web]\ncommand = [\"sleep\", \"1000\"]\n");
  auto file_state = [&] {
    auto file = vigil.status_file();
    return file.is_object() ? file["services"][0].value("state", "") : "";
  };
  ASSERT_TRUE(wait_for([&] { return file_state() == "running"; })) << vigil.log();
  StatusFileWrites writes(dir / "run/vigil");
  // Two seconds of samples at 100 ms (the live status's taken_at is the wall clock of the answer).
  double first = vigil.status()["vigil"]["taken_at"].get<double>();
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(wait_for([&] { return vigil.status()["vigil"]["taken_at"].get<double>() >= first + 2.0; }));
  double window = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LE(writes.count(), 1 + static_cast<int>(window / 10)) << "over " << window << " s";
  // A change of state reaches the file at once.
  ASSERT_EQ(vigil_cli(dir, {"stop", "web"}).exit_code, 0);
  EXPECT_TRUE(wait_for([&] { return file_state() == "stopped"; }, 5s)) << read_file(dir / "run/vigil/status.json");
}

// A rule's restart happens while the rules evaluate a snapshot that still shows the service
// running: the file must still show the stop at once, not when the process finally exits.
TEST(Control, TheStatusFileShowsARulesRestartWhileTheServiceStops) {
  TempDir dir;
  // Restarted once it says it ignores SIGTERM, so the stop lasts until stop_timeout.
  write_file(dir / "rules.toml", "[[rule]]\nname = \"kick\"\nwhen = \"log.deaf > 0\"\naction = \"restart\"\n");
  VigilRun vigil(dir, "[vigil]\nsample_interval = \"100ms\"\n[service.stubborn]\ncommand = [\"python3\", \"-c\", "
                      "\"import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('deaf', flush=True); "
                      "time.sleep(1000)\"]\nstop_timeout = \"60s\"\nlog_match = { deaf = \"deaf\" }\n");
  ASSERT_TRUE(vigil.wait_log("stubborn: running -> stopping")) << vigil.log();
  // Well inside stop_timeout, and before the 10 s refresh of an unchanged file.
  EXPECT_TRUE(wait_for([&] {
    auto f = vigil.status_file();
    return f.is_object() && f["services"][0].value("state", "") == "stopping";
  }, 5s)) << vigil.status_file().dump(2);
}

namespace {

// Stands in for an older vigil on the control socket (the daemon still running after an upgrade):
// answers each request with `reply`, whatever it asked.
class OlderDaemon {
 public:
  OlderDaemon(const std::string& path, std::string reply) : reply_(std::move(reply)) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    ::unlink(path.c_str());
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 4);
    thread_ = std::thread([this] {
      for (int c; (c = ::accept(fd_, nullptr, nullptr)) >= 0; ::close(c)) {
        std::string request;
        char ch;
        while (::read(c, &ch, 1) == 1 && ch != '\n') request += ch;
        std::string line = reply_ + "\n";
        (void)!::write(c, line.data(), line.size());
      }
    });
  }
  ~OlderDaemon() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }

 private:
  std::string reply_;
  int fd_;
  std::thread thread_;
};

}  // namespace

// After an upgrade the client may talk to the older daemon: a reply without the keys it reads is
// shown as far as it goes, or refused with what to do, never an abort.
TEST(Control, TheCliSurvivesTheRepliesOfAnOlderDaemon) {
  TempDir dir;
  {
    OlderDaemon old(control_socket(dir), R"({"ok": true, "silences": [{"id": "s1", "until": 1795374406}]})");
    CommandResult r = vigil_cli(dir, {"silence", "--list"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("s1  "), std::string::npos) << r.out;
  }
  {
    OlderDaemon old(control_socket(dir), R"({"ok": true})");
    CommandResult r = vigil_cli(dir, {"cancel", "--all"});
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.err.find("vigil cancel: vigil's reply is not what this client reads"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("restart it"), std::string::npos) << r.err;
  }
}

// 32 connections held open by any same-uid program used to lock the CLI out ("too many control
// connections", exit 3). The one idle the longest now makes room for the newcomer.
TEST(Control, IdleConnectionsCannotLockTheCliOut) {
  TempDir dir;
  VigilRun vigil(dir, kHealthy);
  ASSERT_TRUE(wait_for([&] { return serving(dir); }));
  std::vector<int> squatters;
  for (int i = 0; i < 40; ++i) {
    int fd = connect_to(control_socket(dir));
    ASSERT_GE(fd, 0);
    if (i % 2 == 0) {
      ASSERT_EQ(ask(fd, R"({"cmd":"ping"})")["ok"], true);  // spoke once, then idles
    }
    squatters.push_back(fd);
  }
  for (int round = 0; round < 3; ++round) {
    CommandResult r = vigil_cli(dir, {"status"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  for (int fd : squatters) ::close(fd);
}

// A connection that never sends anything is closed much sooner than one that has spoken.
TEST(Control, ASilentConnectionIsClosedBeforeAnIdleOneThatSpoke) {
  TempDir dir;
  VigilRun vigil(dir, kHealthy);
  ASSERT_TRUE(wait_for([&] { return serving(dir); }));
  int spoke = connect_to(control_socket(dir));
  ASSERT_EQ(ask(spoke, R"({"cmd":"ping"})")["ok"], true);
  int silent = connect_to(control_socket(dir));
  ASSERT_GE(silent, 0);
  timeval tv{15, 0};
  ::setsockopt(silent, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char c;
  EXPECT_EQ(::read(silent, &c, 1), 0) << "the silent connection should have been closed (EOF)";
  EXPECT_EQ(ask(spoke, R"({"cmd":"ping"})")["ok"], true);  // the one that spoke is still served
  ::close(silent);
  ::close(spoke);
}
