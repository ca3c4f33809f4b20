#!/usr/bin/env python3
"""
Per-class precision and recall at a confidence threshold, counted on pycocotools' own matching,
for the fixture's reference detections; written to
__tests__/fixtures/fmnist-det/precision-recall-reference.json.

Run from the repo root:  /opt/refpy/bin/python scripts/reference/detection-precision-recall.py
Environment: python3 -m venv /opt/refpy && /opt/refpy/bin/pip install numpy pycocotools

Inputs: __tests__/fixtures/fmnist-det/annotations.coco.json and the rect reference detections in
reference-detections/*.rect.json.gz (COCO results: image_id, category_id, bbox, score).

Definition (what src/tasks/detection/precision-recall.ts computes): COCOeval (bbox) evaluate(),
then for every image and category the evalImgs entry of area range 'all' (maxDet 100):
  detections counted:  dtScores > conf and not dtIgnore at IoU 0.5 (iouThrs[0])
  true positives:      those with dtMatches at IoU 0.5 != 0 (matched to a GT)
  false positives:     the others
  objects:             GT not gtIgnore (crowd boxes are ignored)
P = TP / (TP + FP) (None without detections), R = TP / objects (None without objects); the mean
P and R are over the categories with objects, a None precision counting 0.
"""
import contextlib
import gzip
import io
import json
import os

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

FIXTURE = os.path.join('__tests__', 'fixtures', 'fmnist-det')
RUNS = ['fmnist-det-small-v1.v8', 'fmnist-det-small-v1.v10', 'fmnist-det-wide-v2.v8', 'fmnist-det-wide-v2.v10']
THRESHOLDS = [0.25, 0.5]


def per_class(gt, results, conf):
    with contextlib.redirect_stdout(io.StringIO()):
        dt = gt.loadRes(results)
        ev = COCOeval(gt, dt, 'bbox')
        ev.evaluate()
    all_area = ev.params.areaRng[0]
    out = {}
    for cat in ev.params.catIds:
        tp = fp = objects = 0
        for e in ev.evalImgs:
            if e is None or e['category_id'] != cat or e['aRng'] != all_area:
                continue
            scores = np.asarray(e['dtScores'])
            matched = np.asarray(e['dtMatches'])[0] if len(scores) else np.zeros(0)
            ignored = np.asarray(e['dtIgnore'])[0] if len(scores) else np.zeros(0, dtype=bool)
            counted = (scores > conf) & ~ignored.astype(bool)
            tp += int(np.sum(counted & (matched != 0)))
            fp += int(np.sum(counted & (matched == 0)))
            objects += int(np.sum(~np.asarray(e['gtIgnore'], dtype=bool)))
        out[str(cat)] = {
            'truePositives': tp,
            'falsePositives': fp,
            'gtCount': objects,
            'precision': tp / (tp + fp) if tp + fp > 0 else None,
            'recall': tp / objects if objects > 0 else None,
        }
    with_objects = [v for v in out.values() if v['gtCount'] > 0]
    mean_p = float(np.mean([v['precision'] or 0.0 for v in with_objects])) if with_objects else None
    mean_r = float(np.mean([v['recall'] or 0.0 for v in with_objects])) if with_objects else None
    return {'precision': mean_p, 'recall': mean_r, 'perClass': out}


def main():
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(os.path.join(FIXTURE, 'annotations.coco.json'))
    from importlib.metadata import version
    reference = {'pycocotools': version('pycocotools'), 'numpy': np.__version__, 'runs': {}}
    for run in RUNS:
        with gzip.open(os.path.join(FIXTURE, 'reference-detections', f'{run}.rect.json.gz'), 'rt') as f:
            results = json.load(f)
        reference['runs'][run] = {str(conf): per_class(gt, results, conf) for conf in THRESHOLDS}
    with open(os.path.join(FIXTURE, 'precision-recall-reference.json'), 'w') as f:
        json.dump(reference, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
