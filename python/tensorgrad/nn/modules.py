"""The layers, as PyTorch's Python modules: constructor arguments, attribute and parameter names,
shapes, initialisation and printing as PyTorch 1.13; forward calls the C++ op (through
nn.functional).

The modules without parameters are made by `_functional_module`, from a table row: the
constructor's arguments, which of them forward passes on to the functional op, and the printed
form."""

import inspect
import math

from .. import _C
from ..autograd.grad_mode import no_grad
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


def _ntuple(n):
    def parse(v):
        return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n

    return parse


_single, _pair, _triple = _ntuple(1), _ntuple(2), _ntuple(3)
_REQUIRED = inspect.Parameter.empty


class _ReprFields:
    """What an extra_repr format string reads: the module's attributes, and `_inplace`, which is
    ", inplace=True" when the module is in place and empty otherwise (as PyTorch prints it)."""

    def __init__(self, module):
        self.module = module

    def __getitem__(self, key):
        if key == "_inplace":
            return ", inplace=True" if getattr(self.module, "inplace", False) else ""
        return getattr(self.module, key)


def _legacy_reduction(arguments):
    # A loss's size_average and reduce (deprecated) become its reduction, as in PyTorch.
    size_average, reduce = arguments.pop("size_average", None), arguments.pop("reduce", None)
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        arguments["reduction"] = "mean" if size_average and reduce else "sum" if reduce else "none"


def _functional_module(name, fn, params=(), call=None, extra_repr="", setup=None, buffers=(),
                       doc=None):
    """A Module class `name` whose constructor takes params [(argument, default)...] (default
    _REQUIRED for a required one) and keeps each as an attribute of that name (those in buffers
    as buffers), then runs setup(self); forward(*inputs, **kwargs) is
    fn(*inputs, **kwargs, argument=self.argument for each argument in call (all params by
    default; "training" is the module's mode)). extra_repr is a format string over the
    attributes."""
    kinds = []  # a "*" entry makes the arguments after it keyword-only
    for p, _ in params:
        if p == "*" or (kinds and kinds[-1][1] == inspect.Parameter.KEYWORD_ONLY):
            kinds.append((p, inspect.Parameter.KEYWORD_ONLY))
        else:
            kinds.append((p, inspect.Parameter.POSITIONAL_OR_KEYWORD))
    params = [(p, d) for p, d in params if p != "*"]
    kinds = dict(kinds)
    signature = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)] +
        [inspect.Parameter(p, kinds[p], default=d) for p, d in params])
    call = tuple(p for p, _ in params if p not in ("size_average", "reduce")) \
        if call is None else tuple(call)

    def __init__(self, *args, **kwargs):
        Module.__init__(self)
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        del arguments["self"]
        _legacy_reduction(arguments)
        for key, value in arguments.items():
            if key in buffers:
                self.register_buffer(key, value)
            else:
                setattr(self, key, value)
        if setup is not None:
            setup(self)

    def forward(self, *inputs, **kwargs):
        return fn(*inputs, **kwargs, **{a: getattr(self, a) for a in call})

    def extra_repr_(self):
        return extra_repr.format_map(_ReprFields(self)).lstrip(", ")

    __init__.__signature__ = signature
    return type(name, (Module,), {
        "__init__": __init__, "forward": forward, "extra_repr": extra_repr_,
        "__module__": __name__, "__qualname__": name,
        "__doc__": doc or f"{name}: forward is nn.functional.{getattr(fn, '__name__', name)}."})


# ---- activations ----

