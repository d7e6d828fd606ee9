# safetensors_cases.py — writes the .safetensors fixtures of the unit and
# golden tests, and the .npy files holding what each tensor must load as.
# Run from tests/data with a Python that has NumPy (/usr/bin/python3).
#
# The files are written by this script's own writer, which follows the
# format's description (huggingface/safetensors, README "Format"): an 8-byte
# little-endian header length, a JSON header padded with spaces to a
# multiple of 8 bytes, then the data in the order of the offsets. The
# expected values come from NumPy (float16, bfloat16 as the top half of a
# float32, integers) and, for the 8-bit floats, from the OCP 8-bit
# floating point specification (OFP8, 2023) as written out below.
import json
import math
import struct

import numpy as np


def write(path, tensors, metadata=None, order=None):
    """tensors: name -> (dtype string, shape, raw little-endian bytes)."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    names = order or list(tensors)
    at = 0
    for n in names:
        dt, shape, raw = tensors[n]
        header[n] = {"dtype": dt, "shape": list(shape),
                     "data_offsets": [at, at + len(raw)]}
        at += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for n in names:
            f.write(tensors[n][2])


def e4m3(b):
    """OFP8 E4M3: bias 7, no infinities, S.1111.111 is NaN."""
    s = -1.0 if b & 0x80 else 1.0
    e, m = (b >> 3) & 0xF, b & 7
    if e == 15 and m == 7:
        return math.nan
    if e == 0:
        return s * m / 8 * 2.0 ** -6
    return s * (1 + m / 8) * 2.0 ** (e - 7)


def e5m2(b):
    """OFP8 E5M2: bias 15, IEEE-like infinities and NaNs."""
    s = -1.0 if b & 0x80 else 1.0
    e, m = (b >> 2) & 0x1F, b & 3
    if e == 31:
        return s * math.inf if m == 0 else math.nan
    if e == 0:
        return s * m / 4 * 2.0 ** -14
    return s * (1 + m / 4) * 2.0 ** (e - 15)


def e8m0(b):
    """OCP MX E8M0 scale: 2^(b-127), 0xFF is NaN."""
    return math.nan if b == 0xFF else 2.0 ** (b - 127)


def main():
    rng = np.random.default_rng(24)
    w = rng.standard_normal((2, 3)).astype("<f4")
    h = np.array([1.0, -0.0, 65504.0, 2.0 ** -24, -np.inf, 0.333],
                 dtype="<f2")
    bf_bits = np.array([0x3F80, 0xC040, 0x7F80, 0x0001, 0x3EAB, 0x8000],
                       dtype="<u2").reshape(2, 3)
    d = np.array([np.pi, -1e300, 5e-324], dtype="<f8")
    i64 = np.array([2 ** 53 + 1, -7, 0], dtype="<i8")
    u8 = np.arange(0, 256, 51, dtype="u1")
    flag = np.array([0, 1, 2, 0], dtype="u1")
    every = np.arange(256, dtype="u1")
    i16 = np.array([[-32768, 32767], [1, -1]], dtype="<i2")
    tensors = {
        "w": ("F32", w.shape, w.tobytes()),
        "h": ("F16", h.shape, h.tobytes()),
        "b": ("BF16", bf_bits.shape, bf_bits.tobytes()),
        "d": ("F64", d.shape, d.tobytes()),
        "i": ("I64", i64.shape, i64.tobytes()),
        "u8": ("U8", u8.shape, u8.tobytes()),
        "flag": ("BOOL", flag.shape, flag.tobytes()),
        "e4": ("F8_E4M3", every.shape, every.tobytes()),
        "e5": ("F8_E5M2", every.shape, every.tobytes()),
        "s": ("F8_E8M0", every.shape, every.tobytes()),
        "i16": ("I16", i16.shape, i16.tobytes()),
        "scalar": ("F32", (), np.array(2.5, dtype="<f4").tobytes()),
        "empty": ("F32", (0, 3), b""),
        "layers.10.x": ("F32", (1,), np.array([10], "<f4").tobytes()),
        "layers.2.x": ("F32", (1,), np.array([2], "<f4").tobytes()),
        "packed": ("F4", (4,), bytes([0x21, 0x43])),
    }
    order = ["d", "i", "w", "layers.10.x", "layers.2.x", "scalar", "empty",
             "h", "b", "i16", "u8", "flag", "e4", "e5", "s", "packed"]
    write("st_mixed.safetensors", tensors, {"format": "pt", "note": "mmcalc"},
          order)
    np.save("st_mixed_w.npy", w)
    np.save("st_mixed_h.npy", h.astype("<f4"))
    np.save("st_mixed_b.npy",
            (bf_bits.astype("<u4") << 16).view("<f4"))
    np.save("st_mixed_d.npy", d)
    np.save("st_mixed_i.npy", i64.astype("<f8"))
    np.save("st_mixed_i16.npy", i16.astype("<f8"))
    np.save("st_mixed_e4.npy", np.array([e4m3(b) for b in range(256)], "<f4"))
    np.save("st_mixed_e5.npy", np.array([e5m2(b) for b in range(256)], "<f4"))
    np.save("st_mixed_s.npy", np.array([e8m0(b) for b in range(256)], "<f4"))

    # A small layer for the golden test: y = x @ W.T + b in f32 and bf16.
    x = rng.standard_normal((4, 8)).astype("<f4")
    W = rng.standard_normal((16, 8)).astype("<f4")
    bias = rng.standard_normal(16).astype("<f4")
    Wbf = ((W.view("<u4") >> 16).astype("<u2"))
    write("st_layer.safetensors", {
        "layer.weight": ("F32", W.shape, W.tobytes()),
        "layer.bias": ("F32", bias.shape, bias.tobytes()),
        "layer.weight_bf16": ("BF16", W.shape, Wbf.tobytes()),
        "input": ("F32", x.shape, x.tobytes()),
    }, {"format": "pt"})
    np.save("st_layer_y.npy", x @ W.T + bias)

    # Names :inspect must align (by characters) and mask (control bytes).
    write("st_names.safetensors", {
        "gewicht.\u00e4": ("U8", (1,), b"\x01"),
        "ctl.\u0001\u001b[31m": ("U8", (2,), b"\x02\x03"),
        "plain": ("U8", (3,), b"\x04\x05\x06"),
    }, {"note": "line\none"})

    # Hostile files for the golden test's messages.
    def raw(path, text, data):
        with open(path, "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text + data)
    raw("st_bad_overlap.safetensors",
        b'{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
        b'"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}', bytes(12))
    raw("st_bad_dtype.safetensors",
        b'{"w":{"dtype":"F12","shape":[2],"data_offsets":[0,3]}}', bytes(3))
    raw("st_bad_json.safetensors",
        b'{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},}', bytes(8))
    raw("st_bad_size.safetensors",
        b'{"w":{"dtype":"BF16","shape":[4096,4096],"data_offsets":[0,8]}}',
        bytes(8))


if __name__ == "__main__":
    main()
