// Restricted pickle VM (opcode semantics from CPython's Lib/pickletools.py descriptions; written from them).
#include "io/pickle_vm.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "io/little_endian.h"

namespace fidcpp {

const char* torch_dtype_name(TorchDtype d) {
  switch (d) {
    case TorchDtype::kFloat32:
      return "float32";
    case TorchDtype::kFloat64:
      return "float64";
    case TorchDtype::kFloat16:
      return "float16";
    case TorchDtype::kBFloat16:
      return "bfloat16";
    case TorchDtype::kInt64:
      return "int64";
    case TorchDtype::kInt32:
      return "int32";
    case TorchDtype::kInt16:
      return "int16";
    case TorchDtype::kInt8:
      return "int8";
    case TorchDtype::kUInt8:
      return "uint8";
    case TorchDtype::kBool:
      return "bool";
  }
  return "?";
}

int torch_dtype_size(TorchDtype d) {
  switch (d) {
    case TorchDtype::kFloat64:
    case TorchDtype::kInt64:
      return 8;
    case TorchDtype::kFloat32:
    case TorchDtype::kInt32:
      return 4;
    case TorchDtype::kFloat16:
    case TorchDtype::kBFloat16:
    case TorchDtype::kInt16:
      return 2;
    default:
      return 1;
  }
}

const char* py_kind_name(PyObj::Kind k) {
  switch (k) {
    case PyObj::Kind::kNone:
      return "None";
    case PyObj::Kind::kBool:
      return "bool";
    case PyObj::Kind::kInt:
      return "int";
    case PyObj::Kind::kBigInt:
      return "int";
    case PyObj::Kind::kFloat:
      return "float";
    case PyObj::Kind::kStr:
      return "str";
    case PyObj::Kind::kBytes:
      return "bytes";
    case PyObj::Kind::kTuple:
      return "tuple";
    case PyObj::Kind::kList:
      return "list";
    case PyObj::Kind::kDict:
      return "dict";
    case PyObj::Kind::kGlobal:
      return "global";
    case PyObj::Kind::kObject:
      return "object";
    case PyObj::Kind::kStorage:
      return "storage";
    case PyObj::Kind::kTensor:
      return "tensor";
  }
  return "?";
}

namespace {

const char* opcode_name(uint8_t op) {
  static const std::map<uint8_t, const char*> kNames = {{'(', "MARK"},
                                                        {'.', "STOP"},
                                                        {'0', "POP"},
                                                        {'1', "POP_MARK"},
                                                        {'2', "DUP"},
                                                        {'F', "FLOAT"},
                                                        {'I', "INT"},
                                                        {'J', "BININT"},
                                                        {'K', "BININT1"},
                                                        {'L', "LONG"},
                                                        {'M', "BININT2"},
                                                        {'N', "NONE"},
                                                        {'P', "PERSID"},
                                                        {'Q', "BINPERSID"},
                                                        {'R', "REDUCE"},
                                                        {'S', "STRING"},
                                                        {'T', "BINSTRING"},
                                                        {'U', "SHORT_BINSTRING"},
                                                        {'V', "UNICODE"},
                                                        {'X', "BINUNICODE"},
                                                        {'a', "APPEND"},
                                                        {'b', "BUILD"},
                                                        {'c', "GLOBAL"},
                                                        {'d', "DICT"},
                                                        {'}', "EMPTY_DICT"},
                                                        {'e', "APPENDS"},
                                                        {'g', "GET"},
                                                        {'h', "BINGET"},
                                                        {'i', "INST"},
                                                        {'j', "LONG_BINGET"},
                                                        {'l', "LIST"},
                                                        {']', "EMPTY_LIST"},
                                                        {'o', "OBJ"},
                                                        {'p', "PUT"},
                                                        {'q', "BINPUT"},
                                                        {'r', "LONG_BINPUT"},
                                                        {'s', "SETITEM"},
                                                        {'t', "TUPLE"},
                                                        {')', "EMPTY_TUPLE"},
                                                        {'u', "SETITEMS"},
                                                        {'G', "BINFLOAT"},
                                                        {0x80, "PROTO"},
                                                        {0x81, "NEWOBJ"},
                                                        {0x82, "EXT1"},
                                                        {0x83, "EXT2"},
                                                        {0x84, "EXT4"},
                                                        {0x85, "TUPLE1"},
                                                        {0x86, "TUPLE2"},
                                                        {0x87, "TUPLE3"},
                                                        {0x88, "NEWTRUE"},
                                                        {0x89, "NEWFALSE"},
                                                        {0x8a, "LONG1"},
                                                        {0x8b, "LONG4"},
                                                        {'B', "BINBYTES"},
                                                        {'C', "SHORT_BINBYTES"},
                                                        {0x8c, "SHORT_BINUNICODE"},
                                                        {0x8d, "BINUNICODE8"},
                                                        {0x8e, "BINBYTES8"},
                                                        {0x8f, "EMPTY_SET"},
                                                        {0x90, "ADDITEMS"},
                                                        {0x91, "FROZENSET"},
                                                        {0x92, "NEWOBJ_EX"},
                                                        {0x93, "STACK_GLOBAL"},
                                                        {0x94, "MEMOIZE"},
                                                        {0x95, "FRAME"},
                                                        {0x96, "BYTEARRAY8"},
                                                        {0x97, "NEXT_BUFFER"},
                                                        {0x98, "READONLY_BUFFER"}};
  auto it = kNames.find(op);
  return it == kNames.end() ? "unknown" : it->second;
}

bool storage_dtype(const std::string& name, TorchDtype* d) {
  static const std::map<std::string, TorchDtype> kTypes = {
      {"torch.FloatStorage", TorchDtype::kFloat32}, {"torch.DoubleStorage", TorchDtype::kFloat64},
      {"torch.HalfStorage", TorchDtype::kFloat16},  {"torch.BFloat16Storage", TorchDtype::kBFloat16},
      {"torch.LongStorage", TorchDtype::kInt64},    {"torch.IntStorage", TorchDtype::kInt32},
      {"torch.ShortStorage", TorchDtype::kInt16},   {"torch.CharStorage", TorchDtype::kInt8},
      {"torch.ByteStorage", TorchDtype::kUInt8},    {"torch.BoolStorage", TorchDtype::kBool}};
  auto it = kTypes.find(name);
  if (it == kTypes.end()) return false;
  *d = it->second;
  return true;
}

// Callables whose effect we reproduce without running Python; anything else is refused at GLOBAL time.
const char* const kAllowedCallables[] = {
    "collections.OrderedDict",
    "torch._utils._rebuild_tensor",
    "torch._utils._rebuild_tensor_v2",
    "torch._utils._rebuild_parameter",
    "torch._utils._rebuild_parameter_with_state",
    "torch.jit._pickle.build_intlist",
    "torch.jit._pickle.build_doublelist",
    "torch.jit._pickle.build_boollist",
    "torch.jit._pickle.build_tensorlist",
    "torch.jit._pickle.build_genericlist",
    "torch.jit._pickle.restore_type_tag",
};

bool valid_identifier_path(const std::string& s) {
  if (s.empty() || s.size() > 512) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
      return false;
  return true;
}

}  // namespace

Status PickleVm::error(const std::string& m) const {
  return bad_input(what_ + ": pickle: " + m + " (at byte " + std::to_string(pos_) + ")");
}

Result<PyObj*> PickleVm::make(PyObj::Kind k) {
  if (arena_.size() >= limits_.max_objects)
    return out_of_memory(what_ + ": pickle: more than " + std::to_string(limits_.max_objects) + " objects");
  arena_.push_back(std::make_unique<PyObj>());
  arena_.back()->kind = k;
  return arena_.back().get();
}

Result<PyObj*> PickleVm::global(const std::string& module, const std::string& name) {
  const std::string full = module + "." + name;
  if (!valid_identifier_path(module) || !valid_identifier_path(name))
    return error("refusing global '" + full + "' (not a plain dotted name)");
  bool ok = false;
  TorchDtype d;
  for (const char* a : kAllowedCallables) ok = ok || full == a;
  // TorchScript pickles its modules as instances of compiled classes in the __torch__ namespace; they are
  // plain data holders here (we never run their code).
  ok = ok || module == "__torch__" || module.rfind("__torch__.", 0) == 0 || storage_dtype(full, &d);
  if (!ok)
    return error(
        "refusing global '" + full +
        "' (a weights file only needs tensors, storages, OrderedDict and TorchScript module classes)");
  FIDCPP_ASSIGN_OR_RETURN(PyObj * g, make(PyObj::Kind::kGlobal));
  g->text = full;
  return g;
}

Result<PyObj*> PickleVm::persistent_load(PyObj* pid) {
  // PyTorch: ('storage', <torch.XStorage>, key, location, numel[, view_metadata]) (legacy format has 6
  // fields).
  if (pid->kind != PyObj::Kind::kTuple || pid->items.size() < 5 || pid->items[0]->kind != PyObj::Kind::kStr ||
      pid->items[0]->text != "storage")
    return error("unsupported persistent id (expected a ('storage', ...) tuple)");
  PyObj* type = pid->items[1];
  PyObj* key = pid->items[2];
  PyObj* loc = pid->items[3];
  PyObj* numel = pid->items[4];
  TorchDtype d;
  if (type->kind != PyObj::Kind::kGlobal || !storage_dtype(type->text, &d))
    return error("unsupported storage type '" +
                 (type->kind == PyObj::Kind::kGlobal ? type->text : std::string(py_kind_name(type->kind))) +
                 "'");
  if (key->kind != PyObj::Kind::kStr || loc->kind != PyObj::Kind::kStr || numel->kind != PyObj::Kind::kInt ||
      numel->integer < 0)
    return error("malformed storage persistent id");
  if (pid->items.size() >= 6 && pid->items[5]->kind != PyObj::Kind::kNone)
    return unsupported(what_ + ": storage views (pre-1.0 PyTorch legacy format) are not supported");
  FIDCPP_ASSIGN_OR_RETURN(PyObj * s, make(PyObj::Kind::kStorage));
  s->dtype = d;
  s->text = key->text;
  s->location = loc->text;
  s->numel = numel->integer;
  storages_.push_back(s);
  return s;
}

namespace {
bool int_tuple(const PyObj* o, std::vector<int64_t>* out) {
  if (o->kind != PyObj::Kind::kTuple && o->kind != PyObj::Kind::kList) return false;
  out->clear();
  for (const PyObj* e : o->items) {
    if (e->kind != PyObj::Kind::kInt) return false;
    out->push_back(e->integer);
  }
  return true;
}
}  // namespace

Result<PyObj*> PickleVm::reduce(PyObj* callable, PyObj* args) {
  if (callable->kind != PyObj::Kind::kGlobal)
    return error(std::string("REDUCE on a ") + py_kind_name(callable->kind));
  if (args->kind != PyObj::Kind::kTuple) return error("REDUCE arguments are not a tuple");
  const std::string& f = callable->text;
  const auto& a = args->items;
  if (f == "collections.OrderedDict") {
    FIDCPP_ASSIGN_OR_RETURN(PyObj * d, make(PyObj::Kind::kDict));
    if (!a.empty()) return error("OrderedDict with constructor arguments is not supported");
    return d;
  }
  if (f == "torch._utils._rebuild_tensor" || f == "torch._utils._rebuild_tensor_v2") {
    if (a.size() < 4) return error(f + " expects at least 4 arguments");
    if (a[0]->kind != PyObj::Kind::kStorage) return error(f + ": first argument is not a storage");
    FIDCPP_ASSIGN_OR_RETURN(PyObj * t, make(PyObj::Kind::kTensor));
    t->storage = a[0];
    if (a[1]->kind != PyObj::Kind::kInt || a[1]->integer < 0 || !int_tuple(a[2], &t->shape) ||
        !int_tuple(a[3], &t->stride) || t->shape.size() != t->stride.size())
      return error(f + ": malformed offset, size or stride");
    t->storage_offset = a[1]->integer;
    return t;
  }
  if (f == "torch._utils._rebuild_parameter" || f == "torch._utils._rebuild_parameter_with_state") {
    if (a.empty() || a[0]->kind != PyObj::Kind::kTensor) return error(f + ": first argument is not a tensor");
    return a[0];
  }
  if (f.rfind("torch.jit._pickle.build_", 0) == 0) {
    if (a.size() != 1 || a[0]->kind != PyObj::Kind::kList) return error(f + " expects one list");
    return a[0];
  }
  if (f == "torch.jit._pickle.restore_type_tag") {
    if (a.empty()) return error(f + " expects arguments");
    return a[0];
  }
  if (f.rfind("__torch__", 0) == 0) {
    FIDCPP_ASSIGN_OR_RETURN(PyObj * o, make(PyObj::Kind::kObject));
    o->text = f;
    return o;
  }
  return error("refusing to call '" + f + "'");
}

Result<PyObj*> PickleVm::run(const uint8_t* data, size_t size, size_t* consumed) {
  pos_ = 0;
  std::vector<PyObj*> stack;
  std::vector<size_t> marks;
  std::vector<PyObj*> memo;  // pickle memo keys are small consecutive integers in practice; bounded below
  auto need = [&](size_t n) { return size - pos_ >= n; };
  auto pop = [&](PyObj** out) -> bool {
    if (stack.empty() || (!marks.empty() && stack.size() <= marks.back())) return false;
    *out = stack.back();
    stack.pop_back();
    return true;
  };
  auto pop_mark = [&](std::vector<PyObj*>* items) -> bool {
    if (marks.empty()) return false;
    size_t m = marks.back();
    marks.pop_back();
    items->assign(stack.begin() + static_cast<std::ptrdiff_t>(m), stack.end());
    stack.resize(m);
    return true;
  };
  auto memo_put = [&](uint64_t idx) -> Status {
    if (stack.empty()) return error("memo store with an empty stack");
    if (idx >= limits_.max_memo) return error("memo index " + std::to_string(idx) + " above the limit");
    if (memo.size() <= idx) memo.resize(static_cast<size_t>(idx) + 1, nullptr);
    memo[static_cast<size_t>(idx)] = stack.back();
    return Status();
  };
  auto memo_get = [&](uint64_t idx) -> Status {
    if (idx >= memo.size() || memo[static_cast<size_t>(idx)] == nullptr)
      return error("memo key " + std::to_string(idx) + " was never stored");
    stack.push_back(memo[static_cast<size_t>(idx)]);
    return Status();
  };
  auto push_string = [&](PyObj::Kind k, uint64_t len) -> Status {
    if (len > size - pos_)
      return error("string of " + std::to_string(len) + " bytes runs past the end of the pickle");
    FIDCPP_ASSIGN_OR_RETURN(PyObj * s, make(k));
    s->text.assign(reinterpret_cast<const char*>(data + pos_), static_cast<size_t>(len));
    pos_ += static_cast<size_t>(len);
    stack.push_back(s);
    return Status();
  };
  auto push_int = [&](int64_t v) -> Status {
    FIDCPP_ASSIGN_OR_RETURN(PyObj * o, make(PyObj::Kind::kInt));
    o->integer = v;
    stack.push_back(o);
    return Status();
  };
  auto push_long = [&](uint64_t n) -> Status {
    if (n > 256) return error("integer of " + std::to_string(n) + " bytes is too long");
    if (!need(static_cast<size_t>(n))) return error("truncated LONG");
    if (n <= 8) {
      uint64_t u = 0;
      for (size_t k = 0; k < n; ++k) u |= uint64_t(data[pos_ + k]) << (8 * k);
      if (n > 0 && n < 8 && (data[pos_ + n - 1] & 0x80)) u |= ~uint64_t(0) << (8 * n);
      pos_ += static_cast<size_t>(n);
      return push_int(static_cast<int64_t>(u));
    }
    return push_string(PyObj::Kind::kBigInt, n);
  };
  auto read_line = [&](std::string* out) -> bool {
    const void* nl = std::memchr(data + pos_, '\n', size - pos_);
    if (!nl) return false;
    size_t end = static_cast<size_t>(static_cast<const uint8_t*>(nl) - data);
    out->assign(reinterpret_cast<const char*>(data + pos_), end - pos_);
    pos_ = end + 1;
    return true;
  };

  while (true) {
    if (pos_ >= size) return error("ran out of data before STOP");
    if (stack.size() > limits_.max_stack || marks.size() > limits_.max_stack)
      return error("stack deeper than " + std::to_string(limits_.max_stack));
    const size_t op_pos = pos_;
    const uint8_t op = data[pos_++];
    PyObj* a = nullptr;
    PyObj* b = nullptr;
    std::vector<PyObj*> items;
    switch (op) {
      case 0x80:  // PROTO
        if (!need(1)) return error("truncated PROTO");
        if (data[pos_] < 2 || data[pos_] > 5)
          return error("unsupported pickle protocol " + std::to_string(data[pos_]));
        ++pos_;
        break;
      case 0x95:  // FRAME: a length prefix we do not need
        if (!need(8)) return error("truncated FRAME");
        pos_ += 8;
        break;
      case '.':  // STOP
        if (!pop(&a)) return error("STOP with an empty stack");
        if (consumed) *consumed = pos_;
        return a;
      case '(':
        marks.push_back(stack.size());
        break;
      case '0':
        if (!pop(&a)) return error("POP with an empty stack");
        break;
      case '1':
        if (!pop_mark(&items)) return error("POP_MARK without MARK");
        break;
      case '2':
        if (stack.empty()) return error("DUP with an empty stack");
        stack.push_back(stack.back());
        break;
      case 'N': {
        FIDCPP_ASSIGN_OR_RETURN(a, make(PyObj::Kind::kNone));
        stack.push_back(a);
        break;
      }
      case 0x88:
      case 0x89: {
        FIDCPP_ASSIGN_OR_RETURN(a, make(PyObj::Kind::kBool));
        a->boolean = op == 0x88;
        stack.push_back(a);
        break;
      }
      case 'J':
        if (!need(4)) return error("truncated BININT");
        FIDCPP_RETURN_IF_ERROR(push_int(static_cast<int32_t>(load_le32(data + pos_))));
        pos_ += 4;
        break;
      case 'K':
        if (!need(1)) return error("truncated BININT1");
        FIDCPP_RETURN_IF_ERROR(push_int(data[pos_++]));
        break;
      case 'M':
        if (!need(2)) return error("truncated BININT2");
        FIDCPP_RETURN_IF_ERROR(push_int(load_le16(data + pos_)));
        pos_ += 2;
        break;
      case 0x8a:
        if (!need(1)) return error("truncated LONG1");
        FIDCPP_RETURN_IF_ERROR(push_long(data[pos_++]));
        break;
      case 0x8b:
        if (!need(4)) return error("truncated LONG4");
        pos_ += 4;
        FIDCPP_RETURN_IF_ERROR(push_long(load_le32(data + pos_ - 4)));
        break;
      case 'G': {
        if (!need(8)) return error("truncated BINFLOAT");
        uint64_t u = 0;
        for (int k = 0; k < 8; ++k) u = (u << 8) | data[pos_ + k];  // big-endian
        pos_ += 8;
        FIDCPP_ASSIGN_OR_RETURN(a, make(PyObj::Kind::kFloat));
        std::memcpy(&a->real, &u, 8);
        stack.push_back(a);
        break;
      }
      case 'X':
      case 'T':
      case 'B':
        if (!need(4)) return error("truncated string length");
        pos_ += 4;
        FIDCPP_RETURN_IF_ERROR(push_string(op == 'X'   ? PyObj::Kind::kStr
                                           : op == 'T' ? PyObj::Kind::kStr
                                                       : PyObj::Kind::kBytes,
                                           load_le32(data + pos_ - 4)));
        break;
      case 0x8c:
      case 'U':
      case 'C':
        if (!need(1)) return error("truncated string length");
        ++pos_;
        FIDCPP_RETURN_IF_ERROR(
            push_string(op == 'C' ? PyObj::Kind::kBytes : PyObj::Kind::kStr, data[pos_ - 1]));
        break;
      case 0x8d:
      case 0x8e:
        if (!need(8)) return error("truncated string length");
        pos_ += 8;
        FIDCPP_RETURN_IF_ERROR(
            push_string(op == 0x8d ? PyObj::Kind::kStr : PyObj::Kind::kBytes, load_le64(data + pos_ - 8)));
        break;
      case ')':
      case ']':
      case '}': {
        FIDCPP_ASSIGN_OR_RETURN(a, make(op == ')'   ? PyObj::Kind::kTuple
                                        : op == ']' ? PyObj::Kind::kList
                                                    : PyObj::Kind::kDict));
        stack.push_back(a);
        break;
      }
      case 't':
      case 'l': {
        if (!pop_mark(&items)) return error("TUPLE/LIST without MARK");
        FIDCPP_ASSIGN_OR_RETURN(a, make(op == 't' ? PyObj::Kind::kTuple : PyObj::Kind::kList));
        a->items = std::move(items);
        stack.push_back(a);
        break;
      }
      case 0x85:
      case 0x86:
      case 0x87: {
        size_t n = size_t(op - 0x84);
        if (stack.size() < n || (!marks.empty() && stack.size() - n < marks.back()))
          return error("TUPLE" + std::to_string(n) + " with too few items");
        FIDCPP_ASSIGN_OR_RETURN(a, make(PyObj::Kind::kTuple));
        a->items.assign(stack.end() - static_cast<std::ptrdiff_t>(n), stack.end());
        stack.resize(stack.size() - n);
        stack.push_back(a);
        break;
      }
      case 'd': {
        if (!pop_mark(&items) || items.size() % 2)
          return error("DICT without MARK or with an odd item count");
        FIDCPP_ASSIGN_OR_RETURN(a, make(PyObj::Kind::kDict));
        for (size_t k = 0; k < items.size(); k += 2) a->dict.emplace_back(items[k], items[k + 1]);
        stack.push_back(a);
        break;
      }
      case 'a':
        if (!pop(&b) || stack.empty() || stack.back()->kind != PyObj::Kind::kList)
          return error("APPEND needs a list");
        stack.back()->items.push_back(b);
        break;
      case 'e':
        if (!pop_mark(&items) || stack.empty() || stack.back()->kind != PyObj::Kind::kList)
          return error("APPENDS needs MARK and a list");
        stack.back()->items.insert(stack.back()->items.end(), items.begin(), items.end());
        break;
      case 's':
        if (!pop(&b) || !pop(&a) || stack.empty() || stack.back()->kind != PyObj::Kind::kDict)
          return error("SETITEM needs a dict");
        stack.back()->dict.emplace_back(a, b);
        break;
      case 'u':
        if (!pop_mark(&items) || items.size() % 2 || stack.empty() ||
            stack.back()->kind != PyObj::Kind::kDict)
          return error("SETITEMS needs MARK, key/value pairs and a dict");
        for (size_t k = 0; k < items.size(); k += 2) stack.back()->dict.emplace_back(items[k], items[k + 1]);
        break;
      case 'q':
        if (!need(1)) return error("truncated BINPUT");
        FIDCPP_RETURN_IF_ERROR(memo_put(data[pos_++]));
        break;
      case 'r':
        if (!need(4)) return error("truncated LONG_BINPUT");
        pos_ += 4;
        FIDCPP_RETURN_IF_ERROR(memo_put(load_le32(data + pos_ - 4)));
        break;
      case 0x94:
        FIDCPP_RETURN_IF_ERROR(memo_put(memo.size()));
        break;
      case 'h':
        if (!need(1)) return error("truncated BINGET");
        FIDCPP_RETURN_IF_ERROR(memo_get(data[pos_++]));
        break;
      case 'j':
        if (!need(4)) return error("truncated LONG_BINGET");
        pos_ += 4;
        FIDCPP_RETURN_IF_ERROR(memo_get(load_le32(data + pos_ - 4)));
        break;
      case 'c': {
        std::string module, name;
        if (!read_line(&module) || !read_line(&name)) return error("truncated GLOBAL");
        FIDCPP_ASSIGN_OR_RETURN(a, global(module, name));
        stack.push_back(a);
        break;
      }
      case 0x93:
        if (!pop(&b) || !pop(&a) || a->kind != PyObj::Kind::kStr || b->kind != PyObj::Kind::kStr)
          return error("STACK_GLOBAL needs two strings");
        {
          FIDCPP_ASSIGN_OR_RETURN(PyObj * g, global(a->text, b->text));
          stack.push_back(g);
        }
        break;
      case 'R': {
        if (!pop(&b) || !pop(&a)) return error("REDUCE needs a callable and arguments");
        FIDCPP_ASSIGN_OR_RETURN(PyObj * r, reduce(a, b));
        stack.push_back(r);
        break;
      }
      case 0x81: {
        if (!pop(&b) || !pop(&a)) return error("NEWOBJ needs a class and arguments");
        if (a->kind != PyObj::Kind::kGlobal || a->text.rfind("__torch__", 0) != 0)
          return error("NEWOBJ of '" +
                       (a->kind == PyObj::Kind::kGlobal ? a->text : std::string(py_kind_name(a->kind))) +
                       "' is not supported");
        FIDCPP_ASSIGN_OR_RETURN(PyObj * o, make(PyObj::Kind::kObject));
        o->text = a->text;
        stack.push_back(o);
        break;
      }
      case 'b': {
        if (!pop(&b) || stack.empty()) return error("BUILD needs an object and a state");
        PyObj* target = stack.back();
        if (target->kind == PyObj::Kind::kObject) {
          target->state = b;
        } else if (target->kind != PyObj::Kind::kDict && target->kind != PyObj::Kind::kTensor) {
          // OrderedDict (state dicts carry _metadata) and tensors may have state we do not need.
          return error(std::string("BUILD on a ") + py_kind_name(target->kind));
        }
        break;
      }
      case 'Q': {
        if (!pop(&a)) return error("BINPERSID with an empty stack");
        FIDCPP_ASSIGN_OR_RETURN(PyObj * s, persistent_load(a));
        stack.push_back(s);
        break;
      }
      default:
        pos_ = op_pos;
        return error(std::string("unsupported opcode ") + opcode_name(op) + " (0x" +
                     "0123456789abcdef"[op >> 4] + "0123456789abcdef"[op & 15] + ")");
    }
  }
}

}  // namespace fidcpp
