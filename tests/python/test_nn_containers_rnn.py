"""tensorgrad.nn's containers, recurrent layers, attention and Transformer against PyTorch 1.13:
parameter and state_dict names, printing, and for the same weights the outputs and gradients."""

import copy
import warnings

import numpy as np
import pytest
import torch

import tensorgrad as tg
from oracle import assert_same, run_both, run_module, to_torch

RNG = np.random.default_rng(11)


def A(*shape):
    return RNG.standard_normal(shape)


def make_from(expr):
    def make(nn):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return eval("nn." + expr, {"nn": nn})

    return make


# ---- containers ----

def test_module_dict_as_pytorchs():
    for lib in (tg, torch):
        d = lib.nn.ModuleDict({"a": lib.nn.ReLU(), "b": lib.nn.Linear(2, 3)})
        d["c"] = lib.nn.Tanh()
        d.update([("d", lib.nn.Sigmoid())])
        assert list(d.keys()) == ["a", "b", "c", "d"] and "b" in d and len(d) == 4
        assert isinstance(d.pop("d"), lib.nn.Sigmoid) and list(d) == ["a", "b", "c"]
    ours = tg.nn.ModuleDict({"a": tg.nn.ReLU(), "b": tg.nn.Linear(2, 3)})
    ref = torch.nn.ModuleDict({"a": torch.nn.ReLU(), "b": torch.nn.Linear(2, 3)})
    assert repr(ours) == repr(ref)
    assert list(ours.state_dict()) == list(ref.state_dict()) == ["b.weight", "b.bias"]


def test_module_list_and_sequential_editing_as_pytorchs():
    for lib in (tg, torch):
        nn = lib.nn
        ml = nn.ModuleList([nn.ReLU(), nn.Tanh()])
        ml.append(nn.Sigmoid())
        ml.extend([nn.Identity()])
        ml.insert(1, nn.ELU())
        ml[0] = nn.SELU()
        del ml[2]
        assert [type(m).__name__ for m in ml] == ["SELU", "ELU", "Sigmoid", "Identity"]
        assert [type(m).__name__ for m in ml[1:3]] == ["ELU", "Sigmoid"]
        assert isinstance(ml[-1], nn.Identity) and len(ml) == 4
        seq = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
        assert isinstance(seq[0:2], nn.Sequential) and len(seq[0:2]) == 2
        seq.append(nn.Tanh())
        del seq[1]
        assert [type(m).__name__ for m in seq] == ["Linear", "Linear", "Tanh"]
        assert list(dict(seq.named_children())) == ["0", "1", "2"]  # renumbered
    seq_tg = tg.nn.Sequential(tg.nn.Linear(3, 4), tg.nn.ReLU(), tg.nn.Linear(4, 2))
    seq_th = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    assert repr(seq_tg) == repr(seq_th)
    assert list(seq_tg.state_dict()) == list(seq_th.state_dict())


def test_parameter_list_and_dict_register_parameters():
    for lib in (tg, torch):
        nn = lib.nn
        pl = nn.ParameterList([nn.Parameter(lib.ones(2, 3)), lib.zeros(3)])
        pl.append(nn.Parameter(lib.ones(1)))
        assert all(isinstance(p, nn.Parameter) for p in pl) and len(pl) == 3
        assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2"]
        pd = nn.ParameterDict({"w": nn.Parameter(lib.ones(2)), "b": lib.zeros(1)})
        pd["c"] = nn.Parameter(lib.ones(3))
        # A plain dict's items are taken in the order of their keys.
        assert list(pd.keys()) == ["b", "w", "c"] and isinstance(pd["b"], nn.Parameter)
        assert [n for n, _ in pd.named_parameters()] == ["b", "w", "c"]

        class Holder(nn.Module):
            def __init__(self):
                super().__init__()
                self.ws = nn.ParameterList([nn.Parameter(lib.ones(2))])
                self.named = nn.ParameterDict({"x": nn.Parameter(lib.ones(2))})

        assert list(Holder().state_dict()) == ["ws.0", "named.x"]
    assert repr(tg.nn.ParameterList([tg.nn.Parameter(tg.ones(2, 3))])) == (
        "ParameterList(\n    (0): Parameter containing: [tensorgrad.float32 of size 2x3]\n)")


