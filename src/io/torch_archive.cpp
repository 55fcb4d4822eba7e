// PyTorch checkpoint reader: format detection, storage resolution, and the walk from pickled objects to named
// tensors. Layouts: torch/serialization.py (_legacy_save, _save) and TorchScript's archive writer.
#include "io/torch_archive.h"

#include <cstring>
#include <functional>
#include <map>
#include <set>

#include "core/file.h"
#include "io/little_endian.h"
#include "io/zip_reader.h"

namespace fidcpp {

const char* torch_format_name(TorchFormat f) {
  switch (f) {
    case TorchFormat::kLegacy:
      return "legacy torch.save";
    case TorchFormat::kZip:
      return "zip torch.save";
    case TorchFormat::kTorchScript:
      return "TorchScript";
  }
  return "?";
}

namespace {

// 0x1950a86a20f9469cfc6c, torch.serialization's MAGIC_NUMBER, as LONG1 writes it (little-endian).
const uint8_t kLegacyMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
constexpr int64_t kLegacyProtocolVersion = 1001;
constexpr int kMaxWalkDepth = 128;
constexpr size_t kMaxVisits = size_t(1) << 22;

struct StorageBytes {
  const uint8_t* data = nullptr;
  uint64_t size = 0;
  bool can_alias = false;  // points into memory the keepalive owns (else tensors copy)
};

using StorageResolver = std::function<Result<StorageBytes>(const PyObj& storage)>;

class TensorCollector {
 public:
  TensorCollector(const std::string& what, TorchCheckpoint& out, StorageResolver resolve)
      : what_(what), out_(out), resolve_(std::move(resolve)) {}

  Status collect_root(PyObj* root) {
    if (root->kind == PyObj::Kind::kTensor)
      return bad_input(what_ + ": holds a single tensor, expected a state dict or a module");
    if (root->kind != PyObj::Kind::kDict && root->kind != PyObj::Kind::kObject)
      return bad_input(what_ + ": holds a " + py_kind_name(root->kind) +
                       ", expected a state dict or a module");
    return walk(root, "", 0);
  }

 private:
  Status walk(PyObj* o, const std::string& prefix, int depth) {
    if (depth > kMaxWalkDepth)
      return bad_input(what_ + ": objects nested deeper than " + std::to_string(kMaxWalkDepth));
    // Shared sub-objects can make the walk exponential in crafted files, so it has a budget as well.
    if (++visits_ > kMaxVisits) return bad_input(what_ + ": object graph too large to walk");
    if (!visiting_.insert(o).second) return Status();  // a cycle
    Status st;
    if (o->kind == PyObj::Kind::kObject) {
      if (o->state && o->state->kind == PyObj::Kind::kDict) st = walk(o->state, prefix, depth + 1);
    } else if (o->kind == PyObj::Kind::kDict) {
      for (const auto& kv : o->dict) {
        std::string key;
        if (kv.first->kind == PyObj::Kind::kStr)
          key = kv.first->text;
        else if (kv.first->kind == PyObj::Kind::kInt)
          key = std::to_string(kv.first->integer);
        else
          continue;  // not an attribute or state-dict key
        std::string name = prefix.empty() ? key : prefix + "." + key;
        PyObj* v = kv.second;
        if (v->kind == PyObj::Kind::kTensor) {
          st = add(name, *v);
        } else if (v->kind == PyObj::Kind::kDict || v->kind == PyObj::Kind::kObject) {
          st = walk(v, name, depth + 1);
        }
        if (!st.ok()) break;
      }
    }
    visiting_.erase(o);
    return st;
  }

