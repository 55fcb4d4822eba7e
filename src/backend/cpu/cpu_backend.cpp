// The CPU backend: host buffers, packed weights, a thread pool, and the ops of cpu_ops.h behind the Backend
// interface. The GEMM micro-kernel is chosen once, at creation, from what this CPU supports.
#include <cstring>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "backend/cpu/cpu_ops.h"
#include "backend/input_transform.h"

namespace fidcpp {

bool select_gemm_micro_kernel(const char* isa, GemmMicroKernel* out) {
  const std::string want = isa ? isa : "";
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  if ((want.empty() || want == "avx512") && __builtin_cpu_supports("avx512f")) {
    *out = gemm_micro_kernel_avx512();
    return true;
  }
  if ((want.empty() || want == "avx2") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    *out = gemm_micro_kernel_avx2();
    return true;
  }
#elif defined(__aarch64__)
  // ASIMD (NEON) is part of the AArch64 base ISA: every AArch64 CPU has it.
  if (want.empty() || want == "neon") {
    *out = gemm_micro_kernel_neon();
    return true;
  }
#endif
  if (want.empty() || want == "portable") {
    *out = gemm_micro_kernel_portable();
    return true;
  }
  return false;
}

VectorKernels vector_kernels_for(const char* isa) {
  const std::string name = isa ? isa : "";
#if defined(__x86_64__) || defined(__i386__)
  if (name == "avx512") return vector_kernels_avx512();
  if (name == "avx2") return vector_kernels_avx2();
#elif defined(__aarch64__)
  if (name == "neon") return vector_kernels_neon();
#endif
  return vector_kernels_portable();
}

namespace {

class CpuBuffer : public BackendBuffer {
 public:
  AlignedBuffer<float> buf;
  float* data() override { return buf.data(); }
  size_t size() const override { return buf.size(); }
};

class CpuPreparedConv : public PreparedConv {
 public:
  CpuConvWeights w;
  const ConvDesc& desc() const override { return w.desc; }
};

class CpuPreparedLinear : public PreparedLinear {
 public:
  int in_ = 0, out_ = 0;
  std::vector<float> weight, bias;
  int in() const override { return in_; }
  int out() const override { return out_; }
  bool has_bias() const override { return !bias.empty(); }
};

class CpuBackend : public Backend {
 public:
  CpuBackend(const GemmMicroKernel& kernel, int threads, bool winograd)
      : kernel_(kernel), vector_(vector_kernels_for(kernel.isa)), pool_(threads), winograd_(winograd) {
    name_ = std::string("cpu (") + kernel_.isa + ", " + std::to_string(pool_.size()) + " threads" +
            (winograd ? "" : ", low memory") + ")";
  }
  Status init() { return make_gemm_scratch(kernel_, pool_.size(), &scratch_); }

  const char* name() const override { return name_.c_str(); }
  bool stem_per_image() const override { return true; }

  Result<std::unique_ptr<BackendBuffer>> allocate(size_t floats) override {
    auto b = std::make_unique<CpuBuffer>();
    if (!b->buf.resize(floats))
      return out_of_memory("cpu backend: cannot allocate " + std::to_string(floats) + " floats");
    return std::unique_ptr<BackendBuffer>(std::move(b));
  }
  Status upload(const float* host, size_t count, float* dst) override {
    if (count && (!host || !dst)) return invalid_argument("upload: null pointer");
    if (count) std::memcpy(dst, host, count * sizeof(float));
    return Status();
  }
  Status download(const float* src, size_t count, float* host) override {
    if (count && (!host || !src)) return invalid_argument("download: null pointer");
    if (count) std::memcpy(host, src, count * sizeof(float));
    return Status();
  }
  Status synchronize() override { return Status(); }

  Result<std::unique_ptr<PreparedConv>> prepare_conv(const ConvDesc& desc) override {
    auto c = std::make_unique<CpuPreparedConv>();
    FIDCPP_RETURN_IF_ERROR(pack_conv_weights(kernel_, desc, &c->w, winograd_));
    if (!c->w.packed_u.empty() || !c->w.packed_u36.empty() || (c->w.winograd_fly && winograd_applies(desc)))
      FIDCPP_RETURN_IF_ERROR(grow_gemm_scratch(winograd_scratch_floats(kernel_, desc.cin), &scratch_));
    return std::unique_ptr<PreparedConv>(std::move(c));
  }
  Result<std::unique_ptr<PreparedLinear>> prepare_linear(const LinearDesc& desc) override {
    if (desc.in <= 0 || desc.out <= 0 || desc.in > (1 << 20) || desc.out > (1 << 20) ||
        int64_t(desc.in) * desc.out > (int64_t(1) << 28) || !desc.weight)
      return invalid_argument("linear: bad shape " + std::to_string(desc.out) + "x" +
                              std::to_string(desc.in) + " or null weight");
    auto l = std::make_unique<CpuPreparedLinear>();
    l->in_ = desc.in;
    l->out_ = desc.out;
    l->weight.assign(desc.weight, desc.weight + int64_t(desc.in) * desc.out);
    if (desc.bias) l->bias.assign(desc.bias, desc.bias + desc.out);
    return std::unique_ptr<PreparedLinear>(std::move(l));
  }

