// The CUDA backend's ops: device buffers, conv = one implicit-GEMM kernel per layer over the whole batch with
// the bias/ReLU epilogue stored straight into the output's channel slice (kernels/conv2d_igemm.cu), pools,
// global mean, linear (cuBLAS). Compiled for the GPU and, unchanged, against the cudaemu shim for CPU tests.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "backend/cuda/cuda_backend_impl.h"
#include "backend/cuda/cuda_check.h"
#include "backend/cuda/cuda_fid.h"
#include "backend/cuda/cuda_moments.h"
#include "backend/cuda/cuda_preprocess.h"
#include "backend/cuda/cuda_products.h"
#include "backend/cuda/cuda_raii.h"
#include "kernels.h"

FIDCPP_CUDA_NAMESPACE_BEGIN
namespace {

class CudaBuffer final : public BackendBuffer {
 public:
  explicit CudaBuffer(DeviceBuffer<float> b) : b_(std::move(b)) {}
  float* data() override { return b_.get(); }
  size_t size() const override { return b_.size(); }

 private:
  DeviceBuffer<float> b_;
};

// Pinned host memory and the event after the last copy that read it.
class PinnedHostBuffer final : public HostBuffer {
 public:
  float* data() override { return b.get(); }
  size_t size() const override { return b.size(); }
  PinnedBuffer<float> b;
  CudaEvent read;
  bool in_flight = false;
};

class CudaConv final : public PreparedConv {
 public:
  const ConvDesc& desc() const override { return desc_; }
  ConvDesc desc_;
  DeviceBuffer<float> weight, bias;  // weight: (cin*kh*kw) x cout row-major, the OIHW weight transposed
};

class CudaLinear final : public PreparedLinear {
 public:
  int in() const override { return in_; }
  int out() const override { return out_; }
  bool has_bias() const override { return bias.get() != nullptr; }
  int in_ = 0, out_ = 0;
  DeviceBuffer<float> weight, bias;  // weight: out x in row-major
};

class CudaBackend final : public Backend {
 public:
  CudaBackend(std::string name, bool tf32) : name_(std::move(name)), tf32_(tf32) {}
  // Uploads may still read the pinned staging buffers, which are members.
  ~CudaBackend() override {
    if (stream_.get()) (void)cudaStreamSynchronize(stream_.get());
    if (copy_stream_.get()) (void)cudaStreamSynchronize(copy_stream_.get());
  }
  Status init(const std::function<Result<std::unique_ptr<Linalg>>(cudaStream_t)>& make_linalg) {
    FIDCPP_RETURN_IF_ERROR(stream_.create());
    FIDCPP_RETURN_IF_ERROR(copy_stream_.create());
    FIDCPP_RETURN_IF_ERROR(before_last_input_.create());
    FIDCPP_RETURN_IF_ERROR(input_written_.create());
    FIDCPP_RETURN_IF_ERROR(input_read_.create());
    FIDCPP_ASSIGN_OR_RETURN(linalg_, make_linalg(stream_.get()));
    products_ = create_cuda_matrix_products(*linalg_, stream_.get());
    return Status();
  }

  const char* name() const override { return name_.c_str(); }

