// A restricted pickle virtual machine: enough of protocols 2-4 to read PyTorch weight checkpoints, nothing
// more. It never imports or calls anything: GLOBALs outside a fixed allow-list (tensor rebuilding, storages,
// OrderedDict, TorchScript's __torch__ classes and list builders) are refused by name, unknown opcodes too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace fidcpp {

enum class TorchDtype {
  kFloat32,
  kFloat64,
  kFloat16,
  kBFloat16,
  kInt64,
  kInt32,
  kInt16,
  kInt8,
  kUInt8,
  kBool
};
const char* torch_dtype_name(TorchDtype d);
int torch_dtype_size(TorchDtype d);

struct PyObj {
  enum class Kind {
    kNone,
    kBool,
    kInt,
    kBigInt,
    kFloat,
    kStr,
    kBytes,
    kTuple,
    kList,
    kDict,
    kGlobal,
    kObject,
    kStorage,
    kTensor
  };
  Kind kind = Kind::kNone;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0.0;
  // kStr/kBytes: the contents; kBigInt: little-endian two's complement bytes; kGlobal: "module.name";
  // kObject: its class ("module.name"); kStorage: the storage key.
  std::string text;
  std::vector<PyObj*> items;                    // kTuple, kList
  std::vector<std::pair<PyObj*, PyObj*>> dict;  // kDict (insertion order)
  PyObj* state = nullptr;                       // kObject: BUILD state (a dict for TorchScript modules)
  // kStorage
  TorchDtype dtype = TorchDtype::kFloat32;
  int64_t numel = 0;
  std::string location;
  // kTensor
  PyObj* storage = nullptr;
  int64_t storage_offset = 0;
  std::vector<int64_t> shape, stride;
};

const char* py_kind_name(PyObj::Kind k);

struct PickleLimits {
  size_t max_objects = size_t(1) << 22;
  size_t max_stack = size_t(1) << 20;
  size_t max_memo = size_t(1) << 22;
};

// Objects live in the VM's arena and stay valid until the VM is destroyed, across several run() calls (the
// legacy torch.save format is a sequence of pickles).
class PickleVm {
 public:
  explicit PickleVm(std::string what, const PickleLimits& limits = {})
      : what_(std::move(what)), limits_(limits) {}
  // Runs one pickle from data[0..size) up to its STOP; *consumed receives the bytes used.
  Result<PyObj*> run(const uint8_t* data, size_t size, size_t* consumed = nullptr);
  // Every storage the persistent ids named so far, in order (a key may appear more than once).
  const std::vector<PyObj*>& storages() const { return storages_; }

 private:
  Result<PyObj*> make(PyObj::Kind k);
  Status error(const std::string& m) const;
  Result<PyObj*> global(const std::string& module, const std::string& name);
  Result<PyObj*> reduce(PyObj* callable, PyObj* args);
  Result<PyObj*> persistent_load(PyObj* pid);

  std::string what_;
  PickleLimits limits_;
  std::vector<std::unique_ptr<PyObj>> arena_;
  std::vector<PyObj*> storages_;
  size_t pos_ = 0;
};

}  // namespace fidcpp
