#!/usr/bin/env python3
"""Writes the seed corpora of the fuzzers (tests/fuzz/corpus/): a few small valid files and a few
malformed ones. Run from anywhere; it overwrites only the files it names. Safetensors layout: an
8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__":
{"icsr": "<json string>", "format": "pt"}}, padded with spaces to 8 bytes, then the raw tensor bytes."""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SAFETENSORS = os.path.join(HERE, "corpus", "safetensors")
FINDINGS = os.path.join(HERE, "corpus", "findings")
REPO = os.path.dirname(os.path.dirname(HERE))

FORMATS = {"F32": "<f", "F64": "<d", "F16": "<e", "I64": "<q", "U8": "<B"}


def safetensors(tensors, metadata={"format": "baseline", "seed": 1}, header_extra=None):
    """tensors: list of (name, dtype, shape, values)."""
    header, data = {}, b""
    for name, dtype, shape, values in tensors:
        raw = b"".join(struct.pack(FORMATS[dtype], v) for v in values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    header["__metadata__"] = {"icsr": json.dumps(metadata), "format": "pt"}
    if header_extra:
        header.update(header_extra)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def write(directory, name, content):
    with open(os.path.join(directory, name), "wb") as out:
        out.write(content if isinstance(content, bytes) else content.encode())


def safetensors_corpus():
    every_dtype = [("param.a", "F32", [2, 3], [0.5, -1, 2, 3, 4, 5]), ("param.b", "F64", [2], [1e-300, -2.5]),
                   ("param.c", "F16", [1, 2], [1.0, -0.5]), ("buffer.step", "I64", [], [7]),
                   ("buffer.mask", "U8", [3], [0, 1, 255])]
    write(SAFETENSORS, "valid_every_dtype.safetensors", safetensors(every_dtype))
    write(SAFETENSORS, "valid_empty_tensor.safetensors", safetensors([("param.empty", "F32", [0, 4], [])]))
    write(SAFETENSORS, "valid_no_tensors.safetensors", safetensors([], {"format": "small_tf", "layers": 2}))
    write(SAFETENSORS, "edge_nonfinite_weights.safetensors",
          safetensors([("param.w", "F32", [3], [float("nan"), float("inf"), -float("inf")])]))
    valid = safetensors(every_dtype)
    write(SAFETENSORS, "bad_truncated.safetensors", valid[:len(valid) - 5])
    write(SAFETENSORS, "bad_short.safetensors", b"\x08\x00\x00")
    write(SAFETENSORS, "bad_header_length.safetensors", struct.pack("<Q", 1 << 40) + b"{}      ")
    write(SAFETENSORS, "bad_header_json.safetensors", struct.pack("<Q", 8) + b"{\"a\":   ")
    write(SAFETENSORS, "bad_dtype.safetensors", safetensors([("param.a", "F32", [1], [1.0])],
                                                            header_extra={"param.z": {"dtype": "BF16", "shape": [1],
                                                                                      "data_offsets": [0, 2]}}))
    write(SAFETENSORS, "bad_overlap.safetensors",
          safetensors([("param.a", "F32", [1], [1.0])],
                      header_extra={"param.b": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}))
    write(SAFETENSORS, "bad_shape_bytes.safetensors",
          safetensors([("param.a", "F32", [1], [1.0])],
                      header_extra={"param.a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}))
    write(SAFETENSORS, "bad_no_metadata.safetensors", struct.pack("<Q", 8) + b"{}      ")
    write(SAFETENSORS, "bad_metadata_not_json.safetensors",
          struct.pack("<Q", 32) + b'{"__metadata__":{"icsr":"{x"}}  ')


def findings_corpus():
    for name in ("c3.mlp.json", "lemma3.json"):
        with open(os.path.join(REPO, "properties", "findings", name)) as source:
            write(FINDINGS, "valid_" + name, source.read())
    with open(os.path.join(REPO, "properties", "findings", "lemma2.json")) as source:
        record = json.load(source)
    record["observed"]["ratio"] = "+Infinity"  # non-finite numbers as evidence writes them
    record["observed"]["floor"] = "-Infinity"
    record["observed"]["median"] = "NaN"
    write(FINDINGS, "valid_nonfinite_strings.json", json.dumps(record, indent=2))
    minimal = {"id": "lemma3", "paper_label": "Lemma 3", "seed": 1, "budget": "full", "counterexample": {},
               "observed": {}, "rc_params": "", "replay": "", "notes": "", "provenance": {}}
    write(FINDINGS, "valid_minimal.json", json.dumps(minimal))
    write(FINDINGS, "bad_missing_seed.json", json.dumps({k: v for k, v in minimal.items() if k != "seed"}))
    write(FINDINGS, "bad_negative_seed.json", json.dumps(dict(minimal, seed=-1)))
    write(FINDINGS, "bad_seed_type.json", json.dumps(dict(minimal, seed="1")))
    write(FINDINGS, "bad_unknown_id.json", json.dumps(dict(minimal, id="lemma99")))
    write(FINDINGS, "bad_budget.json", json.dumps(dict(minimal, budget="medium")))
    write(FINDINGS, "bad_observed_type.json", json.dumps(dict(minimal, observed=[1, 2])))
    write(FINDINGS, "bad_truncated.json", json.dumps(minimal)[:40])
    write(FINDINGS, "bad_empty.json", b"")
    write(FINDINGS, "bad_top_level.json", b"[1, 2, 3]")


if __name__ == "__main__":
    os.makedirs(SAFETENSORS, exist_ok=True)
    os.makedirs(FINDINGS, exist_ok=True)
    safetensors_corpus()
    findings_corpus()