def test_parameters_survive_deepcopy_as_parameters():
    m = tg.nn.Linear(2, 3)
    c = copy.deepcopy(m)
    assert isinstance(c.weight, tg.nn.Parameter) and c.weight.requires_grad
    assert c.weight is not m.weight and tg.equal(c.weight, m.weight)


# ---- recurrent layers, attention, Transformer ----

RECURRENT = [
    ("RNN(3, 4)", [A(5, 2, 3)]),
    ("RNN(3, 4, 2, nonlinearity='relu', bidirectional=True)", [A(5, 2, 3)]),
    ("RNN(3, 4, batch_first=True)", [A(2, 5, 3), A(1, 2, 4)]),
    ("LSTM(3, 4)", [A(5, 2, 3)]),
    ("LSTM(3, 4, 2, bidirectional=True, batch_first=True)", [A(2, 5, 3)]),
    ("LSTM(3, 4, proj_size=2, num_layers=2)", [A(5, 2, 3)]),
    ("LSTM(3, 4, bidirectional=True, proj_size=3)", [A(4, 2, 3)]),
    ("LSTM(3, 4, bidirectional=True)", [A(5, 3)]),
    ("GRU(3, 4, 2, bias=False)", [A(5, 2, 3)]),
    ("GRU(3, 4)", [A(5, 3), A(1, 4)]),
    ("RNNCell(3, 4)", [A(2, 3)]),
    ("RNNCell(3, 4, nonlinearity='relu')", [A(2, 3), A(2, 4)]),
    ("LSTMCell(3, 4)", [A(2, 3)]),
    ("GRUCell(3, 4, bias=False)", [A(3), A(4)]),
    ("GRUCell(3, 4)", [A(2, 3), A(2, 4)]),
]


@pytest.mark.parametrize("expr,inputs", RECURRENT, ids=[c[0] for c in RECURRENT])
def test_recurrent_layers_match_pytorch(expr, inputs):
    run_module(make_from(expr), *inputs)


def test_lstm_takes_its_initial_state_as_a_pair():
    x, h0, c0 = A(4, 2, 3), A(2, 2, 5), A(2, 2, 5)
    m, r = tg.nn.LSTM(3, 5, 2).double(), torch.nn.LSTM(3, 5, 2).double()
    r.load_state_dict({k: to_torch(v) for k, v in m.state_dict().items()})
    run_both(lambda lib, x, h, c: (m if lib is tg else r)(x, (h, c)), x, h0, c0)
    cell, cell_r = tg.nn.LSTMCell(3, 5).double(), torch.nn.LSTMCell(3, 5).double()
    cell_r.load_state_dict({k: to_torch(v) for k, v in cell.state_dict().items()})
    run_both(lambda lib, x, h, c: (cell if lib is tg else cell_r)(x, (h, c)), x[0], h0[0], c0[0])
    with pytest.raises(RuntimeError, match="hidden size"):
        m(tg.from_numpy(x), (tg.zeros(1, 2, 5, dtype=tg.float64), tg.zeros(1, 2, 5)))


def test_recurrent_dropout_between_layers_only_in_training():
    m = tg.nn.GRU(3, 4, num_layers=3, dropout=0.5)
    x = tg.randn(6, 2, 3)
    m.eval()
    out_a, _ = m(x)
    assert tg.equal(out_a, m(x)[0])
    m.train()
    tg.manual_seed(0)
    out_b, _ = m(x)
    assert not tg.allclose(out_a, out_b)
    assert repr(m) == repr(torch.nn.GRU(3, 4, num_layers=3, dropout=0.5))