  Status add(const std::string& name, const PyObj& t) {
    const PyObj& s = *t.storage;
    const std::string tw = what_ + ": tensor '" + name + "'";
    if (s.dtype != TorchDtype::kFloat32) {
      const std::string kNbt = "num_batches_tracked";
      if (s.dtype == TorchDtype::kInt64 && name.size() >= kNbt.size() &&
          name.compare(name.size() - kNbt.size(), kNbt.size(), kNbt) == 0) {
        out_.skipped.push_back(name);
        return Status();
      }
      return unsupported(tw + " has dtype " + torch_dtype_name(s.dtype) +
                         "; only float32 tensors are supported");
    }
    uint64_t numel = 1;
    for (int64_t d : t.shape) {
      if (d < 0) return bad_input(tw + " has a negative dimension");
      if (d != 0 && numel > (uint64_t(1) << 62) / static_cast<uint64_t>(d))
        return bad_input(tw + " is impossibly large");
      numel *= static_cast<uint64_t>(d);
    }
    if (numel > 0) {
      int64_t expect = 1;
      for (size_t k = t.shape.size(); k-- > 0;) {
        if (t.shape[k] != 1 && t.stride[k] != expect)
          return unsupported(tw + " is not contiguous (shape " + shape_to_string(t.shape) + ", stride " +
                             shape_to_string(t.stride) + "); save it with .contiguous()");
        expect *= t.shape[k];
      }
    }
    if (static_cast<uint64_t>(t.storage_offset) > static_cast<uint64_t>(s.numel) ||
        numel > static_cast<uint64_t>(s.numel - t.storage_offset))
      return bad_input(tw + " needs storage elements [" + std::to_string(t.storage_offset) + ", " +
                       std::to_string(t.storage_offset + static_cast<int64_t>(numel)) + ") but storage '" +
                       s.text + "' has " + std::to_string(s.numel));
    if (out_.tensors.tensors.count(name)) return bad_input(what_ + ": duplicate tensor name '" + name + "'");
    FIDCPP_ASSIGN_OR_RETURN(StorageBytes b, resolve_(s));
    HostTensor h;
    h.shape = t.shape;
    const uint8_t* p = b.data + static_cast<uint64_t>(t.storage_offset) * 4;
    if (b.can_alias && reinterpret_cast<uintptr_t>(p) % alignof(float) == 0) {
      h.data = reinterpret_cast<const float*>(p);
    } else {
      h.owned.resize(static_cast<size_t>(numel));
      if (numel) std::memcpy(h.owned.data(), p, static_cast<size_t>(numel) * 4);
      h.data = h.owned.data();
    }
    out_.tensors.tensors.emplace(name, std::move(h));
    return Status();
  }

