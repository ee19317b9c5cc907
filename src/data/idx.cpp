// The IDX reader: a byte source that reads plain or gzip'd files (zlib's inflate, streaming, so a
// file is read once and never inflated to more than its header claims), then a parser that checks
// the header against the data before converting it.
#include "tensorgrad/data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <sstream>
#include <vector>

#include "core/internal.h"
#include "kernels/loop.h"
#include "tensorgrad/functions.h"

namespace tg::data {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

/// A file's bytes, inflated on the fly when the file is gzip'd.
class ByteSource {
 public:
  ByteSource(const std::string& path, const char* op) : path_(path), op_(op) {
    std::error_code ec;
    TG_CHECK(!std::filesystem::is_directory(path, ec), op_, ": '", path_,
             "' is a folder, not a regular file; give the path of an IDX file");
    file_.reset(std::fopen(path.c_str(), "rb"));
    TG_CHECK(file_ != nullptr, op_, ": cannot open '", path_, "': ", std::strerror(errno));
    TG_CHECK(std::fseek(file_.get(), 0, SEEK_END) == 0, op_, ": cannot read '", path_,
             "': it is not a regular file");
    const long size = std::ftell(file_.get());
    TG_CHECK(size >= 0, op_, ": cannot read '", path_, "': it is not a regular file");
    file_size_ = static_cast<uint64_t>(size);
    std::rewind(file_.get());
    unsigned char magic[2] = {0, 0};
    const size_t got = std::fread(magic, 1, 2, file_.get());
    std::rewind(file_.get());
    gzip_ = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (gzip_) {
      input_.resize(1 << 16);
      // 15 + 16: a gzip wrapper (header and CRC-32 trailer checked by zlib).
      TG_CHECK(inflateInit2(&zs_, 15 + 16) == Z_OK, op_, ": zlib could not start inflating '",
               path_, "'");
      inflating_ = true;
    }
  }
  ~ByteSource() {
    if (inflating_) inflateEnd(&zs_);
  }
  ByteSource(const ByteSource&) = delete;
  ByteSource& operator=(const ByteSource&) = delete;

  bool gzip() const { return gzip_; }
  uint64_t file_size() const { return file_size_; }

  /// Reads up to n bytes into dst; fewer only where the data ends.
  size_t read(uint8_t* dst, size_t n) {
    if (!gzip_) return std::fread(dst, 1, n, file_.get());
    size_t produced = 0;
    while (produced < n) {
      if (zs_.avail_in == 0) {
        const size_t got = std::fread(input_.data(), 1, input_.size(), file_.get());
        if (got == 0) {
          TG_CHECK(member_ended_, op_, ": '", path_,
                   "' is a truncated gzip file (the compressed data ends before the end of the "
                   "stream); download or reinstall it");
          break;
        }
        zs_.next_in = input_.data();
        zs_.avail_in = static_cast<uInt>(got);
      }
      if (member_ended_) {
        // More input after a complete gzip member: a concatenated gzip file continues.
        inflateReset(&zs_);
        member_ended_ = false;
      }
      const size_t want = std::min<size_t>(n - produced, std::numeric_limits<uInt>::max());
      zs_.next_out = dst + produced;
      zs_.avail_out = static_cast<uInt>(want);
      const int ret = inflate(&zs_, Z_NO_FLUSH);
      produced += want - zs_.avail_out;
      if (ret == Z_STREAM_END) {
        member_ended_ = true;
      } else if (ret == Z_DATA_ERROR || ret == Z_NEED_DICT || ret == Z_STREAM_ERROR ||
                 (ret == Z_BUF_ERROR && zs_.avail_in != 0)) {
        tg::detail::fail(op_, ": '", path_,
                         "' is not valid gzip data (zlib: ", zs_.msg ? zs_.msg : "corrupt stream",
                         "); the file is corrupt, download or reinstall it");
      } else if (ret == Z_MEM_ERROR) {
        tg::detail::fail(op_, ": out of memory while inflating '", path_, "'");
      }
    }
    return produced;
  }

  /// Reads exactly n bytes or throws that the file is truncated, saying what was expected.
  void read_exactly(uint8_t* dst, size_t n, const char* what) {
    const size_t got = read(dst, n);
    TG_CHECK(got == n, op_, ": '", path_, "' is truncated: it ends in the ", what, " after ", got,
             " of ", n, " bytes");
  }

