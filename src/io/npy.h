// .npy / .npz reading and writing (numpy format v1.0/2.0; npz = zip of .npy members, stored or deflated).
// docs/conventions.md §8.1. Readers accept <f4/<f8 (and big-endian, fortran_order) and convert to double.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/file.h"
#include "core/status.h"

namespace fidcpp {

struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<double> data;  // C order, converted from the stored dtype
  std::string descr;         // as stored, e.g. "<f4", "<f8", "<i8"
  int64_t numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }
};

struct NpyLimits {
  uint64_t max_bytes = uint64_t(16) << 30;  // refuse arrays (or members) larger than this
  int max_members = 1024;
};

Result<NpyArray> parse_npy(const uint8_t* data, size_t size, const std::string& what,
                           const NpyLimits& limits = {});

// A .npy header alone, for arrays read piece by piece (npz_images.h): `data` starts at the magic. The first
// call may pass the first 12 bytes only: it then gives the total header length in `header_bytes`, with
// `complete` false; called again on that many bytes it parses the header.
struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
  size_t header_bytes = 0;  // magic + version + length + header text: where the data starts
  bool complete = false;
};
Result<NpyHeader> parse_npy_header(const uint8_t* data, size_t size, const std::string& what);

// Only the named members of an .npz (".npy" dropped from the names); names it lacks are absent from the
// result, and other members, however large, are not read.
Result<std::map<std::string, NpyArray>> read_npz_members(const std::string& path,
                                                         const std::vector<std::string>& names,
                                                         const NpyLimits& limits = {});
Result<NpyArray> read_npy(const std::string& path, const NpyLimits& limits = {});
Result<std::map<std::string, NpyArray>> read_npz(const std::string& path, const NpyLimits& limits = {});
// The same on an archive in memory (`what` names it in errors).
Result<std::map<std::string, NpyArray>> parse_npz(const uint8_t* data, size_t size, const std::string& what,
                                                  const NpyLimits& limits = {});

enum class NpyDtype { kF4, kF8, kI8 };
struct NpyWriteArray {
  std::string name;  // member name without ".npy"
  std::vector<int64_t> shape;
  NpyDtype dtype = NpyDtype::kF8;
  const double* data = nullptr;  // converted to dtype on write
  int64_t numel() const;
};

std::vector<uint8_t> encode_npy(const NpyWriteArray& a);
Status write_npy(const std::string& path, const NpyWriteArray& a, Overwrite overwrite);
// compress=true writes deflated members like np.savez_compressed, false stored members like np.savez.
Status write_npz(const std::string& path, const std::vector<NpyWriteArray>& arrays, bool compress,
                 Overwrite overwrite);

}  // namespace fidcpp
