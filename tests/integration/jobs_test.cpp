// Jobs end to end (docs/jobs.md): the real vigil, real children, the CLI as an operator uses it.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <chrono>
#include <csignal>

#include "test_support.hpp"

using namespace vt;

namespace {

std::string sh(const std::string& script) {
  std::string escaped;
  for (char c : script) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return "[\"sh\", \"-c\", \"" + escaped + "\"]";
}

nlohmann::json history(const TempDir& dir, const std::string& job) {
  CommandResult r = vigil_cli(dir, {"history", job, "--json", "-n", "100"});
  if (r.exit_code != 0) return nlohmann::json::array();
  return nlohmann::json::parse(r.out, nullptr, false);
}

nlohmann::json job_status(const TempDir& dir, const std::string& job) {
  CommandResult r = vigil_cli(dir, {"status", "--json"});
  auto st = nlohmann::json::parse(r.out, nullptr, false);
  if (!st.is_object()) return nullptr;
  for (const auto& j : st["jobs"])
    if (j["name"] == job) return j;
  return nullptr;
}

// The first column of the first row of `sql` on the history database, read as vigil's
// readers do (WAL: never blocks vigil's writes); 0 when there is no such database or row yet.
double sql_count(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  double out = 0;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
      out = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
  return out;
}

double unix_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// vigil is up once its control socket answers.
void wait_ready(const TempDir& dir, const VigilRun& vigil) {
  ASSERT_TRUE(wait_for([&] { return vigil_cli(dir, {"status"}).exit_code != 1 && vigil.wait_log("supervising", 1, Ms(1)); }))
      << vigil.log();
}

}  // namespace