_INPLACE = [("inplace", False)]
ReLU = _functional_module("ReLU", F.relu, _INPLACE, extra_repr="{_inplace}")
ReLU6 = _functional_module("ReLU6", F.relu6, _INPLACE, extra_repr="{_inplace}")
SELU = _functional_module("SELU", F.selu, _INPLACE, extra_repr="{_inplace}")
SiLU = _functional_module("SiLU", F.silu, _INPLACE, extra_repr="{_inplace}")
Mish = _functional_module("Mish", F.mish, _INPLACE, extra_repr="{_inplace}")
Hardsigmoid = _functional_module("Hardsigmoid", F.hardsigmoid, _INPLACE, extra_repr="{_inplace}")
Hardswish = _functional_module("Hardswish", F.hardswish, _INPLACE, extra_repr="{_inplace}")
Tanh = _functional_module("Tanh", F.tanh)
Sigmoid = _functional_module("Sigmoid", F.sigmoid)
LogSigmoid = _functional_module("LogSigmoid", F.logsigmoid)
Softsign = _functional_module("Softsign", F.softsign)
Tanhshrink = _functional_module("Tanhshrink", F.tanhshrink)
GELU = _functional_module("GELU", F.gelu, [("approximate", "none")],
                          extra_repr="approximate={approximate!r}")
LeakyReLU = _functional_module("LeakyReLU", F.leaky_relu,
                               [("negative_slope", 0.01), ("inplace", False)],
                               extra_repr="negative_slope={negative_slope}{_inplace}")
ELU = _functional_module("ELU", F.elu, [("alpha", 1.0), ("inplace", False)],
                         extra_repr="alpha={alpha}{_inplace}")
CELU = _functional_module("CELU", F.celu, [("alpha", 1.0), ("inplace", False)],
                          extra_repr="alpha={alpha}{_inplace}")
Hardtanh = _functional_module("Hardtanh", F.hardtanh,
                              [("min_val", -1.0), ("max_val", 1.0), ("inplace", False)],
                              extra_repr="min_val={min_val}, max_val={max_val}{_inplace}")
Threshold = _functional_module("Threshold", F.threshold,
                               [("threshold", _REQUIRED), ("value", _REQUIRED),
                                ("inplace", False)],
                               extra_repr="threshold={threshold}, value={value}{_inplace}")
RReLU = _functional_module("RReLU", F.rrelu,
                           [("lower", 1.0 / 8), ("upper", 1.0 / 3), ("inplace", False)],
                           call=("lower", "upper", "training", "inplace"),
                           extra_repr="lower={lower}, upper={upper}{_inplace}")
GLU = _functional_module("GLU", F.glu, [("dim", -1)], extra_repr="dim={dim}")
Softplus = _functional_module("Softplus", F.softplus, [("beta", 1), ("threshold", 20)],
                              extra_repr="beta={beta}, threshold={threshold}")
Softshrink = _functional_module("Softshrink", F.softshrink, [("lambd", 0.5)],
                                extra_repr="{lambd}")
Hardshrink = _functional_module("Hardshrink", F.hardshrink, [("lambd", 0.5)],
                                extra_repr="{lambd}")
Softmax = _functional_module("Softmax", F.softmax, [("dim", None)], extra_repr="dim={dim}")
Softmin = _functional_module("Softmin", F.softmin, [("dim", None)], extra_repr="dim={dim}")
LogSoftmax = _functional_module("LogSoftmax", F.log_softmax, [("dim", None)],
                                extra_repr="dim={dim}")


def _softmax2d(input):
    if input.dim() not in (3, 4):
        raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead")
    return F.softmax(input, -3)


Softmax2d = _functional_module("Softmax2d", _softmax2d)


class PReLU(Module):
    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters, self.init = num_parameters, init
        self.weight = Parameter(_C.full((num_parameters,), init, dtype=dtype or _C.float32))

    def reset_parameters(self):
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


# ---- pooling ----

def _stride_or_kernel(self):
    self.stride = self.stride if self.stride is not None else self.kernel_size


def _as_tuples(parse, *names):
    def setup(self):
        _stride_or_kernel(self)
        for n in names:
            setattr(self, n, parse(getattr(self, n)))

    return setup


_MAX_POOL = [("kernel_size", _REQUIRED), ("stride", None), ("padding", 0), ("dilation", 1),
             ("return_indices", False), ("ceil_mode", False)]
_MAX_POOL_REPR = ("kernel_size={kernel_size}, stride={stride}, padding={padding}, "
                  "dilation={dilation}, ceil_mode={ceil_mode}")
_AVG_POOL = [("kernel_size", _REQUIRED), ("stride", None), ("padding", 0), ("ceil_mode", False),
             ("count_include_pad", True), ("divisor_override", None)]
