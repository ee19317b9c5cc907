"""tensorgrad.nn's layers and nn.functional against PyTorch 1.13: for every op, the values and
the gradients (of the inputs and of the parameters) for the same inputs and weights; for every
layer, its state_dict keys and its printed form."""

import warnings

import numpy as np
import pytest
import torch

import tensorgrad as tg
from oracle import assert_same, run_both, run_module

RNG = np.random.default_rng(7)


def A(*shape):
    return RNG.standard_normal(shape)


def P(*shape):
    """Values in (0, 1): probabilities, positive weights."""
    return RNG.uniform(0.05, 0.95, shape)


def I(high, *shape):
    return RNG.integers(0, high, shape)


@pytest.fixture(autouse=True)
def _quiet():
    # Both libraries warn alike (implicit softmax dims, kl_div's "mean", upsample).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def dtype_of(lib):
    return tg.float32 if lib is tg else torch.float32


# (id, program(F, *inputs), inputs): every input a float array requiring grad.
FUNCTIONAL = [
    ("conv1d", lambda F, x, w, b: F.conv1d(x, w, b, 2, 1), [A(2, 3, 8), A(4, 3, 3), A(4)]),
    ("conv1d_groups_dilation", lambda F, x, w: F.conv1d(x, w, None, 1, 2, 2, 2),
     [A(2, 4, 9), A(4, 2, 3)]),
    ("conv3d_same", lambda F, x, w: F.conv3d(x, w, None, 1, "same"),
     [A(1, 2, 4, 4, 4), A(3, 2, 3, 3, 3)]),
    ("conv3d_stride", lambda F, x, w, b: F.conv3d(x, w, b, (1, 2, 2), (0, 1, 1)),
     [A(1, 2, 4, 5, 5), A(3, 2, 2, 3, 3), A(3)]),
    ("conv2d_valid", lambda F, x, w: F.conv2d(x, w, padding="valid"), [A(1, 2, 5, 5),
                                                                       A(3, 2, 3, 3)]),
    ("conv_transpose1d", lambda F, x, w, b: F.conv_transpose1d(x, w, b, 2, 1, 1),
     [A(2, 2, 5), A(2, 3, 3), A(3)]),
    ("conv_transpose2d", lambda F, x, w, b: F.conv_transpose2d(x, w, b, 2, 1, 1),
     [A(1, 2, 4, 4), A(2, 3, 3, 3), A(3)]),
    ("conv_transpose2d_groups", lambda F, x, w: F.conv_transpose2d(x, w, groups=2, dilation=2),
     [A(1, 4, 3, 3), A(4, 1, 2, 2)]),
    ("conv_transpose3d", lambda F, x, w: F.conv_transpose3d(x, w, stride=2),
     [A(1, 2, 2, 3, 2), A(2, 3, 2, 2, 2)]),
    ("max_pool1d_indices", lambda F, x: F.max_pool1d(x, 3, 2, 1, return_indices=True),
     [A(2, 3, 9)]),
    ("max_pool2d_dilation", lambda F, x: F.max_pool2d(x, 2, 1, 0, 2), [A(1, 2, 6, 6)]),
    ("max_pool3d_ceil", lambda F, x: F.max_pool3d(x, 2, ceil_mode=True), [A(1, 2, 5, 5, 5)]),
    ("max_pool3d_with_indices", lambda F, x: F.max_pool3d_with_indices(x, 2), [A(1, 1, 4, 4, 4)]),
    ("avg_pool1d", lambda F, x: F.avg_pool1d(x, 3, 2, 1, count_include_pad=False), [A(2, 3, 9)]),
    ("avg_pool3d", lambda F, x: F.avg_pool3d(x, 2, 1, 1, divisor_override=5), [A(1, 2, 3, 3, 3)]),
    ("adaptive_avg_pool1d", lambda F, x: F.adaptive_avg_pool1d(x, 4), [A(2, 3, 9)]),
    ("adaptive_avg_pool3d", lambda F, x: F.adaptive_avg_pool3d(x, (2, None, 3)),
     [A(1, 2, 5, 4, 7)]),
    ("adaptive_max_pool1d", lambda F, x: F.adaptive_max_pool1d(x, 3, True), [A(2, 3, 8)]),
    ("adaptive_max_pool2d", lambda F, x: F.adaptive_max_pool2d(x, (3, None), True),
     [A(1, 2, 7, 5)]),
    ("adaptive_max_pool3d", lambda F, x: F.adaptive_max_pool3d(x, 2), [A(1, 2, 5, 4, 3)]),
    ("lp_pool1d", lambda F, x: F.lp_pool1d(x, 3, 2), [A(2, 3, 7)]),
    ("lp_pool2d", lambda F, x: F.lp_pool2d(x, 2, 2), [A(1, 2, 6, 6)]),
    ("max_unpool1d", lambda F, x: F.max_unpool1d(*F.max_pool1d(x, 2, return_indices=True), 2,
                                                 output_size=[9]), [A(1, 2, 9)]),
    ("max_unpool2d", lambda F, x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2),
     [A(1, 2, 4, 4)]),
    ("max_unpool3d", lambda F, x: F.max_unpool3d(*F.max_pool3d(x, 2, return_indices=True), 2),
     [A(1, 2, 4, 4, 4)]),
    ("layer_norm", lambda F, x, w, b: F.layer_norm(x, (4,), w, b, 1e-3), [A(2, 3, 4), A(4),
                                                                          A(4)]),
    ("layer_norm_2d", lambda F, x: F.layer_norm(x, [3, 4]), [A(2, 3, 4)]),
    ("group_norm", lambda F, x, w, b: F.group_norm(x, 2, w, b), [A(2, 4, 3), A(4), A(4)]),
    ("instance_norm", lambda F, x, w, b: F.instance_norm(x, weight=w, bias=b),
     [A(2, 3, 5), A(3), A(3)]),
    ("local_response_norm", lambda F, x: F.local_response_norm(x, 3, 1e-2, 0.5, 2.0),
     [A(2, 5, 3)]),
    ("normalize", lambda F, x: F.normalize(x, 1.5, 0), [A(3, 4)]),
    ("linear", lambda F, x, w, b: F.linear(x, w, b), [A(2, 3, 4), A(5, 4), A(5)]),
    ("elu", lambda F, x: F.elu(x, 0.3), [A(3, 4)]),
    ("selu", lambda F, x: F.selu(x), [A(3, 4)]),
    ("celu", lambda F, x: F.celu(x, 0.5), [A(3, 4)]),
    ("glu", lambda F, x: F.glu(x, 0), [A(4, 3)]),
    ("hardtanh", lambda F, x: F.hardtanh(x, -0.5, 0.5), [A(3, 4)]),
    ("relu6", lambda F, x: F.relu6(x * 4), [A(3, 4)]),
    ("prelu", lambda F, x, w: F.prelu(x, w), [A(2, 3, 4), A(3)]),
    ("rrelu_eval", lambda F, x: F.rrelu(x, 0.1, 0.3), [A(3, 4)]),
    ("silu", lambda F, x: F.silu(x), [A(3, 4)]),
    ("mish", lambda F, x: F.mish(x), [A(3, 4)]),
    ("softplus", lambda F, x: F.softplus(x, 2, 1), [A(3, 4)]),
    ("softsign", lambda F, x: F.softsign(x), [A(3, 4)]),
    ("softshrink", lambda F, x: F.softshrink(x, 0.3), [A(3, 4)]),
    ("hardshrink", lambda F, x: F.hardshrink(x, 0.3), [A(3, 4)]),
    ("tanhshrink", lambda F, x: F.tanhshrink(x), [A(3, 4)]),
    ("threshold", lambda F, x: F.threshold(x, 0.1, 2.0), [A(3, 4)]),
    ("hardsigmoid", lambda F, x: F.hardsigmoid(x * 4), [A(3, 4)]),
    ("hardswish", lambda F, x: F.hardswish(x * 4), [A(3, 4)]),
    ("logsigmoid", lambda F, x: F.logsigmoid(x), [A(3, 4)]),
    ("softmin", lambda F, x: F.softmin(x, 1), [A(3, 4)]),
    ("softmax_implicit_dim", lambda F, x: F.softmax(x), [A(3, 4)]),
    ("leaky_relu", lambda F, x: F.leaky_relu(x, 0.2), [A(3, 4)]),
    ("gelu_tanh", lambda F, x: F.gelu(x, approximate="tanh"), [A(3, 4)]),
    ("pad_reflect", lambda F, x: F.pad(x, (1, 2), "reflect"), [A(2, 3, 4)]),
    ("pad_replicate", lambda F, x: F.pad(x, (1, 2, 0, 1), "replicate"), [A(1, 2, 3, 4)]),
    ("pad_circular", lambda F, x: F.pad(x, (1, 2), "circular"), [A(1, 2, 4)]),
    ("pad_constant", lambda F, x: F.pad(x, (1, 2, -1, 1), value=0.5), [A(2, 3, 4)]),
    ("interpolate_nearest", lambda F, x: F.interpolate(x, scale_factor=2), [A(1, 2, 3, 3)]),
    ("interpolate_bilinear", lambda F, x: F.interpolate(x, size=(5, 4), mode="bilinear",
                                                        align_corners=False), [A(1, 2, 3, 3)]),
    ("interpolate_bicubic", lambda F, x: F.interpolate(x, scale_factor=(2, 1.5), mode="bicubic",
                                                       align_corners=True), [A(1, 1, 3, 4)]),
    ("interpolate_trilinear", lambda F, x: F.interpolate(x, size=3, mode="trilinear"),
     [A(1, 1, 2, 2, 2)]),
    ("interpolate_area", lambda F, x: F.interpolate(x, size=(2, 3), mode="area"),
     [A(1, 2, 5, 7)]),
    ("interpolate_nearest_exact", lambda F, x: F.interpolate(x, size=5, mode="nearest-exact"),
     [A(1, 2, 3)]),
    ("pixel_shuffle", lambda F, x: F.pixel_shuffle(x, 2), [A(1, 8, 2, 3)]),
    ("pixel_unshuffle", lambda F, x: F.pixel_unshuffle(x, 2), [A(1, 2, 4, 6)]),
    ("cosine_similarity", lambda F, a, b: F.cosine_similarity(a, b, 0), [A(3, 4), A(3, 4)]),
    ("pairwise_distance", lambda F, a, b: F.pairwise_distance(a, b, 3, keepdim=True),
     [A(3, 4), A(3, 4)]),
    ("pdist", lambda F, a: F.pdist(a, 1.5), [A(4, 3)]),
    ("smooth_l1_loss", lambda F, a, b: F.smooth_l1_loss(a, b, beta=0.5), [A(3, 4), A(3, 4)]),
    ("huber_loss", lambda F, a, b: F.huber_loss(a, b, "sum", 0.5), [A(3, 4), A(3, 4)]),
    ("kl_div_batchmean", lambda F, a, b: F.kl_div(a.log_softmax(1), b.softmax(1),
                                                  reduction="batchmean"), [A(3, 4), A(3, 4)]),
    ("kl_div_mean", lambda F, a, b: F.kl_div(a.log_softmax(1), b.softmax(1)), [A(3, 4), A(3, 4)]),
    ("kl_div_log_target", lambda F, a, b: F.kl_div(a, b, None, None, "none", True),
     [A(3, 4), A(3, 4)]),
    ("binary_cross_entropy", lambda F, a, b: F.binary_cross_entropy(a, b, reduction="sum"),
     [P(3, 4), P(3, 4)]),
    ("margin_ranking_loss", lambda F, a, b, y: F.margin_ranking_loss(a, b, y.sign().detach(),
                                                                     0.3), [A(5), A(5), A(5)]),
    ("hinge_embedding_loss", lambda F, a, y: F.hinge_embedding_loss(a, y.sign().detach(), 0.7),
     [A(3, 4), A(3, 4)]),
    ("cosine_embedding_loss", lambda F, a, b, y: F.cosine_embedding_loss(
        a, b, y.sign().detach(), 0.2), [A(5, 3), A(5, 3), A(5)]),
    ("soft_margin_loss", lambda F, a, y: F.soft_margin_loss(a, y.sign().detach()),
     [A(3, 4), A(3, 4)]),
    ("triplet_margin_loss", lambda F, a, p, n: F.triplet_margin_loss(a, p, n, 0.5, 1.5,
                                                                     swap=True),
     [A(4, 3), A(4, 3), A(4, 3)]),
    ("poisson_nll_loss", lambda F, a, t: F.poisson_nll_loss(a, t.abs()), [A(3, 4), A(3, 4) * 3]),
    ("poisson_nll_loss_no_log", lambda F, a, t: F.poisson_nll_loss(a.abs(), t.abs(),
                                                                   log_input=False, eps=1e-3),
     [A(3, 4), A(3, 4)]),
    ("mse_loss_size_average", lambda F, a, b: F.mse_loss(a, b, size_average=False),
     [A(3, 4), A(3, 4)]),
    ("l1_loss_reduce", lambda F, a, b: F.l1_loss(a, b, None, False), [A(3, 4), A(3, 4)]),
]


