#pragma once
// Transitional: ops/index.cpp still includes this old name. Include ops/slicing.h and ops/index.h
// instead; this file goes once nothing includes it.
#include "ops/index.h"
#include "ops/slicing.h"
