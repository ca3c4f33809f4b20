#!/usr/bin/env python3
"""
onnxruntime 1.30's quantize_static on the embedded detection example's two detectors
(examples/fmnist-det/models/fmnist-det-{small-v1,wide-v2}.v8.onnx), and pycocotools' mAP of the
int8 models on the example's 300 scenes, written to __tests__/fixtures/fmnist-det/int8-reference.json.

Run from the repo root:  /opt/refpy/bin/python scripts/reference/quantize-detection.py
Environment: python3 -m venv /opt/refpy && /opt/refpy/bin/pip install onnxruntime==1.30.0 onnx numpy pillow pycocotools

Images: __tests__/fixtures/fmnist-det/images/00001.png … 00300.png (the same files as
examples/fmnist-det/fmnist-det.tar.gz), in file-name order, which is image id order.
Calibration sets (indices into that order, i.e. image id − 1):
  evenly-spaced-256  ⌊i·300/256⌋ for i = 0…255 (model-gate's default: calibration-samples 256,
                     eval images evenly spaced over the set)
  evenly-spaced-64   ⌊i·300/64⌋ for i = 0…63 (what the quantizer tests use)
Preprocessing, as the example's model-gate.yml (gray, rect within 256×256, scale 1/255): the
160×256 PNGs are already a multiple of the stride, so no resize and no padding; x = pixel × (1/255)
computed in float64 and stored as float32 (model-gate's lookup table), NCHW [B, 1, 160, 256].
Calibration batches of 16.
quantize_static: QDQ, MinMax, uint8 activations (QUInt8), int8 weights (QInt8), per tensor and
per channel, all other options default; each with nothing excluded ("all") and with the output
tail kept float ("tail-float": nodes_to_exclude = every node downstream of a Conv/ConvTranspose/
Gemm/MatMul with no such op after it, i.e. the box decoding after the two head convolutions; the
names are written out as tailNodes).
Decoding (the example's detection settings, as src/tasks/detection/decode.ts): yolov8 layout
[B, 14, N]; per anchor the best class (first on ties), kept when its score > 0.001; the 1,000
best scores (ties at the cut: lower anchor index); class-wise greedy NMS in float64, suppressing
IoU > 0.7, best score first (ties by index); at most 100 per image; boxes unclipped; category id
= class + 1. mAP: pycocotools COCOeval (bbox), the 12 stats in its order.
For each int8 model the JSON also holds, for the 64-image calibration, a 16-hex-digit sha256 of
every initializer (data type, dims and values), so a test can check parameters bit for bit.
"""
import hashlib
import io
import json
import os
import tempfile
from contextlib import redirect_stdout

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper
from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static
from PIL import Image
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, '__tests__/fixtures/fmnist-det')
MODELS = {name: os.path.join(ROOT, 'examples/fmnist-det/models', f'{name}.onnx') for name in ['fmnist-det-small-v1.v8', 'fmnist-det-wide-v2.v8']}
CALIBRATION = {'evenly-spaced-256': 256, 'evenly-spaced-64': 64}
DIGESTS_FOR = 'evenly-spaced-64'
BATCH = 16
WEIGHTED = {'Conv', 'ConvTranspose', 'Gemm', 'MatMul'}
DECODE = {'conf': 0.001, 'iou': 0.7, 'maxNms': 1000, 'maxDet': 100, 'clip': False}


def load_images():
    names = sorted(n for n in os.listdir(os.path.join(FIXTURE, 'images')) if n.endswith('.png'))
    pixels = np.stack([np.array(Image.open(os.path.join(FIXTURE, 'images', n))) for n in names])
    assert pixels.ndim == 3 and pixels.dtype == np.uint8, pixels.shape
    table = (np.arange(256, dtype=np.float64) * (1 / 255)).astype(np.float32)
    return names, table[pixels][:, None, :, :]