@pytest.mark.parametrize("name,program,inputs", FUNCTIONAL, ids=[c[0] for c in FUNCTIONAL])
def test_functional_matches_pytorch(name, program, inputs):
    run_both(lambda lib, *xs: program(lib.nn.functional, *xs), *inputs, rtol=1e-6, atol=1e-9)


# (id, program, inputs, which inputs require grad): class indices, weights and targets that take
# no gradient.
FUNCTIONAL_MIXED = [
    ("multi_margin_loss", lambda F, a, t, w: F.multi_margin_loss(a, t, 2, 0.5, w),
     [A(4, 5), I(5, 4), P(5)], [True, False, False]),
    ("multilabel_margin_loss", lambda F, a, t: F.multilabel_margin_loss(a, t),
     [A(3, 4), np.array([[3, 0, -1, 1], [0, 1, 2, 3], [1, -1, 0, 0]])], [True, False]),
    ("nll_loss_ignore_index", lambda F, a, t: F.nll_loss(a.log_softmax(1), t, None, None, 1),
     [A(4, 5), I(5, 4)], [True, False]),
    ("cross_entropy_weight_smoothing", lambda F, a, t, w: F.cross_entropy(
        a, t, w, label_smoothing=0.1), [A(4, 5), I(5, 4), P(5)], [True, False, False]),
    ("cross_entropy_legacy", lambda F, a, t: F.cross_entropy(a, t, None, False),
     [A(4, 5), I(5, 4)], [True, False]),
    ("binary_cross_entropy_weight", lambda F, a, b, w: F.binary_cross_entropy(a, b, w),
     [P(3, 4), P(3, 4), P(4)], [True, True, False]),
    ("bce_with_logits_pos_weight", lambda F, a, b, w, pw: F.binary_cross_entropy_with_logits(
        a, b, w, pos_weight=pw), [A(3, 4), P(3, 4), P(4), P(4)], [True, True, False, False]),
    ("multilabel_soft_margin_loss", lambda F, a, y, w: F.multilabel_soft_margin_loss(a, y, w),
     [A(3, 4), I(2, 3, 4).astype(np.float64), P(4)], [True, False, False]),
    # The Stirling term's gradient in the target differs (tensorgrad's C++ op detaches the
    # target there): only the input's gradient is compared.
    ("poisson_nll_loss_full", lambda F, a, t: F.poisson_nll_loss(a, t, full=True),
     [A(3, 4), np.abs(A(3, 4)) * 3], [True, False]),
    ("embedding_padding_idx", lambda F, t, w: F.embedding(t, w, padding_idx=1),
     [I(5, 2, 3), A(5, 3)], [False, True]),
    ("embedding_scale_grad_by_freq", lambda F, t, w: F.embedding(t, w, scale_grad_by_freq=True),
     [I(5, 2, 3), A(5, 3)], [False, True]),
    ("embedding_max_norm", lambda F, t, w: F.embedding(t, w, max_norm=0.5),
     [I(5, 2, 3), A(5, 3)], [False, False]),
    ("gumbel_softmax_hard_is_one_hot", lambda F, x: F.gumbel_softmax(x, hard=True).sum(-1),
     [A(3, 4)], [False]),
]


