"""Golden RoPE tables from Hugging Face transformers (Qwen2RotaryEmbedding, float32).

usage: python make_rope_golden.py > rope-golden.json   (needs torch + transformers)
"""
import json, sys
import torch, transformers
from transformers import Qwen2Config
from transformers.models.qwen2.modeling_qwen2 import Qwen2RotaryEmbedding

CASES = [
    dict(name="default-64", head_dim=64, rope_theta=1000000.0, max_position_embeddings=32768, rope_scaling=None),
    dict(name="default-128-theta10k", head_dim=128, rope_theta=10000.0, max_position_embeddings=4096, rope_scaling=None),
    dict(name="linear-32", head_dim=32, rope_theta=10000.0, max_position_embeddings=8192,
         rope_scaling={"type": "linear", "factor": 2.0}),
    dict(name="yarn-16-factor4", head_dim=16, rope_theta=1000000.0, max_position_embeddings=131072,
         rope_scaling={"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}),
    dict(name="yarn-64-factor4", head_dim=64, rope_theta=1000000.0, max_position_embeddings=131072,
         rope_scaling={"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768}),
    dict(name="yarn-128-factor2", head_dim=128, rope_theta=1000000.0, max_position_embeddings=65536,
         rope_scaling={"type": "yarn", "factor": 2.0, "original_max_position_embeddings": 32768}),
    dict(name="yarn-128-factor8-betas", head_dim=128, rope_theta=10000.0, max_position_embeddings=32768,
         rope_scaling={"type": "yarn", "factor": 8.0, "original_max_position_embeddings": 4096,
                       "beta_fast": 16.0, "beta_slow": 2.0}),
    dict(name="yarn-64-notruncate", head_dim=64, rope_theta=1000000.0, max_position_embeddings=131072,
         rope_scaling={"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768, "truncate": False}),
    dict(name="yarn-64-attention-factor", head_dim=64, rope_theta=1000000.0, max_position_embeddings=131072,
         rope_scaling={"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768,
                       "attention_factor": 1.25}),
]
POSITIONS = [0, 1, 7, 1000, 30000, 100000]

out = {"reference": f"transformers {transformers.__version__} Qwen2RotaryEmbedding, float32", "cases": []}
for case in CASES:
    d = case["head_dim"]
    cfg = Qwen2Config(hidden_size=d * 4, num_attention_heads=4, num_key_value_heads=2, head_dim=d,
                      rope_theta=case["rope_theta"], max_position_embeddings=case["max_position_embeddings"],
                      rope_scaling=case["rope_scaling"])
    rope = Qwen2RotaryEmbedding(cfg)
    x = torch.zeros(1, dtype=torch.float32)
    cos, sin = rope(x, torch.tensor([POSITIONS]))
    v5 = {k: v for k, v in json.loads(cfg.to_json_string()).items() if v is not None}
    out["cases"].append(dict(case, config_v5=v5, inv_freq=rope.inv_freq.tolist(), attention_scaling=rope.attention_scaling,
                             positions=POSITIONS, cos=cos[0, :, : d // 2].tolist(), sin=sin[0, :, : d // 2].tolist()))
json.dump(out, sys.stdout, indent=1)