 private:
  std::string path_;
  const char* op_;
  std::unique_ptr<std::FILE, FileCloser> file_;
  uint64_t file_size_ = 0;
  bool gzip_ = false;
  bool inflating_ = false;
  bool member_ended_ = false;
  z_stream zs_{};
  std::vector<unsigned char> input_;
};

uint32_t big_endian32(const uint8_t* b) {
  return (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | uint32_t(b[3]);
}

struct IdxType {
  uint8_t code;
  const char* name;
  size_t size;
};
constexpr IdxType kIdxTypes[] = {{0x08, "unsigned byte", 1},  {0x09, "signed byte", 1},
                                 {0x0B, "16-bit integer", 2}, {0x0C, "32-bit integer", 4},
                                 {0x0D, "32-bit float", 4},   {0x0E, "64-bit float", 8}};

/// A parsed IDX file: its type, shape and raw (big-endian) values.
struct IdxFile {
  uint32_t magic = 0;
  IdxType type{};
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
};

std::string shape_string(const std::vector<int64_t>& shape) {
  std::ostringstream out;
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? "x" : "") << shape[i];
  if (shape.empty()) out << "a single value";
  return out.str();
}

IdxFile parse(const std::string& path, const char* op) {
  ByteSource source(path, op);
  IdxFile file;
  uint8_t magic[4];
  const size_t got = source.read(magic, 4);
  TG_CHECK(got == 4, op, ": '", path, "' is not an IDX file: it holds only ", got,
           " bytes, fewer than the 4-byte magic number");
  file.magic = big_endian32(magic);
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08X", static_cast<unsigned>(file.magic));
  TG_CHECK(magic[0] == 0 && magic[1] == 0, op, ": '", path,
           "' is not an IDX file: its magic number ", hex,
           " does not start with two zero bytes (expected 0x0000TTDD: a type code TT and the "
           "number of dimensions DD)");
  const IdxType* type = nullptr;
  for (const IdxType& t : kIdxTypes)
    if (t.code == magic[2]) type = &t;
  TG_CHECK(type != nullptr, op, ": '", path, "' is not an IDX file: its magic number ", hex,
           " names the unknown type code ", int(magic[2]),
           " (known: 0x08 unsigned byte, 0x09 signed byte, 0x0B 16-bit, 0x0C 32-bit integer, "
           "0x0D float, 0x0E double)");
  file.type = *type;
  const int ndims = magic[3];
  std::vector<uint8_t> dims(4 * static_cast<size_t>(ndims));
  source.read_exactly(dims.data(), dims.size(), "header");
  uint64_t numel = 1;
  bool overflow = false;
  for (int d = 0; d < ndims; ++d) {
    const uint32_t size = big_endian32(&dims[4 * d]);
    file.shape.push_back(size);
    if (size != 0 && numel > (uint64_t(1) << 56) / size) overflow = true;
    numel *= size;
  }
  const uint64_t header_bytes = 4 + dims.size();
  TG_CHECK(!overflow, op, ": '", path, "' has a corrupt header: it claims ",
           shape_string(file.shape), " values, far more than any file holds");
  const uint64_t data_bytes = numel * type->size;
  if (!source.gzip()) {
    // The file size bounds what a plain file can hold: check before allocating anything.
    const uint64_t available = source.file_size() - header_bytes;
    TG_CHECK(data_bytes <= available, op, ": '", path, "' is truncated: its header claims ",
             shape_string(file.shape), " ", type->name, " values (", data_bytes,
             " bytes) but only ", available, " bytes of data follow");
    TG_CHECK(data_bytes == available, op, ": '", path, "' holds ", available - data_bytes,
             " bytes more than its header describes (", shape_string(file.shape), " ", type->name,
             " values); the file is corrupt or not an IDX file");
    file.bytes.resize(data_bytes);
    source.read_exactly(file.bytes.data(), data_bytes, "data");
    return file;
  }
  // A gzip'd file's inflated size is unknown until it is inflated: grow the buffer with the data
  // that arrives, never to more than the header claims.
  constexpr uint64_t kChunk = uint64_t(1) << 22;
  uint64_t have = 0;
  while (have < data_bytes) {
    const uint64_t next = std::min(data_bytes, std::max(have * 2, have + kChunk));
    file.bytes.resize(next);
    const size_t got_now = source.read(file.bytes.data() + have, next - have);
    have += got_now;
    if (have < next) break;
  }
  TG_CHECK(have == data_bytes, op, ": '", path, "' is truncated: its header claims ",
           shape_string(file.shape), " ", type->name, " values (", data_bytes,
           " bytes) but the data ends after ", have, " bytes");
  uint8_t extra;
  TG_CHECK(source.read(&extra, 1) == 0, op, ": '", path,
           "' holds more data than its header describes (", shape_string(file.shape), " ",
           type->name, " values); the file is corrupt or not an IDX file");
  return file;
}

/// Decodes f's big-endian values into out, divided by `scale` in T's arithmetic (as libtorch's
/// `to(kFloat).div_(255)`).
template <class T>
void decode(const IdxFile& f, T* out, double scale) {
  const uint8_t* b = f.bytes.data();
  const int64_t n = static_cast<int64_t>(f.bytes.size() / f.type.size);
  const uint8_t code = f.type.code;
  const T divisor = static_cast<T>(scale);
  if (code == 0x08) {  // unsigned bytes: the MNIST case, kept to a simple vectorisable loop
    kernels::parallel_range(n, [&](int64_t begin, int64_t end) {
      if (scale == 1)
        for (int64_t i = begin; i < end; ++i) out[i] = static_cast<T>(b[i]);
      else
        for (int64_t i = begin; i < end; ++i) out[i] = static_cast<T>(b[i]) / divisor;
    });
    return;
  }
  kernels::parallel_range(n, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const uint8_t* p = b + i * static_cast<int64_t>(f.type.size);
      double v = 0;
      switch (code) {
        case 0x09:
          v = static_cast<int8_t>(p[0]);
          break;
        case 0x0B:
          v = static_cast<int16_t>(uint16_t(p[0] << 8 | p[1]));
          break;
        case 0x0C:
          v = static_cast<int32_t>(big_endian32(p));
          break;
        case 0x0D: {
          const uint32_t u = big_endian32(p);
          float x;
          std::memcpy(&x, &u, 4);
          v = x;
          break;
        }
        default: {
          const uint64_t u = (uint64_t(big_endian32(p)) << 32) | big_endian32(p + 4);
          std::memcpy(&v, &u, 8);
        }
      }
      out[i] = scale == 1 ? static_cast<T>(v) : static_cast<T>(static_cast<T>(v) / divisor);
    }
  });
}