_AVG_POOL_REPR = "kernel_size={kernel_size}, stride={stride}, padding={padding}"
_UNPOOL = [("kernel_size", _REQUIRED), ("stride", None), ("padding", 0)]
_LP_POOL = [("norm_type", _REQUIRED), ("kernel_size", _REQUIRED), ("stride", None),
            ("ceil_mode", False)]

MaxPool1d = _functional_module("MaxPool1d", F.max_pool1d, _MAX_POOL, setup=_stride_or_kernel,
                               extra_repr=_MAX_POOL_REPR)
MaxPool2d = _functional_module("MaxPool2d", F.max_pool2d, _MAX_POOL, setup=_stride_or_kernel,
                               extra_repr=_MAX_POOL_REPR)
MaxPool3d = _functional_module("MaxPool3d", F.max_pool3d, _MAX_POOL, setup=_stride_or_kernel,
                               extra_repr=_MAX_POOL_REPR)
AvgPool1d = _functional_module("AvgPool1d", F.avg_pool1d, _AVG_POOL[:-1],
                               setup=_as_tuples(_single, "kernel_size", "stride", "padding"),
                               extra_repr=_AVG_POOL_REPR)
AvgPool2d = _functional_module("AvgPool2d", F.avg_pool2d, _AVG_POOL, setup=_stride_or_kernel,
                               extra_repr=_AVG_POOL_REPR)
AvgPool3d = _functional_module("AvgPool3d", F.avg_pool3d, _AVG_POOL, setup=_stride_or_kernel,
                               extra_repr=_AVG_POOL_REPR)


def _unpool(n):
    # forward(input, indices, output_size=None), as PyTorch's.
    fn = getattr(F, f"max_unpool{n}d")
    return _functional_module(
        f"MaxUnpool{n}d", lambda input, indices, output_size=None, **kw: fn(
            input, indices, output_size=output_size, **kw), _UNPOOL,
        setup=_as_tuples(_ntuple(n), "kernel_size", "stride", "padding"),
        extra_repr=_AVG_POOL_REPR)


MaxUnpool1d, MaxUnpool2d, MaxUnpool3d = _unpool(1), _unpool(2), _unpool(3)
LPPool1d = _functional_module("LPPool1d", F.lp_pool1d, _LP_POOL,
                              extra_repr="norm_type={norm_type}, kernel_size={kernel_size}, "
                              "stride={stride}, ceil_mode={ceil_mode}")
LPPool2d = _functional_module("LPPool2d", F.lp_pool2d, _LP_POOL,
                              extra_repr="norm_type={norm_type}, kernel_size={kernel_size}, "
                              "stride={stride}, ceil_mode={ceil_mode}")
_ADAPTIVE_MAX = [("output_size", _REQUIRED), ("return_indices", False)]
AdaptiveAvgPool1d = _functional_module("AdaptiveAvgPool1d", F.adaptive_avg_pool1d,
                                       [("output_size", _REQUIRED)],
                                       extra_repr="output_size={output_size}")
AdaptiveAvgPool2d = _functional_module("AdaptiveAvgPool2d", F.adaptive_avg_pool2d,
                                       [("output_size", _REQUIRED)],
                                       extra_repr="output_size={output_size}")
AdaptiveAvgPool3d = _functional_module("AdaptiveAvgPool3d", F.adaptive_avg_pool3d,
                                       [("output_size", _REQUIRED)],
                                       extra_repr="output_size={output_size}")
AdaptiveMaxPool1d = _functional_module("AdaptiveMaxPool1d", F.adaptive_max_pool1d, _ADAPTIVE_MAX,
                                       extra_repr="output_size={output_size}")
AdaptiveMaxPool2d = _functional_module("AdaptiveMaxPool2d", F.adaptive_max_pool2d, _ADAPTIVE_MAX,
                                       extra_repr="output_size={output_size}")
AdaptiveMaxPool3d = _functional_module("AdaptiveMaxPool3d", F.adaptive_max_pool3d, _ADAPTIVE_MAX,
                                       extra_repr="output_size={output_size}")

# ---- dropout, shape, padding, distances, upsampling ----

