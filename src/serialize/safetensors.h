#pragma once
// The safetensors writer and reader on streams, shared by tg::save/tg::load (files) and the
// serialize archives (files and streams).
#include <istream>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "tensorgrad/serialize.h"

namespace tg::serialize::detail {

/// A safetensors image ready to write: the padded JSON header and the contiguous tensors.
struct SafetensorsImage {
  std::string header;
  std::vector<Tensor> data;
};

/// Checks the names and tensors (non-empty, unique, defined; `op` names the caller in errors)
/// and lays out the header.
SafetensorsImage prepare_safetensors(const std::vector<std::pair<std::string, Tensor>>& tensors,
                                     const SafetensorsMetadata& metadata, const char* op);

/// Writes `image`: the header length, the header, the tensors' bytes.
void write_safetensors(std::ostream& out, const SafetensorsImage& image);

/// Reads the safetensors data from the current position of `in` to its end, validating it as
/// load_tensors does; `source` names the stream in messages.
OrderedDict<std::string, Tensor> read_safetensors(std::istream& in, const std::string& source,
                                                  const char* op);

}  // namespace tg::serialize::detail
