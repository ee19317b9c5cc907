#include "tensorgrad/data/datasets.h"

#include <filesystem>
#include <system_error>

#include "core/internal.h"
#include "tensorgrad/data/idx.h"
#include "tensorgrad/data/transforms.h"
#include "tensorgrad/functions.h"

namespace tg::data {

namespace transforms::detail {

std::pair<Tensor, Tensor> normalize_stats(ArrayRef<double> mean, ArrayRef<double> stddev) {
  TG_CHECK(!mean.empty(), "Normalize: mean is empty; give one value per channel");
  TG_CHECK(mean.size() == stddev.size(), "Normalize: ", mean.size(), " means but ", stddev.size(),
           " standard deviations; give one of each per channel");
  for (size_t i = 0; i < stddev.size(); ++i)
    TG_CHECK(stddev[i] != 0, "Normalize: the standard deviation of channel ", i,
             " is 0; division by it would give infinities");
  return {tg::tensor(mean, kFloat).unsqueeze(1).unsqueeze(2),
          tg::tensor(stddev, kFloat).unsqueeze(1).unsqueeze(2)};
}

}  // namespace transforms::detail

namespace datasets {

TensorDataset::TensorDataset(const std::vector<Tensor>& tensors)
    : TensorDataset(tg::stack(tensors)) {}

TensorDataset::TensorDataset(Tensor tensor) : tensor(std::move(tensor)) {
  TG_CHECK(this->tensor.defined() && this->tensor.dim() >= 1,
           "TensorDataset: the tensor must have at least one dimension, the one that indexes "
           "the examples");
}

TensorExample TensorDataset::get(size_t index) {
  TG_CHECK(index < static_cast<size_t>(tensor.size(0)), "TensorDataset: index ", index,
           " is out of range for ", tensor.size(0), " examples");
  return tensor[static_cast<int64_t>(index)];
}

std::optional<size_t> TensorDataset::size() const { return static_cast<size_t>(tensor.size(0)); }

namespace {

namespace fs = std::filesystem;

constexpr const char* kInstallHint =
    "install Fashion-MNIST with `sudo apt-get install dataset-fashion-mnist` (it goes to "
    "/usr/share/datasets/fashion-mnist) or give the folder that holds the IDX files";

/// root/name, or root/name.gz when only that exists.
std::string find_file(const std::string& root, const std::string& name) {
  std::error_code ec;
  const fs::path plain = fs::path(root) / name;
  if (fs::is_regular_file(plain, ec)) return plain.string();
  const fs::path gz = fs::path(root) / (name + ".gz");
  if (fs::is_regular_file(gz, ec)) return gz.string();
  tg::detail::fail("MNIST: the folder '", root, "' has neither ", name, " nor ", name, ".gz; ",
                   kInstallHint);
}

}  // namespace

MNIST::MNIST(const std::string& root, Mode mode) : is_train_(mode == Mode::kTrain) {
  std::error_code ec;
  TG_CHECK(fs::is_directory(root, ec), "MNIST: the data folder '", root,
           fs::exists(root, ec) ? "' is not a folder; " : "' does not exist; ", kInstallHint);
  const std::string prefix = is_train_ ? "train" : "t10k";
  const std::string images_path = find_file(root, prefix + "-images-idx3-ubyte");
  const std::string labels_path = find_file(root, prefix + "-labels-idx1-ubyte");
  images_ = read_idx_images(images_path);
  targets_ = read_idx_labels(labels_path);
  TG_CHECK(images_.size(0) == targets_.size(0), "MNIST: '", images_path, "' holds ",
           images_.size(0), " images but '", labels_path, "' holds ", targets_.size(0),
           " labels; the two files must come from the same set");
  const int64_t* labels = targets_.data_ptr<int64_t>();
  for (int64_t i = 0; i < targets_.numel(); ++i)
    TG_CHECK(labels[i] >= 0 && labels[i] <= 9, "MNIST: '", labels_path, "' holds the label ",
             labels[i], " at position ", i, "; labels must lie in 0..9 (the file is corrupt)");
}

Example<> MNIST::get(size_t index) {
  TG_CHECK(index < static_cast<size_t>(images_.size(0)), "MNIST: index ", index,
           " is out of range for ", images_.size(0), " examples");
  const auto i = static_cast<int64_t>(index);
  return {images_[i], targets_[i]};
}

std::optional<size_t> MNIST::size() const { return static_cast<size_t>(images_.size(0)); }

}  // namespace datasets
}  // namespace tg::data
