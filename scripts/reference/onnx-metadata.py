#!/usr/bin/env python3
"""
Reads the metadata fixtures (__tests__/fixtures/onnx-metadata/*.onnx, written by
scripts/fixtures/onnx-metadata.mjs) back with onnx and onnxruntime, and writes what they read to
__tests__/fixtures/onnx-metadata/reference.json:
  - metadata_props as onnx.load lists them, and onnxruntime's custom_metadata_map;
  - Ultralytics' names and imgsz through ast.literal_eval (how its AutoBackend reads them), stride
    as int, and whether names is exactly str() of that dict (what the exporter writes);
  - Hugging Face's id2label through json.loads;
  - whether onnx.checker accepts the file, and the largest difference between its outputs and the
    original model's on a fixed random batch (the re-encoding must change nothing but the metadata).
It also writes Python's own repr of a dict of awkward class names (quotes, backslashes, control
characters, non-ASCII, empty) with the names it stands for, for the literal parser's test.

Run from the repo root:  /opt/refpy/bin/python scripts/reference/onnx-metadata.py
Environment: python3 -m venv /opt/refpy && /opt/refpy/bin/pip install onnx onnxruntime==1.30.0 numpy
"""
import ast
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort

FIXTURE = os.path.join('__tests__', 'fixtures', 'onnx-metadata')
ORIGINAL = os.path.join('examples', 'fashion-mnist', 'models', 'fmnist-dwnet-v3.onnx')
TRICKY = ["person's bag", 'say "hi"', 'both \' and "', 'back\\slash', 'tab\there', 'new\nline', 'bell\x07', 'ünïcødé 猫', '']


def outputs(path, batch):
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    return session.run(None, {session.get_inputs()[0].name: batch})[0], session.get_modelmeta().custom_metadata_map


def main():
    batch = np.random.default_rng(0).random((4, 1, 28, 28), dtype=np.float32)
    original, _ = outputs(ORIGINAL, batch)
    files = {}
    for name in sorted(os.listdir(FIXTURE)):
        if not name.endswith('.onnx'):
            continue
        path = os.path.join(FIXTURE, name)
        model = onnx.load(path)
        onnx.checker.check_model(model)
        props = {p.key: p.value for p in model.metadata_props}
        got, custom = outputs(path, batch)
        entry = {
            'metadataProps': props,
            'onnxruntimeCustomMetadata': dict(custom),
            'maxAbsDiffToOriginal': float(np.max(np.abs(got - original))),
        }
        if 'names' in props:
            names = ast.literal_eval(props['names'])
            entry['names'] = [names[k] for k in range(len(names))]
            entry['namesIsPythonStr'] = str(names) == props['names']
            entry['imgsz'] = list(ast.literal_eval(props['imgsz']))
            entry['stride'] = int(props['stride'])
            entry['task'] = props['task']
        if 'id2label' in props:
            labels = json.loads(props['id2label'])
            entry['names'] = [labels[str(k)] for k in range(len(labels))]
        files[name] = entry
    tricky = dict(enumerate(TRICKY))
    reference = {
        'python': sys.version.split()[0], 'onnx': onnx.__version__, 'onnxruntime': ort.__version__,
        'files': files,
        'tricky': {'repr': str(tricky), 'names': TRICKY},
    }
    with open(os.path.join(FIXTURE, 'reference.json'), 'w', encoding='utf-8') as f:
        json.dump(reference, f, indent=1, ensure_ascii=False)
        f.write('\n')


if __name__ == '__main__':
    main()