@pytest.mark.parametrize("name,program,inputs,grads", FUNCTIONAL_MIXED,
                         ids=[c[0] for c in FUNCTIONAL_MIXED])
def test_functional_with_indices_and_fixed_inputs_matches_pytorch(name, program, inputs, grads):
    run_both(lambda lib, *xs: program(lib.nn.functional, *xs), *inputs, grads=grads, rtol=1e-6,
             atol=1e-9)


def test_in_place_activations_modify_their_input():
    for name, args in [("elu", (0.5,)), ("selu", ()), ("celu", (0.5,)), ("relu6", ()),
                       ("hardtanh", (-0.5, 0.5)), ("leaky_relu", (0.2,)), ("threshold", (0.1, 2.0)),
                       ("relu", ()), ("rrelu", (0.1, 0.3))]:
        x0 = A(3, 4)
        a, b = tg.from_numpy(x0.copy()), torch.from_numpy(x0.copy())
        out_a = getattr(tg.nn.functional, name)(a, *args, inplace=True)
        out_b = getattr(torch.nn.functional, name)(b, *args, inplace=True)
        assert out_a is a
        assert_same(a, b)
        assert_same(out_a, out_b)


def test_dropout_variants_drop_whole_channels_and_scale():
    tg.manual_seed(0)
    F = tg.nn.functional
    # (op, input shape, the leading dims that name a channel)
    for fn, shape, lead in [(F.dropout1d, (8, 16, 5), 2), (F.dropout1d, (16, 5), 1),
                            (F.dropout2d, (8, 16, 3, 4), 2), (F.dropout2d, (16, 3, 4), 1),
                            (F.dropout3d, (8, 16, 2, 3, 2), 2), (F.dropout3d, (16, 2, 3, 2), 1)]:
        x = tg.ones(*shape, dtype=tg.float64)
        channels = fn(x, 0.25).reshape(int(np.prod(shape[:lead])), -1).numpy()
        assert set(np.unique(channels)) <= {0.0, 1 / 0.75}
        assert all(len(np.unique(row)) == 1 for row in channels)  # one draw per channel
        assert 0 < (channels[:, 0] == 0).mean() < 0.6
        assert tg.equal(fn(x, 0.25, training=False), x)
        z = tg.ones(*shape)
        assert fn(z, 0.5, inplace=True) is z and (z == 0).sum().item() > 0
    with pytest.raises(RuntimeError, match="dropout1d"):
        F.dropout1d(tg.ones(2, 3, 4, 5))
    with pytest.raises(ValueError, match="probability"):
        F.dropout2d(tg.ones(2, 3, 4), 1.5)


