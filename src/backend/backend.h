// The backend interface the Inception forward driver (src/model/inception_forward.cpp) is written against: a
// fixed op set over backend-owned float32 NCHW buffers, with weights prepared (packed/uploaded) once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/aligned_buffer.h"
#include "core/status.h"
#include "metrics/matrix_products.h"

namespace fidcpp {

// An NCHW activation, or a channel slice of one. Element (i, ch, y, x) lives at
//   data[((i * c_total + c_offset + ch) * h + y) * w + x]
// so branch outputs of a Mixed block can be written straight into their slice of the concatenated output.
// `data` is a backend pointer (device memory for CUDA): only the backend dereferences it.
struct TensorView {
  float* data = nullptr;
  int n = 0, c = 0, h = 0, w = 0;
  int c_total = 0;   // channels of the full (concatenated) buffer; == c for a plain tensor
  int c_offset = 0;  // first channel of this slice inside the full buffer
  int64_t hw() const { return int64_t(h) * w; }
  int64_t image_stride() const { return int64_t(c_total) * h * w; }
  // Pointer to channel ch of image i (plain pointer arithmetic; valid for any backend's address space).
  float* plane(int i, int ch) const { return data + (int64_t(i) * c_total + c_offset + ch) * hw(); }
  TensorView slice(int first_channel, int channels) const {
    TensorView v = *this;
    v.c_offset = c_offset + first_channel;
    v.c = channels;
    return v;
  }
};

// Every backend's check of the views an op is handed: data set, positive sizes, the channel slice inside its
// buffer. `what` names the op and operand ("conv input").
inline Status check_view(const TensorView& v, const char* what) {
  if (!v.data) return invalid_argument(std::string(what) + ": null data");
  if (v.n <= 0 || v.c <= 0 || v.h <= 0 || v.w <= 0 || v.c_offset < 0 || v.c_offset + v.c > v.c_total)
    return invalid_argument(std::string(what) + ": bad view n=" + std::to_string(v.n) +
                            " c=" + std::to_string(v.c) + " h=" + std::to_string(v.h) +
                            " w=" + std::to_string(v.w) + " c_offset=" + std::to_string(v.c_offset) +
                            " c_total=" + std::to_string(v.c_total));
  return Status();
}

// A plain (unsliced) NCHW view over `data`.
inline TensorView make_view(float* data, int n, int c, int h, int w) {
  TensorView v;
  v.data = data;
  v.n = n;
  v.c = c;
  v.h = h;
  v.w = w;
  v.c_total = c;
  v.c_offset = 0;
  return v;
}

// Memory owned by a backend (host memory for the CPU backend, device memory for CUDA). Freed on destruction.
class BackendBuffer {
 public:
  virtual ~BackendBuffer() = default;
  virtual float* data() = 0;
  virtual size_t size() const = 0;  // in floats
};

// A convolution unit with BN already folded in (docs/conventions.md §1.2): y = act(conv(x, weight) + bias).
// Host memory; prepare_conv copies what it needs, so the caller may free these afterwards.
struct ConvDesc {
  int cin = 0, cout = 0;
  int kh = 1, kw = 1;
  int stride = 1;
  int ph = 0, pw = 0;  // zero padding
  bool relu = true;
  const float* weight = nullptr;  // [cout, cin, kh, kw] (OIHW)
  const float* bias = nullptr;    // [cout]
  // The input map this layer will run on, when known (0: any). A backend may then keep only the form of the
  // weights that size needs (the CPU: Winograd or direct panels, not both) and refuse other sizes.
  int in_h = 0, in_w = 0;
};

// A fully connected layer: y[i, o] = sum_k x[i, k] * weight[o, k] (+ bias[o]).
struct LinearDesc {
  int in = 0, out = 0;
  const float* weight = nullptr;  // [out, in]
  const float* bias = nullptr;    // [out], may be null (then only the unbiased product is available)
};

// Opaque per-backend prepared weights (packed panels on the CPU, device copies on CUDA).
class PreparedConv {
 public:
  virtual ~PreparedConv() = default;
  virtual const ConvDesc& desc() const = 0;  // weight/bias pointers in the returned desc are not valid
};
class PreparedLinear {
 public:
  virtual ~PreparedLinear() = default;
  virtual int in() const = 0;
  virtual int out() const = 0;
  virtual bool has_bias() const = 0;
};

struct PoolDesc {
  int kernel = 3;
  int stride = 1;
  int pad = 0;                     // max-pool pads with -inf; avg-pool pads are excluded or zero (below)
  bool count_include_pad = false;  // avg-pool only: divide by 9 (true) or by the in-bounds count (false)
  // avg-pool only: max(0, average) (an average pool that follows a convolution's pre-activation, as the
  // Inception blocks' pool branches run: docs/conventions.md §1.5). Max-pools reject it.
  bool relu = false;
};

// Output size of a conv/pool along one axis (floor mode), or <= 0 if the window does not fit.
inline int pooled_size(int in, int kernel, int stride, int pad) {
  return (in + 2 * pad - kernel) / stride + 1;
}

// How 8-bit images become network input on a backend: each reference's resize and normalisation
// (docs/conventions.md §2.2-2.6), one per PreprocessMode (model/preprocess.h) and bit-identical to the CPU
// Preprocessor of that mode.
enum class InputTransform {
  kTf1,                // torch-fidelity
  kAaBilinear,         // torchmetrics
  kHalfPixelBilinear,  // pytorch-fid
  kPilBicubic,         // clean-fid
  kGridSample,         // clean-fid-legacy-tf
};

// n images of height x width, 8-bit RGB or RGBA (alpha ignored): sample (i, y, x, c) at
// data[i * image_stride + y * row_stride + x * pixel_stride + c], in memory the backend reads directly
// (device memory for CUDA).
struct ImageBatch {
  const uint8_t* data = nullptr;
  int n = 0, height = 0, width = 0;
  size_t row_stride = 0, image_stride = 0;  // bytes
  int pixel_stride = 3;                     // 3 or 4
  void* stream = nullptr;  // CUDA: the cudaStream_t the pixels were written on (null: the legacy stream)
};

// The checks every Backend::preprocess makes on its batch and output (shared so both backends word them
// alike).
inline Status check_image_batch(const ImageBatch& im, const TensorView& out) {
  FIDCPP_RETURN_IF_ERROR(check_view(out, "preprocess output"));
  if (!im.data) return invalid_argument("preprocess: null image pointer");
  if (im.n <= 0 || im.height <= 0 || im.width <= 0)
    return invalid_argument("preprocess: bad batch " + std::to_string(im.n) + " x " +
                            std::to_string(im.width) + "x" + std::to_string(im.height));
  if (im.pixel_stride != 3 && im.pixel_stride != 4)
    return invalid_argument("preprocess: pixel stride must be 3 (RGB8) or 4 (RGBA8), got " +
                            std::to_string(im.pixel_stride));
  const size_t row_bytes = size_t(im.width) * size_t(im.pixel_stride);
  if (im.row_stride < row_bytes)
    return invalid_argument("preprocess: row stride " + std::to_string(im.row_stride) +
                            " bytes is less than width * pixel stride = " + std::to_string(row_bytes));
  if (im.n > 1 && im.image_stride < size_t(im.height - 1) * im.row_stride + row_bytes)
    return invalid_argument("preprocess: image stride " + std::to_string(im.image_stride) +
                            " bytes is smaller than one image");
  if (out.n != im.n || out.c != 3 || out.c_total != 3 || out.c_offset != 0)
    return invalid_argument("preprocess: output must be a plain n x 3 x h x w view");
  return Status();
}

// Host memory for inputs, from Backend::allocate_host: plain aligned memory on the CPU, pinned (page-locked)
// on CUDA so that upload_host() copies it to the device directly, without staging.
class HostBuffer {
 public:
  virtual ~HostBuffer() = default;
  virtual float* data() = 0;
  virtual size_t size() const = 0;
};
// Aligned heap memory (the default allocate_host); null when the allocation fails.
inline std::unique_ptr<HostBuffer> make_heap_host_buffer(size_t floats) {
  class Heap final : public HostBuffer {
   public:
    AlignedBuffer<float> b;
    float* data() override { return b.data(); }
    size_t size() const override { return b.size(); }
  };
  auto h = std::make_unique<Heap>();
  if (!h->b.resize(floats)) return nullptr;
  return h;
}

// Float64 streaming sums of feature rows kept in backend memory (the CUDA backend: Σf by a kernel that adds
// rows in the CPU's order, Σffᵀ by cuBLAS dsyrk once per full block of 256 rows, as metrics/moments.h does on
// the CPU). Rows are validated (finite) by the caller.
class BackendMoments {
 public:
  virtual ~BackendMoments() = default;
  // n rows of dim floats in backend memory, row i at rows + i * row_stride; stream-ordered after earlier ops.
  virtual Status add(const float* rows, int64_t n, int64_t row_stride) = 0;
  // The sums so far (pending rows folded in) into host vectors: Σf (dim) and Σffᵀ (dim x dim, row-major,
  // both triangles), then starts again from zero.
  virtual Status take(int64_t* count, std::vector<double>* sum, std::vector<double>* sum_outer) = 0;
};

// Every op validates shapes and returns an error (never aborts) on a mismatch. Ops run in issue order; a
// backend may run them asynchronously (CUDA stream) as long as download() and synchronize() observe all
// earlier ops. All ops are deterministic: the same input gives bitwise the same output for any batch size n
// and thread count.
class Backend {
 public:
  virtual ~Backend() = default;
  virtual const char* name() const = 0;  // "cpu (avx512)", "cuda (NVIDIA H100)", ...