  Result<std::unique_ptr<BackendBuffer>> allocate(size_t floats) override {
    DeviceBuffer<float> b;
    FIDCPP_RETURN_IF_ERROR(b.allocate(floats));
    return std::unique_ptr<BackendBuffer>(new CudaBuffer(std::move(b)));
  }
  // Through two pinned staging buffers used in turn: the caller's floats are copied into one while the copy
  // out of the other may still run, and the call returns without waiting for the device, so the caller can
  // reuse `host` at once and prepare the next batch while the device works on this one.
  Status upload(const float* host, size_t count, float* dst) override {
    if (recording_) return invalid_argument("upload: not allowed while recording");
    for (size_t done = 0; done < count;) {
      Staging& st = staging_[next_staging_];
      next_staging_ ^= 1;
      if (st.in_flight) FIDCPP_CUDA_CHECK(cudaEventSynchronize(st.copied.get()));
      st.in_flight = false;
      if (!st.copied.get()) FIDCPP_RETURN_IF_ERROR(st.copied.create());
      if (st.buffer.size() < kStagingFloats) FIDCPP_RETURN_IF_ERROR(st.buffer.allocate(kStagingFloats));
      const size_t chunk = std::min(kStagingFloats, count - done);
      std::memcpy(st.buffer.get(), host + done, chunk * sizeof(float));
      FIDCPP_CUDA_CHECK(cudaMemcpyAsync(dst + done, st.buffer.get(), chunk * sizeof(float),
                                        cudaMemcpyHostToDevice, stream_.get()));
      FIDCPP_CUDA_CHECK(cudaEventRecord(st.copied.get(), stream_.get()));
      st.in_flight = true;
      done += chunk;
    }
    return Status();
  }
  Result<std::unique_ptr<HostBuffer>> allocate_host(size_t floats) override {
    auto h = std::make_unique<PinnedHostBuffer>();
    FIDCPP_RETURN_IF_ERROR(h->b.allocate(floats));
    FIDCPP_RETURN_IF_ERROR(h->read.create());
    return std::unique_ptr<HostBuffer>(std::move(h));
  }
  // From pinned memory straight to the device on the copy stream, so the copy runs while the compute stream
  // still works on the ops issued since the previous input write (upload_host or preprocess: the forward of
  // the previous batch, which reads the other half of a double-buffered input; Backend::upload_host). The
  // copy waits for the ops issued before the previous input write, and the ops issued after this call wait
  // for the copy. No host-side copy.
  Status upload_host(HostBuffer& src, size_t count, float* dst) override {
    auto* pinned = dynamic_cast<PinnedHostBuffer*>(&src);
    if (!pinned) return upload(src.data(), count, dst);
    if (recording_) return invalid_argument("upload: not allowed while recording");
    if (count > pinned->size())
      return invalid_argument("upload: " + std::to_string(count) + " floats from a host buffer of " +
                              std::to_string(pinned->size()));
    // The wait takes the event's record as of now (the compute stream before the previous input write), then
    // the record moves to the compute stream as of now for the next upload.
    FIDCPP_CUDA_CHECK(cudaStreamWaitEvent(copy_stream_.get(), before_last_input_.get(), 0));
    FIDCPP_CUDA_CHECK(cudaEventRecord(before_last_input_.get(), stream_.get()));
    FIDCPP_CUDA_CHECK(cudaMemcpyAsync(dst, pinned->data(), count * sizeof(float), cudaMemcpyHostToDevice,
                                      copy_stream_.get()));
    FIDCPP_CUDA_CHECK(cudaEventRecord(pinned->read.get(), copy_stream_.get()));
    pinned->in_flight = true;
    FIDCPP_CUDA_CHECK(cudaStreamWaitEvent(stream_.get(), pinned->read.get(), 0));
    return Status();
  }
  Status wait_host(HostBuffer& buffer) override {
    auto* pinned = dynamic_cast<PinnedHostBuffer*>(&buffer);
    if (!pinned || !pinned->in_flight) return Status();
    FIDCPP_CUDA_CHECK(cudaEventSynchronize(pinned->read.get()));
    pinned->in_flight = false;
    return Status();
  }
  Status download(const float* src, size_t count, float* host) override {
    FIDCPP_CUDA_CHECK(
        cudaMemcpyAsync(host, src, count * sizeof(float), cudaMemcpyDeviceToHost, stream_.get()));
    FIDCPP_CUDA_CHECK(cudaStreamSynchronize(stream_.get()));
    return Status();
  }
  Status synchronize() override {
    FIDCPP_CUDA_CHECK(cudaStreamSynchronize(stream_.get()));
    return Status();
  }
  bool asynchronous() const override { return true; }