TEST(Jobs, RunNowWaitExitsWithTheJobsExitCode) {
  TempDir dir;
  VigilRun vigil(dir, "[job.ok]\ncommand = [\"true\"]\n"
                      "[job.three]\ncommand = " + sh("exit 3") + "\n"
                      "[job.term]\ncommand = " + sh("kill -TERM $$") + "\n");
  wait_ready(dir, vigil);
  CommandResult ok = vigil_cli(dir, {"run-now", "ok", "--wait"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err << vigil.log();
  EXPECT_NE(ok.err.find("ok: run 1 success"), std::string::npos) << ok.err;
  CommandResult three = vigil_cli(dir, {"run-now", "three", "--wait"});
  EXPECT_EQ(three.exit_code, 3) << three.err;
  EXPECT_NE(three.err.find("failed (exit 3)"), std::string::npos) << three.err;
  CommandResult term = vigil_cli(dir, {"run-now", "term", "--wait"});
  EXPECT_EQ(term.exit_code, 143) << term.err;  // 128 + SIGTERM, as a shell reports it
  // Without --wait it only says the run started.
  CommandResult nowait = vigil_cli(dir, {"run-now", "ok"});
  EXPECT_EQ(nowait.exit_code, 0);
  EXPECT_NE(nowait.out.find("ok: run "), std::string::npos) << nowait.out;
  EXPECT_EQ(vigil_cli(dir, {"run-now", "nope"}).exit_code, 1);
}

TEST(Jobs, RunNowFollowStreamsTheOutput) {
  TempDir dir;
  VigilRun vigil(dir, "[job.talk]\ncommand = " + sh("echo one; echo two; echo three >&2; exit 4") + "\n");
  wait_ready(dir, vigil);
  CommandResult r = vigil_cli(dir, {"run-now", "talk", "--follow"});
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_EQ(r.out, "one\ntwo\n");
  EXPECT_NE(r.err.find("three\n"), std::string::npos) << r.err;
  // The output is in the job's log like a service's.
  CommandResult logs = vigil_cli(dir, {"logs", "talk"});
  EXPECT_NE(logs.out.find(" out one"), std::string::npos) << logs.out << logs.err;
}

TEST(Jobs, AConditionThatSaysNoWorkSkipsTheRun) {
  TempDir dir;
  VigilRun vigil(dir, "[job.transform]\ncondition = " + sh("exit 1") + "\ncommand = " + sh("touch " + (dir / "ran")) + "\n"
                      "[job.broken]\ncondition = " + sh("exit 2") + "\ncommand = " + sh("touch " + (dir / "ran2")) + "\n");
  wait_ready(dir, vigil);
  CommandResult r = vigil_cli(dir, {"run-now", "transform", "--wait"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("skipped"), std::string::npos) << r.err;
  EXPECT_FALSE(file_exists(dir / "ran"));
  nlohmann::json h = history(dir, "transform");
  ASSERT_EQ(h.size(), 1u) << h;
  EXPECT_EQ(h[0]["result"], "skipped");
  // A condition that fails otherwise fails the run; the command does not run either.
  CommandResult b = vigil_cli(dir, {"run-now", "broken", "--wait"});
  EXPECT_EQ(b.exit_code, 2) << b.err;
  EXPECT_EQ(history(dir, "broken")[0]["result"], "failed");
  EXPECT_FALSE(file_exists(dir / "ran2"));
}

TEST(Jobs, AFailingJobRetriesWithGrowingDelaysAndEveryAttemptIsRecorded) {
  TempDir dir;
  VigilRun vigil(dir, "[job.flaky]\ncommand = " + sh("echo try; exit 3") + "\nretries = 3\n"
                      "retry_delay = \"100ms\"\nretry_max_delay = \"300ms\"\n");
  wait_ready(dir, vigil);
  CommandResult r = vigil_cli(dir, {"run-now", "flaky", "--wait"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("after 4 attempts"), std::string::npos) << r.err;
  nlohmann::json h = history(dir, "flaky");
  ASSERT_EQ(h.size(), 4u) << h;
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(h[i]["attempt"], i + 1);
    EXPECT_EQ(h[i]["exit_code"], 3);
    EXPECT_EQ(h[i]["result"], "failed");
    EXPECT_EQ(h[i]["run_id"], h[0]["run_id"]);
    EXPECT_TRUE(h[i]["cpu_seconds"].is_number());
    EXPECT_TRUE(h[i]["max_rss"].is_null()) << "a shell's peak is below vigil's own: not known";
    EXPECT_EQ(h[i]["final"], i == 3);
  }
  // The waits between attempts: 100ms, 200ms, then capped at 300ms (lower bounds only).
  auto gap = [&](int i) { return h[i]["started"].get<double>() - h[i - 1]["ended"].get<double>(); };
  EXPECT_GE(gap(1), 0.09);
  EXPECT_GE(gap(2), 0.19);
  EXPECT_GE(gap(3), 0.29);
  EXPECT_NE(vigil.log().find("flaky: run 1 attempt 1 failed; retry 1 of 3 in 100ms"), std::string::npos) << vigil.log();
  EXPECT_NE(vigil.log().find("retry 2 of 3 in 200ms"), std::string::npos) << vigil.log();
  EXPECT_NE(vigil.log().find("retry 3 of 3 in 300ms"), std::string::npos) << vigil.log();
}

TEST(Jobs, AChainRunsInOrderAndAFailureStopsIt) {
  TempDir dir;
  std::string order = dir / "order";
  std::string cfg = "[job.extract]\ncommand = " + sh("echo extract >> " + order) + "\n"
                    "[job.transform]\nafter = [\"extract\"]\ncommand = " +
                    sh("echo transform >> " + order + "; test ! -e " + (dir / "break")) + "\n"
                    "[job.report]\nafter = [\"transform\"]\ncommand = " + sh("echo report >> " + order) + "\n";
  VigilRun vigil(dir, cfg);
  wait_ready(dir, vigil);
  EXPECT_EQ(vigil_cli(dir, {"run-now", "extract", "--wait"}).exit_code, 0);
  ASSERT_TRUE(wait_for([&] { return read_file(order) == "extract\ntransform\nreport\n"; })) << read_file(order) << vigil.log();
  EXPECT_EQ(history(dir, "report")[0]["trigger"], "after");

  write_file(dir / "break", "");
  write_file(order, "");
  EXPECT_EQ(vigil_cli(dir, {"run-now", "extract", "--wait"}).exit_code, 0);
  ASSERT_TRUE(wait_for([&] {
    nlohmann::json h = history(dir, "transform");
    return h.size() == 2 && h[1]["result"] == "failed";
  })) << vigil.log();
  EXPECT_EQ(read_file(order), "extract\ntransform\n");
  EXPECT_EQ(history(dir, "report").size(), 1u);  // only the first chain's run
  EXPECT_NE(vigil_cli(dir, {"status"}).out.find("report"), std::string::npos);
}

TEST(Jobs, CancelAllLeavesNoProcessOfAnyJob) {
  TempDir dir;
  std::string cfg;
  for (const char* name : {"one", "two"})
    cfg += std::string("[job.") + name + "]\ncommand = " +
           sh("trap '' TERM; sleep 1000 & echo $! > " + (dir / name) + ".grandchild; echo $$ > " + (dir / name) + ".pid; wait") +
           "\nstop_timeout = \"300ms\"\n";
  VigilRun vigil(dir, cfg);
  wait_ready(dir, vigil);
  std::vector<pid_t> pids;
  for (const char* name : {"one", "two"}) {
    ASSERT_EQ(vigil_cli(dir, {"run-now", name}).exit_code, 0);
    pids.push_back(read_pid_file(dir / name + ".pid"));
    pids.push_back(read_pid_file(dir / name + ".grandchild"));
  }
  for (pid_t p : pids) ASSERT_GT(p, 0);
  CommandResult r = vigil_cli(dir, {"cancel", "--all"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "one: cancelled\ntwo: cancelled\n");
  for (pid_t p : pids) EXPECT_TRUE(process_gone(p)) << p;  // gone when cancel returns
  EXPECT_EQ(history(dir, "one")[0]["result"], "cancelled");
  EXPECT_EQ(vigil_cli(dir, {"cancel", "--all"}).out, "no job is running\n");
}

TEST(Jobs, TimeoutAndOutputTimeoutStopTheRun) {
  TempDir dir;
  VigilRun vigil(dir, "[job.slow]\ncommand = [\"sleep\", \"1000\"]\ntimeout = \"300ms\"\n"
                      "[job.quiet]\ncommand = " + sh("echo started; exec sleep 1000") + "\noutput_timeout = \"300ms\"\n");
  wait_ready(dir, vigil);
  CommandResult slow = vigil_cli(dir, {"run-now", "slow", "--wait"});
  EXPECT_EQ(slow.exit_code, 143) << slow.err;
  EXPECT_EQ(history(dir, "slow")[0]["result"], "timeout");
  CommandResult quiet = vigil_cli(dir, {"run-now", "quiet", "--wait"});
  EXPECT_EQ(quiet.exit_code, 143) << quiet.err;
  EXPECT_EQ(history(dir, "quiet")[0]["result"], "output-timeout");
}

TEST(Jobs, EveryRunsOnItsOwnAndConcurrencyDecidesOverlaps) {
  TempDir dir;
  VigilRun vigil(dir, "[job.tick]\nevery = \"200ms\"\ncommand = " + sh("echo x >> " + (dir / "ticks")) + "\n"
                      "[job.long]\ncommand = [\"sleep\", \"1000\"]\n"
                      "[job.queued]\nconcurrency = \"queue\"\ncommand = " + sh("echo q >> " + (dir / "q") + "; sleep 0.3") + "\n");
  ASSERT_TRUE(wait_for([&] { return count_of(read_file(dir / "ticks"), "x") >= 3; })) << vigil.log();
  EXPECT_EQ(history(dir, "tick")[0]["trigger"], "schedule");
  nlohmann::json tick = job_status(dir, "tick");
  EXPECT_TRUE(tick["next_run"].is_number()) << tick;
  // skip (the default): a second run-now while one runs is refused.
  ASSERT_EQ(vigil_cli(dir, {"run-now", "long"}).exit_code, 0);
  CommandResult again = vigil_cli(dir, {"run-now", "long"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("still going"), std::string::npos) << again.err;
  // queue: the second waits for the first, then runs.
  ASSERT_EQ(vigil_cli(dir, {"run-now", "queued"}).exit_code, 0);
  CommandResult second = vigil_cli(dir, {"run-now", "queued", "--wait"});
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(read_file(dir / "q"), "q\nq\n");
}

TEST(Jobs, MaxParallelJobsAdmitsHigherPriorityFirst) {
  TempDir dir;
  std::string order = dir / "order";
  VigilRun vigil(dir, "[vigil]\nmax_parallel_jobs = 1\n"
                      "[job.blocker]\ncommand = " + sh("while [ ! -e " + (dir / "go") + " ]; do sleep 0.02; done") + "\n"
                      "[job.low]\ncommand = " + sh("echo low >> " + order) + "\n"
                      "[job.high]\npriority = 10\ncommand = " + sh("echo high >> " + order) + "\n");
  wait_ready(dir, vigil);
  ASSERT_EQ(vigil_cli(dir, {"run-now", "blocker"}).exit_code, 0);
  ASSERT_EQ(vigil_cli(dir, {"run-now", "low"}).exit_code, 0);
  ASSERT_EQ(vigil_cli(dir, {"run-now", "high"}).exit_code, 0);
  EXPECT_EQ(job_status(dir, "low")["state"], "waiting");
  write_file(dir / "go", "");
  ASSERT_TRUE(wait_for([&] { return read_file(order) == "high\nlow\n"; })) << read_file(order) << vigil.log();
}

TEST(Jobs, TheConfigCheckPointsAtTheBadCronFieldAndRefusesCyclesAndSharedNames) {
  TempDir dir;
  std::string cfg = dir / "vigil.toml";
  write_file(cfg, "[service.web]\ncommand = [\"sleep\", \"1000\"]\n"
                  "[job.nightly]\ncommand = [\"true\"]\nschedule = \"0 25 * * *\"\n"
                  "[job.a]\ncommand = [\"true\"]\nafter = [\"b\"]\n"
                  "[job.b]\ncommand = [\"true\"]\nafter = [\"a\"]\n"
                  "[job.web]\ncommand = [\"true\"]\ntimezone = \"Mars/Olympus\"\nschedule = \"@daily\"\n");
  CommandResult r = run_command({VIGIL_BINARY, "check", "-c", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(cfg + ":5:15: [job.nightly] schedule: hour: 25 is out of range 0-23"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("after: dependency cycle: a -> b -> a"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(cfg + ":12:1: [job.web]: a service is already called 'web'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(cfg + ":14:12: [job.web] timezone: "), std::string::npos) << r.err;
  // A valid schedule in a named zone passes.
  write_file(cfg, "[job.nightly]\ncommand = [\"true\"]\nschedule = \"30 2 * * *\"\ntimezone = \"Europe/Berlin\"\n");
  CommandResult good = run_command({VIGIL_BINARY, "check", "-c", cfg});
  EXPECT_EQ(good.exit_code, 0) << good.err;
}

TEST(Jobs, AFailedRunAfterItsRetriesRaisesJobFailedToAnExecNotifier) {
  TempDir dir;
  write_file(dir / "rules.toml", "[notify.rec]\ntype = \"exec\"\ncommand = [\"" FIXTURES_DIR "/record_alert.sh\", \"" +
                                     (dir / "alerts.txt") + "\"]\ntimeout = \"5s\"\n");
  VigilRun vigil(dir, "[job.nightly]\ncommand = " + sh("exit 3") + "\nretries = 1\nretry_delay = \"100ms\"\n");
  wait_ready(dir, vigil);
  EXPECT_EQ(vigil_cli(dir, {"run-now", "nightly", "--wait"}).exit_code, 3);
  ASSERT_TRUE(wait_for([&] { return read_file(dir / "alerts.txt").find("env: job_failed firing critical nightly") != std::string::npos; }))
      << read_file(dir / "alerts.txt") << vigil.log();
  EXPECT_NE(read_file(dir / "alerts.txt").find("failed (exit 3) after 2 attempt(s)"), std::string::npos) << read_file(dir / "alerts.txt");
  EXPECT_EQ(history(dir, "nightly").size(), 2u);
  // Its next successful run clears it.
  write_file(vigil.config_path(), "[job.nightly]\ncommand = [\"true\"]\n");
  ASSERT_EQ(vigil_cli(dir, {"reload"}).exit_code, 0);
  EXPECT_EQ(vigil_cli(dir, {"run-now", "nightly", "--wait"}).exit_code, 0);
  ASSERT_TRUE(wait_for([&] { return read_file(dir / "alerts.txt").find("env: job_failed resolved") != std::string::npos; }))
      << read_file(dir / "alerts.txt");
}

TEST(Jobs, HooksRunInOrderWithTheOutcomeAndAFailingPreStartFailsTheStart) {
  TempDir dir;
  std::string rec = dir / "hooks";
  auto hook = [&](const std::string& kind) {
    return kind + " = " + sh("echo " + kind + " $VIGIL_HOOK $VIGIL_SERVICE ${VIGIL_RESULT:--} ${VIGIL_EXIT_CODE:--} >> " + rec) + "\n";
  };
  VigilRun vigil(dir, "[job.work]\ncommand = " + sh("echo command >> " + rec + "; exit 3") + "\n" + hook("pre_start") +
                          hook("post_start") + hook("post_stop") + hook("on_failure") + hook("on_success") +
                          "[job.gated]\ncommand = " + sh("touch " + (dir / "ran")) + "\npre_start = [[\"true\"], " + sh("exit 4") + "]\n");
  wait_ready(dir, vigil);
  EXPECT_EQ(vigil_cli(dir, {"run-now", "work", "--wait"}).exit_code, 3);
  std::string want = "pre_start pre_start work - -\ncommand\npost_start post_start work - -\n"
                     "post_stop post_stop work exit-code 3\non_failure on_failure work exit-code 3\n";
  ASSERT_TRUE(wait_for([&] { return read_file(rec).size() >= want.size(); })) << read_file(rec);
  // post_start runs beside the command: those two lines may come in either order.
  std::string got = read_file(rec);
  if (got.rfind("pre_start pre_start work - -\npost_start", 0) == 0)
    want = "pre_start pre_start work - -\npost_start post_start work - -\ncommand\n"
           "post_stop post_stop work exit-code 3\non_failure on_failure work exit-code 3\n";
  EXPECT_EQ(got, want);
  // A failing pre_start: the command never runs, the attempt fails.
  CommandResult g = vigil_cli(dir, {"run-now", "gated", "--wait"});
  EXPECT_NE(g.exit_code, 0);
  EXPECT_FALSE(file_exists(dir / "ran"));
  nlohmann::json h = history(dir, "gated");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0]["result"], "failed");
  EXPECT_NE(h[0]["error"].get<std::string>().find("pre_start hook sh exited with status 4"), std::string::npos) << h;
}

TEST(Jobs, ARunGoingWhenVigilIsKilledIsMarkedInterruptedAndCatchUpRunsAMissedJob) {
  TempDir dir;
  std::string cfg = "[job.slow]\ncommand = " + sh("echo $$ > " + (dir / "slow.pid") + "; exec sleep 1000") + "\n"
                    "[job.tick]\nevery = \"1s\"\ncatch_up = true\ncommand = " + sh("echo ran >> " + (dir / "ticks")) + "\n";
  std::string db = dir / "state/vigil/history.db";
  double last_tick = 0;
  {
    VigilRun vigil(dir, cfg);
    wait_ready(dir, vigil);
    ASSERT_EQ(vigil_cli(dir, {"run-now", "slow"}).exit_code, 0);
    ASSERT_GT(read_pid_file(dir / "slow.pid"), 0);
    // A scheduled run of `tick` is on record, and the attempt of `slow` is on disk as running
    // (rows are written by the history thread when an attempt starts).
    ASSERT_TRUE(wait_for([&] {
      return sql_count(db, "SELECT count(*) FROM runs WHERE job = 'slow' AND result = 'running'") == 1 &&
             sql_count(db, "SELECT count(*) FROM runs WHERE job = 'tick' AND trigger = 'schedule' AND final = 1") >= 1;
    })) << vigil.log();
    vigil.signal(SIGKILL);
    ASSERT_EQ(vigil.wait_exit(), -SIGKILL);
    last_tick = sql_count(db, "SELECT MAX(started) FROM runs WHERE job = 'tick'");
  }
  // vigil stays down past the next tick: that run is missed.
  ASSERT_TRUE(wait_for([&] { return unix_seconds() > last_tick + 1.2; }));
  VigilRun again(dir, cfg);
  ASSERT_TRUE(again.wait_log("1 run attempt(s) were still going when vigil last stopped")) << again.log();
  ASSERT_TRUE(again.wait_log("tick: a scheduled run fell due while vigil was not running; catching up")) << again.log();
  nlohmann::json slow = history(dir, "slow");
  ASSERT_EQ(slow.size(), 1u) << slow;
  EXPECT_EQ(slow[0]["result"], "interrupted");
  ASSERT_TRUE(wait_for([&] {
    for (const auto& r : history(dir, "tick"))
      if (r["trigger"] == "catch-up" && r["result"] == "success") return true;
    return false;
  })) << history(dir, "tick");
}

// Rules see jobs (docs/jobs.md): `not last_run_ok` fires for a failed run with the job's name,
// while a silence on the job's job_failed keeps that one quiet; after vigil restarts, the job's
// last run comes back from the history, and the rule fires again without a new run.
TEST(Jobs, RulesSeeTheJobsLastRunAcrossRestartsAndASilenceMutesItsJobFailed) {
  TempDir dir;
  write_file(dir / "rules.toml", "[notify.rec]\ntype = \"exec\"\ncommand = [\"" FIXTURES_DIR "/record_alert.sh\", \"" +
                                     (dir / "alerts.txt") + "\"]\ntimeout = \"5s\"\n"
                                     "[[rule]]\nname = \"extract_broken\"\njobs = [\"extract\"]\nwhen = \"not last_run_ok\"\nnotify = [\"rec\"]\n"
                                     "summary = \"{job} failed, exit {last_exit_code}\"\n");
  std::string config = "[vigil]\nsample_interval = \"200ms\"\n[job.extract]\ncommand = " + sh("exit 3") + "\n";
  {
    VigilRun vigil(dir, config);
    wait_ready(dir, vigil);
    CommandResult silence = vigil_cli(dir, {"silence", "extract/job_failed", "--for", "1h", "--reason", "known"});
    ASSERT_EQ(silence.exit_code, 0) << silence.err;
    EXPECT_EQ(vigil_cli(dir, {"run-now", "extract", "--wait"}).exit_code, 3);
    ASSERT_TRUE(wait_for([&] {
      return read_file(dir / "alerts.txt").find("env: extract_broken firing warning extract") != std::string::npos;
    })) << read_file(dir / "alerts.txt") << vigil.log();
    EXPECT_NE(read_file(dir / "alerts.txt").find("extract failed, exit 3"), std::string::npos) << read_file(dir / "alerts.txt");
    nlohmann::json job = job_status(dir, "extract");
    EXPECT_EQ(job["metrics"]["last_run_ok"], false) << job.dump();
    EXPECT_EQ(job["metrics"]["last_exit_code"], 3) << job.dump();
    EXPECT_EQ(job["metrics"]["running"], false) << job.dump();
    EXPECT_TRUE(wait_for([&] {
      nlohmann::json status = vigil.status();  // a temporary's member would die before the loop
      for (const auto& a : status["alerts"])
        if (a["rule"] == "job_failed") return a["muted_by"].is_string() && a["muted_by"].get<std::string>().find("silenced by") == 0;
      return false;
    })) << vigil.status()["alerts"].dump();
    EXPECT_EQ(read_file(dir / "alerts.txt").find("job_failed"), std::string::npos) << "silenced: " << read_file(dir / "alerts.txt");
    vigil.signal(SIGTERM);
    ASSERT_TRUE(vigil.wait_exit());
  }
  std::remove((dir / "alerts.txt").c_str());
  VigilRun again(dir, config);
  ASSERT_TRUE(wait_for([&] {
    return read_file(dir / "alerts.txt").find("env: extract_broken firing warning extract") != std::string::npos;
  })) << read_file(dir / "alerts.txt") << again.log();
  nlohmann::json job = job_status(dir, "extract");
  EXPECT_EQ(job["metrics"]["last_run_ok"], false) << job.dump();
  EXPECT_TRUE(job["metrics"]["last_duration"].is_number()) << job.dump();
}
