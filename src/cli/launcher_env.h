// Which parallel launcher (mpirun / mpiexec / srun) started this process, read from the environment each one
// sets. A build without MPI uses it to refuse running as one of several copies (docs/metrics-extra.md "Safe
// scale-out"); pure functions of an environment lookup, so the tests call them with made-up environments.
#pragma once

#include <functional>
#include <string>

namespace fidcpp_cli {

struct LaunchInfo {
  int rank = 0;
  int size = 1;          // processes the launcher started; 1 when no launcher was detected
  std::string launcher;  // "Open MPI", "MPICH/PMI", "PMIx", "MVAPICH", "Slurm"; empty when none
};

// Returns the value of an environment variable, nullptr when unset.
using EnvLookup = std::function<const char*(const char*)>;

// The launcher's world as its variables describe it. Launchers are tried in a fixed order (Open MPI, MVAPICH,
// MPICH/PMI, PMIx, Slurm) and the first whose variables are present wins. A rank > 0 implies at least rank+1
// processes even when the size variable is missing. Slurm counts only inside a job step started by srun
// (SLURM_STEP_ID set): a batch script runs once however many tasks the job has (SLURM_NTASKS).
LaunchInfo detect_launch(const EnvLookup& env);
LaunchInfo detect_launch();  // from the process environment

// The error for a process that is one of info.size > 1 copies but cannot cooperate with the others.
std::string launch_refusal(const LaunchInfo& info, const std::string& why);

}  // namespace fidcpp_cli
