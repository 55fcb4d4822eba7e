// Builds without MPI (FIDCPP_MPI=OFF): the CLI always runs as one process.
#include "cli/mpi_run.h"

namespace fidcpp_cli {

namespace {
const MpiWorld kSingle;
}  // namespace

MpiSession::MpiSession(int*, char***) {}
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
