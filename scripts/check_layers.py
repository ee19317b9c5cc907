#!/usr/bin/python3
"""Checks that includes point down the layers of tensorgrad (docs/architecture.md).

Every `#include "..."` (and `#include <tensorgrad/...>`) in src/, include/, apps/, examples/ and
bench/ is resolved to a file of the project; the including file and the included file are each
mapped to a layer by RULES below. A file may include its own layer and any layer of a lower rank;
layers of one rank are peers and include each other only where PEER_INCLUDES allows it. tests/
and fuzz/ may include anything and are not read.

    /usr/bin/python3 scripts/check_layers.py [--root DIR] [--list]

Exit status 0 when every include is allowed; 1, with one line per violation, otherwise.
--list prints every checked file with its layer instead.
"""

import argparse
import os
import re
import sys

# ---- The rules: the one place that says which layer may include which. ----
#
# (rank, layer, paths). A path ending in "/" covers every file below it; any other path is one
# file, and a file's own entry wins over its directory's. Ranks go up from the bottom.
RULES = [
    # Plain types every layer shares, kernels included: no tensors, no autograd. The op table
    # (elementwise_ops.def) is data: each layer expands only its own columns.
    (0, "base", [
        "include/tensorgrad/dtype.h",
        "include/tensorgrad/half.h",
        "include/tensorgrad/array_ref.h",
        "include/tensorgrad/small_vector.h",
        "include/tensorgrad/error.h",
        "include/tensorgrad/tensor_impl.h",
        "include/tensorgrad/demangle.h",
        "include/tensorgrad/enum.h",
        "include/tensorgrad/elementwise_ops.def",
        # TG_ARG, a macro that options of nn, optim and data use; libtorch has it at torch/arg.h.
        "include/tensorgrad/nn/arg.h",
    ]),
    # The loops: buffers, dtypes and geometry in, nothing of Tensor or autograd.
    (1, "kernels", ["src/kernels/"]),
    # The tensor and its history, one layer: Tensor's own methods include requires_grad(),
    # grad() and backward(), a factory takes requires_grad, printing names the grad_fn and a
    # TensorImpl releases its history without recursion; the engine sums broadcast gradients
    # with sum_to. functions.h declares every public function (defined in the layers above).
    (2, "core", [
        "src/core/",
        "src/autograd/",
        "include/tensorgrad/tensor.h",
        "include/tensorgrad/functions.h",
        "include/tensorgrad/tensor_data.h",
        "include/tensorgrad/indexing.h",
        "include/tensorgrad/autograd.h",
        "include/tensorgrad/autograd/",
    ]),
    # The differentiable ops: a kernel for the forward, a recorded node for the backward.
    (3, "ops", ["src/ops/"]),
    # Transforms built on the engine and the ops (jacobian, hessian, vjp..., gradcheck, DOT
    # export); declared in tensorgrad/autograd.h, defined above the ops they compute with.
    (4, "transforms", [
        "src/autograd/functional.cpp",
        "src/autograd/gradcheck.cpp",
        "src/autograd/graph_dot.cpp",
    ]),
    # The libraries over the ops; peers.
    (5, "nn", ["src/nn/", "include/tensorgrad/nn/", "include/tensorgrad/nn.h"]),
    (5, "optim", ["src/optim/", "include/tensorgrad/optim/", "include/tensorgrad/optim.h"]),
    (5, "data", ["src/data/", "include/tensorgrad/data/", "include/tensorgrad/data.h"]),
    (5, "distributed", [
        "src/distributed/",
        "include/tensorgrad/distributed.h",
        "include/tensorgrad/distributed/",
    ]),
    (5, "serialize", [
        "src/serialize/",
        "include/tensorgrad/serialize.h",
        "include/tensorgrad/serialize/",
    ]),
    # The umbrella headers, which include every public header.
    (6, "umbrella", ["include/tensorgrad/tensorgrad.h", "include/tensorgrad/torch.h"]),
    # Programs built on the library.
    (7, "apps", ["apps/", "examples/", "bench/", "python/src/"]),
]

# Headers from outside the project (`#include <...>`) a layer may include; a layer not named here
# may include any. Kernels: the standard library and the libraries made for the loops.
EXTERNAL_INCLUDES = {
    "kernels": re.compile(r"^([a-z_]+|omp\.h|immintrin\.h|sleef\.h|cxxabi\.h|"
                          r"oneapi/dnnl/dnnl(\.h|\.hpp)|boost/math/[a-z_/]+\.hpp)$"),
}