def test_rrelu_in_training_draws_slopes_within_bounds():
    x = tg.full((1000,), -1.0)
    y = tg.nn.functional.rrelu(x, 0.1, 0.3, training=True)
    slopes = -y.numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.03


def test_gumbel_softmax_samples_a_distribution():
    tg.manual_seed(1)
    y = tg.nn.functional.gumbel_softmax(tg.from_numpy(A(5, 4)), tau=0.5)
    np.testing.assert_allclose(y.sum(-1).numpy(), np.ones(5), rtol=1e-12)
    assert (y.numpy() >= 0).all()


# ---- modules ----

# (expression after nn., the input shapes): every input float, requiring grad.
MODULES = [
    ("Conv1d(2, 4, 3, padding=1)", (2, 2, 7)),
    ("Conv1d(2, 4, 3, padding='same', padding_mode='reflect')", (2, 2, 7)),
    ("Conv2d(2, 4, 3, padding='same', dilation=2, padding_mode='circular')", (1, 2, 6, 6)),
    ("Conv2d(2, 4, (3, 2), stride=(2, 1), padding=(1, 0), padding_mode='replicate')",
     (1, 2, 6, 5)),
    ("Conv3d(2, 4, 3, stride=2, padding=1, groups=2, bias=False)", (1, 2, 5, 5, 5)),
    ("ConvTranspose1d(2, 3, 3, stride=2)", (2, 2, 5)),
    ("ConvTranspose2d(2, 4, 3, stride=2, output_padding=1, groups=2)", (1, 2, 4, 4)),
    ("ConvTranspose3d(2, 3, 2, stride=2, bias=False)", (1, 2, 3, 3, 3)),
    ("MaxPool1d(2)", (2, 3, 8)),
    ("MaxPool2d(3, 2, 1, return_indices=True)", (1, 2, 7, 7)),
    ("MaxPool3d(2, 1)", (1, 2, 4, 4, 4)),
    ("AvgPool1d(3)", (2, 3, 9)),
    ("AvgPool2d(3, 2, 1, count_include_pad=False)", (1, 2, 7, 7)),
    ("AvgPool3d(2, divisor_override=3)", (1, 2, 4, 4, 4)),
    ("AdaptiveAvgPool1d(4)", (2, 3, 9)),
    ("AdaptiveAvgPool2d((None, 3))", (1, 2, 5, 7)),
    ("AdaptiveAvgPool3d(2)", (1, 2, 5, 4, 3)),
    ("AdaptiveMaxPool1d(4)", (2, 3, 9)),
    ("AdaptiveMaxPool2d(3, return_indices=True)", (1, 2, 7, 7)),
    ("AdaptiveMaxPool3d(2)", (1, 2, 5, 4, 3)),
    ("LPPool1d(2, 3)", (2, 3, 9)),
    ("LPPool2d(3, 2)", (1, 2, 6, 6)),
    ("LayerNorm([3, 4])", (2, 3, 4)),
    ("LayerNorm(4, elementwise_affine=False)", (2, 3, 4)),
    ("GroupNorm(2, 4)", (3, 4, 5)),
    ("BatchNorm1d(3)", (4, 3)),
    ("BatchNorm2d(3, momentum=None)", (2, 3, 2, 2)),
    ("BatchNorm3d(3, affine=False)", (2, 3, 2, 2, 2)),
    ("BatchNorm1d(3, track_running_stats=False)", (4, 3, 2)),
    ("InstanceNorm1d(3)", (2, 3, 5)),
    ("InstanceNorm1d(3)", (3, 5)),
    ("InstanceNorm2d(3, affine=True, track_running_stats=True)", (2, 3, 4, 4)),
    ("InstanceNorm3d(2)", (2, 2, 3, 3, 3)),
    ("LocalResponseNorm(2)", (2, 4, 3, 3)),
    ("ELU(0.5)", (3, 4)), ("SELU()", (3, 4)),
    ("CELU(0.7)", (3, 4)), ("GLU()", (3, 4)), ("Hardtanh(-0.5, 0.7)", (3, 4)),
    ("ReLU6()", (3, 4)), ("PReLU()", (2, 3, 4)), ("PReLU(3, 0.1)", (2, 3, 4)),
    ("RReLU()", (3, 4)), ("SiLU()", (3, 4)), ("Mish()", (3, 4)), ("Softplus(2, 1)", (3, 4)),
    ("Softsign()", (3, 4)), ("Softshrink(0.3)", (3, 4)), ("Hardshrink(0.3)", (3, 4)),
    ("Tanhshrink()", (3, 4)), ("Threshold(0.1, 2.0)", (3, 4)), ("Hardsigmoid()", (3, 4)),
    ("Hardswish()", (3, 4)), ("LogSigmoid()", (3, 4)), ("Softmin(1)", (3, 4)),
    ("Softmax2d()", (2, 3, 2, 2)), ("Softmax(dim=1)", (3, 4)), ("LogSoftmax(1)", (3, 4)),
    ("LeakyReLU(0.2)", (3, 4)), ("GELU('tanh')", (3, 4)), ("ReLU()", (3, 4)), ("Tanh()", (3, 4)),
    ("Sigmoid()", (3, 4)),
    ("Identity(3, x=2)", (3, 4)), ("Unflatten(1, (2, 3))", (2, 6)), ("Flatten()", (2, 3, 4)),
    ("Flatten(0, 1)", (2, 3, 4)),
    ("Dropout()", (3, 4)), ("Dropout1d()", (2, 3, 4)), ("Dropout2d(0.2)", (2, 3, 4, 4)),
    ("Dropout3d()", (2, 3, 2, 2, 2)),
    ("ZeroPad2d(1)", (1, 2, 3, 3)), ("ZeroPad2d((1, 0, 2, 1))", (1, 2, 3, 3)),
    ("ConstantPad1d((1, 2), 3.5)", (2, 3, 4)), ("ConstantPad2d(1, -1.0)", (2, 3, 4)),
    ("ConstantPad3d(1, 0.5)", (1, 1, 2, 2, 2)),
    ("ReflectionPad1d(2)", (2, 3, 4)), ("ReflectionPad2d((1, 0, 2, 1))", (1, 2, 4, 4)),
    ("ReflectionPad3d(1)", (1, 1, 3, 3, 3)), ("ReplicationPad1d(2)", (2, 3, 4)),
    ("ReplicationPad2d((1, 1, 2, 0))", (1, 2, 3, 3)), ("ReplicationPad3d(1)", (1, 1, 2, 2, 2)),
    ("Upsample(scale_factor=2)", (1, 2, 3, 3)),
    ("Upsample(size=(3, 4), mode='bilinear', align_corners=True)", (1, 2, 2, 3)),
    ("Upsample(scale_factor=2, mode='bicubic')", (1, 1, 3, 3)),
    ("Upsample(size=5, mode='linear')", (1, 2, 3)),
    ("Upsample(scale_factor=1.5, mode='trilinear')", (1, 1, 2, 2, 2)),
    ("UpsamplingNearest2d(scale_factor=2)", (1, 2, 3, 3)),
    ("UpsamplingBilinear2d(size=4)", (1, 2, 2, 2)),
    ("PixelShuffle(2)", (1, 8, 2, 2)), ("PixelUnshuffle(2)", (1, 2, 4, 4)),
    ("CosineSimilarity()", (3, 4), (3, 4)), ("CosineSimilarity(0, 1e-3)", (3, 4), (3, 4)),
    ("PairwiseDistance()", (3, 4), (3, 4)), ("PairwiseDistance(1, keepdim=True)", (3, 4), (3, 4)),
    ("Linear(4, 3)", (2, 4)), ("Linear(4, 3, bias=False)", (2, 5, 4)),
    ("L1Loss()", (3, 4), (3, 4)), ("MSELoss(reduction='sum')", (3, 4), (3, 4)),
    ("SmoothL1Loss(beta=0.5)", (3, 4), (3, 4)), ("HuberLoss('none', 0.3)", (3, 4), (3, 4)),
    ("MSELoss(size_average=False)", (3, 4), (3, 4)), ("L1Loss(reduce=False)", (3, 4), (3, 4)),
    ("TripletMarginLoss(0.5, 1.0)", (4, 3), (4, 3), (4, 3)),
]


