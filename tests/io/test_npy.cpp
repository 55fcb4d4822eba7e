// .npy/.npz: files written by numpy (tests/data/io, tools/make_io_fixtures.py) read value for value; our
// writer byte-identical to np.save; our .npz read back by numpy itself when FIDCPP_PYTHON is set.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "core/file.h"
#include "io/npy.h"

namespace fidcpp {
namespace {

const std::string kDir = std::string(FIDCPP_TEST_DATA_DIR) + "/io/";

// The fixture formula, in double: v(i) = i * 0.37 - 3.5 (float32 files hold it rounded to float).
double v_ref(int64_t i, bool f32) {
  double d = static_cast<double>(i) * 0.37 - 3.5;
  return f32 ? static_cast<double>(static_cast<float>(d)) : d;
}

void expect_formula(const NpyArray& a, const std::vector<int64_t>& shape, bool f32) {
  ASSERT_EQ(a.shape, shape);
  ASSERT_EQ(static_cast<int64_t>(a.data.size()), a.numel());
  for (int64_t i = 0; i < a.numel(); ++i) ASSERT_EQ(a.data[i], v_ref(i, f32)) << "index " << i;
}

std::vector<uint8_t> slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

TEST(Npy, ReadsNumpyFilesOfEveryLayout) {
  struct Case {
    const char* file;
    std::vector<int64_t> shape;
    bool f32;
    const char* descr;
  } cases[] = {
      {"f4_c.npy", {3, 4}, true, "<f4"},       {"f8_c.npy", {2, 3, 5}, false, "<f8"},
      {"f8_1d.npy", {2048}, false, "<f8"},     {"f4_be.npy", {3, 4}, true, ">f4"},
      {"f8_be.npy", {5}, false, ">f8"},        {"f8_fortran.npy", {3, 4, 2}, false, "<f8"},
      {"f4_fortran.npy", {4, 3}, true, "<f4"}, {"v2.npy", {3, 4}, false, "<f8"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    auto r = read_npy(kDir + c.file);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(r->descr, c.descr);
    expect_formula(*r, c.shape, c.f32);
  }
}

TEST(Npy, ReadsIntegerHalfScalarAndEmpty) {
  auto i8 = read_npy(kDir + "i8.npy");
  ASSERT_TRUE(i8.ok()) << i8.status().to_string();
  ASSERT_EQ(i8->shape, std::vector<int64_t>{6});
  for (int i = 0; i < 6; ++i) EXPECT_EQ(i8->data[i], i * 1000003.0 - 7);
  auto u1 = read_npy(kDir + "u1.npy");
  ASSERT_TRUE(u1.ok());
  EXPECT_EQ(u1->data, (std::vector<double>{0, 1, 127, 255}));
  auto f2 = read_npy(kDir + "f2.npy");
  ASSERT_TRUE(f2.ok()) << f2.status().to_string();
  EXPECT_EQ(f2->data, (std::vector<double>{0.5, -2.0, 65504.0, std::ldexp(1.0, -24)}));
  auto s = read_npy(kDir + "scalar.npy");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->shape.empty());
  EXPECT_EQ(s->data, std::vector<double>{2.5});
  auto e = read_npy(kDir + "empty.npy");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->shape, (std::vector<int64_t>{0, 3}));
  EXPECT_TRUE(e->data.empty());
}

TEST(Npz, ReadsSavezAndSavezCompressed) {
  auto st = read_npz(kDir + "stats_stored.npz");
  ASSERT_TRUE(st.ok()) << st.status().to_string();
  ASSERT_EQ(st->size(), 2u);
  expect_formula(st->at("mu"), {7}, false);
  expect_formula(st->at("sigma"), {7, 7}, false);
  auto dz = read_npz(kDir + "stats_deflated.npz");
  ASSERT_TRUE(dz.ok()) << dz.status().to_string();
  EXPECT_EQ(dz->at("mu").descr, "<f4");
  expect_formula(dz->at("mu"), {7}, true);
  expect_formula(dz->at("sigma"), {7, 7}, false);  // stored Fortran-ordered, returned in C order
}

TEST(Npy, EncodeIsByteIdenticalToNpSave) {
  for (auto [file, shape, dtype] :
       {std::make_tuple("f8_c.npy", std::vector<int64_t>{2, 3, 5}, NpyDtype::kF8),
        std::make_tuple("f4_c.npy", std::vector<int64_t>{3, 4}, NpyDtype::kF4),
        std::make_tuple("f8_1d.npy", std::vector<int64_t>{2048}, NpyDtype::kF8)}) {
    SCOPED_TRACE(file);
    int64_t n = 1;
    for (auto d : shape) n *= d;
    std::vector<double> vals(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) vals[i] = v_ref(i, false);
    NpyWriteArray w{"x", shape, dtype, vals.data()};
    EXPECT_EQ(encode_npy(w), slurp(kDir + file));
  }
  double s = 2.5;
  EXPECT_EQ(encode_npy(NpyWriteArray{"s", {}, NpyDtype::kF8, &s}), slurp(kDir + "scalar.npy"));
}

std::vector<uint8_t> npy_bytes(const std::string& header_dict, size_t data_bytes, int major = 1) {
  std::string h = header_dict;
  while ((10 + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::string head = "\x93NUMPY";
  head += {char(major), '\0', char(h.size() & 0xFF), char(h.size() >> 8)};
  head += h;
  head.append(data_bytes, '\0');
  return std::vector<uint8_t>(head.begin(), head.end());
}

TEST(Npy, RejectsMalformedFilesWithPreciseErrors) {
  auto expect_error = [](const std::vector<uint8_t>& b, const std::string& needle) {
    auto r = parse_npy(b.data(), b.size(), "t.npy");
    ASSERT_FALSE(r.ok()) << needle;
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("t.npy"), std::string::npos);
  };
  expect_error({1, 2, 3}, "bad magic");
  expect_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 8),
               "expected 12 data bytes");
  expect_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", 16), "found 16");
  expect_error(npy_bytes("{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }", 24), "dtype '<c8'");
  expect_error(npy_bytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,), }", 12),
               "structured");
  expect_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, }", 0), "missing one of");
  expect_error(npy_bytes("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (3,), }", 12), "fortran_order");
  expect_error(npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-3,), }", 12), "non-negative");
  expect_error(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 0),
               "size limit");
  expect_error(npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", 24, 9), "version 9");
  auto b = npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", 24);
  b.resize(12);
  expect_error(b, "truncated");
  NpyLimits small;
  small.max_bytes = 16;
  auto big = npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", 24);
  auto r = parse_npy(big.data(), big.size(), "t.npy", small);
  EXPECT_FALSE(r.ok());
}

