#pragma once
/// tensorgrad: define-by-run automatic differentiation for C++. The one header to include.
#include "tensorgrad/autograd.h"
#include "tensorgrad/functions.h"
#include "tensorgrad/tensor.h"