def module_inputs(shapes):
    return [A(*s) for s in shapes]


@pytest.mark.parametrize("expr,shapes", [(c[0], c[1:]) for c in MODULES],
                         ids=[c[0] for c in MODULES])
def test_module_matches_pytorch(expr, shapes):
    run_module(lambda nn: eval("nn." + expr, {"nn": nn}), *module_inputs(shapes))


# Losses whose inputs take values in a range, or that take class indices.
LOSSES = [
    ("BCELoss()", [P(3, 4), P(3, 4)], None),
    ("BCELoss(weight=weight)", [P(3, 4), P(3, 4)], P(4)),
    ("BCEWithLogitsLoss(pos_weight=weight)", [A(3, 4), P(3, 4)], P(4)),
    ("KLDivLoss(reduction='batchmean')", [np.log(P(3, 4)), P(3, 4)], None),
    ("KLDivLoss(log_target=True)", [A(3, 4), A(3, 4)], None),
    ("MarginRankingLoss(0.2)", [A(5), A(5), np.sign(A(5))], None),
    ("HingeEmbeddingLoss(0.5)", [A(3, 4), np.sign(A(3, 4))], None),
    ("CosineEmbeddingLoss(0.1)", [A(5, 3), A(5, 3), np.sign(A(5))], None),
    ("SoftMarginLoss()", [A(3, 4), np.sign(A(3, 4))], None),
    ("MultiLabelMarginLoss()", [A(2, 4), np.array([[3, 0, -1, 1], [1, 2, 3, 0]])], None),
    ("MultiLabelSoftMarginLoss(weight)", [A(3, 4), I(2, 3, 4).astype(np.float64)], P(4)),
    ("MultiMarginLoss(p=2, margin=0.5, weight=weight)", [A(4, 5), I(5, 4)], P(5)),
    ("PoissonNLLLoss()", [A(3, 4), np.abs(A(3, 4))], None),
    ("PoissonNLLLoss(log_input=False, full=True)", [P(3, 4), np.abs(A(3, 4)) * 3], None),
    ("CrossEntropyLoss(weight, ignore_index=2, label_smoothing=0.2)", [A(4, 5), I(5, 4)], P(5)),
    ("CrossEntropyLoss(reduction='none')", [A(4, 5, 2), I(5, 4, 2)], None),
    ("NLLLoss(weight)", [np.log(P(4, 5)), I(5, 4)], P(5)),
]


