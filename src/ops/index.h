#pragma once
// The internal op of ops/index.cpp that index_select's derivative uses, declared with the core
// (core/index_add.h) because the view machinery needs it too.
#include "core/index_add.h"
#include "tensorgrad/functions.h"
