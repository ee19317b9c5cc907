#include <cstdlib>
#include <new>

#include "autograd/meta.h"
#include "tensorgrad/tensor_impl.h"
#include "tensorgrad/error.h"

namespace tg {

namespace {
constexpr size_t kAlignment = 64;
}

// The Storage header and its buffer live in one allocation: the header first, the data at the
// next 64-byte boundary. One malloc per tensor keeps small ops cheap.
StoragePtr Storage::allocate(size_t nbytes) {
  const size_t header = (sizeof(Storage) + kAlignment - 1) / kAlignment * kAlignment;
  TG_CHECK(nbytes <= (size_t(1) << 62), "allocate: cannot allocate ", nbytes,
           " bytes (the size overflows); check the tensor's shape");
  void* block = std::aligned_alloc(kAlignment, (header + nbytes + kAlignment - 1) / kAlignment *
                                                   kAlignment);
  TG_CHECK(block != nullptr, "allocate: out of memory allocating ", nbytes,
           " bytes; reduce the tensor sizes or the batch size");
  auto* s = new (block) Storage();
  s->data = static_cast<char*>(block) + header;
  s->nbytes = nbytes;
  return StoragePtr(s);
}

StoragePtr Storage::wrap(void* data, size_t nbytes, void (*deleter)(void*, void*),
                         void* context) {
  void* block = std::aligned_alloc(kAlignment, (sizeof(Storage) + kAlignment - 1) / kAlignment *
                                                   kAlignment);
  TG_CHECK(block != nullptr, "from_blob: out of memory");
  auto* s = new (block) Storage();
  s->data = data;
  s->nbytes = nbytes;
  s->external_deleter = deleter;
  s->external_context = context;
  return StoragePtr(s);
}

void Storage::destroy(Storage* s) {
  if (s->external_deleter) s->external_deleter(s->external_context, s->data);
  s->~Storage();
  std::free(s);
}

void TensorImpl::destroy(TensorImpl* t) { delete t; }

bool TensorImpl::is_contiguous() const {
  int64_t expected = 1;
  for (size_t d = sizes.size(); d-- > 0;) {
    if (sizes[d] == 1) continue;
    if (strides[d] != expected) return numel == 0;
    expected *= sizes[d];
  }
  return true;
}

}  // namespace tg