@pytest.mark.parametrize("expr,inputs,weight", LOSSES, ids=[c[0] for c in LOSSES])
def test_loss_module_matches_pytorch(expr, inputs, weight):
    grads = [True] + [False] * (len(inputs) - 1)

    def make(nn):
        lib = tg if nn is tg.nn else torch
        w = None if weight is None else lib.from_numpy(weight.copy())
        return eval("nn." + expr, {"nn": nn, "weight": w})

    m, r = run_module(make, *inputs, grads=grads)
    assert list(m.state_dict()) == list(r.state_dict())  # weight and pos_weight are buffers


def test_modules_in_training_mode_draw_as_their_functional_ops():
    tg.manual_seed(3)
    x = tg.ones(64, 8)
    y = tg.nn.Dropout(0.5)(x)
    assert set(np.unique(y.numpy())) == {0.0, 2.0}
    assert tg.equal(tg.nn.Dropout(0.5).eval()(x), x)
    r = tg.nn.RReLU(0.1, 0.2)(-x)
    assert -r.numpy().max() >= 0.1 and -r.numpy().min() <= 0.2 and r.numpy().std() > 0
    with pytest.raises(ValueError, match="probability"):
        tg.nn.Dropout2d(-0.1)


def test_conv_transpose_output_size_picks_output_padding():
    m, r = tg.nn.ConvTranspose2d(2, 3, 3, stride=2), torch.nn.ConvTranspose2d(2, 3, 3, stride=2)
    r.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in m.state_dict().items()})
    x = A(1, 2, 4, 4).astype(np.float32)
    out = m(tg.from_numpy(x), output_size=[10, 10])
    assert_same(out, r(torch.from_numpy(x), output_size=[10, 10]), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError):
        m(tg.from_numpy(x), output_size=[14, 14])


