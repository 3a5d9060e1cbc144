"""`qwen convert` against llama.cpp on the fixture models (Tests/Fixtures/models/tiny-qwen2.5 and
tiny-qwen2.5-yarn): for each of f16, q8_0, q4_0 and q4_k_m

* llama.cpp loads and runs our file (llama-cpp-python), and its logits on the golden prompt ids
  match QwenKit's on the same file (`qwen logits`): max |diff| and top-1 agreement;
* llama.cpp's own conversion (convert_hf_to_gguf.py --outtype f16, then llama_model_quantize
  with the default mix for the quantized types) has the same tensors, types and bytes: tensors
  whose bytes differ are listed.

usage (llama-cpp-python 0.3.36 and numpy in the interpreter; L = the llama.cpp tree vendored in the
llama-cpp-python 0.3.36 sdist; a Python with torch/transformers for llama.cpp's converter):
    swift build -c release
    PYTHONPATH=$L/gguf-py /work/bench/lcpp/bin/python Benchmarks/compare_convert_llamacpp.py \
        --llama-cpp $L --converter-python /work/bench/venv/bin/python
"""
import argparse
import ctypes
import json
import os
import subprocess
import tempfile

import gguf
import llama_cpp
import llama_cpp.llama
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QWEN = os.path.join(ROOT, ".build", "release", "qwen")
MODELS = ["tiny-qwen2.5", "tiny-qwen2.5-yarn"]
FTYPES = {"q8_0": 7, "q4_0": 2, "q4_k_m": 15}

default_model_params = llama_cpp.llama_model_default_params


def plain_model_params():
    # No repacked weights: the x86 repacks round differently from ggml's reference dot products.
    params = default_model_params()
    params.use_extra_bufts = False
    return params


llama_cpp.llama.llama_cpp.llama_model_default_params = plain_model_params


def llama_logits(path, ids):
    model = llama_cpp.Llama(model_path=path, n_ctx=256, n_batch=256, n_threads=2, logits_all=True, verbose=False,
                            type_k=0, type_v=0, flash_attn=False)
    model.eval(ids)
    return np.array(model.scores[: len(ids)], dtype=np.float32)


def qwen_logits(path, ids):
    with tempfile.NamedTemporaryFile(suffix=".f32") as dump:
        top = json.loads(subprocess.run(
            [QWEN, "logits", "--model", path, "--ids", ",".join(map(str, ids)), "--top", "1", "--json", "--threads", "2",
             "--dump-last", dump.name], check=True, capture_output=True, text=True).stdout)["top"]
        return [row[0] for row in top], np.fromfile(dump.name, dtype="<f4")


def tensors(path):
    return {t.name: (t.tensor_type.name, bytes(t.data.tobytes())) for t in gguf.GGUFReader(path).tensors}


def quantize(source, destination, ftype):
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = ftype
    params.nthread = 2
    if llama_cpp.llama_model_quantize(source.encode(), destination.encode(), ctypes.byref(params)) != 0:
        raise RuntimeError(f"llama_model_quantize failed for {destination}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--llama-cpp", required=True)
    parser.add_argument("--converter-python", required=True)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="qwen-convert-")
    print("| model | type | llama.cpp runs it | max abs logit diff (same file) | top-1 agree | tensor types equal | tensors with different bytes |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name in MODELS:
        directory = os.path.join(ROOT, "Tests", "Fixtures", "models", name)
        with open(os.path.join(directory, "golden", "golden.json")) as f:
            ids = json.load(f)["prompts"][0]["input_ids"]
        reference_f16 = os.path.join(work, f"{name}-llama-f16.gguf")
        env = dict(os.environ, PYTHONPATH=os.path.join(args.llama_cpp, "gguf-py"))
        subprocess.run([args.converter_python, os.path.join(args.llama_cpp, "convert_hf_to_gguf.py"), directory,
                        "--outtype", "f16", "--outfile", reference_f16], check=True, capture_output=True, env=env)
        for kind in ["f16", *FTYPES]:
            ours = os.path.join(work, f"{name}-{kind}.gguf")
            subprocess.run([QWEN, "convert", "--model", directory, "--to", kind, "--output", ours], check=True)
            reference = reference_f16
            if kind in FTYPES:
                reference = os.path.join(work, f"{name}-llama-{kind}.gguf")
                quantize(reference_f16, reference, FTYPES[kind])
            theirs = llama_logits(ours, ids)
            top1, last = qwen_logits(ours, ids)
            diff = float(np.max(np.abs(last - theirs[-1])))
            for position, entry in enumerate(top1):
                diff = max(diff, abs(entry["logit"] - float(theirs[position][entry["id"]])))
            agree = sum(entry["id"] == int(np.argmax(row)) for entry, row in zip(top1, theirs))
            a, b = tensors(ours), tensors(reference)
            types_equal = {k: v[0] for k, v in a.items()} == {k: v[0] for k, v in b.items()}
            differing = sorted(k for k in a if k in b and a[k][1] != b[k][1])
            print(f"| {name} | {kind} | yes | {diff:.2e} | {agree}/{len(ids)} | {'yes' if types_equal else 'NO'} | "
                  f"{', '.join(differing) if differing else 'none'} |")


if __name__ == "__main__":
    main()
