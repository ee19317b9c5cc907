"""tensorgrad.autograd from Python against PyTorch 1.13: the seed's Variable, the graph, backward
and grad, hooks (Python callables, the GIL, exceptions), grad mode, the functional transforms."""

import gc
import threading

import numpy as np
import pytest
import torch

import tensorgrad as tg
from tensorgrad.autograd import Variable
from oracle import assert_same, run_both, to_tg, to_torch


def test_variable_is_the_seeds():
    t = tg.ones(2, 2)
    x = Variable(t, requires_grad=True)
    assert isinstance(x, Variable) and isinstance(x, tg.Tensor)
    assert x.requires_grad and x.is_leaf and x.grad is None and x.creator is None
    assert x.data_ptr() == t.data_ptr()  # shares the storage
    assert not Variable(t).requires_grad
    d = x.data
    assert not d.requires_grad and d.data_ptr() == x.data_ptr()
    y = x + 2
    assert y.creator is y.grad_fn and y.grad_fn is not None and not y.is_leaf


def test_grad_fn_names_and_next_functions_match_pytorch():
    def graph(L):
        x = L.ones(2, 2, requires_grad=True)
        w = L.ones(2, 2, requires_grad=True)
        return (x * w).sum().exp()

    a, b = graph(tg), graph(torch)

    def walk(fn):
        if fn is None:
            return None
        return (fn.name(), [walk(f) for f, _ in fn.next_functions])

    assert walk(a.grad_fn) == walk(b.grad_fn)
    assert [n for _, n in a.grad_fn.next_functions] == [n for _, n in b.grad_fn.next_functions]
    assert repr(a.grad_fn).startswith("<ExpBackward0 object at 0x")


def test_backward_accumulates_and_needs_retain_graph_for_a_second_time():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]
    with pytest.raises(RuntimeError, match="retain_graph"):
        y.backward()
    with pytest.raises(RuntimeError):
        (x * 2).backward()  # not a scalar, no gradient given
    x.grad = None
    assert x.grad is None
    (x * 3).backward(tg.tensor([1.0, 0.5]))
    assert x.grad.tolist() == [3.0, 1.5]
    x.grad.zero_()
    assert x.grad.tolist() == [0.0, 0.0]


def test_retain_grad_and_inputs():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    w = tg.tensor([3.0, 4.0], requires_grad=True)
    h = x * w
    h.retain_grad()
    assert h.retains_grad
    (h * h).sum().backward(inputs=[x])
    assert w.grad is None and x.grad.tolist() == [18.0, 64.0]
    assert h.grad.tolist() == [6.0, 16.0]


def test_grad_and_double_backward_match_pytorch():
    def program(L, x, y):
        z = (x.sin() * y).sum() + (x * x * y).mean()
        (gx, gy) = (tg.autograd.grad if L is tg else torch.autograd.grad)(
            z, [x, y], create_graph=True)
        return (gx * gx).sum() + gy.sum()

    run_both(program, np.linspace(-1, 1, 6), np.linspace(0.5, 2, 6))


def test_grad_allow_unused_and_grad_outputs():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    u = tg.tensor([1.0], requires_grad=True)
    y = x * 2
    g = tg.autograd.grad(y, [x, u], grad_outputs=tg.tensor([1.0, 3.0]), allow_unused=True)
    assert g[0].tolist() == [2.0, 6.0] and g[1] is None
    assert x.grad is None
    with pytest.raises(RuntimeError):
        tg.autograd.grad((x * 2).sum(), [x, u])


def test_autograd_backward_function():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    tg.autograd.backward([(x * x).sum(), x * 3], [None, tg.tensor([1.0, 1.0])])
    assert x.grad.tolist() == [5.0, 7.0]


# ---- hooks ----

