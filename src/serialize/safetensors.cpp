// The safetensors format (see include/tensorgrad/serialize.h): a writer, and a reader that
// validates the whole header against the file before it allocates or reads any tensor data
// (Note [Reading untrusted files]).
#include "serialize/safetensors.h"

#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <unordered_set>

#include "core/internal.h"
#include "tensorgrad/autograd.h"
#include "tensorgrad/functions.h"
#include "tensorgrad/serialize.h"

// Note [Reading untrusted files]
// A safetensors file may come from anywhere. Its 8-byte header length is checked against the
// file size (and the format's 100 MB cap) before the header is read; the header is parsed by a
// JSON library; every tensor's dtype, shape and offsets are checked (offsets within the data,
// shape times element size equal to the offsets' span, no overlap, no gap, as the reference
// implementation requires) before any tensor is allocated, so an allocation is never larger than
// the file.

static_assert(std::endian::native == std::endian::little,
              "the safetensors writer and reader assume a little-endian machine");

namespace tg {
namespace {

using json = nlohmann::ordered_json;

// The reference implementation's limit on the header length.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;

std::string shape_string(const std::vector<int64_t>& shape) {
  return detail::shape_str(IntArrayRef(shape));
}

}  // namespace

// ---- writing ----

namespace serialize::detail {

SafetensorsImage prepare_safetensors(const std::vector<std::pair<std::string, Tensor>>& tensors,
                                     const SafetensorsMetadata& metadata, const char* op) {
  json header = json::object();
  if (!metadata.empty()) {
    json meta = json::object();
    for (const auto& [key, value] : metadata) meta[key] = value;
    header["__metadata__"] = std::move(meta);
  }
  std::vector<Tensor> data;
  data.reserve(tensors.size());
  std::unordered_set<std::string> names;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    TG_CHECK(!name.empty(), op, ": a tensor has an empty name; give every tensor a name");
    TG_CHECK(name != "__metadata__", op,
             ": '__metadata__' is reserved by the safetensors "
             "format for metadata; rename the tensor");
    TG_CHECK(names.insert(name).second, op, ": the name '", name,
             "' is given to two tensors; names must be unique");
    TG_CHECK(tensor.defined(), op, ": the tensor '", name, "' is undefined; leave it out");
    Tensor t = tg::detail::contiguous_data(tensor.detach());
    const uint64_t bytes = t.nbytes();
    header[name] = {{"dtype", scalar_type_info(t.dtype()).safetensors_dtype},
                    {"shape", t.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    data.push_back(std::move(t));
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const json::exception& e) {
    tg::detail::fail(op, ": a tensor name or metadata string is not valid UTF-8 (", e.what(),
                     "); safetensors headers are UTF-8 JSON");
  }
  text.append((8 - text.size() % 8) % 8, ' ');  // align the data to 8 bytes
  return {std::move(text), std::move(data)};
}

void write_safetensors(std::ostream& out, const SafetensorsImage& image) {
  const uint64_t n = image.header.size();
  out.write(reinterpret_cast<const char*>(&n), 8);
  out.write(image.header.data(), static_cast<std::streamsize>(n));
  for (const Tensor& t : image.data) {
    if (t.dtype() == kBool) {
      // One byte per value, 0 or 1, whatever bool's object representation.
      std::vector<char> bytes(static_cast<size_t>(t.numel()));
      const bool* b = t.data_ptr<bool>();
      for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = b[i] ? 1 : 0;
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    } else if (t.numel() > 0) {
      out.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.nbytes()));
    }
  }
}

}  // namespace serialize::detail

void save(const std::vector<std::pair<std::string, Tensor>>& tensors, const std::string& path,
          const SafetensorsMetadata& metadata) {
  const serialize::detail::SafetensorsImage image =
      serialize::detail::prepare_safetensors(tensors, metadata, "save");
  // Write beside the target and rename, so that a failure leaves no truncated file behind.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    TG_CHECK(out.good(), "save: cannot write '", tmp, "': ", std::strerror(errno));
    serialize::detail::write_safetensors(out, image);
    out.flush();
    if (!out.good()) {
      const std::string reason = std::strerror(errno);
      out.close();
      std::error_code ec;
      std::filesystem::remove(tmp, ec);
      detail::fail("save: writing '", tmp, "' failed: ", reason);
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    detail::fail("save: cannot move '", tmp, "' to '", path, "': ", ec.message());
  }
}

