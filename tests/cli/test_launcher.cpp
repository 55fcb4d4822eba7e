// Safe scale-out (issue #20; docs/metrics-extra.md "Safe scale-out"): the launcher detection on made-up
// environments of Open MPI, MVAPICH, MPICH/PMI, PMIx and Slurm, and an MPI-less `fidcpp` started as one of
// two copies refusing before writing anything (exit 6), while one copy runs normally.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "cli/cli_runner.h"
#include "cli/launcher_env.h"
#include "io/npy.h"
#include "synthetic_weights_file.h"

namespace fidcpp {
namespace {

using fidcpp_cli::detect_launch;
using fidcpp_cli::LaunchInfo;
using Env = std::map<std::string, std::string>;

LaunchInfo detect(const Env& env) {
  return detect_launch([&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

TEST(Launcher, NoLauncherIsOneProcess) {
  const LaunchInfo i = detect({{"HOME", "/root"}});
  EXPECT_EQ(i.size, 1);
  EXPECT_EQ(i.rank, 0);
  EXPECT_EQ(i.launcher, "");
}

TEST(Launcher, EachLauncherGivesRankAndSize) {
  struct Case {
    Env env;
    std::string launcher;
    int rank, size;
  };
  const std::vector<Case> cases = {
      {{{"OMPI_COMM_WORLD_SIZE", "2"}, {"OMPI_COMM_WORLD_RANK", "1"}}, "Open MPI", 1, 2},
      {{{"OMPI_COMM_WORLD_SIZE", "1"}, {"OMPI_COMM_WORLD_RANK", "0"}}, "Open MPI", 0, 1},
      {{{"MV2_COMM_WORLD_SIZE", "4"}, {"MV2_COMM_WORLD_RANK", "3"}}, "MVAPICH", 3, 4},
      {{{"PMI_SIZE", "2"}, {"PMI_RANK", "0"}}, "MPICH/PMI", 0, 2},
      {{{"PMI_SIZE", "1"}, {"PMI_RANK", "0"}}, "MPICH/PMI", 0, 1},
      // PMIx has no size variable of its own: another of the launch's, or rank > 0 alone.
      {{{"PMIX_RANK", "0"}, {"SLURM_STEP_NUM_TASKS", "3"}}, "PMIx", 0, 3},
      {{{"PMIX_RANK", "1"}}, "PMIx", 1, 2},
      {{{"PMIX_RANK", "0"}}, "PMIx", 0, 1},
      // srun -n 2: a job step.
      {{{"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "1"}, {"SLURM_NTASKS", "2"}}, "Slurm", 1, 2},
      {{{"SLURM_STEPID", "3"}, {"SLURM_PROCID", "0"}, {"SLURM_NPROCS", "2"}}, "Slurm", 0, 2},
      {{{"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "0"}, {"SLURM_STEP_NUM_TASKS", "2"}, {"SLURM_NTASKS", "8"}},
       "Slurm",
       0,
       2},
      {{{"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "1"}}, "Slurm", 0, 1},
      // A batch script (no step) runs once, however many tasks the job has.
      {{{"SLURM_JOB_ID", "7"}, {"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "4"}, {"SLURM_NPROCS", "4"}},
       "",
       0,
       1},
      {{{"SLURM_JOB_ID", "7"}, {"SLURM_NTASKS", "1"}}, "", 0, 1},
      // Malformed values do not count.
      {{{"OMPI_COMM_WORLD_SIZE", "two"}}, "", 0, 1},
  };
  for (const Case& c : cases) {
    std::string where;
    for (const auto& kv : c.env) where += kv.first + "=" + kv.second + " ";
    const LaunchInfo i = detect(c.env);
    EXPECT_EQ(i.launcher, c.launcher) << where;
    EXPECT_EQ(i.rank, c.rank) << where;
    EXPECT_EQ(i.size, c.size) << where;
  }
}

TEST(Launcher, RefusalNamesRankLauncherAndReason) {
  LaunchInfo i;
  i.rank = 0;
  i.size = 2;
  i.launcher = "Open MPI";
  EXPECT_EQ(fidcpp_cli::launch_refusal(i, "this fidcpp was built without MPI (-DFIDCPP_MPI=ON)"),
            "fidcpp: launched as rank 0 of 2 by Open MPI, but this fidcpp was built without MPI "
            "(-DFIDCPP_MPI=ON); refusing to run 2 copies that would race on one output");
}

std::string tmp(const std::string& name) {
  // Removed when the process ends (cli_runner.h TempFiles), so runs leave nothing in the temporary folder.
  static const cli_test::TempFiles files("launcher");
  return files(name);
}

struct NoMpiCli : ::testing::Test {
  static void SetUpTestSuite() {
    std::string err;
    weights_ = new std::string(write_synthetic_weights_file(tmp("synthetic.safetensors"), false, &err));
    ASSERT_FALSE(weights_->empty()) << err;
    const int n = 6, d = 64;
    std::vector<double> f(size_t(n) * d);
    for (size_t i = 0; i < f.size(); ++i) f[i] = double((i * 37) % 11) / 4.0;
    feats_ = new std::string(tmp("feats.npy"));
    ASSERT_TRUE(
        write_npy(*feats_, NpyWriteArray{"f", {n, d}, NpyDtype::kF4, f.data()}, Overwrite::kAllow).ok());
  }
  static void TearDownTestSuite() {
    std::remove(weights_->c_str());
    std::remove(feats_->c_str());
    delete weights_;
    delete feats_;
  }
  // `fidcpp stats feats.npy -o out` with `env` prepended; out is removed first.
  cli_test::CliRun stats(const std::string& env, const std::string& out) {
    std::remove(out.c_str());
    return cli_test::run_binary(
        FIDCPP_NOMPI_CLI_PATH,
        "stats '" + *feats_ + "' --tap 64 --quiet --weights '" + *weights_ + "' -o '" + out + "'",
        tmp("stderr.txt"), env);
  }
  static bool exists(const std::string& p) { return access(p.c_str(), F_OK) == 0; }
  static std::string* weights_;
  static std::string* feats_;
};
std::string* NoMpiCli::weights_ = nullptr;
std::string* NoMpiCli::feats_ = nullptr;

TEST_F(NoMpiCli, TwoCopiesUnderEachLauncherAreRefusedAndWriteNothing) {
  const std::vector<std::pair<std::string, std::string>> launches = {
      {"OMPI_COMM_WORLD_SIZE=2 OMPI_COMM_WORLD_RANK=0", "by Open MPI"},
      {"MV2_COMM_WORLD_SIZE=2 MV2_COMM_WORLD_RANK=1", "by MVAPICH"},
      {"PMI_SIZE=2 PMI_RANK=0", "by MPICH/PMI"},
      {"PMIX_RANK=0 SLURM_STEP_NUM_TASKS=2", "by PMIx"},
      {"SLURM_STEP_ID=0 SLURM_PROCID=0 SLURM_NTASKS=2", "by Slurm"},
      {"SLURM_STEPID=0 SLURM_PROCID=1 SLURM_NPROCS=2", "by Slurm"},
  };
  const std::string out = tmp("refused.npz");
  for (const auto& l : launches) {
    const cli_test::CliRun r = stats("env " + l.first + " ", out);
    EXPECT_EQ(r.code, 6) << l.first << "\n" << r.err;  // exit 6: unsupported on this build
    EXPECT_NE(r.err.find(l.second), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("-DFIDCPP_MPI=ON"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("refusing to run 2 copies"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_FALSE(exists(out)) << l.first;
  }
}

TEST_F(NoMpiCli, OneCopyRunsUnderEachLauncher) {
  const std::vector<std::string> launches = {
      "",
      "OMPI_COMM_WORLD_SIZE=1 OMPI_COMM_WORLD_RANK=0",
      "PMI_SIZE=1 PMI_RANK=0",
      "PMIX_RANK=0",
      "SLURM_STEP_ID=0 SLURM_PROCID=0 SLURM_NTASKS=1",
      "SLURM_JOB_ID=7 SLURM_PROCID=0 SLURM_NTASKS=4",  // a batch script of a 4-task job: one process
  };
  const std::string out = tmp("ran.npz");
  for (const std::string& l : launches) {
    const cli_test::CliRun r = stats(l.empty() ? "" : "env " + l + " ", out);
    EXPECT_EQ(r.code, 0) << l << "\n" << r.err;
    EXPECT_TRUE(exists(out)) << l;
  }
  std::remove(out.c_str());
}

// The real launcher: `mpirun -np 2` of the MPI-less binary (the MPI build's second CLI, or a build without
// MPI's own CLI under the system's mpirun; tools/setup.sh installs Open MPI).
TEST_F(NoMpiCli, MpirunTwoRanksIsRefused) {
  const std::string mpiexec = FIDCPP_MPIEXEC;
  if (mpiexec.empty()) GTEST_SKIP() << "no mpirun or mpiexec installed";
  const std::string out = tmp("mpirun.npz");
  const cli_test::CliRun r =
      stats("timeout 120 " + mpiexec + " --allow-run-as-root --oversubscribe -np 2 ", out);
  EXPECT_NE(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("refusing to run 2 copies"), std::string::npos) << r.err;
  EXPECT_FALSE(exists(out));
}

}  // namespace
}  // namespace fidcpp
