"""Reference pixels for preprocess.preset: ultralytics-predict (src/config/presets.ts).

The `ultralytics` package cannot be installed on this machine (it is not in the local package
mirror), so this script follows Ultralytics' own code step by step, as read in
ultralytics/data/augment.py (class LetterBox, commit 359f87dc of github.com/ultralytics/ultralytics)
and ultralytics/engine/predictor.py (BasePredictor.pre_transform / preprocess):

  img = cv2.imread(path)                                   # BGR, 3 channels even for gray files
  LetterBox(imgsz, auto=False, stride=32)                  # auto is False for exported (non-.pt) models
    r = min(new_h / h, new_w / w)                          # scaleup=True: may enlarge
    new_unpad = round(w * r), round(h * r)                 # Python round: halves to even
    dw, dh = (new_w - new_unpad[0]) / 2, (new_h - new_unpad[1]) / 2
    img = cv2.resize(img, new_unpad, interpolation=cv2.INTER_LINEAR) if the size changes
    top, bottom = round(dh - 0.1), round(dh + 0.1); left, right = round(dw - 0.1), round(dw + 0.1)
    img = cv2.copyMakeBorder(img, top, bottom, left, right, cv2.BORDER_CONSTANT, value=(114, 114, 114))
  im = img[..., ::-1].transpose(2, 0, 1)                   # BGR to RGB, HWC to CHW
  im = torch.from_numpy(im).float(); im /= 255             # no mean/std

Writes __tests__/fixtures/presets/ultralytics/: the PNG inputs (images/), each letterboxed result as
an RGB PNG (expected/), ultralytics.json with the geometry (resized size, left/top padding) and the
float32 value of each level after /255. __tests__/preprocess/presets.test.ts checks model-gate's
pixels and geometry byte for byte and its tensor value for value.

Run from the repository root:
    /opt/refpy/bin/python scripts/reference/ultralytics-letterbox.py
Environment: python3 -m venv /opt/refpy && /opt/refpy/bin/pip install opencv-python-headless==5.0.0.93 numpy torch
"""
import importlib.metadata
import json
import os

import cv2
import numpy as np
import torch

OUT = os.path.join("__tests__", "fixtures", "presets", "ultralytics")
IMAGES = {  # name: (width, height, gray)
    "wide-37x23.png": (37, 23, False),
    "big-100x75.png": (100, 75, False),
    "square-64x64.png": (64, 64, False),
    "gray-23x41.png": (23, 41, True),
    "odd-81x50.png": (81, 50, False),
}
SIZES = [(64, 64), (48, 80)]  # [height, width], as preprocess.size


def lcg_bytes(count, seed):
    out = bytearray(count)
    state = seed & 0xFFFFFFFF
    for i in range(count):
        state = (1664525 * state + 1013904223) & 0xFFFFFFFF
        out[i] = state >> 24
    return np.frombuffer(bytes(out), dtype=np.uint8)


def letterbox(img, new_shape, stride=32, padding_value=114):
    """LetterBox(new_shape, auto=False, scale_fill=False, scaleup=True, center=True, stride)(image=img)."""
    shape = img.shape[:2]
    r = min(new_shape[0] / shape[0], new_shape[1] / shape[1])
    new_unpad = round(shape[1] * r), round(shape[0] * r)
    dw, dh = new_shape[1] - new_unpad[0], new_shape[0] - new_unpad[1]
    dw /= 2
    dh /= 2
    if shape[::-1] != new_unpad:
        img = cv2.resize(img, new_unpad, interpolation=cv2.INTER_LINEAR)
    top, bottom = round(dh - 0.1), round(dh + 0.1)
    left, right = round(dw - 0.1), round(dw + 0.1)
    img = cv2.copyMakeBorder(img, top, bottom, left, right, cv2.BORDER_CONSTANT, value=(padding_value,) * 3)
    return img, {"resized": list(new_unpad), "left": left, "top": top}


def main():
    os.makedirs(os.path.join(OUT, "images"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "expected"), exist_ok=True)
    for i, (name, (w, h, gray)) in enumerate(IMAGES.items()):
        pixels = lcg_bytes(w * h * (1 if gray else 3), seed=500 + i).reshape(h, w, *(() if gray else (3,)))
        cv2.imwrite(os.path.join(OUT, "images", name), pixels)
    cases = []
    for name in IMAGES:
        img = cv2.imread(os.path.join(OUT, "images", name))
        for size in SIZES:
            out, geometry = letterbox(img, size)
            assert out.shape == (size[0], size[1], 3)
            expected = f"{name[:-4]}-{size[0]}x{size[1]}.png"
            cv2.imwrite(os.path.join(OUT, "expected", expected), out)  # imwrite takes BGR, so the PNG holds out[..., ::-1]
            cases.append({"image": name, "size": list(size), "expected": expected, **geometry})
    levels = torch.arange(256, dtype=torch.uint8).float()
    levels /= 255
    index = {
        "generator": "scripts/reference/ultralytics-letterbox.py",
        "follows": "ultralytics/data/augment.py LetterBox and engine/predictor.py at ultralytics commit 359f87dc",
        "versions": {"opencv": cv2.__version__, "package": f"opencv-python-headless {importlib.metadata.version('opencv-python-headless')}", "torch": torch.__version__},
        "levels": levels.numpy().astype(np.float32).tolist(),
        "cases": cases,
    }
    with open(os.path.join(OUT, "ultralytics.json"), "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")
    print(f"{len(cases)} cases")


if __name__ == "__main__":
    main()