def test_hooks_see_and_replace_gradients_as_in_pytorch():
    def program(L, x):
        seen = []
        y = x * 2
        y.register_hook(lambda g: seen.append(g.sum().item()))
        z = y.exp()
        z.register_hook(lambda g: g * 10)
        h = x.register_hook(lambda g: g + 1)
        h.remove()
        out = z.sum()
        out.backward()
        return x.grad, seen

    (ga, sa), (gb, sb) = program(tg, tg.tensor([0.1, 0.2], requires_grad=True)), \
        program(torch, torch.tensor([0.1, 0.2], requires_grad=True))
    assert_same(ga, gb)
    assert sa == pytest.approx(sb)


class HookError(Exception):
    pass


def test_an_exception_in_a_hook_reaches_the_caller_with_its_type():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2

    def hook(g):
        raise HookError("from the hook")

    y.register_hook(hook)
    with pytest.raises(HookError, match="from the hook"):
        y.sum().backward()
    # The engine is left as after a C++ error: the next backward runs.
    z = (x * 3).sum()
    z.backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_a_hook_returning_something_else_is_a_type_error():
    x = tg.tensor([1.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: "no")
    with pytest.raises(TypeError, match="hook"):
        y.backward()
    with pytest.raises(RuntimeError):
        tg.ones(1).register_hook(lambda g: g)


def test_backward_in_several_python_threads_at_once():
    errors = []
    results = {}

    def work(i):
        try:
            x = tg.full((50,), float(i), requires_grad=True)
            calls = []
            for _ in range(20):
                y = (x * x).sum()
                y.register_hook(lambda g: calls.append(1))
                y.backward()
            results[i] = (x.grad[0].item(), len(calls))
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(1, 7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for i in range(1, 7):
        assert results[i] == (40.0 * i, 20)


def test_backward_releases_the_gil():
    # A Python thread counts while the main thread is inside a long backward (no Python hooks).
    # Holding the GIL through backward would stop the count for its whole duration.
    import time

    count = [0]
    stop = threading.Event()

    def counter():
        while not stop.is_set():
            count[0] += 1

    t = threading.Thread(target=counter)
    t.start()
    try:
        x = tg.randn(600, 600, requires_grad=True)
        for _ in range(3):
            y = (x @ x @ x @ x).tanh().sum()
            c0, t0 = count[0], time.perf_counter()
            y.backward()
            c1, t1 = count[0], time.perf_counter()
            if t1 - t0 > 0.05:
                break
        time.sleep(0.01)
        c2, t2 = count[0], time.perf_counter()
        time.sleep(0.2)
        rate = (count[0] - c2) / (time.perf_counter() - t2)  # counts per second with a free GIL
    finally:
        stop.set()
        t.join()
    # With the GIL held, the thread would run only at the switch before and after backward
    # (a few milliseconds' worth of counting).
    assert c1 - c0 > 0.25 * rate * (t1 - t0), (c1 - c0, rate, t1 - t0)


# ---- grad mode ----

def test_no_grad_enable_grad_set_grad_enabled():
    x = tg.ones(2, requires_grad=True)
    with tg.no_grad():
        assert not (x * 2).requires_grad
        assert not tg.is_grad_enabled()
        with tg.enable_grad():
            assert (x * 2).requires_grad
    assert tg.is_grad_enabled()

    @tg.no_grad()
    def f():
        return x * 2

    @tg.autograd.set_grad_enabled(False)
    def g():
        return x * 2

    assert not f().requires_grad and not g().requires_grad and tg.is_grad_enabled()
    with tg.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert tg.is_grad_enabled()
    tg.set_grad_enabled(False)
    assert not tg.is_grad_enabled()
    tg.set_grad_enabled(True)
    assert (x * 2).requires_grad


def test_grad_mode_is_per_thread():
    seen = []
    with tg.no_grad():
        t = threading.Thread(target=lambda: seen.append(tg.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


# ---- errors ----

def test_cpp_errors_arrive_with_their_message():
    with pytest.raises(RuntimeError, match="not broadcastable"):
        tg.ones(2, 3) + tg.ones(4)
    with pytest.raises(RuntimeError, match="view"):
        tg.ones(2, 3).t().view(6)
    with pytest.raises(IndexError):
        tg.ones(2)[5]
    with pytest.raises(TypeError):
        tg.ones(2) + "a"


def test_inplace_change_of_a_saved_tensor_is_caught_at_backward():
    x = tg.ones(3, requires_grad=True)
    y = x * 2
    z = y * y
    y.mul_(3)
    with pytest.raises(RuntimeError, match="modified by an inplace operation|version"):
        z.sum().backward()


def test_detect_anomaly_names_the_node():
    x = tg.tensor([0.0], requires_grad=True)
    with tg.autograd.detect_anomaly():
        y = x.sqrt() * 0
        with pytest.raises(RuntimeError, match="SqrtBackward0|MulBackward0"):
            y.sum().backward()


# ---- functional transforms, gradcheck, checkpoint ----

def test_jacobian_hessian_vjp_jvp_hvp_match_pytorch():
    a = np.linspace(0.5, 1.5, 3)

    def f(L):
        return lambda x: (x.sin() * x).cumsum(0)

    def s(L):
        return lambda x: (x.exp() * x).sum()

    x_tg, x_th = tg.from_numpy(a.copy()), torch.from_numpy(a.copy())
    F = tg.autograd.functional
    G = torch.autograd.functional
    assert_same(F.jacobian(f(tg), x_tg), G.jacobian(f(torch), x_th))
    assert_same(F.jacobian(lambda x, y: (x * y, x + y), (x_tg, x_tg)),
                G.jacobian(lambda x, y: (x * y, x + y), (x_th, x_th)))
    assert_same(F.hessian(s(tg), x_tg), G.hessian(s(torch), x_th))
    v_tg, v_th = tg.from_numpy(a[::-1].copy()), torch.from_numpy(a[::-1].copy())
    assert_same(F.vjp(f(tg), x_tg, v_tg), G.vjp(f(torch), x_th, v_th))
    assert_same(F.jvp(f(tg), x_tg, v_tg), G.jvp(f(torch), x_th, v_th))
    assert_same(F.hvp(s(tg), x_tg, v_tg), G.hvp(s(torch), x_th, v_th))


def test_gradcheck_and_gradgradcheck():
    x = tg.randn(3, dtype=tg.float64, requires_grad=True)
    assert tg.autograd.gradcheck(lambda t: (t.tanh() * t).sum(), (x,))
    assert tg.autograd.gradgradcheck(lambda t: (t.tanh() * t).sum(), (x,))

    def wrong(t):
        return t.detach() * t  # cuts half the derivative

    with pytest.raises(RuntimeError):
        tg.autograd.gradcheck(wrong, (x,))
    assert not tg.autograd.gradcheck(wrong, (x,), raise_exception=False)


def test_checkpoint_gives_the_same_gradients():
    w = tg.randn(4, 4, requires_grad=True)
    x = tg.randn(2, 4, requires_grad=True)
    (x @ w).tanh().sum().backward()
    expected = (x.grad.clone(), w.grad.clone())
    x.grad, w.grad = None, None
    out = tg.autograd.checkpoint(lambda t: (t @ w).tanh(), x)
    out.sum().backward()
    assert tg.allclose(x.grad, expected[0]) and tg.allclose(w.grad, expected[1])


def test_to_dot():
    x = tg.ones(2, requires_grad=True)
    dot = tg.autograd.to_dot((x * 2).sum())
    assert dot.startswith("digraph") and "MulBackward" in dot and "AccumulateGrad" in dot


# ---- identity: one Python object per tensor while it lives, as in PyTorch ----

def test_a_tensor_keeps_its_python_object():
    def program(L):
        x = L.ones(3, requires_grad=True)
        (x * 2).sum().backward()
        y = x * 3
        g = x.grad
        g.note = "kept"  # an attribute set on the object is there the next time
        seen = []

        class Save(L.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                ctx.save_for_backward(a)
                return a * 2

            @staticmethod
            def backward(ctx, grad):
                (a,) = ctx.saved_tensors
                seen.append(a is z)
                return grad

        class Dirty(L.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                a.mul_(2)
                ctx.mark_dirty(a)
                return a

            @staticmethod
            def backward(ctx, grad):
                return grad * 2

        z = L.ones(2, requires_grad=True)
        Save.apply(z).sum().backward()
        w = L.ones(2, requires_grad=True) * 1
        hooked = []
        w.register_hook(lambda grad: hooked.append(grad))
        w.retain_grad()
        w.sum().backward()
        v = L.ones(2, requires_grad=True) * 1
        return [x.grad is x.grad, x.grad is g, getattr(x.grad, "note", None),
                y.grad_fn is y.grad_fn, x.requires_grad_() is x, seen[0],
                Dirty.apply(v) is v, x.detach() is x, x.data is x.data,
                hooked[0] is w.grad]

    assert program(tg) == program(torch) == [True, True, "kept", True, True, True, True, False,
                                             False, False]


def test_a_tensor_a_hook_returns_is_the_users_object():
    def program(L):
        h = L.full((3,), 5.0)
        z = L.ones(3, requires_grad=True) * 1
        z.register_hook(lambda g: h)
        seen = []
        z.register_hook(lambda g: seen.append(g))  # gets what the hook before returned
        (z * 2).sum().backward()
        return seen[0] is h

    assert program(tg) and program(torch)


def test_a_parameter_stays_itself():
    p = tg.nn.Parameter(tg.ones(2))
    assert p.requires_grad_() is p
    lin = tg.nn.Linear(2, 2)
    opt = tg.optim.SGD(lin.parameters(), lr=0.1)
    lin(tg.ones(1, 2)).sum().backward()
    assert lin.weight.grad is lin.weight.grad
    assert type(lin.weight) is tg.nn.Parameter


# ---- garbage collection of cycles through the C++ graph ----

def test_a_hook_that_refers_to_its_tensor_is_collected():
    import weakref

    def made(nonleaf):
        x = tg.ones(3, requires_grad=True)
        if nonleaf:
            x = x * 2
        x.register_hook(lambda g: g * x)
        return weakref.ref(x)

    for nonleaf in (False, True):
        ref = made(nonleaf)
        gc.collect()
        assert ref() is None, "the cycle through the hook was not collected"


def test_a_hook_cycle_is_kept_while_the_graph_needs_it():
    # The object is garbage to Python, but the graph of `out` still runs the hook.
    import weakref
    calls = []

    def made():
        x = tg.ones(3, requires_grad=True)
        x.register_hook(lambda g: calls.append(x.shape) or g)
        return (x * 2).sum(), weakref.ref(x)

    out, ref = made()
    gc.collect()
    out.backward()
    assert calls == [(3,)]
    del out
    gc.collect()
    assert ref() is None


def test_a_function_ctx_that_holds_its_output_is_collected():
    import weakref
    ctxs = []

    class Keep(tg.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            out = a * 2
            ctx.out = out  # ctx -> out -> its node -> ctx
            ctxs.append(weakref.ref(ctx))
            return out

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    def made():
        y = Keep.apply(tg.ones(3, requires_grad=True))
        return weakref.ref(y)

    ref = made()
    gc.collect()
    assert ref() is None and ctxs[0]() is None, "the cycle through ctx was not collected"


# ---- memory ----

def test_graphs_with_python_hooks_are_freed():
    # 10^5 small graphs with a Python Function and Python hooks: half run backward, half are
    # dropped unrun with a hook that refers to its own tensor (a cycle only the collector frees).
    import resource
    import time

    class Double(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            ctx.note = x * 1  # an attribute holding a tensor
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 2

    def step(run_backward):
        x = tg.ones(4, requires_grad=True)
        y = Double.apply(x)
        y.register_hook(lambda g: g * 1)
        if run_backward:
            (y * y).sum().backward()
        else:
            y.register_hook(lambda g: g + y)

    for i in range(5000):
        step(i % 2 == 0)
    gc.collect()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    for i in range(100000):
        step(i % 2 == 0)
    gc.collect()
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert after - before < 20 * 1024, f"resident memory grew by {after - before} KiB"
    print(f"10^5 graphs in {seconds:.1f} s")
