// The floor of the idle figure: the /proc reads vigil's sampler cannot do without, and nothing else.
// Each second, for each pid given (idle, single-threaded processes, as the benchmark's are): its
// schedstat run time, which tells that it has not run; every 10th second also its stat (CPU,
// memory, threads), its children and the size of its fd folder — all through files opened once,
// as vigil keeps them (proc_sampler.hpp). Prints its own CPU seconds per minute of the reading
// loop (process start not counted).
// usage: proc_read_floor SECONDS PID...
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

double cpu_seconds() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: proc_read_floor SECONDS PID...\n");
    return 2;
  }
  int seconds = std::atoi(argv[1]);
  struct Files {
    int stat, children, fd_dir, sched;
  };
  std::vector<Files> procs;
  for (int i = 2; i < argc; ++i) {
    std::string pid = argv[i];
    Files f{::open(("/proc/" + pid + "/stat").c_str(), O_RDONLY | O_CLOEXEC),
            ::open(("/proc/" + pid + "/task/" + pid + "/children").c_str(), O_RDONLY | O_CLOEXEC),
            ::open(("/proc/" + pid + "/fd").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC),
            ::open(("/proc/" + pid + "/schedstat").c_str(), O_RDONLY | O_CLOEXEC)};
    // A file that would not open would make each read a cheap EBADF: the floor would be too low.
    if (f.stat < 0 || f.children < 0 || f.fd_dir < 0 || f.sched < 0) {
      std::fprintf(stderr, "proc_read_floor: cannot open the /proc files of pid %s\n", pid.c_str());
      return 1;
    }
    procs.push_back(f);
  }
  char buf[4096];
  struct stat st {};
  double start = cpu_seconds();
  for (int s = 0; s < seconds; ++s) {
    for (const Files& f : procs) {
      (void)!::pread(f.sched, buf, sizeof buf, 0);
      if (s % 10 != 0) continue;
      (void)!::pread(f.stat, buf, sizeof buf, 0);
      (void)!::pread(f.children, buf, sizeof buf, 0);
      ::fstat(f.fd_dir, &st);
    }
    ::sleep(1);
  }
  std::printf("%.4f\n", (cpu_seconds() - start) * 60 / seconds);
  return 0;
}
