#pragma once
/// Every module of tg::nn, as torch/nn/modules.h.
#include "tensorgrad/nn/modules/activation.h"
#include "tensorgrad/nn/modules/batchnorm.h"
#include "tensorgrad/nn/modules/container/any.h"
#include "tensorgrad/nn/modules/container/functional.h"
#include "tensorgrad/nn/modules/container/modulelist.h"
#include "tensorgrad/nn/modules/container/sequential.h"
#include "tensorgrad/nn/modules/conv.h"
#include "tensorgrad/nn/modules/dropout.h"
#include "tensorgrad/nn/modules/embedding.h"
#include "tensorgrad/nn/modules/linear.h"
#include "tensorgrad/nn/modules/loss.h"
#include "tensorgrad/nn/modules/pooling.h"