  const std::string& what_;
  TorchCheckpoint& out_;
  StorageResolver resolve_;
  std::set<const PyObj*> visiting_;
  size_t visits_ = 0;
};

Status check_storage_size(const std::string& what, const PyObj& s, uint64_t have) {
  const uint64_t elem = static_cast<uint64_t>(torch_dtype_size(s.dtype));
  if (static_cast<uint64_t>(s.numel) > UINT64_MAX / elem || have != static_cast<uint64_t>(s.numel) * elem)
    return bad_input(what + ": storage '" + s.text + "' holds " + std::to_string(have) + " bytes, expected " +
                     std::to_string(s.numel) + " x " + std::to_string(elem));
  return Status();
}

Result<TorchCheckpoint> parse_legacy(const uint8_t* data, size_t size, const std::string& what,
                                     bool can_alias, const TorchReadOptions& opt) {
  TorchCheckpoint out;
  out.format = TorchFormat::kLegacy;
  PickleVm vm(what, opt.pickle);
  size_t pos = 0, used = 0;
  auto next = [&]() -> Result<PyObj*> {
    Result<PyObj*> r = vm.run(data + pos, size - pos, &used);
    if (r.ok()) pos += used;
    return r;
  };
  FIDCPP_ASSIGN_OR_RETURN(PyObj * magic, next());
  if (magic->kind != PyObj::Kind::kBigInt || magic->text.size() != sizeof(kLegacyMagic) ||
      std::memcmp(magic->text.data(), kLegacyMagic, sizeof(kLegacyMagic)) != 0)
    return bad_input(what + ": not a PyTorch checkpoint (a pickle without torch.save's magic number)");
  FIDCPP_ASSIGN_OR_RETURN(PyObj * proto, next());
  if (proto->kind != PyObj::Kind::kInt || proto->integer != kLegacyProtocolVersion)
    return unsupported(what + ": legacy torch.save protocol version is not 1001");
  FIDCPP_ASSIGN_OR_RETURN(PyObj * sys_info, next());
  if (sys_info->kind == PyObj::Kind::kDict)
    for (const auto& kv : sys_info->dict)
      if (kv.first->kind == PyObj::Kind::kStr && kv.first->text == "little_endian" &&
          kv.second->kind == PyObj::Kind::kBool && !kv.second->boolean)
        return unsupported(what + ": written on a big-endian machine");
  FIDCPP_ASSIGN_OR_RETURN(PyObj * root, next());
  FIDCPP_ASSIGN_OR_RETURN(PyObj * keys, next());
  if (keys->kind != PyObj::Kind::kList) return bad_input(what + ": storage key list is missing");

  std::map<std::string, const PyObj*> declared;
  for (const PyObj* s : vm.storages()) {
    auto it = declared.emplace(s->text, s).first;
    if (it->second->dtype != s->dtype || it->second->numel != s->numel)
      return bad_input(what + ": storage '" + s->text + "' is declared with two different types or sizes");
  }
  // The raw storages follow, in key-list order, each an int64 element count and the bytes.
  std::map<std::string, StorageBytes> bytes;
  for (const PyObj* k : keys->items) {
    if (k->kind != PyObj::Kind::kStr) return bad_input(what + ": storage key list holds a non-string");
    auto it = declared.find(k->text);
    if (it == declared.end()) return bad_input(what + ": storage '" + k->text + "' is listed but never used");
    const PyObj& s = *it->second;
    if (size - pos < 8) return bad_input(what + ": truncated before storage '" + s.text + "'");
    const uint64_t n = load_le64(data + pos);
    pos += 8;
    if (n != static_cast<uint64_t>(s.numel))
      return bad_input(what + ": storage '" + s.text + "' has " + std::to_string(n) + " elements, declared " +
                       std::to_string(s.numel));
    const uint64_t nbytes = n * static_cast<uint64_t>(torch_dtype_size(s.dtype));
    if (n > (uint64_t(1) << 60) || nbytes > size - pos)
      return bad_input(what + ": storage '" + s.text + "' runs past the end of the file (truncated?)");
    bytes[s.text] = StorageBytes{data + pos, nbytes, can_alias};
    pos += static_cast<size_t>(nbytes);
  }
  TensorCollector c(what, out, [&](const PyObj& s) -> Result<StorageBytes> {
    auto it = bytes.find(s.text);
    if (it == bytes.end()) return bad_input(what + ": storage '" + s.text + "' has no data in the file");
    return it->second;
  });
  FIDCPP_RETURN_IF_ERROR(c.collect_root(root));
  return out;
}

bool valid_storage_key(const std::string& k) {
  if (k.empty() || k.size() > 64) return false;
  for (char c : k)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'))
      return false;
  return true;
}

Result<TorchCheckpoint> parse_zip(const uint8_t* data, size_t size, const std::string& what, bool can_alias,
                                  const TorchReadOptions& opt) {
  ZipLimits zl;
  zl.max_entry_bytes = std::max<uint64_t>(size, 1) * 1100;
  FIDCPP_ASSIGN_OR_RETURN(ZipReader zip, ZipReader::open(data, size, what, zl));
  std::string root;
  for (const auto& e : zip.entries()) {
    size_t slash = e.name.find('/');
    if (slash != std::string::npos && e.name.compare(slash, std::string::npos, "/data.pkl") == 0) {
      if (!root.empty()) return bad_input(what + ": more than one data.pkl (not a single checkpoint)");
      root = e.name.substr(0, slash);
    }
  }
  if (root.empty())
    return bad_input(what + ": ZIP archive without <name>/data.pkl (not a PyTorch checkpoint)");
  TorchCheckpoint out;
  out.format = TorchFormat::kZip;
  for (const auto& e : zip.entries())
    if (e.name == root + "/constants.pkl" || e.name.rfind(root + "/code/", 0) == 0)
      out.format = TorchFormat::kTorchScript;
  if (const ZipEntry* bo = zip.find(root + "/byteorder")) {
    FIDCPP_ASSIGN_OR_RETURN(std::vector<uint8_t> order, zip.read(*bo, 64));
    if (std::string(order.begin(), order.end()) != "little")
      return unsupported(what + ": tensors stored in '" + std::string(order.begin(), order.end()) +
                         "' byte order");
  }
  FIDCPP_ASSIGN_OR_RETURN(std::vector<uint8_t> pkl,
                          zip.read(*zip.find(root + "/data.pkl"), opt.max_pickle_bytes));
  PickleVm vm(what + " " + root + "/data.pkl", opt.pickle);
  FIDCPP_ASSIGN_OR_RETURN(PyObj * obj, vm.run(pkl.data(), pkl.size()));

  std::map<std::string, StorageBytes> cache;
  std::vector<std::vector<uint8_t>> inflated;
  TensorCollector c(what, out, [&](const PyObj& s) -> Result<StorageBytes> {
    auto it = cache.find(s.text);
    if (it != cache.end()) {
      FIDCPP_RETURN_IF_ERROR(check_storage_size(what, s, it->second.size));
      return it->second;
    }
    if (!valid_storage_key(s.text)) return bad_input(what + ": invalid storage key '" + s.text + "'");
    const std::string member = root + "/data/" + s.text;
    const ZipEntry* e = zip.find(member);
    if (!e) return bad_input(what + ": storage member '" + member + "' is missing");
    StorageBytes b;
    if (e->method == 0) {
      FIDCPP_ASSIGN_OR_RETURN(b.data, zip.view_stored(*e));
      b.size = e->uncompressed_size;
      b.can_alias = can_alias;
    } else {
      FIDCPP_ASSIGN_OR_RETURN(std::vector<uint8_t> v, zip.read(*e, zl.max_entry_bytes));
      inflated.push_back(std::move(v));
      b.data = inflated.back().data();
      b.size = inflated.back().size();
      b.can_alias = false;
    }
    FIDCPP_RETURN_IF_ERROR(check_storage_size(what, s, b.size));
    cache[s.text] = b;
    return b;
  });
  FIDCPP_RETURN_IF_ERROR(c.collect_root(obj));
  return out;
}

}  // namespace

Result<TorchCheckpoint> parse_torch_checkpoint(const uint8_t* data, size_t size, const std::string& what,
                                               std::shared_ptr<const void> keepalive,
                                               const TorchReadOptions& options) {
  if (!host_is_little_endian()) return unsupported("PyTorch checkpoints: big-endian hosts are not supported");
  Result<TorchCheckpoint> r = [&]() -> Result<TorchCheckpoint> {
    if (looks_like_zip(data, size)) return parse_zip(data, size, what, keepalive != nullptr, options);
    if (size >= 2 && data[0] == 0x80) return parse_legacy(data, size, what, keepalive != nullptr, options);
    return bad_input(what + ": not a PyTorch checkpoint (neither a ZIP archive nor a pickle)");
  }();
  if (r.ok()) r->tensors.keepalive = std::move(keepalive);
  return r;
}

Result<TorchCheckpoint> read_torch_checkpoint(const std::string& path, const TorchReadOptions& options) {
  FIDCPP_ASSIGN_OR_RETURN(MappedFile f, MappedFile::open(path));
  auto owner = std::make_shared<MappedFile>(std::move(f));
  return parse_torch_checkpoint(owner->data(), owner->size(), "'" + path + "'", owner, options);
}

}  // namespace fidcpp
