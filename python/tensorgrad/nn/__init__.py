"""tensorgrad.nn: Module and Parameter in Python as PyTorch's, the layers, containers, functional
and init; every op is the C++ one."""

from .parameter import Parameter
from .module import Module
from .modules import *  # noqa: F401,F403  the layers: Linear, Conv2d, ReLU, MSELoss...
from .container import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict
from .rnn import RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell, GRUCell
from .transformer import (
    MultiheadAttention, Transformer, TransformerEncoder, TransformerDecoder,
    TransformerEncoderLayer, TransformerDecoderLayer,
)
from . import functional, init
