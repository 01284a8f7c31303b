#include "frechet/core/threads.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "parallel.hpp"
#include "frechet/core/error.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

#if defined(__linux__)
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#endif

namespace frechet {
namespace {

std::atomic<int> max_threads_setting{0};
std::atomic<bool> yield_setting{true};

// The cores other processes left idle at the last sample, and when the next sample is due. Samples
// race harmlessly: two threads sampling at once store two valid answers.
std::atomic<int> idle_cores_sample{0};
std::atomic<std::int64_t> next_sample_ns{0};
constexpr std::int64_t sample_period_ns = 20'000'000;

int openmp_limit() noexcept {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

#if defined(__linux__)
// Reads a small /proc file into buf with plain system calls: a sample can happen inside a solver's
// iteration, which allocates nothing.
bool read_small_file(const char* path, char* buf, std::size_t size) noexcept {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const ssize_t got = ::read(fd, buf, size - 1);
  ::close(fd);
  if (got <= 0) return false;
  buf[got] = '\0';
  return true;
}

// Runnable threads on the machine, this one included: the numerator of the fourth field of
// /proc/loadavg ("0.52 0.58 0.59 3/312 4711"), an instantaneous count, unlike the averages.
int runnable_on_machine() noexcept {
  char buf[128];
  if (!read_small_file("/proc/loadavg", buf, sizeof buf)) return -1;
  const char* slash = std::strchr(buf, '/');
  if (slash == nullptr) return -1;
  const char* digits = slash;
  while (digits > buf && digits[-1] >= '0' && digits[-1] <= '9') --digits;
  return digits == slash ? -1 : std::atoi(digits);
}

// Runnable threads of this process (state R in /proc/self/task/TID/stat), so that our own spinning
// OpenMP or BLAS workers do not count as load; at least 1, the caller.
int runnable_in_process() noexcept {
  DIR* dir = ::opendir("/proc/self/task");
  if (dir == nullptr) return 1;
  int count = 0;
  while (const dirent* entry = ::readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/self/task/%.20s/stat", entry->d_name);
    char buf[256];  // "TID (COMM) S ...": the state follows the last ')', within the first 40 bytes
    if (!read_small_file(path, buf, sizeof buf)) continue;
    const char* close = std::strrchr(buf, ')');
    if (close != nullptr && close[1] == ' ' && close[2] == 'R') ++count;
  }
  ::closedir(dir);
  return std::max(count, 1);
}

// The cores this process may run on (its affinity mask) minus the runnable threads of other
// processes; `limit` when /proc cannot be read.
int cores_left_idle(int limit) noexcept {
  cpu_set_t set;
  CPU_ZERO(&set);
  const int cpus = ::sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : limit;
  const int machine = runnable_on_machine();
  if (machine < 0) return limit;
  const int others = std::max(machine - runnable_in_process(), 0);
  return cpus - others;
}
#else
int cores_left_idle(int limit) noexcept { return limit; }
#endif

int sampled_idle_cores(int limit) noexcept {
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count();
  if (now >= next_sample_ns.load(std::memory_order_relaxed)) {
    idle_cores_sample.store(cores_left_idle(limit), std::memory_order_relaxed);
    next_sample_ns.store(now + sample_period_ns, std::memory_order_relaxed);
  }
  return idle_cores_sample.load(std::memory_order_relaxed);
}

}  // namespace

void set_thread_options(const ThreadOptions& options) {
  if (options.max_threads < 0) {
    throw ArgumentError("set_thread_options: max_threads must be >= 0 (0: OpenMP's limit), got " +
                        std::to_string(options.max_threads));
  }
  max_threads_setting.store(options.max_threads, std::memory_order_relaxed);
  yield_setting.store(options.yield_to_load, std::memory_order_relaxed);
  next_sample_ns.store(0, std::memory_order_relaxed);
}

ThreadOptions thread_options() noexcept {
  return {.max_threads = max_threads_setting.load(std::memory_order_relaxed),
          .yield_to_load = yield_setting.load(std::memory_order_relaxed)};
}

int available_threads() noexcept { return detail::team_threads(); }

namespace detail {

int team_threads() noexcept {
#ifdef _OPENMP
  if (omp_in_parallel() != 0) return 1;
#endif
  const int cap = max_threads_setting.load(std::memory_order_relaxed);
  const int limit = cap > 0 ? cap : openmp_limit();
  if (limit <= 1 || !yield_setting.load(std::memory_order_relaxed)) return std::max(limit, 1);
  return std::clamp(sampled_idle_cores(limit), 1, limit);
}

}  // namespace detail
}  // namespace frechet