TEST(Npz, WriteThenReadRoundTripsBothCompressions) {
  std::vector<double> mu = {1.5, -2.25, 3.0}, sigma(9), ids = {0, 7, -3};
  for (int i = 0; i < 9; ++i) sigma[i] = v_ref(i, false);
  for (bool compress : {false, true}) {
    SCOPED_TRACE(compress);
    std::string path = ::testing::TempDir() + "/fidcpp_npz_" + std::to_string(compress) + ".npz";
    std::remove(path.c_str());
    ASSERT_TRUE(write_npz(path,
                          {{"mu", {3}, NpyDtype::kF4, mu.data()},
                           {"sigma", {3, 3}, NpyDtype::kF8, sigma.data()},
                           {"n", {3}, NpyDtype::kI8, ids.data()}},
                          compress, Overwrite::kRefuse)
                    .ok());
    EXPECT_FALSE(write_npz(path, {}, compress, Overwrite::kRefuse).ok()) << "refuses to overwrite";
    auto r = read_npz(path);
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    EXPECT_EQ(r->at("mu").descr, "<f4");
    EXPECT_EQ(r->at("mu").data, mu);
    EXPECT_EQ(r->at("sigma").data, sigma);
    EXPECT_EQ(r->at("n").descr, "<i8");
    EXPECT_EQ(r->at("n").data, ids);
    std::remove(path.c_str());
  }
}