void save(const nn::Module& module, const std::string& path, const SafetensorsMetadata& metadata) {
  std::vector<std::pair<std::string, Tensor>> tensors;
  for (const auto& item : module.named_parameters()) tensors.emplace_back(item.key(), item.value());
  for (const auto& item : module.named_buffers())
    if (item.value().defined()) tensors.emplace_back(item.key(), item.value());
  save(tensors, path, metadata);
}

// ---- reading ----

namespace {

struct Entry {
  std::string name;
  ScalarType dtype;
  std::vector<int64_t> shape;
  uint64_t begin, end;
};

struct Parsed {
  std::vector<Entry> entries;  // sorted by offset
  SafetensorsMetadata metadata;
  uint64_t data_start = 0;
};

/// Parses and validates the safetensors header that starts at the current position of `in`;
/// the data runs to the end of the stream. `source` names it in messages ("'file'" or "the
/// stream"). Entry offsets stay relative to parsed.data_start, an absolute stream position.
Parsed parse_header(std::istream& in, const std::string& source, const char* op) {
  const auto base = in.tellg();
  TG_CHECK(base >= 0, op, ": cannot read ", source);
  in.seekg(0, std::ios::end);
  const auto end_pos = in.tellg();
  TG_CHECK(end_pos >= base, op, ": cannot read ", source);
  const auto file_size = static_cast<uint64_t>(end_pos - base);
  in.seekg(base);
  TG_CHECK(file_size >= 8, op, ": ", source, " is not a safetensors file: it holds ", file_size,
           " bytes, fewer than the 8-byte header length");
  unsigned char len_bytes[8];
  in.read(reinterpret_cast<char*>(len_bytes), 8);
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | len_bytes[i];
  TG_CHECK(n <= file_size - 8, op, ": ", source,
           " is not a valid safetensors file: its header "
           "length ",
           n, " exceeds the ", file_size - 8,
           " bytes that follow it (truncated or "
           "not a safetensors file)");
  TG_CHECK(n <= kMaxHeaderBytes, op, ": ", source, " has a ", n,
           "-byte header, over the "
           "format's limit of ",
           kMaxHeaderBytes, " bytes");
  TG_CHECK(n >= 2, op, ": ", source, " has a ", n, "-byte header, too short for a JSON object");
  std::string text(n, '\0');
  in.read(text.data(), static_cast<std::streamsize>(n));
  TG_CHECK(in.good(), op, ": reading the header of ", source, " failed");
  TG_CHECK(text[0] == '{', op, ": ", source,
           " has a header that does not start with '{' (a "
           "safetensors header is a JSON object)");

  // Parse, noting duplicate top-level keys (the JSON library would keep the last silently).
  std::set<std::string> keys;
  std::string duplicate;
  json::parser_callback_t note_keys = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::key && depth == 1) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!keys.insert(key).second && duplicate.empty()) duplicate = key;
    }
    return true;
  };
  json header;
  try {
    header = json::parse(text, note_keys);
  } catch (const json::exception& e) {
    detail::fail(op, ": ", source, " has an invalid JSON header (", e.what(), ")");
  }
  TG_CHECK(header.is_object(), op, ": ", source, " has a header that is not a JSON object");
  TG_CHECK(duplicate.empty(), op, ": ", source, " names the tensor '", duplicate,
           "' twice in its header");

  Parsed parsed;
  parsed.data_start = static_cast<uint64_t>(base) + 8 + n;
  const uint64_t data_size = file_size - 8 - n;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") {
      TG_CHECK(info.is_object(), op, ": ", source,
               " has a __metadata__ that is not an object "
               "of strings");
      for (const auto& [key, value] : info.items()) {
        TG_CHECK(value.is_string(), op, ": ", source, " has the __metadata__ entry '", key,
                 "' whose value is not a string (", value.type_name(), ")");
        parsed.metadata[key] = value.get<std::string>();
      }
      continue;
    }
    const std::string where = std::string(op) + ": " + source + ": tensor '" + name + "'";
    TG_CHECK(info.is_object() && info.contains("dtype") && info.contains("shape") &&
                 info.contains("data_offsets"),
             where, " needs an object with \"dtype\", \"shape\" and \"data_offsets\"");
    const json& dtype = info["dtype"];
    TG_CHECK(dtype.is_string(), where, " has a dtype that is not a string");
    const std::string d = dtype.get<std::string>();
    Entry e;
    e.name = name;
    const ScalarTypeInfo* known = nullptr;
    for (int i = 0; i < kNumScalarTypes && !known; ++i) {
      const ScalarTypeInfo& info = scalar_type_info(static_cast<ScalarType>(i));
      if (d == info.safetensors_dtype) known = &info;
    }
    if (known) {
      e.dtype = known->type;
    } else {
      static const std::set<std::string> other = {"F8_E4M3", "F8_E5M2", "U16", "U32", "U64"};
      std::string read;
      for (int i = 0; i < kNumScalarTypes; ++i)
        read += std::string(i ? ", " : "") +
                scalar_type_info(static_cast<ScalarType>(i)).safetensors_dtype;
      detail::fail(where, other.count(d) ? " has dtype " : " has the unknown dtype ", "'", d,
                   "'; tensorgrad reads ", read);
    }
    const json& shape = info["shape"];
    TG_CHECK(shape.is_array(), where, " has a shape that is not an array");
    // numel * element size must stay below 2^63: check each factor against what is left.
    uint64_t bytes = element_size(e.dtype);
    bool too_big = false;
    for (const json& s : shape) {
      TG_CHECK(s.is_number_unsigned(), where, " has the shape ", shape.dump(),
               ": sizes must be non-negative integers");
      const uint64_t size = s.get<uint64_t>();
      TG_CHECK(size <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()), where,
               " has the size ", size, " in its shape, too large");
      e.shape.push_back(static_cast<int64_t>(size));
      if (size != 0 && bytes > (uint64_t(1) << 62) / size) too_big = true;
      bytes *= size;
    }
    bool empty = false;
    for (int64_t s : e.shape) empty = empty || s == 0;
    TG_CHECK(!too_big || empty, where, " has the shape ", shape_string(e.shape),
             ", more data than any file holds");
    if (empty) bytes = 0;
    const json& offsets = info["data_offsets"];
    TG_CHECK(offsets.is_array() && offsets.size() == 2 && offsets[0].is_number_unsigned() &&
                 offsets[1].is_number_unsigned(),
             where, " has data_offsets ", offsets.dump(),
             "; they must be two non-negative integers [begin, end]");
    e.begin = offsets[0].get<uint64_t>();
    e.end = offsets[1].get<uint64_t>();
    TG_CHECK(e.begin <= e.end, where, " has data_offsets [", e.begin, ", ", e.end,
             "] that end before they begin");
    TG_CHECK(e.end <= data_size, where, " has data_offsets [", e.begin, ", ", e.end,
             "] beyond the ", data_size, " bytes of data in the file (truncated or corrupt)");
    TG_CHECK(e.end - e.begin == bytes, where, " of dtype ", d, " and shape ", shape_string(e.shape),
             " needs ", bytes, " bytes but its data_offsets [", e.begin, ", ", e.end, "] span ",
             e.end - e.begin);
    parsed.entries.push_back(std::move(e));
  }
  // The data must be covered exactly: tensors in offset order, each starting where the previous
  // one ends, the last ending at the end of the file.
  std::stable_sort(parsed.entries.begin(), parsed.entries.end(),
                   [](const Entry& a, const Entry& b) {
                     return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
                   });
  uint64_t covered = 0;
  const Entry* previous = nullptr;
  for (const Entry& e : parsed.entries) {
    TG_CHECK(e.begin >= covered, op, ": ", source, ": the data of tensors '",
             previous ? previous->name : "", "' [", previous ? previous->begin : 0, ", ", covered,
             ") and '", e.name, "' [", e.begin, ", ", e.end, ") overlap");
    TG_CHECK(e.begin == covered, op, ": ", source, ": bytes [", covered, ", ", e.begin,
             ") of the data belong to no tensor (the format allows no gaps)");
    covered = e.end;
    previous = &e;
  }
  TG_CHECK(covered == data_size, op, ": ", source, ": bytes [", covered, ", ", data_size,
           ") at the end of the file belong to no tensor (the format allows no trailing data)");
  return parsed;
}