  Result<std::unique_ptr<PreparedConv>> prepare_conv(const ConvDesc& d) override {
    if (d.cin <= 0 || d.cout <= 0 || d.kh <= 0 || d.kw <= 0 || d.stride <= 0 || d.ph < 0 || d.pw < 0 ||
        !d.weight || !d.bias)
      return invalid_argument("prepare_conv: bad descriptor");
    auto c = std::make_unique<CudaConv>();
    c->desc_ = d;
    c->desc_.weight = nullptr;
    c->desc_.bias = nullptr;
    const size_t k = size_t(d.cin) * d.kh * d.kw;
    if (k > size_t(conv2d_igemm_max_k()))
      return invalid_argument("prepare_conv: " + std::to_string(d.cin) + " x " + std::to_string(d.kh) +
                              " x " + std::to_string(d.kw) + " taps exceed the CUDA convolution's limit of " +
                              std::to_string(conv2d_igemm_max_k()));
    // K x cout: a K step of the kernel's A tile is one coalesced row.
    std::vector<float> wt(k * size_t(d.cout));
    for (size_t o = 0; o < size_t(d.cout); ++o)
      for (size_t i = 0; i < k; ++i) wt[i * size_t(d.cout) + o] = d.weight[o * k + i];
    FIDCPP_RETURN_IF_ERROR(c->weight.allocate(wt.size()));
    FIDCPP_RETURN_IF_ERROR(c->bias.allocate(size_t(d.cout)));
    FIDCPP_RETURN_IF_ERROR(upload(wt.data(), wt.size(), c->weight.get()));
    FIDCPP_RETURN_IF_ERROR(upload(d.bias, size_t(d.cout), c->bias.get()));
    return std::unique_ptr<PreparedConv>(std::move(c));
  }
  Result<std::unique_ptr<PreparedLinear>> prepare_linear(const LinearDesc& d) override {
    if (d.in <= 0 || d.out <= 0 || !d.weight) return invalid_argument("prepare_linear: bad descriptor");
    auto l = std::make_unique<CudaLinear>();
    l->in_ = d.in;
    l->out_ = d.out;
    FIDCPP_RETURN_IF_ERROR(l->weight.allocate(size_t(d.in) * d.out));
    FIDCPP_RETURN_IF_ERROR(upload(d.weight, size_t(d.in) * d.out, l->weight.get()));
    if (d.bias) {
      FIDCPP_RETURN_IF_ERROR(l->bias.allocate(size_t(d.out)));
      FIDCPP_RETURN_IF_ERROR(upload(d.bias, size_t(d.out), l->bias.get()));
    }
    return std::unique_ptr<PreparedLinear>(std::move(l));
  }

  Status conv2d(const PreparedConv& pc, const TensorView& in, const TensorView& out) override {
    const auto& conv = static_cast<const CudaConv&>(pc);
    const ConvDesc& d = conv.desc_;
    FIDCPP_RETURN_IF_ERROR(check_view(in, "conv2d input"));
    FIDCPP_RETURN_IF_ERROR(check_view(out, "conv2d output"));
    const int ho = pooled_size(in.h, d.kh, d.stride, d.ph), wo = pooled_size(in.w, d.kw, d.stride, d.pw);
    if (in.c != d.cin || out.c != d.cout || out.n != in.n || out.h != ho || out.w != wo)
      return invalid_argument("conv2d: shapes do not match the convolution (in " + std::to_string(in.c) +
                              "x" + std::to_string(in.h) + "x" + std::to_string(in.w) + ", out " +
                              std::to_string(out.c) + "x" + std::to_string(out.h) + "x" +
                              std::to_string(out.w) + ")");
    if (!launch_conv2d_igemm(in.plane(0, 0), size_t(in.image_stride()), conv.weight.get(), conv.bias.get(),
                             d.relu, out.plane(0, 0), size_t(out.image_stride()), in.n, in.c, in.h, in.w,
                             d.cout, d.kh, d.kw, d.stride, d.ph, d.pw, tf32_, stream_.get()))
      return invalid_argument("conv2d: an image of " + std::to_string(in.image_stride()) + " or " +
                              std::to_string(out.image_stride()) +
                              " floats is too large for the CUDA convolution's 32-bit indexing");
    FIDCPP_CUDA_CHECK(cudaGetLastError());
    return Status();
  }