def evenly_spaced(count, n):
    return list(range(count)) if n >= count else [(i * count) // n for i in range(n)]


def tail_nodes(model):
    """Nodes downstream of a weighted op with no weighted op after them (src/quantize/keep-float.ts)."""
    nodes = list(model.graph.node)
    readers = {}
    for node in nodes:
        for name in node.input:
            readers.setdefault(name, []).append(node.name)
    by_name = {node.name: node for node in nodes}
    weighted_after = set()
    for node in reversed(nodes):
        if any(by_name[r].op_type in WEIGHTED or r in weighted_after for o in node.output for r in readers.get(o, [])):
            weighted_after.add(node.name)
    below, stack = set(), [n.name for n in nodes if n.op_type in WEIGHTED]
    while stack:
        for o in by_name[stack.pop()].output:
            for r in readers.get(o, []):
                if r not in below:
                    below.add(r)
                    stack.append(r)
    return sorted(n for n in below if by_name[n].op_type not in WEIGHTED and n not in weighted_after and n != '')


class Reader(CalibrationDataReader):
    def __init__(self, tensors, input_name):
        self.batches = [{input_name: tensors[i:i + BATCH]} for i in range(0, len(tensors), BATCH)]

    def get_next(self):
        return self.batches.pop(0) if self.batches else None


def run(path, tensors):
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    name = session.get_inputs()[0].name
    return np.concatenate([session.run(None, {name: tensors[i:i + 50]})[0] for i in range(0, len(tensors), 50)])


def nms_class_wise(boxes, scores, classes):
    kept, by_class = [], {}
    for i in sorted(range(len(scores)), key=lambda k: (-scores[k], k)):
        if len(kept) >= DECODE['maxDet']:
            break
        same = by_class.setdefault(classes[i], [])
        suppressed = False
        for j in same:
            w = max(0.0, min(boxes[i][2], boxes[j][2]) - max(boxes[i][0], boxes[j][0]))
            h = max(0.0, min(boxes[i][3], boxes[j][3]) - max(boxes[i][1], boxes[j][1]))
            inter = w * h
            area = lambda b: (b[2] - b[0]) * (b[3] - b[1])
            if inter / (area(boxes[i]) + area(boxes[j]) - inter) > DECODE['iou']:
                suppressed = True
                break
        if not suppressed:
            same.append(i)
            kept.append(i)
    return kept


def decode(output):
    """yolov8 [B, 14, N] → COCO results, image id = index + 1."""
    results = []
    for b, sample in enumerate(output.astype(np.float64)):
        class_scores = sample[4:]
        best_class = class_scores.argmax(axis=0)
        best = class_scores[best_class, np.arange(class_scores.shape[1])]
        anchors = np.nonzero(best > DECODE['conf'])[0]
        if len(anchors) > DECODE['maxNms']:
            order = sorted(anchors, key=lambda a: (-best[a], a))[:DECODE['maxNms']]
            anchors = np.array(sorted(order))
        cx, cy, w, h = sample[0, anchors], sample[1, anchors], sample[2, anchors] / 2, sample[3, anchors] / 2
        boxes = np.stack([cx - w, cy - h, cx + w, cy + h], axis=1).tolist()
        scores, classes = best[anchors].tolist(), best_class[anchors].tolist()
        for k in nms_class_wise(boxes, scores, classes):
            x1, y1, x2, y2 = boxes[k]
            results.append({'image_id': b + 1, 'category_id': int(classes[k]) + 1, 'bbox': [x1, y1, x2 - x1, y2 - y1], 'score': scores[k]})
    return results


def coco_stats(results):
    with redirect_stdout(io.StringIO()):
        gt = COCO(os.path.join(FIXTURE, 'annotations.coco.json'))
        evaluation = COCOeval(gt, gt.loadRes(results), 'bbox')
        evaluation.evaluate()
        evaluation.accumulate()
        evaluation.summarize()
    return [float(s) for s in evaluation.stats]


def digests(path):
    out = {}
    for t in onnx.load(path).graph.initializer:
        values = numpy_helper.to_array(t)
        header = f"{t.data_type}|{','.join(str(d) for d in t.dims)}|".encode()
        out[t.name] = hashlib.sha256(header + values.tobytes()).hexdigest()[:16]
    return out


def main():
    names, tensors = load_images()
    figures = json.load(open(os.path.join(FIXTURE, 'reference-figures.json')))
    result = {
        'onnxruntime': ort.__version__, 'numpy': np.__version__, 'pycocotools': '2.0.11',
        'images': f'{len(names)} scenes {names[0]} … {names[-1]} in __tests__/fixtures/fmnist-det/images, file-name order',
        'preprocessing': 'gray, 160x256 as stored (rect within 256x256: no resize, no padding), x = pixel * (1/255) in float64 stored as float32, NCHW [B, 1, 160, 256]',
        'calibration': {key: {'count': n, 'indices': evenly_spaced(len(names), n), 'rule': f'floor(i * {len(names)} / {n}), i = 0..{n - 1}'} for key, n in CALIBRATION.items()},
        'calibrationBatch': BATCH,
        'decode': DECODE,
        'quantization': 'quantize_static QDQ, MinMax, activation_type QUInt8, weight_type QInt8, per_channel per mode, other options default',
        'tailNodes': {},
        'models': {},
    }
    for model_name, path in MODELS.items():
        tail = tail_nodes(onnx.load(path))
        result['tailNodes'][model_name] = tail
        fp32 = coco_stats(decode(run(path, tensors)))
        # The decoding above must reproduce the fixture's pycocotools figures for fp32.
        assert np.allclose(fp32, figures[f'{model_name}.rect'], atol=1e-9), (fp32, figures[f'{model_name}.rect'])
        entry = {'fp32': fp32, 'fp32Bytes': os.path.getsize(path)}
        input_name = onnx.load(path).graph.input[0].name
        for calibration, n in CALIBRATION.items():
            pick = evenly_spaced(len(names), n)
            for mode, per_channel in [('per-tensor', False), ('per-channel', True)]:
                for keep, excluded in [('all', []), ('tail-float', tail)]:
                    with tempfile.TemporaryDirectory() as tmp:
                        out = os.path.join(tmp, 'int8.onnx')
                        quantize_static(path, out, Reader(tensors[pick], input_name), quant_format=QuantFormat.QDQ, per_channel=per_channel,
                                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax,
                                        nodes_to_exclude=excluded)
                        stats = coco_stats(decode(run(out, tensors)))
                        figure = {'stats': stats, 'map': stats[0], 'dropMap': fp32[0] - stats[0], 'bytes': os.path.getsize(out)}
                        if calibration == DIGESTS_FOR:
                            figure['initializers'] = digests(out)
                    entry.setdefault(calibration, {}).setdefault(mode, {})[keep] = figure
                    print(model_name, calibration, mode, keep, f"mAP {stats[0]:.4f} (fp32 {fp32[0]:.4f})", figure['bytes'])
        result['models'][model_name] = entry
    with open(os.path.join(FIXTURE, 'int8-reference.json'), 'w') as f:
        json.dump(result, f, indent=1)


if __name__ == '__main__':
    main()
