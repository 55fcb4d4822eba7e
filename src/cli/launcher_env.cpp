// Launcher detection from the environment (launcher_env.h).
#include "cli/launcher_env.h"

#include <cerrno>
#include <cstdlib>

namespace fidcpp_cli {

namespace {

// A non-negative decimal integer, or -1 when absent or malformed (then the variable does not count).
int env_int(const EnvLookup& env, const char* name) {
  const char* v = env(name);
  if (!v || !*v) return -1;
  char* end = nullptr;
  errno = 0;
  const long x = std::strtol(v, &end, 10);
  if (*end || errno || x < 0 || x > 1 << 30) return -1;
  return int(x);
}

int first_int(const EnvLookup& env, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    const int v = env_int(env, n);
    if (v >= 0) return v;
  }
  return -1;
}

LaunchInfo make(const char* launcher, int rank, int size) {
  LaunchInfo i;
  i.launcher = launcher;
  i.rank = rank < 0 ? 0 : rank;
  i.size = size < 1 ? 1 : size;
  if (i.size <= i.rank) i.size = i.rank + 1;
  return i;
}

}  // namespace

LaunchInfo detect_launch(const EnvLookup& env) {
  struct Pair {
    const char* launcher;
    const char* size;
    const char* rank;
  };
  for (const Pair& p : {Pair{"Open MPI", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK"},
                        Pair{"MVAPICH", "MV2_COMM_WORLD_SIZE", "MV2_COMM_WORLD_RANK"},
                        Pair{"MPICH/PMI", "PMI_SIZE", "PMI_RANK"}}) {
    const int size = env_int(env, p.size), rank = env_int(env, p.rank);
    if (size >= 0 || rank >= 0) return make(p.launcher, rank, size);
  }
  // PMIx exports the rank but no size of its own: take the size another variable of the same launch gives.
  const int pmix_rank = env_int(env, "PMIX_RANK");
  if (pmix_rank >= 0)
    return make("PMIx", pmix_rank, first_int(env, {"PMIX_SIZE", "SLURM_STEP_NUM_TASKS", "SLURM_NTASKS"}));
  const bool in_step = env("SLURM_STEP_ID") || env("SLURM_STEPID");
  const int slurm_rank = env_int(env, "SLURM_PROCID");
  if (in_step && slurm_rank >= 0)
    return make("Slurm", slurm_rank,
                first_int(env, {"SLURM_STEP_NUM_TASKS", "SLURM_NTASKS", "SLURM_NPROCS"}));
  return LaunchInfo();
}

LaunchInfo detect_launch() {
  return detect_launch([](const char* name) { return static_cast<const char*>(std::getenv(name)); });
}

std::string launch_refusal(const LaunchInfo& info, const std::string& why) {
  const std::string n = std::to_string(info.size);
  return "fidcpp: launched as rank " + std::to_string(info.rank) + " of " + n + " by " + info.launcher +
         ", but " + why + "; refusing to run " + n + " copies that would race on one output";
}

}  // namespace fidcpp_cli
