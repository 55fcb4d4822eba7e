// The Inception-v3 forward driver: the network of docs/conventions.md §1.3–1.4 expressed as backend ops, with
// branch outputs written straight into their channel slice of each Mixed block's output (no concat copies).
#include "model/inception_forward.h"

#include <algorithm>
#include <string>

#include "model/inception_table.h"

namespace fidcpp {

namespace {

constexpr int kNumTaps = 6;
// Per-image arena sizes in floats (the largest tensor each buffer ever holds; see the shape comments in
// forward_ops). The arena is the smallest that holds Conv2d_2a's output and Conv2d_2b's at once (the largest
// pair of tensors alive together), cut into two ping-pong buffers x and y:
// - the input lives in y (dead once Conv2d_1a has read it, before anything writes y);
// - Conv2d_4a's output (larger than y) ends where y ends, past Conv2d_3b's output, its input, in x;
// - the Mixed blocks' branch temporaries t1 to t4 live in x past the block's own tensor (the Mixed blocks
//   use under three quarters of x).
constexpr int64_t kInputFloats = int64_t(3) * 299 * 299;
constexpr int64_t kXFloats = int64_t(64) * 147 * 147;     // Conv2d_2b output, the largest activation
constexpr int64_t kYFloats = int64_t(32) * 147 * 147;     // Conv2d_2a output
constexpr int64_t k4aFloats = int64_t(192) * 71 * 71;     // Conv2d_4a output
constexpr int64_t k3bFloats = int64_t(80) * 73 * 73;      // Conv2d_3b output (Conv2d_4a's input)
constexpr int64_t kMixedFloats = int64_t(288) * 35 * 35;  // the largest Mixed block input or output
constexpr int64_t kTemp1Floats = int64_t(288) * 35 * 35;  // t1 (its users need <= 2048 x 8 x 8)
constexpr int64_t kTemp2Floats = int64_t(96) * 35 * 35;   // Mixed_5x branch3x3dbl_2 output
constexpr int64_t kTemp3Floats = int64_t(48) * 35 * 35;   // Mixed_5x branch5x5_1 output
constexpr int64_t kTemp4Floats = int64_t(64) * 35 * 35;   // Mixed_5c/5d branch_pool pre-activation
static_assert(kInputFloats <= kYFloats && kMixedFloats <= kYFloats, "y holds the input and the Mixed blocks");
static_assert(kXFloats + kYFloats - k4aFloats >= k3bFloats, "4a's output misses 3b's");
static_assert(kMixedFloats + kTemp1Floats + kTemp2Floats + kTemp3Floats + kTemp4Floats <= kXFloats,
              "t1 to t4 fit in x past a block");
// A batch's stem one image at a time (Backend::stem_per_image) works in the last image's share of x, which
// the arena extends by kStemExtra floats: Conv2d_3b's output and Conv2d_4a's side by side need that much more
// than an image's share. The batch's MaxPool_2 outputs collect at the start of x, below that share, and its
// inputs in y stay below the last image's share of y.
constexpr int64_t kStemOutFloats = int64_t(192) * 35 * 35;
constexpr int64_t kStemExtra = k3bFloats + k4aFloats - kXFloats;
// With n <= B images in a batch of at most B >= 2: n shares of either fit below B - 1 of x's or y's.
static_assert(kStemExtra > 0 && 2 * kStemOutFloats <= kXFloats && 2 * kInputFloats <= kYFloats,
              "the batch's stem outputs and inputs stay below the last image's share of x and y");
constexpr int kMaxBatchLimit = 4096;

int tap_depth(InceptionTap t) {
  switch (t) {
    case InceptionTap::k64:
      return 1;
    case InceptionTap::k192:
      return 2;
    case InceptionTap::k768:
      return 3;
    case InceptionTap::k2048:
      return 4;
    default:
      return 5;
  }
}

// The channel slices of a Mixed block's output, handed out in concatenation order: each branch's last conv
// takes its unit's cout from the layer table, a pooling branch its input's channels. done() checks that the
// branches filled the block exactly.
class ConcatSlices {
 public:
  explicit ConcatSlices(const TensorView& out) : out_(out) {}
  TensorView next(int channels) {
    const TensorView v = out_.slice(next_, channels);
    next_ += channels;
    return v;
  }
  TensorView next(const std::string& unit) {
    const int u = conv_unit_index(unit);
    return next(u < 0 ? 0 : conv_units()[u].cout);  // an unknown unit: conv() reports it
  }
  Status done() const {
    if (next_ == out_.c) return Status();
    return internal_error("inception: branches fill " + std::to_string(next_) + " of the block's " +
                          std::to_string(out_.c) + " channels");
  }

