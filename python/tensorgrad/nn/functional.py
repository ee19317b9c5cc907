"""tensorgrad.nn.functional: PyTorch's functional API over the C++ ops (tensorgrad._C._nn and the
tensor methods)."""

from .. import _C

_nn = _C._nn

linear = _nn.linear
conv2d = _nn.conv2d
avg_pool2d = _nn.avg_pool2d
adaptive_avg_pool2d = _nn.adaptive_avg_pool2d
embedding = _nn.embedding
leaky_relu = _nn.leaky_relu
gelu = _nn.gelu
silu = _nn.silu
softplus = _nn.softplus
nll_loss = _nn.nll_loss
cross_entropy = _nn.cross_entropy
mse_loss = _nn.mse_loss
l1_loss = _nn.l1_loss
binary_cross_entropy = _nn.binary_cross_entropy
binary_cross_entropy_with_logits = _nn.binary_cross_entropy_with_logits


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    if return_indices:
        raise NotImplementedError("max_pool2d(return_indices=True) is not bound yet")
    return _nn.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    return _nn.batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def dropout(input, p=0.5, training=True, inplace=False):
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    return _nn.dropout(input, p, training)


def relu(input, inplace=False):
    return input.relu_() if inplace else input.relu()


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def softmax(input, dim=None, dtype=None):
    return input.softmax(dim, dtype)


def log_softmax(input, dim=None, dtype=None):
    return input.log_softmax(dim, dtype)
