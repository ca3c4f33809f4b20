"""Reference for __tests__/preprocess/ultralytics-val.test.ts: what `yolo val` does with each image's
geometry, following Ultralytics' code line by line (ultralytics/ultralytics at commit 002363f1:
data/base.py BaseDataset.set_rectangle and load_image, data/augment.py LetterBox with
scaleup=False and center=True as YOLODataset.build_transforms makes it for val, and the
ratio_pad that utils/ops.py scale_boxes maps boxes back with). No Ultralytics install is needed:
only numpy, for the same float64 arithmetic and argsort.

Two sets: the embedded detection example (examples/fmnist-det: 300 scenes of 160x256) at
imgsz 256, batch 32, stride 32; and 150 synthetic image sizes with distinct aspect ratios (so
numpy's argsort has no ties to order) at imgsz 640, batch 16, stride 32.

    /opt/refpy/bin/python scripts/reference/ultralytics-val-batches.py > __tests__/fixtures/ultralytics-val/reference.json
"""
import json
import math

import numpy as np


def set_rectangle(shapes_hw, batch_size, imgsz, stride, pad=0.5):
    # BaseDataset.set_rectangle
    ni = len(shapes_hw)
    bi = np.floor(np.arange(ni) / batch_size).astype(int)
    nb = bi[-1] + 1
    s = np.array(shapes_hw)
    ar = s[:, 0] / s[:, 1]
    irect = ar.argsort()
    ar = ar[irect]
    shapes = [[1, 1]] * nb
    for i in range(nb):
        ari = ar[bi == i]
        mini, maxi = ari.min(), ari.max()
        if maxi < 1:
            shapes[i] = [maxi, 1]
        elif mini > 1:
            shapes[i] = [1, 1 / mini]
    batch_shapes = np.ceil(np.array(shapes) * imgsz / stride + pad).astype(int) * stride
    return irect, bi, batch_shapes


def load_image_hw(h0, w0, imgsz):
    # BaseDataset.load_image, rect_mode=True
    r = imgsz / max(h0, w0)
    if r != 1:
        w, h = (min(math.ceil(w0 * r), imgsz), min(math.ceil(h0 * r), imgsz))
        return h, w
    return h0, w0


def letterbox(hw, new_shape):
    # LetterBox.__call__ (auto=False, scale_fill=False, scaleup=False, center=True)
    shape = hw
    r = min(new_shape[0] / shape[0], new_shape[1] / shape[1])
    r = min(r, 1.0)
    new_unpad = int(round(shape[1] * r)), int(round(shape[0] * r))
    dw, dh = new_shape[1] - new_unpad[0], new_shape[0] - new_unpad[1]
    dw /= 2
    dh /= 2
    top, bottom = int(round(dh - 0.1)), int(round(dh + 0.1))
    left, right = int(round(dw - 0.1)), int(round(dw + 0.1))
    return {"resize": list(new_unpad) != [shape[1], shape[0]], "left": left, "top": top, "right": right, "bottom": bottom}


def reference(shapes_hw, batch_size, imgsz, stride):
    irect, bi, batch_shapes = set_rectangle(shapes_hw, batch_size, imgsz, stride)
    images = []
    for position, index in enumerate(irect.tolist()):
        h0, w0 = shapes_hw[index]
        h, w = load_image_hw(h0, w0, imgsz)
        shape = batch_shapes[bi[position]].tolist()
        lb = letterbox((h, w), shape)
        assert not lb["resize"], "val LetterBox never resizes (scaleup=False, the shape holds the image)"
        # get_image_and_label: ratio_pad = (h / h0, w / w0); LetterBox adds (left, top); scale_boxes uses gain = ratio_pad[0][0].
        images.append({"index": index, "position": position, "resized": [h, w], "shape": shape, "padLeft": lb["left"], "padTop": lb["top"], "gain": h / h0})
    return {"batchSize": batch_size, "imgsz": imgsz, "stride": stride, "order": irect.tolist(), "batchShapes": batch_shapes.tolist(), "images": images}


rng = np.random.default_rng(20261201)
# first a few images exactly at imgsz on their long side (r == 1: no resize)
synthetic = [[640, 427], [480, 640], [640, 640]]
seen = {h / w for h, w in synthetic}
while len(synthetic) < 150:
    w = int(rng.integers(96, 2048))
    h = int(rng.integers(96, 2048))
    if h / w in seen:
        continue
    seen.add(h / w)
    synthetic.append([h, w])

print(json.dumps({
    "ultralytics": "ultralytics/ultralytics @ 002363f134378804ac4fa9eb0f7f6357ee3629c1 (data/base.py, data/augment.py)",
    "numpy": np.__version__,
    "example": reference([[160, 256]] * 300, 32, 256, 32),
    "synthetic": {"sizes": synthetic, **reference(synthetic, 16, 640, 32)},
}))