  Status max_pool(const PoolDesc& pool, const TensorView& in, const TensorView& out) override {
    if (pool.relu) return invalid_argument("max_pool: relu is an average pool's option");
    return pool2d("max_pool", PoolKind::kMax, pool, in, out);
  }
  Status avg_pool(const PoolDesc& pool, const TensorView& in, const TensorView& out) override {
    if (pool.relu && pool.count_include_pad)
      return unsupported("avg_pool: relu with count_include_pad has no CUDA kernel");
    return pool2d("avg_pool",
                  pool.count_include_pad ? PoolKind::kAvgIncludePad
                  : pool.relu            ? PoolKind::kAvgExcludePadRelu
                                         : PoolKind::kAvgExcludePad,
                  pool, in, out);
  }
  Status global_mean(const TensorView& in, const TensorView& out) override {
    FIDCPP_RETURN_IF_ERROR(check_view(in, "global_mean input"));
    FIDCPP_RETURN_IF_ERROR(check_view(out, "global_mean output"));
    if (out.n != in.n || out.c != in.c || out.h != 1 || out.w != 1)
      return invalid_argument("global_mean: output must be n x c x 1 x 1");
    FIDCPP_CUDA_CHECK_LAUNCH(launch_global_mean(in.plane(0, 0), size_t(in.image_stride()), in.n, in.c,
                                                int(in.hw()), out.plane(0, 0), size_t(out.image_stride()),
                                                stream_.get()));
    return Status();
  }
  Status linear(const PreparedLinear& pl, const TensorView& in, const TensorView& out,
                bool add_bias) override {
    const auto& fc = static_cast<const CudaLinear&>(pl);
    FIDCPP_RETURN_IF_ERROR(check_view(in, "linear input"));
    FIDCPP_RETURN_IF_ERROR(check_view(out, "linear output"));
    if (in.h != 1 || in.w != 1 || out.h != 1 || out.w != 1 || in.c != fc.in_ || out.c != fc.out_ ||
        out.n != in.n)
      return invalid_argument("linear: shapes do not match the layer");
    if (add_bias && !fc.has_bias())
      return invalid_argument("linear: add_bias requested but the layer has no bias");
    // Row-major out[n x o] = in[n x k] * W^T; column-major out^T (o x n) = W (o x k, i.e. op T of the k x o
    // column-major view of W) * in^T (k x n, ld = input image stride).
    FIDCPP_RETURN_IF_ERROR(linalg_->sgemm(BlasOp::kT, BlasOp::kN, fc.out_, in.n, fc.in_, 1.0f,
                                          fc.weight.get(), fc.in_, in.plane(0, 0), int(in.image_stride()),
                                          0.0f, out.plane(0, 0), int(out.image_stride())));
    if (add_bias)  // a separate rounding step, like logits_unbiased + bias (docs/conventions.md §1.6)
      FIDCPP_CUDA_CHECK_LAUNCH(launch_bias_relu(out.plane(0, 0), size_t(out.image_stride()), out.plane(0, 0),
                                                size_t(out.image_stride()), out.n, out.c, 1, fc.bias.get(),
                                                false, stream_.get()));
    return Status();
  }

  Status preprocess(InputTransform transform, const ImageBatch& im, const TensorView& out) override {
    FIDCPP_RETURN_IF_ERROR(check_image_batch(im, out));
    // A pageable host pointer would fault inside the kernel and poison the context: refuse it here.
    cudaPointerAttributes attr{};
    FIDCPP_CUDA_CHECK(cudaPointerGetAttributes(&attr, im.data));
    if (attr.type == cudaMemoryTypeUnregistered)
      return invalid_argument(
          "preprocess: the image pointer is not CUDA device memory (host images go through add_image)");
    U8Images src;
    src.data = im.data;
    src.n = im.n;
    src.h = im.height;
    src.w = im.width;
    src.row_stride = im.row_stride;
    src.image_stride = im.image_stride;
    src.pixel_stride = im.pixel_stride;
    // Stream order both ways: read after the caller's writes, and the caller's later work (which may reuse
    // the buffer) after our reads.
    const auto user = static_cast<cudaStream_t>(im.stream);
    FIDCPP_CUDA_CHECK(cudaEventRecord(input_written_.get(), user));
    FIDCPP_CUDA_CHECK(cudaStreamWaitEvent(stream_.get(), input_written_.get(), 0));
    // An input write like upload_host: the next upload's copy waits for the ops issued before this one.
    if (!recording_) FIDCPP_CUDA_CHECK(cudaEventRecord(before_last_input_.get(), stream_.get()));
    FIDCPP_RETURN_IF_ERROR(preprocessor_.run(transform, src, out.h, out.w, out.data, stream_.get()));
    FIDCPP_CUDA_CHECK(cudaEventRecord(input_read_.get(), stream_.get()));
    FIDCPP_CUDA_CHECK(cudaStreamWaitEvent(user, input_read_.get(), 0));
    return Status();
  }

  Result<double> frechet_distance(const double* mu1, const double* sigma1, const double* mu2,
                                  const double* sigma2, int64_t dim) override {
    if (recording_) return invalid_argument("frechet_distance: not allowed while recording");
    return cuda_frechet_distance(*linalg_, stream_.get(), mu1, sigma1, mu2, sigma2, dim);
  }

