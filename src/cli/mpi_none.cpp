// Builds without MPI (FIDCPP_MPI=OFF): the CLI always runs as one process, and refuses to start as one of
// several copies started by mpirun / srun (docs/metrics-extra.md "Safe scale-out").
#include <cstdio>
#include <cstdlib>

#include "cli/exit_codes.h"
#include "cli/launcher_env.h"
#include "cli/mpi_run.h"

namespace fidcpp_cli {

namespace {
const MpiWorld kSingle;
}  // namespace

MpiSession::MpiSession(int*, char***) {
  // Before anything is read or written: N copies would each compute the whole result and race on one output.
  const LaunchInfo launch = detect_launch();
  if (launch.size < 2) return;
  const std::string msg = launch_refusal(launch, "this fidcpp was built without MPI (-DFIDCPP_MPI=ON)");
  std::fprintf(stderr, "%s\n", msg.c_str());
  std::exit(kExitUnsupported);
}
MpiSession::~MpiSession() = default;
const MpiWorld& mpi_world() {
  return kSingle;
}
bool mpi_built() {
  return false;
}
void mpi_abort(int) {}

std::vector<uint64_t> mpi_combine(fidcpp::Evaluator& ev, const std::vector<fidcpp_side>& sides, bool, bool) {
  std::vector<uint64_t> skipped;
  for (fidcpp_side s : sides) skipped.push_back(ev.skipped(s));
  return skipped;
}

}  // namespace fidcpp_cli
