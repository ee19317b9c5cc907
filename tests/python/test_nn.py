"""nn.Module subclassed in Python, the layers, functional, optim and autograd.Function in Python,
against PyTorch 1.13. The LeNet of PyTorch's "training a classifier" tutorial (the seed's next
step) is defined as that tutorial does and trained a few steps on both, from the same weights."""

import numpy as np
import pytest
import torch

import tensorgrad as tg
from oracle import assert_same, to_tg, to_torch


def lenet(nn, F):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            # 1 input image channel, 6 output channels, 5x5 square convolution kernel
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            # an affine operation: y = Wx + b
            self.fc1 = nn.Linear(16 * 5 * 5, 120)  # 5*5 from image dimension
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            # Max pooling over a (2, 2) window
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            # If the size is a square, you can specify with a single number
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.flatten(1)  # flatten all dimensions except the batch dimension
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = self.fc3(x)
            return x

    return Net()


def test_a_python_module_registers_its_parameters_as_pytorch_does():
    net, ref = lenet(tg.nn, tg.nn.functional), lenet(torch.nn, torch.nn.functional)
    assert [(n, tuple(p.shape)) for n, p in net.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in ref.named_parameters()]
    assert list(net.state_dict()) == list(ref.state_dict())
    assert all(isinstance(p, tg.nn.Parameter) and p.requires_grad for p in net.parameters())
    assert [type(m).__name__ for m in net.modules()] == [type(m).__name__ for m in ref.modules()]
    assert repr(net.fc1) == repr(ref.fc1)
    assert net.training and not net.eval().training and not net.conv1.training
    net.train()
    # PyTorch's initialisation: uniform within 1 / sqrt(fan_in).
    w = net.fc1.weight.detach().numpy()
    assert np.abs(w).max() <= 1 / np.sqrt(400) + 1e-6 and w.std() > 0.5 / np.sqrt(400) / np.sqrt(3)


