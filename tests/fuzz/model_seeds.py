# model_seeds.py — writes the seed inputs of the safetensors and hfconfig
# fuzz targets (tests/fuzz/corpus/safetensors, corpus/hfconfig): valid
# files of every kind the readers accept and hostile ones for each check.
# Run from tests/fuzz with any python3 (standard library only); the
# inputs libFuzzer added afterwards are named by their SHA-1.
import json
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")


def out(kind, name, data):
    d = os.path.join(HERE, "corpus", kind)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def st(header, data=b"", length=None, pad=True):
    """A .safetensors file: header is JSON text (str) or a dict."""
    if not isinstance(header, str):
        header = json.dumps(header, separators=(",", ":"))
    text = header.encode("utf-8", "surrogatepass")
    if pad:
        text += b" " * (-len(text) % 8)
    n = len(text) if length is None else length
    return struct.pack("<Q", n) + text + data


def t(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


def safetensors_seeds():
    k = "safetensors"
    os.makedirs(os.path.join(HERE, "corpus", k), exist_ok=True)
    for f in ("st_mixed", "st_layer", "st_bad_overlap", "st_bad_dtype",
              "st_bad_json", "st_bad_size"):
        shutil.copy(os.path.join(DATA, f + ".safetensors"),
                    os.path.join(HERE, "corpus", k, f))
    out(k, "empty", st("{}"))
    out(k, "metadata_only", st({"__metadata__": {"format": "pt"}}))
    out(k, "scalar", st({"s": t("F64", [], 0, 8)}, struct.pack("<d", 2.5)))
    sizes = {"BOOL": 8, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6, "U8": 8,
             "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8, "I16": 16,
             "U16": 16, "F16": 16, "BF16": 16, "I32": 32, "U32": 32,
             "F32": 32, "C64": 64, "F64": 64, "I64": 64, "U64": 64}
    h, at = {}, 0
    for i, (dt, bits) in enumerate(sizes.items()):
        n = 4 * bits // 8
        h["t%d.%s" % (i, dt)] = t(dt, [2, 2], at, at + n)
        at += n
    out(k, "every_dtype", st(h, bytes(range(at % 256)) * (at // 256) +
                             bytes(range(at % 256))))
    out(k, "unicode_name", st({"gewicht.\u00e4\u4e2d": t("F32", [1], 0, 4)},
                              bytes(4)))
    h = {"layers.%d.w" % i: t("BF16", [2], 4 * i, 4 * i + 4)
         for i in range(64)}
    out(k, "many", st(h, bytes(256)))
    out(k, "empties", st({"a": t("F32", [0], 0, 0), "b": t("F32", [1], 0, 4),
                          "c": t("U8", [3, 0, 7], 4, 4)}, bytes(4)))
    out(k, "nine_axes", st({"n": t("U8", [1] * 8 + [2], 0, 2)}, bytes(2)))
    out(k, "unsorted_offsets", st({"z": t("F32", [1], 4, 8),
                                   "a": t("F32", [1], 0, 4)}, bytes(8)))
    out(k, "extra_keys", st('{"w":{"dtype":"F32","shape":[1],'
                            '"data_offsets":[0,4],"x":[{}]}}', bytes(4)))
    # hostile
    out(k, "short", b"\x10\x00\x00")
    out(k, "length_huge", st("{}", length=2 ** 63))
    out(k, "length_past_end", st("{}", length=100))
    out(k, "length_zero", st("", length=0, pad=False))
    out(k, "no_brace", st('["w"]'))
    out(k, "trailing_comma", st('{"w":{},}'))
    out(k, "duplicate_names", st('{"w":{},"w":{}}'))
    out(k, "duplicate_meta", st('{"__metadata__":{"a":"1","a":"2"}}'))
    out(k, "unknown_dtype", st({"w": t("F7", [1], 0, 1)}, bytes(1)))
    out(k, "negative_dim", st({"w": t("F32", [-1], 0, 4)}, bytes(4)))
    out(k, "real_dim", st('{"w":{"dtype":"F32","shape":[1.0],'
                          '"data_offsets":[0,4]}}', bytes(4)))
    out(k, "three_offsets", st('{"w":{"dtype":"F32","shape":[1],'
                               '"data_offsets":[0,4,8]}}', bytes(8)))
    out(k, "reversed_offsets", st({"w": t("F32", [0], 4, 0)}, bytes(4)))
    out(k, "offsets_past_end", st({"w": t("F32", [4], 0, 16)}, bytes(8)))
    out(k, "size_mismatch", st({"w": t("F32", [2, 3], 0, 20)}, bytes(20)))
    out(k, "overflow_shape", st({"w": t("F64", [2 ** 62, 2 ** 62], 0, 0)}))
    out(k, "zero_overflow", st({"w": t("U8", [0, 2 ** 62, 2 ** 62], 0, 0)}))
    out(k, "bits_overflow", st({"w": t("F64", [2 ** 61], 0, 0)}))
    out(k, "f4_odd", st({"w": t("F4", [3], 0, 2)}, bytes(2)))
    out(k, "hole", st({"w": t("F32", [1], 4, 8)}, bytes(8)))
    out(k, "overlap", st({"a": t("F32", [2], 0, 8), "b": t("F32", [2], 4, 12)},
                         bytes(12)))
    out(k, "trailing_data", st({"w": t("F32", [1], 0, 4)}, bytes(6)))
    out(k, "meta_list", st('{"__metadata__":[]}'))
    out(k, "meta_number", st('{"__metadata__":{"n":3}}'))
    out(k, "nul_name", st('{"a\\u0000b":{}}'))
    raw = b'{"\xff\xfe":{}}'
    out(k, "bad_utf8_raw", struct.pack("<Q", len(raw)) + raw)
    out(k, "deep", st('{"w":' + "[" * 3000 + "]" * 3000 + "}"))
    out(k, "big_integer", st('{"w":{"shape":[99999999999999999999]}}'))
    out(k, "entry_not_object", st('{"w":[1]}'))
    out(k, "control_name", st({"\u0001\u001b[31m": t("U8", [1], 0, 1)},
                              bytes(1)))


def hf_seeds():
    k = "hfconfig"
    os.makedirs(os.path.join(HERE, "corpus", k), exist_ok=True)
    hf = os.path.join(DATA, "hf")
    for f in sorted(os.listdir(hf)):
        if f.endswith(".json"):
            shutil.copy(os.path.join(hf, f), os.path.join(HERE, "corpus", k, f))
    for m in ("llama", "mistral", "mixtral", "gpt2"):
        out(k, "default_" + m, json.dumps({"model_type": m}))
    out(k, "gpt2_aliases", json.dumps({"model_type": "gpt2", "hidden_size":
                                       1024, "num_attention_heads": 16}))
    out(k, "gpt2_alias_disagrees", json.dumps({"model_type": "gpt2",
                                               "n_embd": 768,
                                               "hidden_size": 1024}))
    out(k, "mistral_kv_null", '{"model_type":"mistral",'
                              '"num_key_value_heads":null}')
    out(k, "llama_biases", json.dumps({"model_type": "llama",
                                       "attention_bias": True,
                                       "mlp_bias": True,
                                       "tie_word_embeddings": True}))
    out(k, "head_dim_given", json.dumps({"model_type": "mistral",
                                         "hidden_size": 5120,
                                         "head_dim": 128}))
    out(k, "overflow", json.dumps({"model_type": "mixtral",
                                   "hidden_size": 2 ** 31 - 1,
                                   "num_attention_heads": 1,
                                   "num_key_value_heads": 1,
                                   "intermediate_size": 2 ** 31 - 1,
                                   "num_hidden_layers": 2 ** 31 - 1,
                                   "num_local_experts": 2 ** 31 - 1}))
    # hostile
    out(k, "not_json", '{"model_type": "llama",}')
    out(k, "list", "[1, 2]")
    out(k, "number", "7")
    out(k, "no_type", "{}")
    out(k, "type_number", '{"model_type": 7}')
    out(k, "unsupported", '{"model_type": "qwen2"}')
    out(k, "negative", '{"model_type": "llama", "hidden_size": -4096}')
    out(k, "real", '{"model_type": "llama", "hidden_size": 4096.5}')
    out(k, "string", '{"model_type": "llama", "hidden_size": "4096"}')
    out(k, "too_big", '{"model_type": "llama", "vocab_size": 2147483648}')
    out(k, "null_count", '{"model_type": "llama", "hidden_size": null}')
    out(k, "bool_string", '{"model_type":"llama","tie_word_embeddings":"no"}')
    out(k, "eps_negative", '{"model_type": "llama", "rms_norm_eps": -1e-5}')
    out(k, "eps_huge", '{"model_type": "llama", "rms_norm_eps": 1e999}')
    out(k, "not_multiple", '{"model_type": "llama", "hidden_size": 4000, '
                           '"num_attention_heads": 3}')
    out(k, "kv_not_dividing", '{"model_type": "mistral", '
                              '"num_key_value_heads": 5}')
    out(k, "experts", '{"model_type": "mixtral", "num_local_experts": 2, '
                      '"num_experts_per_tok": 3}')
    out(k, "duplicate", '{"model_type": "llama", "hidden_size": 1, '
                        '"hidden_size": 2}')
    out(k, "deep", '{"model_type": "llama", "x": ' + "[" * 3000 +
        "]" * 3000 + "}")
    out(k, "bad_utf8", b'{"model_type": "\xff"}')
    out(k, "nul", '{"model_type": "lla\\u0000ma"}')


if __name__ == "__main__":
    safetensors_seeds()
    hf_seeds()
