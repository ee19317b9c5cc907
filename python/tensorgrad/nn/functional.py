"""tensorgrad.nn.functional: PyTorch 1.13's functional API over the C++ ops (tensorgrad._C._nn and
the tensor methods). A function whose C++ binding already has PyTorch's signature is that
binding; the others only adapt arguments (the legacy size_average/reduce, inplace, an implicit
softmax dim, sizes given as one int) before calling the C++ op."""

import warnings

from .. import _C

_nn = _C._nn

# ---- argument helpers ----


def _reduction(size_average, reduce, reduction):
    """The C++ reduction value of a loss's arguments; size_average and reduce, when given,
    override reduction as in PyTorch."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    if reduction not in _nn.reductions:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return _nn.reductions[reduction]


def _inplace(name, input, inplace, *args):
    """The C++ op `name`, or its in-place form name_ when inplace."""
    return getattr(_nn, name + "_" if inplace else name)(input, *args)


def _ntuple(value, n):
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


def _softmax_dim(name, ndim, stacklevel=3):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


# ---- convolution, pooling ----

conv1d = _nn.conv1d
conv2d = _nn.conv2d
conv3d = _nn.conv3d
conv_transpose1d = _nn.conv_transpose1d
conv_transpose2d = _nn.conv_transpose2d
conv_transpose3d = _nn.conv_transpose3d
avg_pool1d = _nn.avg_pool1d
avg_pool2d = _nn.avg_pool2d
avg_pool3d = _nn.avg_pool3d
lp_pool1d = _nn.lp_pool1d
lp_pool2d = _nn.lp_pool2d
max_unpool1d = _nn.max_unpool1d
max_unpool2d = _nn.max_unpool2d
max_unpool3d = _nn.max_unpool3d


def _max_pool(n):
    with_indices = getattr(_nn, f"max_pool{n}d_with_indices")
    values = getattr(_nn, f"max_pool{n}d")

    def max_pool_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                              ceil_mode=False, return_indices=False):
        return with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)

    def max_pool(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                 return_indices=False):
        fn = with_indices if return_indices else values
        return fn(input, kernel_size, stride, padding, dilation, ceil_mode)

    return _named(max_pool, f"max_pool{n}d"), _named(max_pool_with_indices,
                                                     f"max_pool{n}d_with_indices")


def _adaptive_size(input, output_size, n):
    # None keeps the input's size in that dim.
    sizes = _ntuple(output_size, n)
    return [input.shape[input.dim() - n + i] if s is None else s for i, s in enumerate(sizes)]


def _adaptive_pool(n):
    avg = getattr(_nn, f"adaptive_avg_pool{n}d")
    max_ = getattr(_nn, f"adaptive_max_pool{n}d")

    def adaptive_avg_pool(input, output_size):
        return avg(input, _adaptive_size(input, output_size, n))

    def adaptive_max_pool_with_indices(input, output_size, return_indices=False):
        return max_(input, _adaptive_size(input, output_size, n))

    def adaptive_max_pool(input, output_size, return_indices=False):
        out = max_(input, _adaptive_size(input, output_size, n))
        return out if return_indices else out[0]

    return (_named(adaptive_avg_pool, f"adaptive_avg_pool{n}d"),
            _named(adaptive_max_pool, f"adaptive_max_pool{n}d"),
            _named(adaptive_max_pool_with_indices, f"adaptive_max_pool{n}d_with_indices"))


def _named(fn, name):
    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = __name__
    return fn


max_pool1d, max_pool1d_with_indices = _max_pool(1)
max_pool2d, max_pool2d_with_indices = _max_pool(2)
max_pool3d, max_pool3d_with_indices = _max_pool(3)
adaptive_avg_pool1d, adaptive_max_pool1d, adaptive_max_pool1d_with_indices = _adaptive_pool(1)
adaptive_avg_pool2d, adaptive_max_pool2d, adaptive_max_pool2d_with_indices = _adaptive_pool(2)
adaptive_avg_pool3d, adaptive_max_pool3d, adaptive_max_pool3d_with_indices = _adaptive_pool(3)

# ---- linear, embedding, shape ----

linear = _nn.linear
embedding = _nn.embedding
pad = _nn.pad
pixel_shuffle = _nn.pixel_shuffle
pixel_unshuffle = _nn.pixel_unshuffle
cosine_similarity = _nn.cosine_similarity
pairwise_distance = _nn.pairwise_distance
pdist = _nn.pdist
multi_head_attention_forward = _nn.multi_head_attention_forward


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    n = input.dim() - 2
    return _nn.interpolate(input, None if size is None else _ntuple(size, n),
                           None if scale_factor is None else _ntuple(scale_factor, n), mode,
                           align_corners, recompute_scale_factor, antialias)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    warnings.warn("nn.functional.upsample is deprecated. Use nn.functional.interpolate instead.")
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    warnings.warn("nn.functional.upsample_nearest is deprecated. Use nn.functional.interpolate "
                  "instead.")
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    warnings.warn("nn.functional.upsample_bilinear is deprecated. Use nn.functional.interpolate "
                  "instead.")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---- normalisation, dropout ----

batch_norm = _nn.batch_norm
instance_norm = _nn.instance_norm
layer_norm = _nn.layer_norm
group_norm = _nn.group_norm
local_response_norm = _nn.local_response_norm
normalize = _nn.normalize


def _check_p(p):
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    return _inplace("dropout", input, inplace, p, training)


def _feature_dropout(n, dims):
    def fn(input, p=0.5, training=True, inplace=False):
        _check_p(p)
        if input.dim() not in dims:
            raise RuntimeError(f"dropout{n}d: Expected {dims[0]}D or {dims[1]}D input, but "
                               f"received a {input.dim()}D input")
        # The C++ Dropout2d (one draw per channel) over a view with two trailing dims.
        batched = input.dim() == dims[1]
        lead = list(input.shape[:2 if batched else 1])
        out = _nn.feature_dropout(input.reshape(lead + [-1, 1]), p, training, inplace)
        return input if inplace else out.reshape(input.shape)

    return _named(fn, f"dropout{n}d")


dropout1d = _feature_dropout(1, (2, 3))
dropout2d = _feature_dropout(2, (3, 4))
dropout3d = _feature_dropout(3, (4, 5))

# ---- activations ----

hardshrink = _nn.hardshrink
softshrink = _nn.softshrink
softplus = _nn.softplus
gelu = _nn.gelu
glu = _nn.glu
prelu = _nn.prelu
logsigmoid = _nn.logsigmoid
softsign = _nn.softsign
tanhshrink = _nn.tanhshrink
elu_ = _nn.elu_
celu_ = _nn.celu_
selu_ = _nn.selu_
hardtanh_ = _nn.hardtanh_
threshold_ = _nn.threshold_
leaky_relu_ = _nn.leaky_relu_
rrelu_ = _nn.rrelu_


def relu(input, inplace=False):
    return input.relu_() if inplace else input.relu()


def relu_(input):
    return input.relu_()


def elu(input, alpha=1.0, inplace=False):
    return _inplace("elu", input, inplace, alpha)


def selu(input, inplace=False):
    return _inplace("selu", input, inplace)


def celu(input, alpha=1.0, inplace=False):
    return _inplace("celu", input, inplace, alpha)


def relu6(input, inplace=False):
    return _inplace("relu6", input, inplace)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    return _inplace("hardtanh", input, inplace, min_val, max_val)


def threshold(input, threshold, value, inplace=False):
    return _inplace("threshold", input, inplace, threshold, value)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _inplace("leaky_relu", input, inplace, negative_slope)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    return _inplace("rrelu", input, inplace, lower, upper, training)


# These four have no in-place C++ op: inplace=True gives the same values (and gradients) in a
# new tensor, leaving the input unchanged.
def silu(input, inplace=False):
    return _nn.silu(input)


def mish(input, inplace=False):
    return _nn.mish(input)


def hardsigmoid(input, inplace=False):
    return _nn.hardsigmoid(input)


def hardswish(input, inplace=False):
    return _nn.hardswish(input)


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmax", input.dim(), _stacklevel)
    return input.softmax(dim, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim(), _stacklevel)
    return input.log_softmax(dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _softmax_dim("softmin", input.dim(), _stacklevel)
    return _nn.softmin(input, dim, dtype)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    return _nn.gumbel_softmax(logits, tau, hard, dim)


# ---- losses ----

triplet_margin_with_distance_loss = _nn.triplet_margin_with_distance_loss


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    return _nn.nll_loss(input, target, weight, _reduction(size_average, reduce, reduction),
                        ignore_index)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    return _nn.cross_entropy(input, target, weight, _reduction(size_average, reduce, reduction),
                             ignore_index, label_smoothing)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    return _nn.mse_loss(input, target, _reduction(size_average, reduce, reduction))


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    return _nn.l1_loss(input, target, _reduction(size_average, reduce, reduction))


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    return _nn.soft_margin_loss(input, target, _reduction(size_average, reduce, reduction))


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    return _nn.multilabel_margin_loss(input, target, _reduction(size_average, reduce, reduction))


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    return _nn.binary_cross_entropy(input, target, weight,
                                    _reduction(size_average, reduce, reduction))


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    return _nn.binary_cross_entropy_with_logits(input, target, weight, pos_weight,
                                                _reduction(size_average, reduce, reduction))


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    return _nn.multilabel_soft_margin_loss(input, target, weight,
                                           _reduction(size_average, reduce, reduction))


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.")
    if reduction == "batchmean":
        loss = _nn.kl_div(input, target, _nn.reductions["sum"], log_target)
        return loss / input.shape[0] if input.dim() != 0 else loss
    return _nn.kl_div(input, target, _reduction(size_average, reduce, reduction), log_target)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    return _nn.smooth_l1_loss(input, target, _reduction(size_average, reduce, reduction), beta)


def huber_loss(input, target, reduction="mean", delta=1.0):
    return _nn.huber_loss(input, target, _reduction(None, None, reduction), delta)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    return _nn.hinge_embedding_loss(input, target, margin,
                                    _reduction(size_average, reduce, reduction))


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    return _nn.multi_margin_loss(input, target, p, margin, weight,
                                 _reduction(size_average, reduce, reduction))


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    return _nn.cosine_embedding_loss(input1, input2, target, margin,
                                     _reduction(size_average, reduce, reduction))


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    return _nn.margin_ranking_loss(input1, input2, target, margin,
                                   _reduction(size_average, reduce, reduction))


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    return _nn.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                   _reduction(size_average, reduce, reduction))


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    return _nn.poisson_nll_loss(input, target, log_input, full, eps,
                                _reduction(size_average, reduce, reduction))
