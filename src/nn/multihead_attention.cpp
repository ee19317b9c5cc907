// Multi-head attention: F::multi_head_attention_forward and the MultiheadAttention module,
// composed of differentiable ops (linear, bmm, softmax, masked_fill...).
#include "tensorgrad/nn/functional/multihead_attention.h"

#include <cmath>
#include <limits>
#include <ostream>
#include <vector>

#include "core/internal.h"
#include "tensorgrad/functions.h"
#include "tensorgrad/nn/init.h"
#include "tensorgrad/nn/modules/multihead_attention.h"
#include "tensorgrad/nn/ops_conv.h"
#include "tensorgrad/nn/ops_loss.h"

namespace tg::nn {

namespace {

using tg::detail::shape_str;
constexpr const char* kOp = "multi_head_attention_forward";

Tensor rows(const Tensor& t, int64_t start, int64_t length) {
  return t.defined() ? t.narrow(0, start, length) : Tensor();
}

/// Appends one more key position to a mask: a column of zeros (false for a kBool mask).
Tensor pad_mask(const Tensor& mask) {
  if (!mask.defined()) return mask;
  std::vector<int64_t> shape = mask.sizes().vec();
  shape.back() = 1;
  return tg::cat({mask, tg::zeros(shape, mask.dtype())}, -1);
}

}  // namespace

namespace functional {

std::tuple<Tensor, Tensor> multi_head_attention_forward(
    const Tensor& query, const Tensor& key, const Tensor& value,
    const MultiheadAttentionForwardFuncOptions& o) {
  TG_CHECK(query.defined() && key.defined() && value.defined(), kOp,
           ": query, key and value must be defined");
  TG_CHECK(query.dim() == 3 && key.dim() == 3 && value.dim() == 3, kOp,
           ": expected query [target, batch, embed_dim], key [source, batch, kdim] and value "
           "[source, batch, vdim], got query ",
           shape_str(query.sizes()), ", key ", shape_str(key.sizes()), ", value ",
           shape_str(value.sizes()));
  const int64_t tgt_len = query.size(0), bsz = query.size(1), embed_dim = query.size(2);
  TG_CHECK(embed_dim == o.embed_dim_to_check(), kOp, ": the query has ", embed_dim,
           " features but embed_dim is ", o.embed_dim_to_check());
  TG_CHECK(key.size(0) == value.size(0) && key.size(1) == bsz && value.size(1) == bsz, kOp,
           ": key and value must have the same source length and the query's batch (", bsz,
           "), got key ", shape_str(key.sizes()), " and value ", shape_str(value.sizes()));
  const int64_t num_heads = o.num_heads();
  TG_CHECK(num_heads > 0 && embed_dim % num_heads == 0, kOp,
           ": embed_dim must be divisible by num_heads, got embed_dim=", embed_dim,
           " and num_heads=", num_heads);
  const int64_t head_dim = embed_dim / num_heads;
  const double scaling = 1.0 / std::sqrt(static_cast<double>(head_dim));
  const Tensor& b = o.in_proj_bias();
  TG_CHECK(!b.defined() || (b.dim() == 1 && b.size(0) == 3 * embed_dim), kOp,
           ": expected in_proj_bias of shape [", 3 * embed_dim, "], got ", shape_str(b.sizes()));

  Tensor q, k, v;
  if (!o.use_separate_proj_weight()) {
    const Tensor& w = o.in_proj_weight();
    TG_CHECK(w.defined() && w.dim() == 2 && w.size(0) == 3 * embed_dim && w.size(1) == embed_dim,
             kOp, ": expected in_proj_weight of shape [", 3 * embed_dim, ", ", embed_dim, "], got ",
             w.defined() ? shape_str(w.sizes()) : std::string("undefined"));
    TG_CHECK(key.size(2) == embed_dim && value.size(2) == embed_dim, kOp,
             ": in_proj_weight needs keys and values of embed_dim=", embed_dim,
             " features, got key ", shape_str(key.sizes()), " and value ", shape_str(value.sizes()),
             "; use separate projection weights for other sizes");
    // Self-attention projects once; the results equal three separate projections.
    if (query.is_same(key) && key.is_same(value)) {
      const std::vector<Tensor> qkv = tg::linear(query, w, b).chunk(3, -1);
      q = qkv[0];
      k = qkv[1];
      v = qkv[2];
    } else if (key.is_same(value)) {
      q = tg::linear(query, rows(w, 0, embed_dim), rows(b, 0, embed_dim));
      const std::vector<Tensor> kv =
          tg::linear(key, rows(w, embed_dim, 2 * embed_dim), rows(b, embed_dim, 2 * embed_dim))
              .chunk(2, -1);
      k = kv[0];
      v = kv[1];
    } else {
      q = tg::linear(query, rows(w, 0, embed_dim), rows(b, 0, embed_dim));
      k = tg::linear(key, rows(w, embed_dim, embed_dim), rows(b, embed_dim, embed_dim));
      v = tg::linear(value, rows(w, 2 * embed_dim, embed_dim), rows(b, 2 * embed_dim, embed_dim));
    }
  } else {
    const std::pair<const Tensor*, const Tensor*> pairs[] = {
        {&o.q_proj_weight(), &query}, {&o.k_proj_weight(), &key}, {&o.v_proj_weight(), &value}};
    const char* names[] = {"q_proj_weight", "k_proj_weight", "v_proj_weight"};
    for (int i = 0; i < 3; ++i) {
      const Tensor& pw = *pairs[i].first;
      TG_CHECK(pw.defined() && pw.dim() == 2 && pw.size(0) == embed_dim &&
                   pw.size(1) == pairs[i].second->size(-1),
               kOp, ": expected ", names[i], " of shape [", embed_dim, ", ",
               pairs[i].second->size(-1), "], got ",
               pw.defined() ? shape_str(pw.sizes()) : std::string("undefined"));
    }
    q = tg::linear(query, o.q_proj_weight(), rows(b, 0, embed_dim));
    k = tg::linear(key, o.k_proj_weight(), rows(b, embed_dim, embed_dim));
    v = tg::linear(value, o.v_proj_weight(), rows(b, 2 * embed_dim, embed_dim));
  }
  q = q * scaling;

  Tensor attn_mask = o.attn_mask();
  Tensor key_padding_mask = o.key_padding_mask();
  const Tensor &static_k = o.static_k(), &static_v = o.static_v();
  TG_CHECK(o.bias_k().defined() == o.bias_v().defined(), kOp,
           ": bias_k and bias_v must be both defined or both undefined");
  if (o.bias_k().defined()) {
    TG_CHECK(!static_k.defined(), kOp, ": bias cannot be added to static key.");
    TG_CHECK(!static_v.defined(), kOp, ": bias cannot be added to static value.");
    k = tg::cat({k, o.bias_k().repeat({1, bsz, 1})}, 0);
    v = tg::cat({v, o.bias_v().repeat({1, bsz, 1})}, 0);
    attn_mask = pad_mask(attn_mask);
    key_padding_mask = pad_mask(key_padding_mask);
  }

  // [batch * heads, length, head_dim]
  q = q.contiguous().view({tgt_len, bsz * num_heads, head_dim}).transpose(0, 1);
  k = k.contiguous().view({-1, bsz * num_heads, head_dim}).transpose(0, 1);
  v = v.contiguous().view({-1, bsz * num_heads, head_dim}).transpose(0, 1);
  for (const Tensor* s : {&static_k, &static_v}) {
    TG_CHECK(
        !s->defined() || (s->dim() == 3 && s->size(0) == bsz * num_heads && s->size(2) == head_dim),
        kOp, ": expected static_k and static_v of shape [", bsz * num_heads, ", source, ", head_dim,
        "], got ", shape_str(s->sizes()));
  }
  if (static_k.defined()) k = static_k;
  if (static_v.defined()) v = static_v;
  TG_CHECK(k.size(1) == v.size(1), kOp, ": keys and values have different lengths, ", k.size(1),
           " and ", v.size(1));
  int64_t src_len = k.size(1);
  if (key_padding_mask.defined())
    TG_CHECK(key_padding_mask.dim() == 2 && key_padding_mask.size(0) == bsz &&
                 key_padding_mask.size(1) == src_len,
             kOp, ": expected key_padding_mask of shape [", bsz, ", ", src_len,
             "] ([batch, source]), got ", shape_str(key_padding_mask.sizes()));
  if (o.add_zero_attn()) {
    ++src_len;
    k = tg::cat({k, tg::zeros({k.size(0), 1, head_dim}, k.dtype())}, 1);
    v = tg::cat({v, tg::zeros({v.size(0), 1, head_dim}, v.dtype())}, 1);
    attn_mask = pad_mask(attn_mask);
    key_padding_mask = pad_mask(key_padding_mask);
  }

  Tensor scores = tg::bmm(q, k.transpose(1, 2));  // [batch * heads, target, source]
  const double neg_inf = -std::numeric_limits<double>::infinity();
  if (attn_mask.defined()) {
    const bool fits2 =
        attn_mask.dim() == 2 && attn_mask.size(0) == tgt_len && attn_mask.size(1) == src_len;
    const bool fits3 = attn_mask.dim() == 3 && attn_mask.size(0) == bsz * num_heads &&
                       attn_mask.size(1) == tgt_len && attn_mask.size(2) == src_len;
    TG_CHECK(fits2 || fits3, kOp, ": expected attn_mask of shape [", tgt_len, ", ", src_len,
             "] or [", bsz * num_heads, ", ", tgt_len, ", ", src_len, "], got ",
             shape_str(attn_mask.sizes()));
    const Tensor mask = fits2 ? attn_mask.unsqueeze(0) : attn_mask;
    scores = attn_mask.dtype() == kBool ? scores.masked_fill(mask, neg_inf) : scores + mask;
  }
  if (key_padding_mask.defined()) {
    const Tensor mask = key_padding_mask.view({bsz, 1, 1, src_len});
    Tensor per_head = scores.view({bsz, num_heads, tgt_len, src_len});
    per_head =
        key_padding_mask.dtype() == kBool ? per_head.masked_fill(mask, neg_inf) : per_head + mask;
    scores = per_head.view({bsz * num_heads, tgt_len, src_len});
  }
  Tensor weights = tg::softmax(scores, -1);
  if (o.dropout_p() > 0) weights = tg::dropout(weights, o.dropout_p(), o.training());
  Tensor output = tg::bmm(weights, v);  // [batch * heads, target, head_dim]
  output = output.transpose(0, 1).contiguous().view({tgt_len, bsz, embed_dim});
  output = tg::linear(output, o.out_proj_weight(), o.out_proj_bias());
  if (!o.need_weights()) return {output, Tensor()};
  Tensor per_head = weights.view({bsz, num_heads, tgt_len, src_len});
  if (o.average_attn_weights()) return {output, per_head.sum(1) / static_cast<double>(num_heads)};
  return {output, per_head};
}

}  // namespace functional

MultiheadAttentionImpl::MultiheadAttentionImpl(const MultiheadAttentionOptions& options_)
    : Cloneable("torch::nn::MultiheadAttention"), options(options_) {
  reset();
}

void MultiheadAttentionImpl::reset() {
  const int64_t e = options.embed_dim();
  TG_CHECK(e > 0 && options.num_heads() > 0 && e % options.num_heads() == 0,
           "MultiheadAttention: embed_dim must be divisible by num_heads, got embed_dim=", e,
           " and num_heads=", options.num_heads());
  TG_CHECK(options.dropout() >= 0 && options.dropout() <= 1,
           "MultiheadAttention: dropout must be in [0, 1], got ", options.dropout());
  _qkv_same_embed_dim = options.kdim() == e && options.vdim() == e;
  head_dim = e / options.num_heads();
  if (!_qkv_same_embed_dim) {
    q_proj_weight = register_parameter("q_proj_weight", tg::empty({e, e}));
    k_proj_weight = register_parameter("k_proj_weight", tg::empty({e, options.kdim()}));
    v_proj_weight = register_parameter("v_proj_weight", tg::empty({e, options.vdim()}));
    in_proj_weight = register_parameter("in_proj_weight", Tensor(), /*requires_grad=*/false);
  } else {
    in_proj_weight = register_parameter("in_proj_weight", tg::empty({3 * e, e}));
    q_proj_weight = register_parameter("q_proj_weight", Tensor(), /*requires_grad=*/false);
    k_proj_weight = register_parameter("k_proj_weight", Tensor(), /*requires_grad=*/false);
    v_proj_weight = register_parameter("v_proj_weight", Tensor(), /*requires_grad=*/false);
  }
  if (options.bias()) {
    in_proj_bias = register_parameter("in_proj_bias", tg::empty({3 * e}));
  } else {
    in_proj_bias = register_parameter("in_proj_bias", Tensor(), /*requires_grad=*/false);
  }
  out_proj = register_module("out_proj", Linear(LinearOptions(e, e).bias(options.bias())));
  if (options.add_bias_kv()) {
    bias_k = register_parameter("bias_k", tg::empty({1, 1, e}));
    bias_v = register_parameter("bias_v", tg::empty({1, 1, e}));
  } else {
    bias_k = Tensor();
    bias_v = Tensor();
  }
  _reset_parameters();
}

void MultiheadAttentionImpl::_reset_parameters() {
  if (_qkv_same_embed_dim) {
    init::xavier_uniform_(in_proj_weight);
  } else {
    init::xavier_uniform_(q_proj_weight);
    init::xavier_uniform_(k_proj_weight);
    init::xavier_uniform_(v_proj_weight);
  }
  if (in_proj_bias.defined()) {
    init::zeros_(in_proj_bias);
    init::zeros_(out_proj->bias);
  }
  if (bias_k.defined()) init::xavier_normal_(bias_k);
  if (bias_v.defined()) init::xavier_normal_(bias_v);
}

void MultiheadAttentionImpl::pretty_print(std::ostream& stream) const {
  stream << "torch::nn::MultiheadAttention";
}

std::tuple<Tensor, Tensor> MultiheadAttentionImpl::forward(
    const Tensor& query, const Tensor& key, const Tensor& value, const Tensor& key_padding_mask,
    bool need_weights, const Tensor& attn_mask, bool average_attn_weights) {
  auto o = functional::MultiheadAttentionForwardFuncOptions(
               options.embed_dim(), options.num_heads(), in_proj_weight, in_proj_bias, bias_k,
               bias_v, options.add_zero_attn(), options.dropout(), out_proj->weight, out_proj->bias)
               .training(is_training())
               .key_padding_mask(key_padding_mask)
               .need_weights(need_weights)
               .attn_mask(attn_mask)
               .average_attn_weights(average_attn_weights);
  if (!_qkv_same_embed_dim)
    o.use_separate_proj_weight(true)
        .q_proj_weight(q_proj_weight)
        .k_proj_weight(k_proj_weight)
        .v_proj_weight(v_proj_weight);
  return functional::multi_head_attention_forward(query, key, value, o);
}

}  // namespace tg::nn