def test_max_unpool_module_takes_output_size():
    F = tg.nn.functional
    m = tg.nn.MaxUnpool2d(2)
    assert repr(m) == repr(torch.nn.MaxUnpool2d(2))
    pooled, idx = F.max_pool2d(tg.from_numpy(A(1, 1, 5, 5)), 2, return_indices=True)
    assert m(pooled, idx, (5, 5)).shape == (1, 1, 5, 5)
    pooled, idx = F.max_pool2d(tg.from_numpy(A(1, 1, 4, 4)), 2, return_indices=True)
    assert m(pooled, idx).shape == (1, 1, 4, 4)


@pytest.mark.parametrize("expr", ["ELU(inplace=True)", "SELU(True)", "Hardtanh(inplace=True)",
                                  "ReLU(inplace=True)", "LeakyReLU(0.1, True)", "SiLU(True)",
                                  "Threshold(0.1, 2.0, True)", "RReLU(inplace=True)",
                                  "Dropout3d(inplace=True)", "CELU(2.0, True)"])
def test_in_place_layers_print_as_pytorchs(expr):
    m, r = eval("tg.nn." + expr), eval("torch.nn." + expr)
    assert repr(m) == repr(r)
    x0 = A(3, 4, 2, 2)
    a, b = tg.from_numpy(x0.copy()), torch.from_numpy(x0.copy())
    m.eval()
    r.eval()
    assert_same(m(a), r(b))
    if "SiLU" not in expr:  # no in-place C++ op: the input stays as it was
        assert_same(a, b)