  Status conv2d(const PreparedConv& conv, const TensorView& in, const TensorView& out) override {
    const auto* c = dynamic_cast<const CpuPreparedConv*>(&conv);
    if (!c) return invalid_argument("conv2d: weights were prepared by another backend");
    return conv2d_cpu(kernel_, vector_, pool_, scratch_, c->w, in, out);
  }
  Status conv2d_siblings(const PreparedConv* const* convs, const TensorView* outs, int count,
                         const TensorView& in) override {
    const CpuConvWeights* ws[kMaxSiblings];
    if (count > kMaxSiblings) return Backend::conv2d_siblings(convs, outs, count, in);
    for (int i = 0; i < count; ++i) {
      const auto* c = dynamic_cast<const CpuPreparedConv*>(convs[i]);
      if (!c) return invalid_argument("conv2d: weights were prepared by another backend");
      ws[i] = &c->w;
    }
    return conv2d_siblings_cpu(kernel_, vector_, pool_, scratch_, ws, outs, count, in);
  }
  Status max_pool(const PoolDesc& pool, const TensorView& in, const TensorView& out) override {
    return max_pool_cpu(pool_, vector_, pool, in, out);
  }
  Status avg_pool(const PoolDesc& pool, const TensorView& in, const TensorView& out) override {
    return avg_pool_cpu(pool_, vector_, pool, in, out);
  }
  Status global_mean(const TensorView& in, const TensorView& out) override {
    return global_mean_cpu(pool_, in, out);
  }
  // The host Preprocessor of the mode whose resize `transform` is, image by image on the pool: the route the
  // evaluator's host images take, so both routes (and the CUDA kernels, bitwise equal to it) give one answer.
  Status preprocess(InputTransform transform, const ImageBatch& im, const TensorView& out) override {
    FIDCPP_RETURN_IF_ERROR(check_image_batch(im, out));
    if (out.h != out.w)
      return unsupported("preprocess: the CPU backend resizes to square outputs only, got " +
                         std::to_string(out.h) + "x" + std::to_string(out.w));
    const PreprocessMode mode = preprocess_mode_of(transform);
    std::vector<Status> errors(size_t(im.n));
    pool_.parallel_for(size_t(im.n), [&](size_t b, size_t e, int) {
      Preprocessor p(mode, out.h);
      for (size_t i = b; i < e; ++i) {
        RgbImageView v;
        v.data = im.data + i * im.image_stride;
        v.height = im.height, v.width = im.width, v.row_stride = im.row_stride,
        v.pixel_stride = im.pixel_stride;
        errors[i] = p.run(v, out.plane(int(i), 0));
      }
    });
    for (size_t i = 0; i < errors.size(); ++i)
      if (!errors[i].ok()) return errors[i].with_context("image " + std::to_string(i) + " of the batch");
    return Status();
  }

  Status linear(const PreparedLinear& fc, const TensorView& in, const TensorView& out,
                bool add_bias) override {
    const auto* l = dynamic_cast<const CpuPreparedLinear*>(&fc);
    if (!l) return invalid_argument("linear: weights were prepared by another backend");
    return linear_cpu(pool_, l->in_, l->out_, l->weight.data(), l->has_bias() ? l->bias.data() : nullptr, in,
                      out, add_bias);
  }

 private:
  GemmMicroKernel kernel_;
  VectorKernels vector_;
  ThreadPool pool_;
  bool winograd_ = true;
  std::vector<AlignedBuffer<float>> scratch_;
  std::string name_;
};

}  // namespace

Result<std::unique_ptr<Backend>> create_cpu_backend(const CpuBackendOptions& options) {
  if (options.threads < 0 || options.threads > 1024)
    return invalid_argument("cpu backend: threads must be in [0, 1024], got " +
                            std::to_string(options.threads));
  GemmMicroKernel kernel;
  if (!select_gemm_micro_kernel(options.isa, &kernel))
    return unsupported(
        std::string("cpu backend: instruction set '") + options.isa +
        "' is unknown or not supported by this CPU (known: avx512, avx2 on x86-64; neon on AArch64; "
        "portable)");
  auto b = std::make_unique<CpuBackend>(kernel, options.threads, options.winograd);
  FIDCPP_RETURN_IF_ERROR(b->init());
  return std::unique_ptr<Backend>(std::move(b));
}

}  // namespace fidcpp