# Peer layers that may include each other, as (includer, included).
PEER_INCLUDES = {
    ("serialize", "nn"),  # tg::save and tg::load take modules
    ("data", "serialize"),  # samplers and stateful datasets save their state in archives
    ("distributed", "nn"),  # DistributedDataParallel wraps a module
}

# Where the build looks for project headers, after the including file's own directory.
INCLUDE_DIRS = ["include", "src"]

# What is read: these directories, files with these suffixes.
SCANNED_DIRS = ["src", "include", "apps", "examples", "bench", "python/src"]
SUFFIXES = (".h", ".hpp", ".cpp", ".cc", ".inl")

INCLUDE_RE = re.compile(r'^\s*#\s*include\s*(?:"([^"]+)"|<(tensorgrad/[^>]+)>)')
EXTERNAL_RE = re.compile(r'^\s*#\s*include\s*<(?!tensorgrad/)([^>]+)>')


def build_index():
    """Maps a path prefix or file to (rank, layer)."""
    files, dirs = {}, []
    for rank, layer, paths in RULES:
        for path in paths:
            if path.endswith("/"):
                dirs.append((path, rank, layer))
            else:
                files[path] = (rank, layer)
    dirs.sort(key=lambda entry: len(entry[0]), reverse=True)  # the deepest directory wins
    return files, dirs


def layer_of(path, files, dirs):
    if path in files:
        return files[path]
    for prefix, rank, layer in dirs:
        if path.startswith(prefix):
            return rank, layer
    return None


def resolve(root, includer, name):
    """The project file (relative to root) that `#include name` in `includer` reads, or None."""
    candidates = [os.path.join(os.path.dirname(includer), name)]
    candidates += [os.path.join(d, name) for d in INCLUDE_DIRS]
    for candidate in candidates:
        candidate = os.path.normpath(candidate)
        if os.path.isfile(os.path.join(root, candidate)):
            return candidate.replace(os.sep, "/")
    return None


def scanned_files(root):
    for top in SCANNED_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for filename in sorted(filenames):
                if filename.endswith(SUFFIXES):
                    path = os.path.join(dirpath, filename)
                    yield os.path.relpath(path, root).replace(os.sep, "/")


def allowed(includer, included):
    (rank_a, layer_a), (rank_b, layer_b) = includer, included
    if layer_a == layer_b or rank_b < rank_a:
        return True
    return rank_a == rank_b and (layer_a, layer_b) in PEER_INCLUDES


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--root", default=os.path.dirname(here), help="the project's root")
    parser.add_argument("--list", action="store_true", help="print each file's layer")
    args = parser.parse_args()

    files, dirs = build_index()
    violations, unmapped = [], []
    for path in scanned_files(args.root):
        own = layer_of(path, files, dirs)
        if own is None:
            unmapped.append(path)
            continue
        if args.list:
            print(f"{own[1]:10} {path}")
            continue
        with open(os.path.join(args.root, path), encoding="utf-8", errors="replace") as source:
            for number, line in enumerate(source, 1):
                external = EXTERNAL_RE.match(line)
                if external and own[1] in EXTERNAL_INCLUDES:
                    if not EXTERNAL_INCLUDES[own[1]].match(external.group(1)):
                        violations.append(f"{path}:{number} includes <{external.group(1)}> "
                                          f"(layer {own[1]} may include only the headers "
                                          "EXTERNAL_INCLUDES lists)")
                    continue
                match = INCLUDE_RE.match(line)
                if not match:
                    continue
                name = match.group(1) or match.group(2)
                target = resolve(args.root, path, name)
                if target is None:
                    continue  # not the project's: a system or third-party header
                theirs = layer_of(target, files, dirs)
                if theirs is None:
                    unmapped.append(target)
                elif not allowed(own, theirs):
                    violations.append(f"{path}:{number} includes {name} "
                                      f"(layer {own[1]} may not include layer {theirs[1]})")

    for path in sorted(set(unmapped)):
        print(f"{path}: in no layer; add it to RULES in scripts/check_layers.py")
    for violation in violations:
        print(violation)
    if violations or unmapped:
        print(f"{len(violations)} include(s) against the layers, {len(set(unmapped))} file(s) in "
              "no layer")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
