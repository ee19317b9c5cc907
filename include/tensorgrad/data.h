#pragma once
/// Datasets, transforms, samplers and data loaders, as torch/data.h, and the IDX reader.
#include "tensorgrad/data/chunk.h"
#include "tensorgrad/data/dataloader.h"
#include "tensorgrad/data/datasets.h"
#include "tensorgrad/data/detail.h"
#include "tensorgrad/data/distributed_sampler.h"
#include "tensorgrad/data/example.h"
#include "tensorgrad/data/idx.h"
#include "tensorgrad/data/iterator.h"
#include "tensorgrad/data/samplers.h"
#include "tensorgrad/data/transforms.h"
#include "tensorgrad/data/worker_exception.h"
