"""RNN, LSTM and GRU and their cells, as PyTorch's Python modules (parameter names, shapes,
initialisation, arguments, printing). Each step is the C++ cell op (tensorgrad._C._nn.lstm_cell,
gru_cell, rnn_tanh_cell, rnn_relu_cell); the modules run the steps over time, layers and
directions. Packed sequences are not taken."""

import math

from .. import _C
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

_nn = _C._nn
_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _cell_op(mode):
    return {"LSTM": _nn.lstm_cell, "GRU": _nn.gru_cell, "RNN_TANH": _nn.rnn_tanh_cell,
            "RNN_RELU": _nn.rnn_relu_cell}[mode]


def _check_not_packed(input):
    if not isinstance(input, _C.Tensor):
        raise TypeError(f"expected a Tensor input, got {type(input).__name__} (packed sequences "
                        "are not supported from Python)")


class RNNBase(Module):
    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        if not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, proj_size
        dtype = dtype if dtype is not None else _C.float32
        gates = _GATES[mode] * hidden_size
        real_hidden = proj_size if proj_size > 0 else hidden_size
        directions = 2 if bidirectional else 1
        self._flat_weights_names = []
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input = input_size if layer == 0 else real_hidden * directions
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = [("weight_ih", (gates, layer_input)), ("weight_hh", (gates, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gates,)), ("bias_hh", (gates,))]
                if proj_size > 0:
                    shapes += [("weight_hr", (proj_size, hidden_size))]
                for name, shape in shapes:
                    setattr(self, name + suffix, Parameter(_C.empty(*shape, dtype=dtype)))
                    self._flat_weights_names.append(name + suffix)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self):
        """Nothing to do on the CPU (PyTorch's packs the weights for cuDNN)."""

    @property
    def all_weights(self):
        return [getattr(self, n) for n in self._flat_weights_names]

    def _layer_weights(self, layer, direction):
        suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
        get = lambda name: getattr(self, name + suffix, None)  # noqa: E731
        return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh"), get("weight_hr")

    def _run(self, input, h0, c0):
        """input [T, B, *], h0 [L * D, B, H'] (c0 [L * D, B, H] for the LSTM); returns (output,
        h_n, c_n)."""
        step = _cell_op(self.mode)
        directions = 2 if self.bidirectional else 1
        steps = input.shape[0]
        h_n, c_n = [], []
        layer_input = input
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                w_ih, w_hh, b_ih, b_hh, w_hr = self._layer_weights(layer, direction)
                # With projections h has proj_size < hidden_size features: the cell op sees h and
                # w_hh zero-padded to hidden_size, which gives the same gates.
                extra = self.hidden_size - self.proj_size if w_hr is not None else 0
                if extra:
                    w_hh = F.pad(w_hh, (0, extra))
                h = h0[layer * directions + direction]
                c = c0[layer * directions + direction] if c0 is not None else None
                order = range(steps - 1, -1, -1) if direction == 1 else range(steps)
                hs = [None] * steps
                for t in order:
                    if c is not None:
                        h_in = F.pad(h, (0, extra)) if extra else h
                        h, c = step(layer_input[t], [h_in, c], w_ih, w_hh, b_ih, b_hh)
                        if w_hr is not None:
                            h = F.linear(h, w_hr)
                    else:
                        h = step(layer_input[t], h, w_ih, w_hh, b_ih, b_hh)
                    hs[t] = h
                outputs.append(_C.stack(hs, 0))
                h_n.append(h)
                c_n.append(c)
            layer_input = outputs[0] if directions == 1 else _C.cat(outputs, 2)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        return layer_input, _C.stack(h_n, 0), (_C.stack(c_n, 0) if c0 is not None else None)

    def forward(self, input, hx=None):
        _check_not_packed(input)
        lstm = self.mode == "LSTM"
        batched = input.dim() == 3
        if input.dim() not in (2, 3):
            raise ValueError(f"{type(self).__name__}: Expected input to be 2-D or 3-D but "
                             f"received {input.dim()}-D tensor")
        if not batched:
            input = input.unsqueeze(1)
            if hx is not None:
                hx = tuple(h.unsqueeze(1) for h in hx) if lstm else hx.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        directions = 2 if self.bidirectional else 1
        batch = input.shape[1]
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is None:
            zeros = lambda size: _C.zeros(self.num_layers * directions, batch, size,  # noqa: E731
                                          dtype=input.dtype)
            h0, c0 = zeros(real_hidden), (zeros(self.hidden_size) if lstm else None)
        else:
            h0, c0 = hx if lstm else (hx, None)
        expected = (self.num_layers * directions, batch, real_hidden)
        if tuple(h0.shape) != expected:
            raise RuntimeError(f"Expected hidden size {expected}, got {list(h0.shape)}")
        output, h_n, c_n = self._run(input, h0, c0)
        if not batched:
            output, h_n = output.squeeze(1), h_n.squeeze(1)
            c_n = c_n.squeeze(1) if c_n is not None else None
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, ((h_n, c_n) if lstm else h_n)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    def __init__(self, *args, nonlinearity="tanh", **kwargs):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", *args, **kwargs)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    def __init__(self, *args, **kwargs):
        super().__init__("GRU", *args, **kwargs)


class RNNCellBase(Module):
    _mode = "RNN_TANH"

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        dtype = dtype if dtype is not None else _C.float32
        gates = _GATES[self._mode] * hidden_size
        self.weight_ih = Parameter(_C.empty(gates, input_size, dtype=dtype))
        self.weight_hh = Parameter(_C.empty(gates, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(_C.empty(gates, dtype=dtype))
            self.bias_hh = Parameter(_C.empty(gates, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    reset_parameters = RNNBase.reset_parameters

    def _step(self, input, hx, zeros_count):
        batched = input.dim() == 2
        if input.dim() not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1-D or 2-D but "
                             f"received {input.dim()}-D tensor")
        if not batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = [_C.zeros(input.shape[0], self.hidden_size, dtype=input.dtype)] * zeros_count
        else:
            hx = [h if batched else h.unsqueeze(0) for h in (hx if zeros_count > 1 else [hx])]
        op = _cell_op(self._mode)
        out = op(input, hx if zeros_count > 1 else hx[0], self.weight_ih, self.weight_hh,
                 self.bias_ih, self.bias_hh)
        if batched:
            return out
        return tuple(o.squeeze(0) for o in out) if zeros_count > 1 else out.squeeze(0)

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNNCell(RNNCellBase):
    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {nonlinearity}")
        self._mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        return self._step(input, hx, 1)


class LSTMCell(RNNCellBase):
    _mode = "LSTM"

    def forward(self, input, hx=None):
        return self._step(input, hx, 2)


class GRUCell(RNNCellBase):
    _mode = "GRU"

    def forward(self, input, hx=None):
        return self._step(input, hx, 1)
