// The restricted pickle VM on a byte stream: pickles run one after another (as in a legacy torch.save file)
// until one fails or the bytes run out.
#include "fuzz/fuzz_target.h"
#include "io/pickle_vm.h"

FIDCPP_FUZZ_TARGET(pickle) {
  using namespace fidcpp;
  PickleVm vm("fuzz");
  size_t pos = 0;
  for (int i = 0; i < 16 && pos < size; ++i) {
    size_t consumed = 0;
    Result<PyObj*> obj = vm.run(data + pos, size - pos, &consumed);
    if (!obj.ok()) break;
    fuzz::fuzz_accepted();
    FIDCPP_FUZZ_CHECK(*obj != nullptr);
    FIDCPP_FUZZ_CHECK(consumed > 0 && consumed <= size - pos);
    pos += consumed;
  }
  for (const PyObj* s : vm.storages()) FIDCPP_FUZZ_CHECK(s && s->kind == PyObj::Kind::kStorage);
  return 0;
}