def test_lenet_trains_as_pytorch_from_the_same_weights():
    net, ref = lenet(tg.nn, tg.nn.functional), lenet(torch.nn, torch.nn.functional)
    ref.load_state_dict({k: to_torch(v) for k, v in net.state_dict().items()})
    opt = tg.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
    opt_ref = torch.optim.SGD(ref.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(0)
    losses, losses_ref = [], []
    for _ in range(4):
        x = rng.standard_normal((4, 1, 32, 32)).astype(np.float32)
        y = rng.integers(0, 10, size=4)
        opt.zero_grad()
        loss = tg.nn.CrossEntropyLoss()(net(tg.from_numpy(x)), tg.from_numpy(y))
        loss.backward()
        opt.step()
        opt_ref.zero_grad()
        loss_ref = torch.nn.CrossEntropyLoss()(ref(torch.from_numpy(x)), torch.from_numpy(y))
        loss_ref.backward()
        opt_ref.step()
        losses.append(loss.item())
        losses_ref.append(loss_ref.item())
    np.testing.assert_allclose(losses, losses_ref, rtol=1e-4)
    for (n, p), (_, q) in zip(net.named_parameters(), ref.named_parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-3, atol=1e-5,
                                   err_msg=n)


def test_state_dict_round_trip_and_zero_grad():
    a, b = lenet(tg.nn, tg.nn.functional), lenet(tg.nn, tg.nn.functional)
    b.load_state_dict(a.state_dict())
    x = tg.randn(2, 1, 32, 32)
    assert tg.equal(a(x), b(x))
    a(x).sum().backward()
    assert a.fc3.bias.grad is not None
    a.zero_grad()
    assert a.fc3.bias.grad.abs().sum().item() == 0
    a.zero_grad(set_to_none=True)
    assert a.fc3.bias.grad is None
    with pytest.raises(RuntimeError, match="missing"):
        b.load_state_dict({})


@pytest.mark.parametrize("make", [
    lambda nn: nn.Sequential(nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 3)),
    lambda nn: nn.Sequential(nn.Linear(5, 4, bias=False), nn.Sigmoid()),
    lambda nn: nn.Sequential(nn.BatchNorm1d(5), nn.ReLU()),
])
def test_layers_match_pytorch(make):
    m, r = make(tg.nn), make(torch.nn)
    r.load_state_dict({k: to_torch(v) for k, v in m.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((6, 5)).astype(np.float32)
    out, out_r = m(tg.from_numpy(x)), r(torch.from_numpy(x))
    assert_same(out, out_r, rtol=1e-4, atol=1e-5)
    out.sum().backward()
    out_r.sum().backward()
    for p, q in zip(m.parameters(), r.parameters()):
        assert_same(p.grad, q.grad, rtol=1e-4, atol=1e-5)
    for b, c in zip(m.buffers(), r.buffers()):
        assert_same(b, c, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss", "mse_loss", "l1_loss"])
def test_losses_match_pytorch(loss):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 3))
    if loss in ("cross_entropy", "nll_loss"):
        t = rng.integers(0, 3, size=5)
    else:
        t = rng.standard_normal((5, 3))
    xa, xb = tg.from_numpy(x.copy()).requires_grad_(), torch.from_numpy(x.copy()).requires_grad_()
    for reduction in ("mean", "sum", "none"):
        a = getattr(tg.nn.functional, loss)(xa, tg.from_numpy(t.copy()), reduction=reduction)
        b = getattr(torch.nn.functional, loss)(xb, torch.from_numpy(t.copy()), reduction=reduction)
        assert_same(a, b)
        a.sum().backward()
        b.sum().backward()
    assert_same(xa.grad, xb.grad)


def test_step_with_a_closure_returns_its_loss():
    # The closure's loss is a temporary that only the return value holds.
    w = tg.ones(3, requires_grad=True)
    opt = tg.optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        (w * 2).sum().backward()
        return (w * 3).sum()

    for step in range(4):
        loss = opt.step(closure)
        detached = loss.detach()
        assert detached is not loss and not detached.requires_grad
        assert loss.item() == pytest.approx(3 * 3 * (1 - 0.2 * step))


@pytest.mark.parametrize("name, kwargs", [
    ("Adam", dict(lr=0.1, weight_decay=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, weight_decay=0.1, momentum=0.5, centered=True)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.2,
                     eps=1e-3)),
])
def test_optimizers_match_pytorch(name, kwargs):
    w0 = np.random.default_rng(3).standard_normal(4)
    w, v = tg.from_numpy(w0.copy()).requires_grad_(), torch.from_numpy(w0.copy()).requires_grad_()
    o = getattr(tg.optim, name)([w], **kwargs)
    p = getattr(torch.optim, name)([v], **kwargs)
    for _ in range(5):
        o.zero_grad()
        p.zero_grad()
        ((w - 1) ** 2).sum().backward()
        ((v - 1) ** 2).sum().backward()
        o.step()
        p.step()
    assert_same(w, v, rtol=1e-6)
    assert o.lr == kwargs["lr"]
    o.lr = 0.5
    assert o.lr == 0.5


# ---- autograd.Function in Python ----

def exp_function(lib):
    class Exp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            y = x.exp() * scale
            ctx.save_for_backward(y)
            ctx.scale = scale
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            assert ctx.needs_input_grad == (True, False)
            return grad * y, None

    return Exp


def test_python_function_matches_pytorch_with_double_backward():
    x0 = np.linspace(-1, 1, 5)
    results = []
    for lib in (tg, torch):
        x = lib.from_numpy(x0.copy()).requires_grad_()
        y = exp_function(lib).apply(x, 3.0)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        g.sum().backward()
        results.append((y, g, x.grad))
        assert y.grad_fn.name() == "ExpBackward"
    assert_same(results[0], results[1])


class FunctionError(Exception):
    pass


def test_an_exception_in_a_python_backward_reaches_the_caller():
    class Bad(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            raise FunctionError("from backward")

    x = tg.ones(2, requires_grad=True)
    with pytest.raises(FunctionError, match="from backward"):
        Bad.apply(x).sum().backward()
    (x * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_python_function_mark_dirty_and_wrong_gradient_count():
    class AddOne(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad

    x = tg.ones(2, requires_grad=True)
    y = x * 1
    z = AddOne.apply(y)
    assert z.tolist() == [2.0, 2.0] and z.grad_fn.name() == "AddOneBackward"
    z.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]

    class Wrong(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Wrong.apply(tg.ones(1, requires_grad=True)).backward()


def test_once_differentiable():
    class Sq(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @tg.autograd.once_differentiable
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 2 * x

    x = tg.tensor([3.0], requires_grad=True)
    (g,) = tg.autograd.grad(Sq.apply(x), x, create_graph=True)
    assert g.item() == 6.0
    with pytest.raises(RuntimeError, match="once_differentiable"):
        g.backward()
