"""tensorgrad.nn: Module and Parameter in Python as PyTorch's, the layers, functional and init;
every op is the C++ one."""

from .parameter import Parameter
from .module import Module
from .modules import (
    Linear, Conv2d, MaxPool2d, AvgPool2d, ReLU, Tanh, Sigmoid, GELU, LeakyReLU, Softmax,
    LogSoftmax, Flatten, Dropout, BatchNorm1d, BatchNorm2d, Embedding, Sequential, ModuleList,
    CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, BCELoss, BCEWithLogitsLoss,
)
from . import functional, init
