"""Reference outputs of cv2.resize for model-gate's cv2-* kernels (src/preprocess/resize-cv2.ts).

Writes __tests__/fixtures/cv2-resize/index.json and pixels.bin.gz: a set of small 8-bit test images
(gray and RGB, odd sizes, 1x300 and 300x1 strips) and what cv2.resize gives for each of them with
INTER_LINEAR, INTER_AREA and INTER_NEAREST at the sizes below: integer and fractional shrinks,
enlargements (INTER_AREA's enlarge path), one axis up and the other down, and extreme ratios.
__tests__/preprocess/resize-cv2.test.ts checks model-gate's output byte for byte, without Python.

The images come from a fixed formula and a 32-bit LCG (no numpy RNG), so they are the same on any
machine. OpenCV is run with its defaults (IPP on, several threads); the script also checks that IPP
off and one thread give the same bytes, so the references do not depend on the CPU.

Run from the repository root:
    /opt/refpy/bin/python scripts/reference/opencv-resize.py
Environment (recreate with):
    python3 -m venv /opt/refpy && /opt/refpy/bin/pip install opencv-python-headless==5.0.0.93 numpy
"""
import gzip
import importlib.metadata
import json
import os

import cv2
import numpy as np

OUT = os.path.join("__tests__", "fixtures", "cv2-resize")
KERNELS = {"cv2-linear": ("INTER_LINEAR", cv2.INTER_LINEAR), "cv2-area": ("INTER_AREA", cv2.INTER_AREA), "cv2-nearest": ("INTER_NEAREST", cv2.INTER_NEAREST)}

# name: (width, height, style, [(out_width, out_height), ...])
IMAGES = {
    "tiny-7x5": (7, 5, "noise", [(3, 2), (14, 10), (20, 9), (1, 1), (7, 13), (4, 5), (2, 5)]),
    "odd-13x11": (13, 11, "noise", [(6, 5), (39, 33), (5, 20), (13, 4), (1, 11), (26, 11), (10, 8)]),
    "even-32x24": (32, 24, "noise", [(16, 12), (8, 6), (16, 24), (32, 8), (11, 9), (20, 15), (48, 36), (36, 30), (10, 60), (30, 23)]),
    "odd-61x37": (61, 37, "noise", [(30, 18), (20, 12), (40, 24), (15, 9), (73, 45), (9, 37), (61, 5), (29, 29)]),
    "column-1x300": (1, 300, "noise", [(1, 100), (1, 128), (1, 450), (3, 400), (2, 7), (1, 1)]),
    "row-300x1": (300, 1, "noise", [(100, 1), (128, 1), (400, 3), (7, 2), (450, 1)]),
    "scene-96x72": (96, 72, "scene", [(48, 36), (32, 24), (24, 18), (40, 30), (60, 45), (20, 90)]),
}


def lcg_bytes(count, seed):
    """count pseudo-random bytes from a 32-bit LCG (Numerical Recipes constants), high byte of each state."""
    out = bytearray(count)
    state = seed & 0xFFFFFFFF
    for i in range(count):
        state = (1664525 * state + 1013904223) & 0xFFFFFFFF
        out[i] = state >> 24
    return np.frombuffer(bytes(out), dtype=np.uint8)


def make_image(width, height, channels, style, seed):
    y, x = np.mgrid[0:height, 0:width]
    if style == "noise":  # full-range values, so every tap and every rounding shows
        return lcg_bytes(width * height * channels, seed).reshape(height, width, channels)
    # "scene": smooth shading, hard edges and a little grain, like a small photo
    planes = []
    for c in range(channels):
        base = 40 + 150 * (x / max(width - 1, 1)) * (0.6 + 0.4 * c / 2) + 50 * np.sin(y / 9.0 + c)
        base = np.where(((x // 20) + (y // 15)) % 3 == 0, 255 - base, base)
        planes.append(base)
    grain = lcg_bytes(width * height * channels, seed).reshape(height, width, channels).astype(np.float64) / 32 - 4
    return np.clip(np.round(np.stack(planes, -1) + grain), 0, 255).astype(np.uint8)


def resize_checked(src, size, flag):
    result = cv2.resize(src, size, interpolation=flag)
    cv2.ipp.setUseIPP(False)
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    again = cv2.resize(src, size, interpolation=flag)
    cv2.ipp.setUseIPP(True)
    cv2.setNumThreads(threads)
    assert np.array_equal(result, again), f"IPP/threads change the output for {src.shape} -> {size}"
    return np.ascontiguousarray(result)


def main():
    os.makedirs(OUT, exist_ok=True)
    blob = bytearray()
    images, cases = {}, []
    for index, (name, (width, height, style, targets)) in enumerate(IMAGES.items()):
        for channels in (1, 3):
            key = f"{name}-{'gray' if channels == 1 else 'rgb'}"
            pixels = make_image(width, height, channels, style, seed=1000 * index + channels)
            src = pixels[:, :, 0].copy() if channels == 1 else pixels  # a 2-D array is what cv2.imread(GRAYSCALE) gives
            images[key] = {"width": width, "height": height, "channels": channels, "offset": len(blob), "length": src.size}
            blob += src.tobytes()
            for out_width, out_height in targets:
                for kernel, (flag_name, flag) in KERNELS.items():
                    out = resize_checked(src, (out_width, out_height), flag)
                    assert out.shape[:2] == (out_height, out_width)
                    cases.append({"image": key, "kernel": kernel, "interpolation": flag_name, "width": out_width, "height": out_height, "offset": len(blob), "length": out.size})
                    blob += out.tobytes()
    with open(os.path.join(OUT, "pixels.bin.gz"), "wb") as f:
        f.write(gzip.compress(bytes(blob), compresslevel=9, mtime=0))
    index = {
        "generator": "scripts/reference/opencv-resize.py",
        "opencv": cv2.__version__,
        "package": f"opencv-python-headless {importlib.metadata.version('opencv-python-headless')}",
        "numpy": np.__version__,
        "layout": "pixels.bin.gz, gunzipped: uint8 HWC rows; each entry gives its offset and length",
        "images": images,
        "cases": cases,
    }
    with open(os.path.join(OUT, "index.json"), "w") as f:  # one case per line: readable diffs, small file
        head = {k: v for k, v in index.items() if k not in ("images", "cases")}
        f.write(json.dumps(head, indent=1)[:-2] + ',\n "images": {\n')
        f.write(",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in images.items()) + '\n },\n "cases": [\n')
        f.write(",\n".join(f"  {json.dumps(c)}" for c in cases) + "\n ]\n}\n")
    print(f"{len(images)} images, {len(cases)} cases, {len(blob)} bytes before gzip")


if __name__ == "__main__":
    main()