  // --- memory
  // -----------------------------------------------------------------------------------------------
  virtual Result<std::unique_ptr<BackendBuffer>> allocate(size_t floats) = 0;
  // Host <-> backend copies of `count` floats; `dst`/`src` on the backend side are pointers into a
  // BackendBuffer.
  virtual Status upload(const float* host, size_t count, float* dst) = 0;
  virtual Status download(const float* src, size_t count, float* host) = 0;
  // Waits for all issued work (no-op on the CPU).
  virtual Status synchronize() = 0;
  // Host memory for inputs (null with kOutOfMemory-style errors on failure); see HostBuffer.
  virtual Result<std::unique_ptr<HostBuffer>> allocate_host(size_t floats) {
    auto b = make_heap_host_buffer(floats);
    if (!b) return out_of_memory("cannot allocate " + std::to_string(floats) + " floats of host memory");
    return b;
  }
  // upload() from a buffer of allocate_host() without a host-side copy: the caller must not write the buffer
  // again before wait_host(buffer) has returned (CUDA: the device has read it). On an asynchronous backend
  // the copy may run while the ops issued since the previous input write (upload_host() or preprocess())
  // still run (CUDA: on a copy stream), so those ops must not touch dst: alternate two input buffers. Ops
  // issued before that write, and every op issued after this call, are ordered with the copy.
  virtual Status upload_host(HostBuffer& src, size_t count, float* dst) {
    return upload(src.data(), count, dst);
  }
  virtual Status wait_host(HostBuffer& buffer) {
    (void)buffer;
    return Status();
  }
  // True when ops and uploads return before the backend has run them (CUDA: stream-ordered), so the caller
  // can prepare the next batch on the host meanwhile; a download, synchronize() or a failure reports errors.
  virtual bool asynchronous() const { return false; }
  // True when a batch runs faster through the network's stem (its large maps, up to MaxPool_2) one image at a
  // time: the CPU, whose caches then keep each image's activations between layers. Batch-wide ops suit a GPU.
  virtual bool stem_per_image() const { return false; }