 private:
  TensorView out_;
  int next_ = 0;
};

}  // namespace

Result<InceptionTap> parse_inception_tap(const std::string& name) {
  for (int t = 0; t < kNumTaps; ++t)
    if (name == inception_tap_name(InceptionTap(t))) return InceptionTap(t);
  return invalid_argument("unknown feature tap '" + name +
                          "' (expected 64, 192, 768, 2048, logits_unbiased or logits)");
}

const char* inception_tap_name(InceptionTap tap) {
  switch (tap) {
    case InceptionTap::k64:
      return "64";
    case InceptionTap::k192:
      return "192";
    case InceptionTap::k768:
      return "768";
    case InceptionTap::k2048:
      return "2048";
    case InceptionTap::kLogitsUnbiased:
      return "logits_unbiased";
    case InceptionTap::kLogits:
      return "logits";
  }
  return "?";
}

int inception_tap_dim(InceptionTap tap) {
  switch (tap) {
    case InceptionTap::k64:
      return 64;
    case InceptionTap::k192:
      return 192;
    case InceptionTap::k768:
      return 768;
    case InceptionTap::k2048:
      return kPool3Dim;
    default:
      return kFcOut;
  }
}

Result<std::unique_ptr<InceptionForward>> InceptionForward::create(Backend& backend,
                                                                   const PreparedInception& weights,
                                                                   const std::vector<InceptionTap>& taps,
                                                                   int max_batch) {
  if (max_batch <= 0 || max_batch > kMaxBatchLimit)
    return invalid_argument("inception: max_batch must be in [1, " + std::to_string(kMaxBatchLimit) +
                            "], got " + std::to_string(max_batch));
  if (taps.empty()) return invalid_argument("inception: no feature taps requested");
  if (weights.convs.size() != size_t(kNumConvUnits))
    return invalid_argument("inception: weights are not prepared (expected " + std::to_string(kNumConvUnits) +
                            " conv units)");
  std::unique_ptr<InceptionForward> f(new InceptionForward(backend, weights));
  f->taps_ = taps;
  f->max_batch_ = max_batch;
  bool seen[kNumTaps] = {};
  for (InceptionTap t : taps) {
    if (int(t) < 0 || int(t) >= kNumTaps) return invalid_argument("inception: invalid tap value");
    if (seen[int(t)])
      return invalid_argument(std::string("inception: tap '") + inception_tap_name(t) + "' requested twice");
    seen[int(t)] = true;
    if (tap_depth(t) == 5 && !weights.fc)
      return weights_error(std::string("inception: tap '") + inception_tap_name(t) +
                           "' needs the fc layer, but the weights have no 'fc.weight'/'fc.bias' tensors");
    f->depth_ = std::max(f->depth_, tap_depth(t));
  }
  // Arena layout: x (block tensor | t1 | t2 in the Mixed blocks) | y (= input) | features, with Conv2d_4a's
  // output over the end of x and all of y; each buffer holds max_batch images.
  int64_t feat_floats = 0;
  for (InceptionTap t : taps) {
    f->tap_offset_[int(t)] = feat_floats;
    feat_floats += int64_t(max_batch) * inception_tap_dim(t);
  }
  if (f->depth_ == 5 && !seen[int(InceptionTap::k2048)]) {
    f->pool3_offset_ = feat_floats;
    feat_floats += int64_t(max_batch) * kPool3Dim;
  }
  const int64_t per_image = kXFloats + kYFloats;
  FIDCPP_ASSIGN_OR_RETURN(f->arena_,
                          backend.allocate(size_t(per_image * max_batch + kStemExtra + feat_floats)));
  float* p = f->arena_->data();
  f->x_ = p;
  f->t1_ = f->x_ + kMixedFloats * max_batch;
  f->t2_ = f->t1_ + kTemp1Floats * max_batch;
  f->t3_ = f->t2_ + kTemp2Floats * max_batch;
  f->t4_ = f->t3_ + kTemp3Floats * max_batch;
  f->y_ = f->x_ + kXFloats * max_batch + kStemExtra;
  f->input_[0] = f->input_[1] = f->y_;
  if (backend.asynchronous()) {
    // Two input buffers of their own, used in turn, so that the next batch's upload (a copy stream on CUDA)
    // runs while this batch's forward still reads its input (Backend::upload_host).
    FIDCPP_ASSIGN_OR_RETURN(f->inputs_, backend.allocate(size_t(2 * kInputFloats * max_batch)));
    f->input_[0] = f->inputs_->data();
    f->input_[1] = f->input_[0] + kInputFloats * max_batch;
  }
  f->z_ = f->y_ + (kYFloats - k4aFloats) * max_batch;
  f->feat_ = f->y_ + kYFloats * max_batch;
  return f;
}

TensorView InceptionForward::input_view(int n) const {
  return make_view(input_[next_input_], n, 3, kInceptionInputSize, kInceptionInputSize);
}

TensorView InceptionForward::conv_out(const char* prefix, const TensorView& in, float* dst) const {
  const int u = conv_unit_index(prefix);
  if (u < 0) return TensorView{};  // conv() reports the unknown name
  const ConvUnitSpec& s = conv_units()[u];
  return make_view(dst, in.n, s.cout, pooled_size(in.h, s.kh, s.stride, s.ph),
                   pooled_size(in.w, s.kw, s.stride, s.pw));
}

Status InceptionForward::conv(const char* prefix, const TensorView& in, const TensorView& out) {
  const int u = conv_unit_index(prefix);
  if (u < 0) return internal_error(std::string("inception: unknown conv unit '") + prefix + "'");
  Status s = be_.conv2d(*w_.convs[size_t(u)], in, out);
  return s.ok() ? s : s.with_context(prefix);
}

Status InceptionForward::conv_siblings(const TensorView& in, std::initializer_list<const char*> prefixes,
                                       std::initializer_list<TensorView> outs) {
  constexpr int kMax = 4;
  const PreparedConv* convs[kMax];
  TensorView views[kMax];
  int n = 0;
  if (prefixes.size() != outs.size() || prefixes.size() > size_t(kMax))
    return internal_error("inception: conv_siblings takes 1 to 4 units, one output each");
  std::string names;
  for (const char* prefix : prefixes) {
    const int u = conv_unit_index(prefix);
    if (u < 0) return internal_error(std::string("inception: unknown conv unit '") + prefix + "'");
    convs[n] = w_.convs[size_t(u)].get();
    views[n] = outs.begin()[n];
    ++n;
    names += (names.empty() ? "" : " + ") + std::string(prefix);
  }
  Status s = be_.conv2d_siblings(convs, views, n, in);
  return s.ok() ? s : s.with_context(names);
}

// An average-pool branch, pooled after its 1x1 convolution: out = max(0, avg_pool(W x + b)), which equals the
// reference's max(0, W avg_pool(x) + b) in exact arithmetic (both linear maps act on different axes and the
// pool's weights sum to one; docs/conventions.md §1.5), on cout instead of cin channels. `pre` holds W x + b.
Status InceptionForward::pool_branch_last(const TensorView& pre, const TensorView& out) {
  PoolDesc p{3, 1, 1, false};
  p.relu = true;
  return be_.avg_pool(p, pre, out);
}

// InceptionA (docs/conventions.md §1.4): 64 | 64 | 96 | pool_features, at 35 x 35.
Status InceptionForward::mixed_a(const char* block, const TensorView& in, const TensorView& out) {
  const std::string b = block;
  ConcatSlices cat(out);
  // The four 1x1 convolutions of the input first, as one call (stacked into one GEMM on the CPU); the pool
  // branch's is pooled at the end (pool_branch_last).
  const std::string b1 = b + ".branch1x1", b5 = b + ".branch5x5_1", bd = b + ".branch3x3dbl_1",
                    bp = b + ".branch_pool";
  const TensorView t5 = conv_out(b5.c_str(), in, t3_);  // 48 x 35 x 35
  const TensorView t = conv_out(bd.c_str(), in, t1_);   // 64 x 35 x 35
  const TensorView tp = conv_out(bp.c_str(), in, t4_);  // pool_features x 35 x 35, before its ReLU
  FIDCPP_RETURN_IF_ERROR(
      conv_siblings(in, {b1.c_str(), b5.c_str(), bd.c_str(), bp.c_str()}, {cat.next(b1), t5, t, tp}));
  FIDCPP_RETURN_IF_ERROR(conv((b + ".branch5x5_2").c_str(), t5, cat.next(b + ".branch5x5_2")));
  TensorView t2 = conv_out((b + ".branch3x3dbl_2").c_str(), t, t2_);  // 96 x 35 x 35
  FIDCPP_RETURN_IF_ERROR(conv((b + ".branch3x3dbl_2").c_str(), t, t2));
  FIDCPP_RETURN_IF_ERROR(conv((b + ".branch3x3dbl_3").c_str(), t2, cat.next(b + ".branch3x3dbl_3")));
  FIDCPP_RETURN_IF_ERROR(pool_branch_last(tp, cat.next(bp)));
  return cat.done();
}

// InceptionB (Mixed_6a): 384 | 96 | 288 (max-pool of the input), 35 x 35 -> 17 x 17.
Status InceptionForward::mixed_b(const TensorView& in, const TensorView& out) {
  ConcatSlices cat(out);
  FIDCPP_RETURN_IF_ERROR(conv("Mixed_6a.branch3x3", in, cat.next("Mixed_6a.branch3x3")));
  const TensorView t = conv_out("Mixed_6a.branch3x3dbl_1", in, t1_);  // 64 x 35 x 35
  FIDCPP_RETURN_IF_ERROR(conv("Mixed_6a.branch3x3dbl_1", in, t));
  const TensorView t2 = conv_out("Mixed_6a.branch3x3dbl_2", t, t2_);  // 96 x 35 x 35
  FIDCPP_RETURN_IF_ERROR(conv("Mixed_6a.branch3x3dbl_2", t, t2));
  FIDCPP_RETURN_IF_ERROR(conv("Mixed_6a.branch3x3dbl_3", t2, cat.next("Mixed_6a.branch3x3dbl_3")));
  FIDCPP_RETURN_IF_ERROR(be_.max_pool(PoolDesc{3, 2, 0, false}, in, cat.next(in.c)));
  return cat.done();
}

// InceptionC (Mixed_6b..6e): 192 x 4 at 17 x 17; the 1x7 / 7x1 chains alternate between t1 and t2.
Status InceptionForward::mixed_c(const char* block, const TensorView& in, const TensorView& out) {
  const std::string b = block;
  ConcatSlices cat(out);
  const std::string b1 = b + ".branch1x1", b7 = b + ".branch7x7_1", bd = b + ".branch7x7dbl_1",
                    bp = b + ".branch_pool";
  const TensorView a7 = conv_out(b7.c_str(), in, t3_);  // c7 x 17 x 17
  TensorView a = conv_out(bd.c_str(), in, t1_);         // c7 x 17 x 17
  const TensorView tp = conv_out(bp.c_str(), in, t4_);  // 192 x 17 x 17, before its ReLU
  FIDCPP_RETURN_IF_ERROR(
      conv_siblings(in, {b1.c_str(), b7.c_str(), bd.c_str(), bp.c_str()}, {cat.next(b1), a7, a, tp}));
  TensorView c = conv_out((b + ".branch7x7_2").c_str(), a7, t2_);  // c7 x 17 x 17
  FIDCPP_RETURN_IF_ERROR(conv((b + ".branch7x7_2").c_str(), a7, c));
  FIDCPP_RETURN_IF_ERROR(conv((b + ".branch7x7_3").c_str(), c, cat.next(b + ".branch7x7_3")));
  c = conv_out((b + ".branch7x7dbl_2").c_str(), a, t2_);
  FIDCPP_RETURN_IF_ERROR(conv((b + ".branch7x7dbl_2").c_str(), a, c));
  a = conv_out((b + ".branch7x7dbl_3").c_str(), c, t1_);
  FIDCPP_RETURN_IF_ERROR(conv((b + ".branch7x7dbl_3").c_str(), c, a));
  c = conv_out((b + ".branch7x7dbl_4").c_str(), a, t2_);
  FIDCPP_RETURN_IF_ERROR(conv((b + ".branch7x7dbl_4").c_str(), a, c));
  FIDCPP_RETURN_IF_ERROR(conv((b + ".branch7x7dbl_5").c_str(), c, cat.next(b + ".branch7x7dbl_5")));
  FIDCPP_RETURN_IF_ERROR(pool_branch_last(tp, cat.next(bp)));
  return cat.done();
}

// InceptionD (Mixed_7a): 320 | 192 | 768 (max-pool of the input), 17 x 17 -> 8 x 8.
Status InceptionForward::mixed_d(const TensorView& in, const TensorView& out) {
  ConcatSlices cat(out);
  const TensorView a3 = conv_out("Mixed_7a.branch3x3_1", in, t3_);  // 192 x 17 x 17
  TensorView a = conv_out("Mixed_7a.branch7x7x3_1", in, t1_);       // 192 x 17 x 17
  FIDCPP_RETURN_IF_ERROR(conv_siblings(in, {"Mixed_7a.branch3x3_1", "Mixed_7a.branch7x7x3_1"}, {a3, a}));
  FIDCPP_RETURN_IF_ERROR(conv("Mixed_7a.branch3x3_2", a3, cat.next("Mixed_7a.branch3x3_2")));
  TensorView c = conv_out("Mixed_7a.branch7x7x3_2", a, t2_);
  FIDCPP_RETURN_IF_ERROR(conv("Mixed_7a.branch7x7x3_2", a, c));
  a = conv_out("Mixed_7a.branch7x7x3_3", c, t1_);
  FIDCPP_RETURN_IF_ERROR(conv("Mixed_7a.branch7x7x3_3", c, a));
  FIDCPP_RETURN_IF_ERROR(conv("Mixed_7a.branch7x7x3_4", a, cat.next("Mixed_7a.branch7x7x3_4")));
  FIDCPP_RETURN_IF_ERROR(be_.max_pool(PoolDesc{3, 2, 0, false}, in, cat.next(in.c)));
  return cat.done();
}

// InceptionE (Mixed_7b avg-pool branch, Mixed_7c max-pool branch): 320 | 384 384 | 384 384 | 192 at 8 x 8.
Status InceptionForward::mixed_e(const char* block, bool max_pool_branch, const TensorView& in,
                                 const TensorView& out) {
  const std::string b = block;
  ConcatSlices cat(out);
  const std::string b1 = b + ".branch1x1", b3 = b + ".branch3x3_1", bd = b + ".branch3x3dbl_1",
                    bp = b + ".branch_pool";
  const TensorView a3 = conv_out(b3.c_str(), in, t3_);  // 384 x 8 x 8
  const TensorView a = conv_out(bd.c_str(), in, t1_);   // 448 x 8 x 8
  const TensorView tp = conv_out(bp.c_str(), in, t4_);  // 192 x 8 x 8 (Mixed_7b: before its ReLU)
  // Mixed_7c max-pools its pool branch (the FID graph's quirk, docs/conventions.md §1.4 "E_2"), which does
  // not commute with the 1x1: that one runs last on the pooled input; Mixed_7b's joins the siblings.
  if (max_pool_branch) {
    FIDCPP_RETURN_IF_ERROR(conv_siblings(in, {b1.c_str(), b3.c_str(), bd.c_str()}, {cat.next(b1), a3, a}));
  } else {
    FIDCPP_RETURN_IF_ERROR(
        conv_siblings(in, {b1.c_str(), b3.c_str(), bd.c_str(), bp.c_str()}, {cat.next(b1), a3, a, tp}));
  }
  FIDCPP_RETURN_IF_ERROR(conv((b + ".branch3x3_2a").c_str(), a3, cat.next(b + ".branch3x3_2a")));
  FIDCPP_RETURN_IF_ERROR(conv((b + ".branch3x3_2b").c_str(), a3, cat.next(b + ".branch3x3_2b")));
  const TensorView c = conv_out((b + ".branch3x3dbl_2").c_str(), a, t2_);  // 384 x 8 x 8
  FIDCPP_RETURN_IF_ERROR(conv((b + ".branch3x3dbl_2").c_str(), a, c));
  FIDCPP_RETURN_IF_ERROR(conv((b + ".branch3x3dbl_3a").c_str(), c, cat.next(b + ".branch3x3dbl_3a")));
  FIDCPP_RETURN_IF_ERROR(conv((b + ".branch3x3dbl_3b").c_str(), c, cat.next(b + ".branch3x3dbl_3b")));
  if (!max_pool_branch) {
    FIDCPP_RETURN_IF_ERROR(pool_branch_last(tp, cat.next(bp)));
    return cat.done();
  }
  const TensorView pooled = make_view(t1_, in.n, in.c, in.h, in.w);  // in.c x 8 x 8
  FIDCPP_RETURN_IF_ERROR(be_.max_pool(PoolDesc{3, 1, 1, false}, in, pooled));
  FIDCPP_RETURN_IF_ERROR(conv(bp.c_str(), pooled, cat.next(bp)));
  return cat.done();
}

Status InceptionForward::tap_mean(InceptionTap tap, const TensorView& act, int first) {
  if (tap_offset_[int(tap)] < 0) return Status();
  return be_.global_mean(
      act, make_view(feat_ + tap_offset_[int(tap)] + int64_t(first) * act.c, act.n, act.c, 1, 1));
}

Status InceptionForward::forward(int n) {
  if (n <= 0 || n > max_batch_)
    return invalid_argument("inception: batch of " + std::to_string(n) + " images, expected 1.." +
                            std::to_string(max_batch_));
  // The next input write goes to the other input buffer (where there are two).
  const int input = next_input_;
  next_input_ = input_[1] != input_[0] ? input ^ 1 : 0;
  return forward_with_input(n, input);
}

Status InceptionForward::forward_with_input(int n, int input) {
  // Backends that record (CUDA graphs) replay one recording per batch size and input buffer: the first batch
  // of a kind runs directly (sizing the backend's scratch), the second is recorded. The result is the same
  // either way.
  Recording& r = recordings_[{n, input}];
  if (r.id >= 0) {
    const Status s = be_.replay(r.id);
    if (s.code() != StatusCode::kNotFound) return s;
    r = Recording{};  // stale: the backend reallocated; run directly and record again later
  }
  if (++r.direct_runs < 2) return forward_ops(n, input);
  const Status begin = be_.begin_recording();
  if (begin.code() == StatusCode::kUnsupported) return forward_ops(n, input);
  FIDCPP_RETURN_IF_ERROR(begin);
  const Status ops = forward_ops(n, input);
  Result<int> id = be_.end_recording();  // ends the capture even when an op failed
  FIDCPP_RETURN_IF_ERROR(ops);
  if (!id.ok()) return id.status();
  r.id = *id;
  return be_.replay(r.id);
}

Status InceptionForward::stem(const TensorView& in, int first, float* xs, float* ys, float* zs, float* out) {
  const int n = in.n;
  TensorView a = conv_out("Conv2d_1a_3x3", in, xs);
  FIDCPP_RETURN_IF_ERROR(conv("Conv2d_1a_3x3", in, a));  // 32 x 149 x 149
  TensorView b = conv_out("Conv2d_2a_3x3", a, ys);
  FIDCPP_RETURN_IF_ERROR(conv("Conv2d_2a_3x3", a, b));  // 32 x 147 x 147
  a = conv_out("Conv2d_2b_3x3", b, xs);
  FIDCPP_RETURN_IF_ERROR(conv("Conv2d_2b_3x3", b, a));  // 64 x 147 x 147
  b = make_view(ys, n, 64, 73, 73);
  FIDCPP_RETURN_IF_ERROR(be_.max_pool(PoolDesc{3, 2, 0, false}, a, b));  // 64 x 73 x 73  (MaxPool_1)
  FIDCPP_RETURN_IF_ERROR(tap_mean(InceptionTap::k64, b, first));
  if (depth_ <= 1) return Status();

  a = conv_out("Conv2d_3b_1x1", b, xs);
  FIDCPP_RETURN_IF_ERROR(conv("Conv2d_3b_1x1", b, a));  // 80 x 73 x 73
  b = conv_out("Conv2d_4a_3x3", a, zs);
  FIDCPP_RETURN_IF_ERROR(conv("Conv2d_4a_3x3", a, b));  // 192 x 71 x 71
  a = make_view(out, n, 192, 35, 35);
  FIDCPP_RETURN_IF_ERROR(be_.max_pool(PoolDesc{3, 2, 0, false}, b, a));  // 192 x 35 x 35  (MaxPool_2)
  return tap_mean(InceptionTap::k192, a, first);
}

Status InceptionForward::forward_ops(int n, int input) {
  if (n > 1 && be_.stem_per_image()) {
    // Each image in the last image's share of x and y (see kStemExtra); its MaxPool_2 output lands in its own
    // place in x, so the batch's stem output is the same tensor as below.
    float* xs = x_ + kXFloats * (max_batch_ - 1);
    float* ys = y_ + kYFloats * (max_batch_ - 1);
    for (int i = 0; i < n; ++i)
      FIDCPP_RETURN_IF_ERROR(
          stem(make_view(input_[input] + kInputFloats * i, 1, 3, kInceptionInputSize, kInceptionInputSize), i,
               xs, ys, xs + k3bFloats, x_ + kStemOutFloats * i));
  } else {
    FIDCPP_RETURN_IF_ERROR(
        stem(make_view(input_[input], n, 3, kInceptionInputSize, kInceptionInputSize), 0, x_, y_, z_, x_));
  }
  if (depth_ <= 2) return Status();
  TensorView a = make_view(x_, n, 192, 35, 35), b;

  b = make_view(y_, n, 256, 35, 35);
  FIDCPP_RETURN_IF_ERROR(mixed_a("Mixed_5b", a, b));  // 256 x 35 x 35
  a = make_view(x_, n, 288, 35, 35);
  FIDCPP_RETURN_IF_ERROR(mixed_a("Mixed_5c", b, a));  // 288 x 35 x 35
  b = make_view(y_, n, 288, 35, 35);
  FIDCPP_RETURN_IF_ERROR(mixed_a("Mixed_5d", a, b));  // 288 x 35 x 35
  a = make_view(x_, n, 768, 17, 17);
  FIDCPP_RETURN_IF_ERROR(mixed_b(b, a));  // 768 x 17 x 17
  b = make_view(y_, n, 768, 17, 17);
  FIDCPP_RETURN_IF_ERROR(mixed_c("Mixed_6b", a, b));  // 768 x 17 x 17
  a = make_view(x_, n, 768, 17, 17);
  FIDCPP_RETURN_IF_ERROR(mixed_c("Mixed_6c", b, a));  // 768 x 17 x 17
  b = make_view(y_, n, 768, 17, 17);
  FIDCPP_RETURN_IF_ERROR(mixed_c("Mixed_6d", a, b));  // 768 x 17 x 17
  a = make_view(x_, n, 768, 17, 17);
  FIDCPP_RETURN_IF_ERROR(mixed_c("Mixed_6e", b, a));  // 768 x 17 x 17
  FIDCPP_RETURN_IF_ERROR(tap_mean(InceptionTap::k768, a));
  if (depth_ <= 3) return Status();

  b = make_view(y_, n, 1280, 8, 8);
  FIDCPP_RETURN_IF_ERROR(mixed_d(a, b));  // 1280 x 8 x 8
  a = make_view(x_, n, 2048, 8, 8);
  FIDCPP_RETURN_IF_ERROR(mixed_e("Mixed_7b", false, b, a));  // 2048 x 8 x 8
  b = make_view(y_, n, 2048, 8, 8);
  FIDCPP_RETURN_IF_ERROR(mixed_e("Mixed_7c", true, a, b));  // 2048 x 8 x 8
  const int64_t pool3_off =
      tap_offset_[int(InceptionTap::k2048)] >= 0 ? tap_offset_[int(InceptionTap::k2048)] : pool3_offset_;
  const TensorView pool3 = make_view(feat_ + pool3_off, n, kPool3Dim, 1, 1);
  FIDCPP_RETURN_IF_ERROR(be_.global_mean(b, pool3));  // 2048  (pool3)
  if (depth_ <= 4) return Status();

  // docs/conventions.md §1.6: logits_unbiased = pool3 · Wᵀ; logits adds the bias as a separate float32 step.
  for (InceptionTap t : {InceptionTap::kLogitsUnbiased, InceptionTap::kLogits}) {
    if (tap_offset_[int(t)] < 0) continue;
    FIDCPP_RETURN_IF_ERROR(be_.linear(*w_.fc, pool3, make_view(feat_ + tap_offset_[int(t)], n, kFcOut, 1, 1),
                                      t == InceptionTap::kLogits));  // 1008
  }
  return Status();
}

Status InceptionForward::download_taps(int n, const std::vector<float*>& outputs, int64_t first_image) {
  if (outputs.size() != taps_.size())
    return invalid_argument("inception: " + std::to_string(outputs.size()) + " output arrays for " +
                            std::to_string(taps_.size()) + " taps");
  for (size_t i = 0; i < taps_.size(); ++i) {
    if (!outputs[i])
      return invalid_argument(std::string("inception: null output for tap ") + inception_tap_name(taps_[i]));
    const int dim = inception_tap_dim(taps_[i]);
    FIDCPP_RETURN_IF_ERROR(
        be_.download(feat_ + tap_offset_[int(taps_[i])], size_t(n) * dim, outputs[i] + first_image * dim));
  }
  return Status();
}

const float* InceptionForward::tap_data(size_t index) const {
  return index < taps_.size() ? feat_ + tap_offset_[int(taps_[index])] : nullptr;
}

Status InceptionForward::run(const float* images, int n, const std::vector<float*>& outputs) {
  if (n < 0) return invalid_argument("inception: negative image count");
  if (n > 0 && !images) return invalid_argument("inception: null images");
  if (outputs.size() != taps_.size())
    return invalid_argument("inception: " + std::to_string(outputs.size()) + " output arrays for " +
                            std::to_string(taps_.size()) + " taps");
  for (int first = 0; first < n; first += max_batch_) {
    const int m = std::min(max_batch_, n - first);
    FIDCPP_RETURN_IF_ERROR(
        be_.upload(images + int64_t(first) * kInputFloats, size_t(m) * kInputFloats, input_view(m).data));
    FIDCPP_RETURN_IF_ERROR(forward(m));
    FIDCPP_RETURN_IF_ERROR(download_taps(m, outputs, first));
  }
  return be_.synchronize();
}

}  // namespace fidcpp
