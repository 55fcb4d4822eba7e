// BN folding and per-backend preparation of the Inception-v3 weights (docs/conventions.md §1.2, §1.8).
#include "model/inception_weights.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <cmath>
#include <string>

namespace fidcpp {

namespace {

Result<const HostTensor*> get_tensor(const TensorMap& map, const std::string& name,
                                     const std::vector<int64_t>& shape) {
  const HostTensor* t = map.find(name);
  if (!t) return weights_error("weights: missing tensor '" + name + "'");
  if (t->shape != shape)
    return weights_error("weights: tensor '" + name + "' has shape " + shape_to_string(t->shape) +
                         ", expected " + shape_to_string(shape));
  if (!t->data) return weights_error("weights: tensor '" + name + "' has no data");
  for (int64_t i = 0; i < t->numel(); ++i)
    if (!std::isfinite(t->data[i]))
      return weights_error("weights: tensor '" + name + "' has a non-finite value at index " +
                           std::to_string(i));
  return t;
}

// Folds unit u of the table from `weights` into f (validated: presence, shape, finite values, var + eps > 0).
Status fold_conv_unit(const TensorMap& weights, int u, FoldedConv* f) {
  const double eps = double(kBnEps);
  const ConvUnitSpec& s = conv_units()[u];
  const std::string pre = s.prefix;
  const std::vector<int64_t> vec{s.cout};
  FIDCPP_ASSIGN_OR_RETURN(const HostTensor* w,
                          get_tensor(weights, pre + ".conv.weight", {s.cout, s.cin, s.kh, s.kw}));
  FIDCPP_ASSIGN_OR_RETURN(const HostTensor* gamma, get_tensor(weights, pre + ".bn.weight", vec));
  FIDCPP_ASSIGN_OR_RETURN(const HostTensor* beta, get_tensor(weights, pre + ".bn.bias", vec));
  FIDCPP_ASSIGN_OR_RETURN(const HostTensor* mean, get_tensor(weights, pre + ".bn.running_mean", vec));
  FIDCPP_ASSIGN_OR_RETURN(const HostTensor* var, get_tensor(weights, pre + ".bn.running_var", vec));
  f->spec = &s;
  const int64_t k = int64_t(s.cin) * s.kh * s.kw;
  f->weight.resize(size_t(s.cout * k));
  f->bias.resize(size_t(s.cout));
  for (int co = 0; co < s.cout; ++co) {
    const double v = double(var->data[co]) + eps;
    if (!(v > 0.0))
      return weights_error("weights: tensor '" + pre +
                           ".bn.running_var' has running_var + eps <= 0 at channel " + std::to_string(co));
    const double scale = double(gamma->data[co]) / std::sqrt(v);
    for (int64_t j = 0; j < k; ++j)
      f->weight[size_t(co * k + j)] = float(double(w->data[co * k + j]) * scale);
    f->bias[size_t(co)] = float(double(beta->data[co]) - double(mean->data[co]) * scale);
  }
  for (const HostTensor* t : {w, gamma, beta, mean, var}) weights.drop(*t);
  return Status();
}

// The fc tensors (validated), or null pointers when the file has none and they are not required.
Status get_fc(const TensorMap& weights, bool require_fc, const HostTensor** fw, const HostTensor** fb) {
  *fw = *fb = nullptr;
  if (!(weights.find("fc.weight") || weights.find("fc.bias") || require_fc)) return Status();
  FIDCPP_ASSIGN_OR_RETURN(*fw, get_tensor(weights, "fc.weight", {kFcOut, kPool3Dim}));
  FIDCPP_ASSIGN_OR_RETURN(*fb, get_tensor(weights, "fc.bias", {kFcOut}));
  return Status();
}

ConvDesc unit_desc(const FoldedConv& f, int unit) {
  const ConvUnitSpec& s = *f.spec;
  const int in = conv_unit_input_size(unit);
  ConvDesc d{s.cin, s.cout, s.kh, s.kw, s.stride, s.ph, s.pw, true, f.weight.data(), f.bias.data()};
  d.in_h = d.in_w = in;
  // The average-pool branches run their 1x1 first and pool its pre-activation, the ReLU after the pool
  // (inception_forward.cpp, InceptionForward::pool_branch_last).
  d.relu = !conv_unit_pools_after(unit);
  return d;
}

}  // namespace

Result<InceptionParams> fold_inception_params(const TensorMap& weights, bool require_fc) {
  InceptionParams p;
  p.convs.resize(kNumConvUnits);
  for (int u = 0; u < kNumConvUnits; ++u)
    FIDCPP_RETURN_IF_ERROR(fold_conv_unit(weights, u, &p.convs[size_t(u)]));
  const HostTensor *fw = nullptr, *fb = nullptr;
  FIDCPP_RETURN_IF_ERROR(get_fc(weights, require_fc, &fw, &fb));
  if (fw) {
    p.has_fc = true;
    p.fc_weight.assign(fw->data, fw->data + fw->numel());
    p.fc_bias.assign(fb->data, fb->data + fb->numel());
  }
  return p;
}

Result<PreparedInception> prepare_inception(Backend& backend, const TensorMap& weights, bool require_fc) {
  PreparedInception out;
  out.convs.reserve(kNumConvUnits);
  for (int u = 0; u < kNumConvUnits; ++u) {
    {
      FoldedConv f;
      FIDCPP_RETURN_IF_ERROR(fold_conv_unit(weights, u, &f));
      auto r = backend.prepare_conv(unit_desc(f, u));
      if (!r.ok()) return r.status().with_context(std::string("preparing '") + f.spec->prefix + "'");
      out.convs.push_back(std::move(r).value());
    }
#ifdef __GLIBC__
    // The folded copy's heap pages go back before the next unit is read (edge.md "Footprint").
    malloc_trim(0);
#endif
  }
  const HostTensor *fw = nullptr, *fb = nullptr;
  FIDCPP_RETURN_IF_ERROR(get_fc(weights, require_fc, &fw, &fb));
  if (fw) {
    FIDCPP_ASSIGN_OR_RETURN(out.fc,
                            backend.prepare_linear(LinearDesc{kPool3Dim, kFcOut, fw->data, fb->data}));
    weights.drop(*fw);
    weights.drop(*fb);
  }
  // Pages of tensors dropped earlier come back when the kernel maps a later tensor's neighbourhood (fault-
  // around); none of the file stays resident once the network is prepared.
  if (weights.mapped) weights.mapped->drop_pages(weights.mapped->data(), weights.mapped->size());
  return out;
}

namespace {

// With `release` (the same object as `params`), each folded unit's host copy is freed as soon as the backend
// holds its prepared copy, so loading peaks at one copy of the weights plus one unit instead of two copies.
Result<PreparedInception> prepare_units(Backend& backend, const InceptionParams& params,
                                        InceptionParams* release) {
  if (params.convs.size() != size_t(kNumConvUnits))
    return internal_error("prepare_inception: wrong unit count");
  PreparedInception out;
  out.convs.reserve(kNumConvUnits);
  for (size_t i = 0; i < params.convs.size(); ++i) {
    const FoldedConv& f = params.convs[i];
    auto r = backend.prepare_conv(unit_desc(f, int(i)));
    if (!r.ok()) return r.status().with_context(std::string("preparing '") + f.spec->prefix + "'");
    out.convs.push_back(std::move(r).value());
    if (release) {
      std::vector<float>().swap(release->convs[i].weight);
      std::vector<float>().swap(release->convs[i].bias);
#ifdef __GLIBC__
      malloc_trim(
          0);  // the freed unit's heap pages go back now, not after the last unit (edge.md "Footprint")
#endif
    }
  }
  if (params.has_fc) {
    FIDCPP_ASSIGN_OR_RETURN(out.fc, backend.prepare_linear(LinearDesc{
                                        kPool3Dim, kFcOut, params.fc_weight.data(), params.fc_bias.data()}));
    if (release) {
      std::vector<float>().swap(release->fc_weight);
      std::vector<float>().swap(release->fc_bias);
    }
  }
  return out;
}

}  // namespace

Result<PreparedInception> prepare_inception(Backend& backend, const InceptionParams& params) {
  return prepare_units(backend, params, nullptr);
}

Result<PreparedInception> prepare_inception(Backend& backend, InceptionParams&& params) {
  InceptionParams consumed = std::move(params);
  return prepare_units(backend, consumed, &consumed);
}

}  // namespace fidcpp