ATTENTION = [
    ("MultiheadAttention(4, 2)", [A(5, 2, 4), A(6, 2, 4), A(6, 2, 4)]),
    ("MultiheadAttention(4, 2, kdim=3, vdim=5, add_bias_kv=True, add_zero_attn=True)",
     [A(5, 2, 4), A(6, 2, 3), A(6, 2, 5)]),
    ("MultiheadAttention(4, 1, batch_first=True, bias=False)",
     [A(2, 5, 4), A(2, 6, 4), A(2, 6, 4)]),
    ("TransformerEncoderLayer(4, 2, 8, dropout=0.0)", [A(5, 2, 4)]),
    ("TransformerEncoderLayer(4, 2, 8, dropout=0.0, activation='gelu', norm_first=True, "
     "batch_first=True)", [A(2, 5, 4)]),
    ("TransformerDecoderLayer(4, 2, 8, dropout=0.0)", [A(5, 2, 4), A(6, 2, 4)]),
    ("TransformerDecoderLayer(4, 2, 8, dropout=0.0, norm_first=True)", [A(5, 2, 4), A(6, 2, 4)]),
    ("TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0), 2, nn.LayerNorm(4))",
     [A(5, 2, 4)]),
    ("TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 8, dropout=0.0), 2)",
     [A(5, 2, 4), A(6, 2, 4)]),
    ("Transformer(4, 2, 2, 1, 8, dropout=0.0)", [A(5, 2, 4), A(6, 2, 4)]),
]


@pytest.mark.parametrize("expr,inputs", ATTENTION, ids=[c[0] for c in ATTENTION])
def test_attention_and_transformer_match_pytorch(expr, inputs):
    run_module(make_from(expr), *inputs)


def masked_attention(lib, q, k, v, m, r):
    """The two attentions with a float attention mask and a boolean key padding mask."""
    mod = m if lib is tg else r
    attn_mask = lib.from_numpy(np.triu(np.full((3, 4), -1e9), 1))
    padding = lib.tensor([[False, False, False, True], [False, True, False, False]])
    out, weights = mod(q, k, v, key_padding_mask=padding, attn_mask=attn_mask,
                       average_attn_weights=False)
    return out, weights


def test_attention_masks_and_weights_per_head():
    m, r = tg.nn.MultiheadAttention(4, 2).double(), torch.nn.MultiheadAttention(4, 2).double()
    r.load_state_dict({k: to_torch(v) for k, v in m.state_dict().items()})
    run_both(lambda lib, q, k, v: masked_attention(lib, q, k, v, m, r), A(3, 2, 4), A(4, 2, 4),
             A(4, 2, 4))
    out, weights = m(*(tg.from_numpy(A(3, 2, 4)) for _ in range(3)), need_weights=False)
    assert weights is None and out.shape == (3, 2, 4)


def test_transformer_with_masks_matches_pytorch():
    make = make_from("Transformer(4, 2, 1, 2, 8, dropout=0.0, batch_first=True)")
    m, r = make(tg.nn), make(torch.nn)
    m.double()
    r.double()
    r.load_state_dict({k: to_torch(v) for k, v in m.state_dict().items()})
    mask = tg.nn.Transformer.generate_square_subsequent_mask(5)
    assert_same(mask, torch.nn.Transformer.generate_square_subsequent_mask(5))

    def program(lib, src, tgt):
        mod = m if lib is tg else r
        tgt_mask = lib.nn.Transformer.generate_square_subsequent_mask(5).double()
        padding = lib.tensor([[False, False, False, True], [False, False, False, False]])
        return mod(src, tgt, tgt_mask=tgt_mask, src_key_padding_mask=padding,
                   memory_key_padding_mask=padding)

    run_both(program, A(2, 4, 4), A(2, 5, 4))
    params = list(m.parameters())
    assert all(p.grad is not None for p in params)