  // --- weights (once per model)
  // -------------------------------------------------------------------------------
  virtual Result<std::unique_ptr<PreparedConv>> prepare_conv(const ConvDesc& desc) = 0;
  virtual Result<std::unique_ptr<PreparedLinear>> prepare_linear(const LinearDesc& desc) = 0;

  // --- ops
  // ------------------------------------------------------------------------------------------------------
  // out = act(conv(in) + bias). in.c == cin, out.c == cout, out.h/w == pooled_size(in.h/w, k, stride, pad).
  // `out` is usually a channel slice of a concat buffer; in and out must not overlap.
  virtual Status conv2d(const PreparedConv& conv, const TensorView& in, const TensorView& out) = 0;
  // Several convolutions of the same input (the branches that open an Inception block), convs[i] into
  // outs[i]: the same results, bitwise, as conv2d on each in turn, which is what this default does. A backend
  // may run them as one (the CPU backend stacks 1x1 siblings into one GEMM). No output may overlap the input
  // or another output.
  virtual Status conv2d_siblings(const PreparedConv* const* convs, const TensorView* outs, int count,
                                 const TensorView& in) {
    for (int i = 0; i < count; ++i) FIDCPP_RETURN_IF_ERROR(conv2d(*convs[i], in, outs[i]));
    return Status();
  }
  // Max-pool, floor mode; padding never wins (acts as -inf).
  virtual Status max_pool(const PoolDesc& pool, const TensorView& in, const TensorView& out) = 0;
  // Average pool; count_include_pad as in PyTorch (docs/conventions.md §1.5).
  virtual Status avg_pool(const PoolDesc& pool, const TensorView& in, const TensorView& out) = 0;
  // out[i, ch, 0, 0] = mean over h x w of in[i, ch] (out.h == out.w == 1; out may be a slice).
  virtual Status global_mean(const TensorView& in, const TensorView& out) = 0;
  // out[i, o] = sum_k in[i, k] * W[o, k], then + bias[o] as a separate rounding step when add_bias
  // (docs/conventions.md §1.6: logits = logits_unbiased + bias). in/out are views with h == w == 1.
  virtual Status linear(const PreparedLinear& fc, const TensorView& in, const TensorView& out,
                        bool add_bias) = 0;

