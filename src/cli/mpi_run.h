// MPI launch of the CLI (docs/scaling.md): under `mpirun -np P fidcpp ...` every rank processes its
// contiguous shard of the inputs and rank 0 combines the partial states in rank order and prints/writes the
// result. Built from mpi_run.cpp with FIDCPP_MPI, from mpi_none.cpp (single process, no MPI dependency)
// otherwise.
#pragma once

#include <cstdint>
#include <vector>

#include "fidcpp/fidcpp.hpp"

namespace fidcpp_cli {

struct MpiWorld {
  int rank = 0;
  int size = 1;
  bool active = false;  // MPI was initialised (the process was started by mpirun / mpiexec)
};

// Initialises MPI for the lifetime of the object when the process was launched by an MPI launcher (its
// environment says so); otherwise, and in builds without MPI, the world is one process and MPI is not
// touched.
class MpiSession {
 public:
  MpiSession(int* argc, char*** argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
};

// The world of the current MpiSession (rank 0 of 1 when there is none).
const MpiWorld& mpi_world();

// Whether this build has MPI support (FIDCPP_MPI).
bool mpi_built();

// Ends every rank of the job with exit_code (MPI_Abort), so an error on one rank does not leave the others
// waiting. Returns only when MPI is not active.
void mpi_abort(int exit_code);

// Merges the partial state (sums, and features / logits when kept) of `sides` from ranks 1..size-1 into rank
// 0's evaluator, in rank order, so features end up in the order of the unsharded inputs. Every rank must call
// it with the same arguments. Returns the number of skipped files per side summed over all ranks.
std::vector<uint64_t> mpi_combine(fidcpp::Evaluator& ev, const std::vector<fidcpp_side>& sides, bool features,
                                  bool logits);

}  // namespace fidcpp_cli
