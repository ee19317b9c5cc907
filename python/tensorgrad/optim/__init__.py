"""tensorgrad.optim: the C++ optimisers (tg::optim) over the parameters' tensors, with PyTorch's
arguments: SGD(params, lr, momentum, dampening, weight_decay, nesterov), Adam and AdamW(params, lr,
betas, eps, weight_decay, amsgrad), RMSprop(params, lr, alpha, eps, weight_decay, momentum,
centered), Adagrad(params, lr, lr_decay, weight_decay, initial_accumulator_value, eps);
step(closure=None) runs without the GIL, zero_grad(), and `lr` to read or set the learning rate.
One parameter group."""

from .. import _C

_nn = _C._nn


def _params(params):
    params = list(params)
    if params and isinstance(params[0], dict):
        raise NotImplementedError("parameter groups (dicts) are not supported by tensorgrad.optim "
                                  "yet; pass a list of tensors")
    return params


def SGD(params, lr, momentum=0, dampening=0, weight_decay=0, nesterov=False):
    return _nn.SGD(_params(params), lr, momentum, dampening, weight_decay, nesterov)


def Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False):
    return _nn.Adam(_params(params), lr, tuple(betas), eps, weight_decay, amsgrad)


def AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
    return _nn.AdamW(_params(params), lr, tuple(betas), eps, weight_decay, amsgrad)


def RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False):
    return _nn.RMSprop(_params(params), lr, alpha, eps, weight_decay, momentum, centered)


def Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10):
    return _nn.Adagrad(_params(params), lr, lr_decay, weight_decay, initial_accumulator_value, eps)