Tensor to_tensor(const IdxFile& f, ScalarType dtype, double scale) {
  switch (dtype) {
    case kFloat:
    case kDouble:
    case kLong:
    case kBool:
      break;
    default:  // the other dtypes convert from double, which holds every IDX value exactly
      return to_tensor(f, kDouble, scale).to(dtype);
  }
  Tensor out = tg::empty(f.shape, dtype);
  switch (dtype) {
    case kFloat:
      decode(f, out.data_ptr<float>(), scale);
      break;
    case kDouble:
      decode(f, out.data_ptr<double>(), scale);
      break;
    case kLong:
      decode(f, out.data_ptr<int64_t>(), scale);
      break;
    default:
      decode(f, out.data_ptr<bool>(), scale);
      break;
  }
  return out;
}

}  // namespace

Tensor read_idx(const std::string& path, std::optional<ScalarType> dtype) {
  IdxFile f = parse(path, "read_idx");
  const ScalarType natural = f.type.code == 0x0D ? kFloat : f.type.code == 0x0E ? kDouble : kLong;
  return to_tensor(f, dtype.value_or(natural), 1.0);
}

namespace {
void expect_magic(const IdxFile& f, uint32_t expected, const std::string& path, const char* op,
                  const char* what) {
  char got[16], want[16];
  std::snprintf(got, sizeof got, "0x%08X", static_cast<unsigned>(f.magic));
  std::snprintf(want, sizeof want, "0x%08X", static_cast<unsigned>(expected));
  TG_CHECK(f.magic == expected, op, ": '", path, "' has magic number ", f.magic, " (", got, ", ",
           f.type.name, " values in ", f.shape.size(), " dimensions) but ", what, " has ", expected,
           " (", want, "); is it the right file?");
}
}  // namespace

Tensor read_idx_images(const std::string& path) {
  IdxFile f = parse(path, "read_idx_images");
  expect_magic(f, 2051, path, "read_idx_images",
               "an images file (unsigned bytes in 3 dimensions: count, rows, columns)");
  Tensor images = to_tensor(f, kFloat, 255.0);
  return images.view({f.shape[0], 1, f.shape[1], f.shape[2]});
}

Tensor read_idx_labels(const std::string& path) {
  IdxFile f = parse(path, "read_idx_labels");
  expect_magic(f, 2049, path, "read_idx_labels", "a labels file (unsigned bytes, 1 dimension)");
  return to_tensor(f, kLong, 1.0);
}

}  // namespace tg::data
