// The Inception-v3 forward driver (docs/conventions.md §1.3–1.7), the same code for every backend: normalised
// 3x299x299 float32 images in, any subset of the feature taps out, from one pass that stops at the deepest
// tap.
#pragma once

#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backend/backend.h"
#include "core/status.h"
#include "model/inception_table.h"
#include "model/inception_weights.h"

namespace fidcpp {

enum class InceptionTap { k64, k192, k768, k2048, kLogitsUnbiased, kLogits };

// "64", "192", "768", "2048", "logits_unbiased", "logits" (torch-fidelity's names, docs/conventions.md §1.7).
Result<InceptionTap> parse_inception_tap(const std::string& name);
const char* inception_tap_name(InceptionTap tap);
int inception_tap_dim(InceptionTap tap);

class InceptionForward {
 public:
  // `weights` must have been prepared on `backend`; both must outlive this object. Activations for max_batch
  // images are allocated once here (8.3 MB per image, and 2.1 MB more of input on asynchronous backends);
  // run() processes larger inputs in chunks, which gives bitwise the same features as any other chunking.
  // Logit taps need the fc layer.
  static Result<std::unique_ptr<InceptionForward>> create(Backend& backend, const PreparedInception& weights,
                                                          const std::vector<InceptionTap>& taps,
                                                          int max_batch);

  // images: n x 3 x 299 x 299 host floats, already normalised. outputs[t]: host array of n x
  // tap_dim(taps[t]).
  Status run(const float* images, int n, const std::vector<float*>& outputs);

  // Device-side use: write n <= max_batch normalised images into input_view(n), call forward(n), then
  // download_taps(). Lets a backend-side preprocessing step skip the host round trip. On an asynchronous
  // backend forward() moves input_view() to the other of two input buffers, so the next batch can be
  // uploaded while this one runs.
  TensorView input_view(int n) const;
  Status forward(int n);
  Status download_taps(int n, const std::vector<float*>& outputs, int64_t first_image = 0);
  // Backend memory of tap taps()[index] after forward(n): n rows of its dimension, contiguous; valid until
  // the next forward().
  const float* tap_data(size_t index) const;

  const std::vector<InceptionTap>& taps() const { return taps_; }
  int max_batch() const { return max_batch_; }

 private:
  InceptionForward(Backend& backend, const PreparedInception& weights) : be_(backend), w_(weights) {}
  Status forward_with_input(int n, int input);
  // The layers of forward() on input buffer `input`: issued directly, or recorded once per batch size and
  // input buffer and replayed (CUDA graphs).
  Status forward_ops(int n, int input);
  // Conv2d_1a .. MaxPool_2 on `in` (images first .. first + in.n of the batch, for the taps), in buffers xs,
  // ys, zs (see the arena's layout), MaxPool_2's output into `out`.
  Status stem(const TensorView& in, int first, float* xs, float* ys, float* zs, float* out);
  Status conv(const char* prefix, const TensorView& in, const TensorView& out);
  // The conv units `prefixes[i]` of one input into outs[i], as one backend call (Backend::conv2d_siblings).
  Status conv_siblings(const TensorView& in, std::initializer_list<const char*> prefixes,
                       std::initializer_list<TensorView> outs);
  Status pool_branch_last(const TensorView& pre, const TensorView& out);
  // Output view of a conv unit applied to `in`, placed in buffer `dst`.
  TensorView conv_out(const char* prefix, const TensorView& in, float* dst) const;
  Status mixed_a(const char* block, const TensorView& in, const TensorView& out);
  Status mixed_b(const TensorView& in, const TensorView& out);
  Status mixed_c(const char* block, const TensorView& in, const TensorView& out);
  Status mixed_d(const TensorView& in, const TensorView& out);
  Status mixed_e(const char* block, bool max_pool_branch, const TensorView& in, const TensorView& out);
  // The tap's features of the images first .. first + act.n of the batch.
  Status tap_mean(InceptionTap tap, const TensorView& act, int first = 0);

  Backend& be_;
  const PreparedInception& w_;
  std::vector<InceptionTap> taps_;
  int max_batch_ = 0;
  int depth_ = 0;  // 1: stop after MaxPool_1, 2: MaxPool_2, 3: Mixed_6e, 4: pool3, 5: logits
  std::unique_ptr<BackendBuffer> arena_;
  // The input: y_ (dead once Conv2d_1a has read it) on synchronous backends; on asynchronous ones two buffers
  // of their own (inputs_), used in turn by successive forwards. input_view() is input_[next_input_].
  float* input_[2] = {nullptr, nullptr};
  int next_input_ = 0;
  std::unique_ptr<BackendBuffer> inputs_;
  float* x_ = nullptr;  // ping-pong activations
  float* y_ = nullptr;
  float* t1_ = nullptr;  // branch temporaries inside Mixed blocks, inside x_ past the block's tensor
  float* t2_ = nullptr;
  float* t4_ = nullptr;    // an average-pool branch's 1x1 output before the pool (pool_branch_last)
  float* t3_ = nullptr;    // the second opening branch's output, alive beside t1_'s (conv_siblings)
  float* z_ = nullptr;     // Conv2d_4a's output: the end of x_ and all of y_
  float* feat_ = nullptr;  // per tap: max_batch x dim, at tap_offset_[tap]
  int64_t tap_offset_[6] = {-1, -1, -1, -1, -1, -1};
  int64_t pool3_offset_ = -1;  // pool3 scratch when logits are requested without the 2048 tap
  struct Recording {
    int direct_runs = 0;
    int id = -1;  // the backend's recording of forward_ops(n), once made
  };
  std::map<std::pair<int, int>, Recording> recordings_;  // by batch size and input buffer
};

}  // namespace fidcpp