  // Bytes of backend memory still free (CUDA: cudaMemGetInfo), to size batches; kUnsupported where memory is
  // not the limit (the CPU backend).
  virtual Result<size_t> free_memory() { return unsupported(std::string(name()) + ": no device memory"); }

  // --- recording (optional; CUDA graphs)
  // The ops issued between begin_recording() and end_recording() are recorded instead of run; replay(id)
  // runs them again with the same buffers and shapes. While recording, ops must not need new backend memory
  // (run the same ops once directly first). replay() returns kNotFound once the recording went stale (the
  // backend reallocated memory it refers to): record again. Backends without it return kUnsupported.
  virtual Status begin_recording() { return unsupported(std::string(name()) + ": no op recording"); }
  virtual Result<int> end_recording() { return unsupported(std::string(name()) + ": no op recording"); }
  virtual Status replay(int recording) {
    (void)recording;
    return unsupported(std::string(name()) + ": no op recording");
  }

  // --- statistics (optional)
  // Feature moments kept in backend memory (create_moments); see BackendMoments.
  virtual Result<std::unique_ptr<BackendMoments>> create_moments(int64_t dim) {
    (void)dim;
    return unsupported(std::string(name()) + ": no feature moments of its own");
  }
  // FID = |mu1 - mu2|^2 + tr S1 + tr S2 - 2 tr((S1 S2)^{1/2}) (docs/conventions.md §3.1) of two validated
  // Gaussians (host memory, dim x dim symmetric row-major), with the trace of the square root computed by the
  // backend's own float64 linear algebra (CUDA: cuSOLVER syevd + cuBLAS dgemm). Backends without it (the CPU
  // backend, whose callers use LAPACK) return kUnsupported.
  virtual Result<double> frechet_distance(const double* mu1, const double* sigma1, const double* mu2,
                                          const double* sigma2, int64_t dim) {
    (void)mu1, (void)sigma1, (void)mu2, (void)sigma2, (void)dim;
    return unsupported(std::string(name()) + ": no linear algebra of its own");
  }

  // The feature-space metrics' matrix products (KID's Gram matrices, the k-NN distances) on this backend,
  // owned by it and safe to call from several threads; null where the CPU BLAS does them (the CPU backend).
  virtual MatrixProducts* matrix_products() { return nullptr; }

  // --- input
  // out (n x 3 x h x w, a plain view) = transform(images), resized to out.h x out.w, with the reference's
  // arithmetic (the same bits on every backend). The images are in the backend's memory: host memory for the
  // CPU backend, device memory for CUDA (which runs after earlier work on images.stream and has finished
  // reading the pixels when synchronize() or a download returns).
  virtual Status preprocess(InputTransform transform, const ImageBatch& images, const TensorView& out) = 0;
};

struct CpuBackendOptions {
  int threads = 0;  // 0 = hardware concurrency
  // Force an instruction set ("avx512", "avx2" on x86-64, "neon" on AArch64, "portable"); empty = best
  // supported by this CPU.
  const char* isa = nullptr;
  // false: direct/GEMM panels only, one packed copy of each weight (the low-memory mode); true: Winograd
  // F(2x2,3x3) and F(2,7) where they apply, whose transformed weights are 16/9 and 8/7 the size.
  bool winograd = true;
};

// The CPU backend (src/backend/cpu/). Fails with kUnsupported when a forced ISA is not available.
Result<std::unique_ptr<Backend>> create_cpu_backend(const CpuBackendOptions& options = {});

}  // namespace fidcpp