def test_layer_constructor_arguments_are_pytorchs():
    import inspect
    for name in ["Conv1d", "Conv3d", "ConvTranspose2d", "MaxPool1d", "AvgPool3d", "LayerNorm",
                 "GroupNorm", "InstanceNorm2d", "BatchNorm3d", "ELU", "Hardtanh", "RReLU",
                 "Threshold", "Softplus", "SmoothL1Loss", "KLDivLoss", "TripletMarginLoss",
                 "PoissonNLLLoss", "CrossEntropyLoss", "Dropout2d", "Upsample", "PixelShuffle",
                 "CosineSimilarity", "PairwiseDistance", "ConstantPad2d", "Embedding", "PReLU"]:
        ours = inspect.signature(getattr(tg.nn, name).__init__).parameters
        theirs = inspect.signature(getattr(torch.nn, name).__init__).parameters
        names = [p for p in theirs if p not in ("min_value", "max_value")]
        assert list(ours)[:len(names)] == names, name
        for p in names:
            assert ours[p].default == theirs[p].default, (name, p)


def test_embedding_from_pretrained_and_padding_row():
    w = tg.from_numpy(A(4, 3))
    e = tg.nn.Embedding.from_pretrained(w)
    assert not e.weight.requires_grad and tg.equal(e(tg.tensor([2])), w[2:3])
    e = tg.nn.Embedding(4, 3, padding_idx=-1)
    assert e.padding_idx == 3 and e.weight[3].abs().sum().item() == 0
    assert repr(e) == "Embedding(4, 3, padding_idx=3)"


def test_triplet_margin_with_distance_loss_calls_a_python_distance():
    def program(lib, a, p, n):
        cos = lambda x, y: 1 - lib.nn.functional.cosine_similarity(x, y)  # noqa: E731
        F = lib.nn.functional
        return (F.triplet_margin_with_distance_loss(a, p, n, distance_function=cos, margin=0.5,
                                                    swap=True),
                F.triplet_margin_with_distance_loss(a, p, n, reduction="none"))

    run_both(program, A(4, 3), A(4, 3), A(4, 3), rtol=1e-6, atol=1e-9)
    run_module(lambda nn: nn.TripletMarginWithDistanceLoss(
        distance_function=nn.PairwiseDistance(1), margin=2.0), A(4, 3), A(4, 3), A(4, 3))
    with pytest.raises(TypeError):
        tg.nn.TripletMarginWithDistanceLoss(None)  # keyword-only, as PyTorch's


def test_deprecated_upsample_functions():
    run_both(lambda lib, x: (lib.nn.functional.upsample_nearest(x, scale_factor=2),
                             lib.nn.functional.upsample_bilinear(x, size=(3, 5)),
                             lib.nn.functional.upsample(x, size=4, mode="bicubic")),
             A(1, 2, 2, 3), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("dtype", ["float64", "float16", "bfloat16"])
def test_layers_take_a_dtype(dtype):
    d = getattr(tg, dtype)
    for m in [tg.nn.Linear(3, 2, dtype=d), tg.nn.Conv2d(1, 2, 3, dtype=d),
              tg.nn.BatchNorm1d(3, dtype=d), tg.nn.LayerNorm(3, dtype=d),
              tg.nn.Embedding(4, 3, dtype=d), tg.nn.LSTM(3, 2, dtype=d),
              tg.nn.MultiheadAttention(4, 2, dtype=d), tg.nn.PReLU(dtype=d)]:
        assert all(p.dtype is d for p in m.parameters()), type(m).__name__
    x = tg.ones(2, 3, dtype=tg.float64)
    assert tg.nn.Linear(3, 2, dtype=tg.float64)(x).dtype is tg.float64