// The reverse direction: numpy itself loads what we wrote (needs FIDCPP_PYTHON pointing at a Python with
// numpy).
TEST(Npz, NumpyLoadsOurFiles) {
  const char* py = std::getenv("FIDCPP_PYTHON");
  if (!py || !*py) GTEST_SKIP() << "set FIDCPP_PYTHON to a Python with numpy to check our .npz with np.load";
  std::vector<double> mu(5), sigma(25);
  for (int i = 0; i < 5; ++i) mu[i] = v_ref(i, false);
  for (int i = 0; i < 25; ++i) sigma[i] = v_ref(i, false);
  for (bool compress : {false, true}) {
    std::string path = ::testing::TempDir() + "/fidcpp_np_" + std::to_string(compress) + ".npz";
    ASSERT_TRUE(
        write_npz(path,
                  {{"mu", {5}, NpyDtype::kF4, mu.data()}, {"sigma", {5, 5}, NpyDtype::kF8, sigma.data()}},
                  compress, Overwrite::kAllow)
            .ok());
    std::string script =
        "import numpy as np,sys\n"
        "z=np.load(sys.argv[1])\n"
        "v=lambda s,t:(np.arange(int(np.prod(s)))*0.37-3.5).astype(t).reshape(s)\n"
        "assert sorted(z.files)==['mu','sigma'], z.files\n"
        "assert z['mu'].dtype==np.float32 and (z['mu']==v((5,),'f4')).all()\n"
        "assert z['sigma'].dtype==np.float64 and (z['sigma']==v((5,5),'f8')).all()\n";
    std::string script_path = path + ".py";
    std::ofstream(script_path) << script;
    std::string cmd = std::string(py) + " " + script_path + " " + path;
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::remove(path.c_str());
    std::remove(script_path.c_str());
  }
}

// numpy's np.savez_compressed output at sizes the committed fixtures do not reach (a 2048-vector and a
// 300x300 matrix, members of hundreds of KiB over many deflate blocks), read back value for value; this is
// the minimal build's inflate (stb_image) as much as zlib's. Needs FIDCPP_PYTHON like NumpyLoadsOurFiles.
TEST(Npz, ReadsLargeSavezCompressedFromNumpy) {
  const char* py = std::getenv("FIDCPP_PYTHON");
  if (!py || !*py) GTEST_SKIP() << "set FIDCPP_PYTHON to a Python with numpy to write compressed .npz files";
  const std::string path = ::testing::TempDir() + "/fidcpp_np_large.npz";
  const std::string script_path = path + ".py";
  std::ofstream(script_path) << "import numpy as np,sys\n"
                                "v=lambda n:np.arange(n)*0.37-3.5\n"
                                "np.savez_compressed(sys.argv[1],mu=v(2048).astype('f4'),"
                                "sigma=np.sin(v(90000)).reshape(300,300))\n";
  const std::string cmd = std::string(py) + " " + script_path + " " + path;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto z = read_npz(path);
  ASSERT_TRUE(z.ok()) << z.status().to_string();
  expect_formula(z->at("mu"), {2048}, true);
  const NpyArray& sigma = z->at("sigma");
  ASSERT_EQ(sigma.shape, (std::vector<int64_t>{300, 300}));
  for (int64_t i = 0; i < sigma.numel(); ++i)
    ASSERT_NEAR(sigma.data[size_t(i)], std::sin(v_ref(i, false)), 1e-15) << "index " << i;
  std::remove(path.c_str());
  std::remove(script_path.c_str());
}

}  // namespace
}  // namespace fidcpp
