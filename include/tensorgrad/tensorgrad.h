#pragma once
/// tensorgrad: define-by-run automatic differentiation for C++. The one header to include.
#include "tensorgrad/autograd.h"
#include "tensorgrad/autograd/function.h"
#include "tensorgrad/data.h"
#include "tensorgrad/distributed.h"
#include "tensorgrad/distributed/data_parallel.h"
#include "tensorgrad/functions.h"
#include "tensorgrad/indexing.h"
#include "tensorgrad/nn.h"
#include "tensorgrad/optim.h"
#include "tensorgrad/serialize.h"
#include "tensorgrad/tensor.h"