  Result<std::unique_ptr<BackendMoments>> create_moments(int64_t dim) override {
    return create_cuda_moments(*linalg_, stream_.get(), dim);
  }

  MatrixProducts* matrix_products() override { return products_.get(); }

  Result<size_t> free_memory() override {
    size_t free_bytes = 0, total = 0;
    FIDCPP_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total));
    return free_bytes;
  }

  Status begin_recording() override {
    if (recording_) return invalid_argument("begin_recording: already recording");
    // Thread-local mode: other threads' unrelated CUDA calls (decoders, other evaluators) stay legal.
    FIDCPP_CUDA_CHECK(cudaStreamBeginCapture(stream_.get(), cudaStreamCaptureModeThreadLocal));
    recording_ = true;
    return Status();
  }
  Result<int> end_recording() override {
    if (!recording_) return invalid_argument("end_recording: not recording");
    recording_ = false;
    cudaGraph_t graph = nullptr;
    FIDCPP_CUDA_CHECK(cudaStreamEndCapture(stream_.get(), &graph));
    CudaGraphExec exec;
    FIDCPP_RETURN_IF_ERROR(exec.instantiate(graph));
    recordings_.push_back(std::move(exec));
    return static_cast<int>(recordings_.size() - 1);
  }
  Status replay(int id) override {
    if (id < 0 || size_t(id) >= recordings_.size())
      return invalid_argument("replay: no recording " + std::to_string(id));
    FIDCPP_CUDA_CHECK(cudaGraphLaunch(recordings_[size_t(id)].get(), stream_.get()));
    return Status();
  }

 private:
  Status pool2d(const char* op, PoolKind kind, const PoolDesc& pool, const TensorView& in,
                const TensorView& out) {
    FIDCPP_RETURN_IF_ERROR(check_view(in, (std::string(op) + " input").c_str()));
    FIDCPP_RETURN_IF_ERROR(check_view(out, (std::string(op) + " output").c_str()));
    if (pool.kernel <= 0 || pool.stride <= 0 || pool.pad < 0 || 2 * pool.pad >= pool.kernel + 1)
      return invalid_argument(std::string(op) + ": bad window");
    const int ho = pooled_size(in.h, pool.kernel, pool.stride, pool.pad);
    const int wo = pooled_size(in.w, pool.kernel, pool.stride, pool.pad);
    if (out.n != in.n || out.c != in.c || out.h != ho || out.w != wo)
      return invalid_argument(std::string(op) + ": output shape does not match the window");
    FIDCPP_CUDA_CHECK_LAUNCH(launch_pool2d(in.plane(0, 0), size_t(in.image_stride()), in.n, in.c, in.h, in.w,
                                           kind, pool.kernel, pool.stride, pool.pad, out.plane(0, 0),
                                           size_t(out.image_stride()), stream_.get()));
    return Status();
  }

  std::string name_;
  bool tf32_ = false;       // convolutions on TF32 tensor cores (an opt-in)
  CudaStream stream_;       // every op
  CudaStream copy_stream_;  // upload_host's copies
  // On stream_, recorded by each input write (upload_host, preprocess): the ops issued before it, which the
  // next upload's copy waits for.
  CudaEvent before_last_input_;
  CudaEvent input_written_, input_read_;
  DevicePreprocessor preprocessor_;
  std::unique_ptr<Linalg> linalg_;
  std::unique_ptr<MatrixProducts> products_;  // on linalg_, so declared after it
  // The ops allocate nothing, so a recording never goes stale.
  std::vector<CudaGraphExec> recordings_;
  static constexpr size_t kStagingFloats = size_t(4) << 20;  // 16 MiB: a few 299 x 299 images per chunk
  struct Staging {
    PinnedBuffer<float> buffer;
    CudaEvent copied;  // the device has read `buffer`
    bool in_flight = false;
  };
  Staging staging_[2];
  int next_staging_ = 0;
  bool recording_ = false;
};

}  // namespace

Result<std::unique_ptr<Backend>> create_cuda_backend_with(
    const std::function<Result<std::unique_ptr<Linalg>>(cudaStream_t)>& make_linalg, const char* label,
    bool tf32) {
  auto be = std::make_unique<CudaBackend>(label, tf32);
  FIDCPP_RETURN_IF_ERROR(be->init(make_linalg));
  return std::unique_ptr<Backend>(std::move(be));
}

FIDCPP_CUDA_NAMESPACE_END
