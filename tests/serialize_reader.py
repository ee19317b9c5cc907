#!/usr/bin/env python3
"""An independent safetensors reader in Python's standard library only (json, struct).

Usage: serialize_reader.py FILE OUT

Reads FILE following the safetensors specification, checks it strictly (header length within
the file, a JSON object header padded with spaces to a multiple of 8 bytes, known dtypes,
offsets that cover the data exactly, in order, without gaps or overlaps), and writes to OUT a
JSON object: {"__metadata__": {...}, "<name>": {"dtype": ..., "shape": [...], "values": [...]}}
with the values flattened in row-major order. Exits non-zero with a message on any violation.
"""
import json
import struct
import sys

FORMATS = {"F32": ("<f", 4), "F64": ("<d", 8), "I64": ("<q", 8), "BOOL": ("<B", 1)}


def fail(message):
    sys.stderr.write("serialize_reader: " + message + "\n")
    sys.exit(1)


def read(path):
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        fail("file shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > len(blob) - 8:
        fail("header length %d beyond the file" % n)
    if n % 8 != 0:
        fail("header length %d is not a multiple of 8 (data not aligned)" % n)
    raw = blob[8 : 8 + n]
    if not raw.startswith(b"{"):
        fail("header does not start with '{'")
    text = raw.decode("utf-8")
    if text.rstrip(" ") != text.rstrip():
        fail("header padded with something other than spaces")

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            fail("duplicate key in header")
        return dict(pairs)

    header = json.loads(text, object_pairs_hook=no_duplicates)
    if not isinstance(header, dict):
        fail("header is not an object")
    data = blob[8 + n :]
    result = {}
    metadata = header.pop("__metadata__", None)
    if metadata is not None:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            fail("__metadata__ must map strings to strings")
        result["__metadata__"] = metadata
    spans = []
    for name, info in header.items():
        if set(info) != {"dtype", "shape", "data_offsets"}:
            fail("tensor %r has keys %r" % (name, sorted(info)))
        dtype, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in FORMATS:
            fail("tensor %r has unknown dtype %r" % (name, dtype))
        if not all(isinstance(s, int) and s >= 0 for s in shape):
            fail("tensor %r has shape %r" % (name, shape))
        fmt, size = FORMATS[dtype]
        count = 1
        for s in shape:
            count *= s
        if end - begin != count * size or begin < 0 or end > len(data):
            fail("tensor %r has offsets [%d, %d] for %d values" % (name, begin, end, count))
        values = [v for (v,) in struct.iter_unpack(fmt, data[begin:end])]
        if dtype == "BOOL":
            if any(v not in (0, 1) for v in values):
                fail("tensor %r has a bool byte other than 0 or 1" % name)
            values = [bool(v) for v in values]
        result[name] = {"dtype": dtype, "shape": shape, "values": values}
        spans.append((begin, end, name))
    position = 0
    for begin, end, name in sorted(spans):
        if begin != position:
            fail("tensor %r starts at %d, expected %d (gap or overlap)" % (name, begin, position))
        position = end
    if position != len(data):
        fail("%d bytes of data after the last tensor" % (len(data) - position))
    return result


def main():
    if len(sys.argv) != 3:
        fail("usage: serialize_reader.py FILE OUT")
    result = read(sys.argv[1])
    with open(sys.argv[2], "w") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()
