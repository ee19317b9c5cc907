#pragma once
/// Optimisers, learning-rate schedules and gradient clipping, as torch/optim.h (plus
/// torch::nn::utils::clip_grad_norm_).
#include "tensorgrad/optim/adagrad.h"
#include "tensorgrad/optim/adam.h"
#include "tensorgrad/optim/adamw.h"
#include "tensorgrad/optim/clip_grad.h"
#include "tensorgrad/optim/cosine_annealing_lr.h"
#include "tensorgrad/optim/lr_scheduler.h"
#include "tensorgrad/optim/optimizer.h"
#include "tensorgrad/optim/rmsprop.h"
#include "tensorgrad/optim/sgd.h"
#include "tensorgrad/optim/step_lr.h"