_DROPOUT = [("p", 0.5), ("inplace", False)]
_DROPOUT_CALL = ("p", "training", "inplace")


def _check_dropout(self):
    if self.p < 0 or self.p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {self.p}")


Dropout = _functional_module("Dropout", F.dropout, _DROPOUT, _DROPOUT_CALL,
                             "p={p}, inplace={inplace}", _check_dropout)
Dropout1d = _functional_module("Dropout1d", F.dropout1d, _DROPOUT, _DROPOUT_CALL,
                               "p={p}, inplace={inplace}", _check_dropout)
Dropout2d = _functional_module("Dropout2d", F.dropout2d, _DROPOUT, _DROPOUT_CALL,
                               "p={p}, inplace={inplace}", _check_dropout)
Dropout3d = _functional_module("Dropout3d", F.dropout3d, _DROPOUT, _DROPOUT_CALL,
                               "p={p}, inplace={inplace}", _check_dropout)


class Identity(Module):
    """The input itself; the constructor's arguments are ignored, as PyTorch's."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


Flatten = _functional_module("Flatten",
                             lambda input, start_dim, end_dim: input.flatten(start_dim, end_dim),
                             [("start_dim", 1), ("end_dim", -1)],
                             extra_repr="start_dim={start_dim}, end_dim={end_dim}")


def _unflatten(input, dim, unflattened_size):
    dim = dim + input.dim() if dim < 0 else dim
    shape = list(input.shape)
    return input.view(shape[:dim] + list(unflattened_size) + shape[dim + 1:])


Unflatten = _functional_module("Unflatten", _unflatten,
                               [("dim", _REQUIRED), ("unflattened_size", _REQUIRED)],
                               extra_repr="dim={dim}, unflattened_size={unflattened_size}")


def _padding(n):
    # An int pads every side; a tuple lists (left, right, top, bottom, front, back).
    def setup(self):
        self.padding = _ntuple(2 * n)(self.padding)

    return setup


def _pad_module(name, n, mode):
    if mode == "constant":
        return _functional_module(
            name, lambda input, padding, value: F.pad(input, padding, mode, value),
            [("padding", _REQUIRED), ("value", _REQUIRED)], setup=_padding(n),
            extra_repr="padding={padding}, value={value}")
    return _functional_module(name, lambda input, padding: F.pad(input, padding, mode),
                              [("padding", _REQUIRED)], setup=_padding(n), extra_repr="{padding}")


ReflectionPad1d = _pad_module("ReflectionPad1d", 1, "reflect")
ReflectionPad2d = _pad_module("ReflectionPad2d", 2, "reflect")
ReflectionPad3d = _pad_module("ReflectionPad3d", 3, "reflect")
ReplicationPad1d = _pad_module("ReplicationPad1d", 1, "replicate")
ReplicationPad2d = _pad_module("ReplicationPad2d", 2, "replicate")
ReplicationPad3d = _pad_module("ReplicationPad3d", 3, "replicate")
ConstantPad1d = _pad_module("ConstantPad1d", 1, "constant")
ConstantPad2d = _pad_module("ConstantPad2d", 2, "constant")
ConstantPad3d = _pad_module("ConstantPad3d", 3, "constant")


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


CosineSimilarity = _functional_module("CosineSimilarity", F.cosine_similarity,
                                      [("dim", 1), ("eps", 1e-8)])
PairwiseDistance = _functional_module("PairwiseDistance", F.pairwise_distance,
                                      [("p", 2.0), ("eps", 1e-6), ("keepdim", False)],
                                      call=("p", "eps", "keepdim"))
PixelShuffle = _functional_module("PixelShuffle", F.pixel_shuffle,
                                  [("upscale_factor", _REQUIRED)],
                                  extra_repr="upscale_factor={upscale_factor}")
PixelUnshuffle = _functional_module("PixelUnshuffle", F.pixel_unshuffle,
                                    [("downscale_factor", _REQUIRED)],
                                    extra_repr="downscale_factor={downscale_factor}")
LocalResponseNorm = _functional_module("LocalResponseNorm", F.local_response_norm,
                                       [("size", _REQUIRED), ("alpha", 1e-4), ("beta", 0.75),
                                        ("k", 1.0)],
                                       extra_repr="{size}, alpha={alpha}, beta={beta}, k={k}")


class Upsample(Module):
    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor = tuple(float(f) for f in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode, self.align_corners = mode, align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self):
        if self.scale_factor is not None:
            info = "scale_factor=" + repr(self.scale_factor)
        else:
            info = "size=" + repr(self.size)
        return info + ", mode=" + self.mode


class UpsamplingNearest2d(Upsample):
    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    def __init__(self, size=None, scale_factor=None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)


# ---- losses ----

_LEGACY = [("size_average", None), ("reduce", None), ("reduction", "mean")]
_WEIGHT = [("weight", None)]


def _loss(name, fn, params=_LEGACY, buffers=()):
    return _functional_module(name, fn, params, buffers=buffers, doc=f"{name}: forward is "
                              f"nn.functional.{fn.__name__}, reduced by `reduction`.")


L1Loss = _loss("L1Loss", F.l1_loss)
MSELoss = _loss("MSELoss", F.mse_loss)
SoftMarginLoss = _loss("SoftMarginLoss", F.soft_margin_loss)
MultiLabelMarginLoss = _loss("MultiLabelMarginLoss", F.multilabel_margin_loss)
SmoothL1Loss = _loss("SmoothL1Loss", F.smooth_l1_loss, _LEGACY + [("beta", 1.0)])
HuberLoss = _loss("HuberLoss", F.huber_loss, [("reduction", "mean"), ("delta", 1.0)])
KLDivLoss = _loss("KLDivLoss", F.kl_div, _LEGACY + [("log_target", False)])
BCELoss = _loss("BCELoss", F.binary_cross_entropy, _WEIGHT + _LEGACY, buffers=("weight",))
BCEWithLogitsLoss = _loss("BCEWithLogitsLoss", F.binary_cross_entropy_with_logits,
                          _WEIGHT + _LEGACY + [("pos_weight", None)],
                          buffers=("weight", "pos_weight"))
MultiLabelSoftMarginLoss = _loss("MultiLabelSoftMarginLoss", F.multilabel_soft_margin_loss,
                                 _WEIGHT + _LEGACY, buffers=("weight",))
NLLLoss = _loss("NLLLoss", F.nll_loss,
                [("weight", None), ("size_average", None), ("ignore_index", -100),
                 ("reduce", None), ("reduction", "mean")], buffers=("weight",))
CrossEntropyLoss = _loss("CrossEntropyLoss", F.cross_entropy,
                         [("weight", None), ("size_average", None), ("ignore_index", -100),
                          ("reduce", None), ("reduction", "mean"), ("label_smoothing", 0.0)],
                         buffers=("weight",))
MultiMarginLoss = _loss("MultiMarginLoss", F.multi_margin_loss,
                        [("p", 1), ("margin", 1.0)] + _WEIGHT + _LEGACY, buffers=("weight",))
MarginRankingLoss = _loss("MarginRankingLoss", F.margin_ranking_loss, [("margin", 0.0)] + _LEGACY)
HingeEmbeddingLoss = _loss("HingeEmbeddingLoss", F.hinge_embedding_loss,
                           [("margin", 1.0)] + _LEGACY)
CosineEmbeddingLoss = _loss("CosineEmbeddingLoss", F.cosine_embedding_loss,
                            [("margin", 0.0)] + _LEGACY)
TripletMarginWithDistanceLoss = _loss(
    "TripletMarginWithDistanceLoss", F.triplet_margin_with_distance_loss,
    [("*", None), ("distance_function", None), ("margin", 1.0), ("swap", False),
     ("reduction", "mean")])
TripletMarginLoss = _loss("TripletMarginLoss", F.triplet_margin_loss,
                          [("margin", 1.0), ("p", 2.0), ("eps", 1e-6), ("swap", False)] + _LEGACY)
PoissonNLLLoss = _loss("PoissonNLLLoss", F.poisson_nll_loss,
                       [("log_input", True), ("full", False), ("size_average", None),
                        ("eps", 1e-8), ("reduce", None), ("reduction", "mean")])

# ---- layers with parameters ----


def _factory_dtype(dtype):
    return dtype if dtype is not None else _C.float32


class Linear(Module):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(_C.empty(out_features, in_features, dtype=_factory_dtype(dtype)))
        if bias:
            self.bias = Parameter(_C.empty(out_features, dtype=_factory_dtype(dtype)))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class _ConvNd(Module):
    """Conv1d/2d/3d and ConvTranspose1d/2d/3d: weight [out, in / groups, *kernel] (transposed:
    [in, out / groups, *kernel]) and bias [out], PyTorch's initialisation; a padding_mode other
    than "zeros" pads with F.pad first, as PyTorch does."""

    _n = 2
    _transposed = False

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None,
                 output_padding=0):
        super().__init__()
        parse = _ntuple(self._n)
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode not in ("zeros", "reflect", "replicate", "circular"):
            raise ValueError(f"padding_mode must be one of ['zeros', 'reflect', 'replicate', "
                             f"'circular'], but got padding_mode='{padding_mode}'")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 "{'valid', 'same'}")
            if padding == "same" and any(s != 1 for s in parse(stride)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride = parse(kernel_size), parse(stride)
        self.padding = padding if isinstance(padding, str) else parse(padding)
        self.dilation, self.transposed = parse(dilation), self._transposed
        self.output_padding, self.groups = parse(output_padding), groups
        self.padding_mode = padding_mode
        shape = ((in_channels, out_channels // groups) if self._transposed
                 else (out_channels, in_channels // groups)) + self.kernel_size
        self.weight = Parameter(_C.empty(*shape, dtype=_factory_dtype(dtype)))
        if bias:
            self.bias = Parameter(_C.empty(out_channels, dtype=_factory_dtype(dtype)))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _mode_padding(self):
        # F.pad's amounts (last dim first) for padding_mode: the conv's padding on both sides,
        # or for "same" the total d (k - 1) split with the extra element at the end.
        out = []
        for d in reversed(range(self._n)):
            if self.padding == "same":
                total = self.dilation[d] * (self.kernel_size[d] - 1)
                out += [total // 2, total - total // 2]
            elif self.padding == "valid":
                out += [0, 0]
            else:
                out += [self.padding[d], self.padding[d]]
        return out

    def forward(self, input):
        conv = getattr(F, f"conv{self._n}d")
        if self.padding_mode != "zeros":
            input = F.pad(input, self._mode_padding(), self.padding_mode)
            return conv(input, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)
        return conv(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                    self.groups)

    def extra_repr(self):
        n = self._n
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, " \
            f"stride={self.stride}"
        if self.padding != (0,) * (n if not isinstance(self.padding, str) else 4):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _ConvTransposeNd(_ConvNd):
    _transposed = True

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f"Only \"zeros\" padding mode is supported for "
                             f"{type(self).__name__}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype, output_padding)

    def _output_padding(self, input, output_size):
        if output_size is None:
            return self.output_padding
        n = self._n
        output_size = list(output_size)[-n:]
        out = []
        for d in range(n):
            smallest = ((input.shape[input.dim() - n + d] - 1) * self.stride[d] -
                        2 * self.padding[d] + self.dilation[d] * (self.kernel_size[d] - 1) + 1)
            extra = output_size[d] - smallest
            if extra < 0 or extra >= max(self.stride[d], self.dilation[d]):
                raise ValueError(f"requested an output size of {output_size}, but valid sizes "
                                 f"range from {smallest} (for an input of {input.shape})")
            out.append(extra)
        return tuple(out)

    def forward(self, input, output_size=None):
        conv = getattr(F, f"conv_transpose{self._n}d")
        return conv(input, self.weight, self.bias, self.stride, self.padding,
                    self._output_padding(input, output_size), self.groups, self.dilation)


class Conv1d(_ConvNd):
    _n = 1


class Conv2d(_ConvNd):
    _n = 2


class Conv3d(_ConvNd):
    _n = 3


class ConvTranspose1d(_ConvTransposeNd):
    _n = 1


class ConvTranspose2d(_ConvTransposeNd):
    _n = 2


class ConvTranspose3d(_ConvTransposeNd):
    _n = 3


class _NormBase(Module):
    """What BatchNorm and InstanceNorm share: weight and bias [C] when affine, running_mean,
    running_var and num_batches_tracked when track_running_stats."""

    _dims = ()  # the input ranks forward accepts

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, device=None, dtype=None):
        super().__init__()
        dtype = _factory_dtype(dtype)
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(_C.ones(num_features, dtype=dtype))
            self.bias = Parameter(_C.zeros(num_features, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", _C.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", _C.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", _C.tensor(0))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self):
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def _check_input_dim(self, input):
        if input.dim() not in self._dims:
            expected = " or ".join(f"{d}D" for d in self._dims)
            raise ValueError(f"expected {expected} input (got {input.dim()}D input)")

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    def forward(self, input):
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # a cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())
        use_batch_stats = self.training or (self.running_mean is None and
                                            self.running_var is None)
        keep = not self.training or self.track_running_stats
        return F.batch_norm(input, self.running_mean if keep else None,
                            self.running_var if keep else None, self.weight, self.bias,
                            use_batch_stats, factor, self.eps)


class BatchNorm1d(_BatchNorm):
    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    _dims = (4,)


class BatchNorm3d(_BatchNorm):
    _dims = (5,)


class _InstanceNorm(_NormBase):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=False,
                 track_running_stats=False, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)

    def forward(self, input):
        self._check_input_dim(input)
        if input.dim() == self._dims[0]:  # unbatched: a batch of one
            return self.forward(input.unsqueeze(0)).squeeze(0)
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                               self.training or not self.track_running_stats, self.momentum,
                               self.eps)


class InstanceNorm1d(_InstanceNorm):
    _dims = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    _dims = (3, 4)


class InstanceNorm3d(_InstanceNorm):
    _dims = (4, 5)


class LayerNorm(Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, device=None,
                 dtype=None):
        super().__init__()
        self.normalized_shape = tuple(_single(normalized_shape))
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(_C.ones(*self.normalized_shape, dtype=_factory_dtype(dtype)))
            self.bias = Parameter(_C.zeros(*self.normalized_shape, dtype=_factory_dtype(dtype)))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self):
        if self.elementwise_affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class GroupNorm(Module):
    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, device=None, dtype=None):
        super().__init__()
        if num_channels % num_groups != 0:
            raise ValueError("num_channels must be divisible by num_groups")
        self.num_groups, self.num_channels, self.eps, self.affine = (num_groups, num_channels,
                                                                     eps, affine)
        if affine:
            self.weight = Parameter(_C.ones(num_channels, dtype=_factory_dtype(dtype)))
            self.bias = Parameter(_C.zeros(num_channels, dtype=_factory_dtype(dtype)))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self):
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"


class Embedding(Module):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None,
                 norm_type=2.0, scale_grad_by_freq=False, sparse=False, _weight=None,
                 device=None, dtype=None):
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise AssertionError("Padding_idx must be within num_embeddings")
            if padding_idx < 0:
                padding_idx += num_embeddings
        self.padding_idx, self.max_norm, self.norm_type = padding_idx, max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            self.weight = Parameter(_C.empty(num_embeddings, embedding_dim,
                                             dtype=_factory_dtype(dtype)))
            self.reset_parameters()
        else:
            if list(_weight.shape) != [num_embeddings, embedding_dim]:
                raise AssertionError("Shape of weight does not match num_embeddings and "
                                     "embedding_dim")
            self.weight = Parameter(_weight)

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx] = 0

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                           self.scale_grad_by_freq, self.sparse)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq is not False:
            s += f", scale_grad_by_freq={self.scale_grad_by_freq}"
        if self.sparse is not False:
            s += ", sparse=True"
        return s

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None,
                        norm_type=2.0, scale_grad_by_freq=False, sparse=False):
        if embeddings.dim() != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        embedding = cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                        _weight=embeddings)
        embedding.weight.requires_grad_(not freeze)
        return embedding


__all__ = sorted(n for n, v in list(globals().items())
                 if isinstance(v, type) and issubclass(v, Module) and v is not Module
                 and not n.startswith("_"))