/// Opens `path` and parses its header; `in` is left open on the file.
Parsed parse_file(std::ifstream& in, const std::string& path, const char* op) {
  std::error_code ec;
  TG_CHECK(!std::filesystem::is_directory(path, ec), op, ": '", path,
           "' is a folder, not a safetensors file");
  in.open(path, std::ios::binary);
  TG_CHECK(in.is_open(), op, ": cannot open '", path, "': ", std::strerror(errno));
  return parse_header(in, "'" + path + "'", op);
}

/// The tensors `parsed` describes, read from `in`.
OrderedDict<std::string, Tensor> read_tensors(std::istream& in, const Parsed& parsed,
                                              const std::string& source, const char* op) {
  OrderedDict<std::string, Tensor> out("Tensor");
  out.reserve(parsed.entries.size());
  for (const Entry& e : parsed.entries) {
    Tensor t = tg::empty(e.shape, e.dtype);
    const uint64_t bytes = e.end - e.begin;
    if (bytes > 0) {
      in.seekg(static_cast<std::streamoff>(parsed.data_start + e.begin));
      in.read(static_cast<char*>(t.data_ptr()), static_cast<std::streamsize>(bytes));
      TG_CHECK(in.good(), op, ": reading tensor '", e.name, "' from ", source, " failed");
      if (e.dtype == kBool) {
        // Any non-zero byte is true; keep bool objects valid.
        auto* b = static_cast<unsigned char*>(t.data_ptr());
        for (uint64_t i = 0; i < bytes; ++i) b[i] = b[i] != 0;
      }
    }
    out.insert(e.name, std::move(t));
  }
  return out;
}

}  // namespace

