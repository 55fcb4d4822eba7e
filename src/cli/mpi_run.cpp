// MPI support of the CLI (FIDCPP_MPI=ON). Point-to-point messages received in rank order keep the combined
// result deterministic (independent of message timing) and rank 0's memory at one partial state at a time.
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli/exit_codes.h"
#include "cli/launcher_env.h"
#include "cli/mpi_run.h"

namespace fidcpp_cli {

namespace {

MpiWorld g_world;

// Set by the launchers this build may run under: Open MPI, MPICH / Hydra, PMIx.
bool launched_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}) {
    if (std::getenv(v)) return true;
  }
  return false;
}

constexpr size_t kChunk = size_t(1) << 26;  // elements per message (MPI counts are int)

void check_mpi(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char msg[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, msg, &len);
  std::fprintf(stderr, "fidcpp: rank %d: %s failed: %.*s\n", g_world.rank, what, len, msg);
  MPI_Abort(MPI_COMM_WORLD, 5);
}

template <class T>
void send_all(const T* data, size_t n, MPI_Datatype type, int to) {
  for (size_t off = 0; off < n; off += kChunk)
    check_mpi(MPI_Send(data + off, int(std::min(kChunk, n - off)), type, to, 0, MPI_COMM_WORLD), "MPI_Send");
}

template <class T>
void recv_all(T* data, size_t n, MPI_Datatype type, int from) {
  for (size_t off = 0; off < n; off += kChunk)
    check_mpi(MPI_Recv(data + off, int(std::min(kChunk, n - off)), type, from, 0, MPI_COMM_WORLD,
                       MPI_STATUS_IGNORE),
              "MPI_Recv");
}

}  // namespace

MpiSession::MpiSession(int* argc, char*** argv) {
  if (!launched_by_mpi()) {
    // E.g. `srun -n 4` without a PMI plugin: MPI would see 4 worlds of one process each, racing on one
    // output.
    const LaunchInfo launch = detect_launch();
    if (launch.size < 2) return;
    const std::string msg =
        launch_refusal(launch, "without an MPI process-management environment (srun: --mpi=pmix or pmi2)");
    std::fprintf(stderr, "%s\n", msg.c_str());
    std::exit(kExitUnsupported);
  }
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized && MPI_Init(argc, argv) != MPI_SUCCESS) {
    std::fprintf(stderr, "fidcpp: MPI_Init failed\n");
    std::exit(5);
  }
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_world.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_world.size);
  g_world.active = true;
}

MpiSession::~MpiSession() {
  if (!g_world.active) return;
  MPI_Finalize();
  g_world = MpiWorld();
}

const MpiWorld& mpi_world() {
  return g_world;
}

bool mpi_built() {
  return true;
}

void mpi_abort(int exit_code) {
  if (!g_world.active || g_world.size < 2) return;
  std::fflush(stdout);
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, exit_code);
}

std::vector<uint64_t> mpi_combine(fidcpp::Evaluator& ev, const std::vector<fidcpp_side>& sides, bool features,
                                  bool logits) {
  std::vector<uint64_t> skipped;
  for (fidcpp_side s : sides) skipped.push_back(ev.skipped(s));
  if (!g_world.active || g_world.size < 2) return skipped;
  const size_t d = size_t(ev.feature_dim());
  constexpr size_t kLogits = 1008;
  if (g_world.rank != 0) {
    for (size_t i = 0; i < sides.size(); ++i) {
      const fidcpp::PartialMoments m = ev.moments(sides[i]);
      const uint64_t header[2] = {m.count, skipped[i]};
      send_all(header, 2, MPI_UINT64_T, 0);
      if (m.count == 0) continue;
      send_all(m.sum.data(), d, MPI_DOUBLE, 0);
      send_all(m.sum_outer.data(), d * d, MPI_DOUBLE, 0);
      if (features) {
        const std::vector<float> f = ev.features(sides[i]);
        send_all(f.data(), size_t(m.count) * d, MPI_FLOAT, 0);
      }
      if (logits) {
        const std::vector<float> l = ev.logits(sides[i]);
        send_all(l.data(), size_t(m.count) * kLogits, MPI_FLOAT, 0);
      }
    }
    return skipped;
  }
  fidcpp::PartialMoments m;
  m.sum.resize(d);
  m.sum_outer.resize(d * d);
  std::vector<float> f, l;
  for (int r = 1; r < g_world.size; ++r) {
    for (size_t i = 0; i < sides.size(); ++i) {
      uint64_t header[2] = {0, 0};
      recv_all(header, 2, MPI_UINT64_T, r);
      skipped[i] += header[1];
      m.count = header[0];
      if (m.count == 0) continue;
      recv_all(m.sum.data(), d, MPI_DOUBLE, r);
      recv_all(m.sum_outer.data(), d * d, MPI_DOUBLE, r);
      f.resize(features ? size_t(m.count) * d : 0);
      l.resize(logits ? size_t(m.count) * kLogits : 0);
      if (features) recv_all(f.data(), f.size(), MPI_FLOAT, r);
      if (logits) recv_all(l.data(), l.size(), MPI_FLOAT, r);
      ev.merge_partial(sides[i], m, features ? f.data() : nullptr, logits ? l.data() : nullptr);
    }
  }
  return skipped;
}

}  // namespace fidcpp_cli
