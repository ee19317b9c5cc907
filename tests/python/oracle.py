"""Running one program on tensorgrad and on PyTorch 1.13 and comparing what comes out."""

import numpy as np
import torch

import tensorgrad as tg


def to_torch(t, requires_grad=None):
    """The same values as a torch tensor (a leaf)."""
    out = torch.from_numpy(t.detach().numpy().copy())
    if requires_grad if requires_grad is not None else t.requires_grad:
        out.requires_grad_(True)
    return out


def to_tg(t, requires_grad=None):
    out = tg.from_numpy(t.detach().numpy().copy())
    if requires_grad if requires_grad is not None else t.requires_grad:
        out.requires_grad_(True)
    return out


DTYPE_NAMES = ["uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
               "float64", "bool"]
DTYPES = {getattr(tg, n): getattr(torch, n) for n in DTYPE_NAMES}


def assert_same(a, b, rtol=1e-5, atol=1e-6):
    """a (tensorgrad) and b (torch) hold the same values, shape and dtype."""
    if b is None:
        assert a is None
        return
    if isinstance(b, (tuple, list)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y, rtol, atol)
        return
    if not isinstance(b, torch.Tensor):
        assert a == b
        return
    assert isinstance(a, tg.Tensor), type(a)
    assert tuple(a.shape) == tuple(b.shape), (a.shape, b.shape)
    assert DTYPES[a.dtype] == b.dtype, (a.dtype, b.dtype)
    if b.dtype == torch.bfloat16:  # numpy has no bfloat16; float32 holds its values exactly
        a, b = a.float(), b.float()
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol)


def run_both(program, *arrays, requires_grad=True, rtol=1e-5, atol=1e-6, grad_of=None,
             grads=None):
    """Runs program(lib, *inputs) with lib = tensorgrad and lib = torch on the same inputs (each
    requiring grad as grads says, else as requires_grad); compares the outputs, then backward of
    the sum of the outputs (times a fixed weighting) and the gradients of every input."""
    flags = list(grads) if grads is not None else [requires_grad] * len(arrays)
    tg_in = [tg.from_numpy(np.array(a)).requires_grad_(g) for a, g in zip(arrays, flags)]
    th_in = [torch.from_numpy(np.array(a)).requires_grad_(g) for a, g in zip(arrays, flags)]
    tg_out = program(tg, *tg_in)
    th_out = program(torch, *th_in)
    assert_same(tg_out, th_out, rtol, atol)
    backward_both(tg_out, th_out, tg_in, th_in, rtol, atol)
    return tg_out, th_out


def backward_both(tg_out, th_out, tg_in, th_in, rtol=1e-5, atol=1e-6):
    """Backward of the outputs that require grad (each times a fixed weighting, summed) on both;
    then the gradients of the inputs must match."""
    outs_tg = tg_out if isinstance(tg_out, (tuple, list)) else [tg_out]
    outs_th = th_out if isinstance(th_out, (tuple, list)) else [th_out]
    loss_tg, loss_th = 0, 0
    for i, (a, b) in enumerate(zip(outs_tg, outs_th)):
        if isinstance(b, torch.Tensor) and b.requires_grad:
            w = np.cos(np.arange(b.numel(), dtype=np.float64) + i).reshape(tuple(b.shape))
            loss_tg = loss_tg + (a * tg.from_numpy(w.astype(np.float64)).to(a.dtype)).sum()
            loss_th = loss_th + (b * torch.from_numpy(w).to(b.dtype)).sum()
    if isinstance(loss_th, torch.Tensor):
        loss_tg.backward()
        loss_th.backward()
        for a, b in zip(tg_in, th_in):
            if b.grad is None:
                assert a.grad is None or not a.grad.numpy().any()
            else:
                assert_same(a.grad, b.grad, rtol, atol)


def run_module(make, *arrays, grads=None, train=False, rtol=1e-6, atol=1e-8, check_repr=True):
    """make(nn) builds a layer from tensorgrad.nn and from torch.nn: their state_dict keys (and
    repr) must be the same; both are made float64, torch's takes tensorgrad's initial state, and
    both run on the same inputs (floating ones require grad unless grads says otherwise):
    outputs, gradients of the inputs and of the parameters, then the buffers must match."""
    m, r = make(tg.nn), make(torch.nn)
    assert list(m.state_dict()) == list(r.state_dict())
    if check_repr:
        assert repr(m) == repr(r)
    m.double()
    r.double()
    r.load_state_dict({k: to_torch(v) for k, v in m.state_dict().items()})
    m.train(train)
    r.train(train)
    if grads is None:
        grads = [np.asarray(a).dtype.kind == "f" for a in arrays]
    run_both(lambda lib, *xs: (m if lib is tg else r)(*xs), *arrays, grads=grads, rtol=rtol,
             atol=atol)
    for (n, p), (n_r, q) in zip(m.named_parameters(), r.named_parameters()):
        assert n == n_r
        assert_same(p.grad, q.grad, rtol, atol)
    for (n, b), (_, c) in zip(m.named_buffers(), r.named_buffers()):
        assert_same(b, c, rtol, atol)
    return m, r