namespace serialize::detail {

OrderedDict<std::string, Tensor> read_safetensors(std::istream& in, const std::string& source,
                                                  const char* op) {
  const Parsed parsed = parse_header(in, source, op);
  return read_tensors(in, parsed, source, op);
}

}  // namespace serialize::detail

OrderedDict<std::string, Tensor> load_tensors(const std::string& path) {
  std::ifstream in;
  const Parsed parsed = parse_file(in, path, "load_tensors");
  return read_tensors(in, parsed, "'" + path + "'", "load_tensors");
}

SafetensorsMetadata load_metadata(const std::string& path) {
  std::ifstream in;
  return parse_file(in, path, "load_metadata").metadata;
}

void load(nn::Module& module, const std::string& path) {
  OrderedDict<std::string, Tensor> file = load_tensors(path);
  OrderedDict<std::string, Tensor> targets("Tensor");
  for (const auto& item : module.named_parameters()) targets.insert(item.key(), item.value());
  for (const auto& item : module.named_buffers())
    if (item.value().defined()) targets.insert(item.key(), item.value());

  std::vector<std::string> missing, unexpected, misshaped;
  for (const auto& item : targets) {
    const Tensor* stored = file.find(item.key());
    if (stored == nullptr) {
      missing.push_back(item.key());
    } else if (stored->sizes() != item.value().sizes()) {
      misshaped.push_back(item.key() + " (file " + detail::shape_str(stored->sizes()) +
                          ", module " + detail::shape_str(item.value().sizes()) + ")");
    }
  }
  for (const auto& item : file)
    if (!targets.contains(item.key())) unexpected.push_back(item.key());
  if (!missing.empty() || !unexpected.empty() || !misshaped.empty()) {
    std::ostringstream out;
    out << "load: '" << path << "' does not match the module " << module.name() << ":";
    auto list = [&](const char* what, const std::vector<std::string>& names) {
      if (names.empty()) return;
      out << " " << what << " " << names.size() << ": ";
      for (size_t i = 0; i < names.size(); ++i) out << (i ? ", " : "") << names[i];
      out << ";";
    };
    list("missing from the file", missing);
    list("unexpected in the file", unexpected);
    list("mis-shaped", misshaped);
    out << " was it saved from a module of this architecture?";
    throw Error(out.str());
  }
  NoGradGuard no_grad;
  for (auto& item : targets) item.value().copy_(file[item.key()]);
}

}  // namespace tg
