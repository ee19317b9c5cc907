#pragma once
/// The IDX file format of MNIST and Fashion-MNIST: a 4-byte big-endian magic number (two zero
/// bytes, a type code, the number of dimensions), one big-endian 32-bit size per dimension, then
/// the values, big-endian, row-major. Files may be gzip'd: they are recognised by their first two
/// bytes (0x1f 0x8b) and inflated with zlib while reading. Every problem (a missing file, a
/// truncated or corrupt gzip stream, a wrong magic number, a header that claims more or less
/// data than the file holds) throws a tg::Error naming the file; nothing is allocated for what a
/// header claims before the data is seen to be there.
#include <optional>
#include <string>

#include "tensorgrad/tensor.h"

namespace tg::data {

/// The contents of an IDX file as a tensor of the file's shape. Integer types (unsigned and
/// signed bytes, 16- and 32-bit integers) become kLong, 32-bit floats kFloat and 64-bit floats
/// kDouble unless `dtype` asks for another dtype (values are converted, not scaled).
Tensor read_idx(const std::string& path, std::optional<ScalarType> dtype = std::nullopt);

/// An IDX file of unsigned-byte images (3 dimensions: count, rows, columns; magic number 2051)
/// as a kFloat tensor of shape [count, 1, rows, columns] with values divided by 255 (so in
/// [0, 1]), as libtorch's MNIST dataset.
Tensor read_idx_images(const std::string& path);

/// An IDX file of unsigned-byte labels (1 dimension; magic number 2049) as a kLong tensor of
/// shape [count].
Tensor read_idx_labels(const std::string& path);

}  // namespace tg::data
