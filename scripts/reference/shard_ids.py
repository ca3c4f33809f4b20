"""Reference shard numbers for __tests__/engine/shard.test.ts, computed apart from model-gate.

A sample goes to shard (first 4 bytes of sha256(id), big-endian, mod n) + 1. The ids are the
kinds model-gate makes: class-folder paths, COCO image ids, lm-eval doc ids. Standard library only:
    python3 scripts/reference/shard_ids.py > __tests__/fixtures/shard-ids.json
"""
import hashlib
import json

ids = [
    "n01440764/ILSVRC2012_val_00000293.JPEG",
    "Ankle-boot/00017.png",
    "T-shirt-top/09999.png",
    "397133",
    "000000000139.jpg",
    "mmlu_anatomy/12",
    "ünïcödé/ファイル.png",
    "",
]
out = []
for i in ids:
    head = int.from_bytes(hashlib.sha256(i.encode("utf-8")).digest()[:4], "big")
    out.append({"id": i, "shards": {str(n): head % n + 1 for n in (1, 2, 3, 7, 16, 1000)}})
print(json.dumps(out, ensure_ascii=False, indent=1))
