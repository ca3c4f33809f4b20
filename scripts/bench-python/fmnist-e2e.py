"""Anchor for `npm run bench`: the least a Python script must do to score the embedded
Fashion-MNIST demo: decode the 10,000 PNGs with PIL on one thread, normalise them, and run both
models with onnxruntime (batch 64, the given intra-op threads), counting top-1 hits. Process
start-up and imports are part of the time, as node's are in `model-gate compare`.

Usage: python3 fmnist-e2e.py EVAL_ROOT CLASSES_CSV THREADS MODEL...  ; prints seconds and top-1s.
Needs Pillow, numpy and onnxruntime (pip install onnxruntime pillow numpy).
"""
import os
import sys
import time

start = time.perf_counter()
import numpy as np
import onnxruntime as ort
from PIL import Image

root, classes, threads, models = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]), sys.argv[4:]
files, labels = [], []
for index, name in enumerate(classes):
    for file in sorted(os.listdir(os.path.join(root, name))):
        files.append(os.path.join(root, name, file))
        labels.append(index)
pixels = np.stack([np.asarray(Image.open(f).convert("L").resize((28, 28), Image.BILINEAR)) for f in files])
x = ((pixels.astype(np.float32) / 255.0 - 0.2860) / 0.3530)[:, None, :, :]
labels = np.array(labels)
options = ort.SessionOptions()
options.intra_op_num_threads = threads
options.inter_op_num_threads = 1
hits = []
for model in models:
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    top1 = np.concatenate([session.run(None, {name: x[i:i + 64]})[0].argmax(1) for i in range(0, len(x), 64)])
    hits.append(float((top1 == labels).mean()))
print(f"{time.perf_counter() - start:.4f} " + " ".join(f"{h:.4f}" for h in hits))
