"""Anchor for `npm run bench`: decode + resize of image files to 224 center-crop with PIL and
torchvision's transforms on one thread (Resize(256) bilinear, CenterCrop(224), to a uint8 array),
the pipeline model-gate's `resize: center-crop` reproduces byte for byte.

Usage: python3 decode.py FILE_LIST   (one path per line); prints the seconds spent and which
library did the resize. Needs Pillow and numpy; uses torchvision's transforms when installed
(Debian: apt-get install python3-pil python3-torchvision), else the same PIL calls directly.
"""
import sys
import time

import numpy as np
from PIL import Image

try:
    import torch
    from torchvision import transforms

    torch.set_num_threads(1)
    pipeline = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224)])
    how = "PIL + torchvision transforms"
except ImportError:  # the same PIL operations torchvision's Resize/CenterCrop call on PIL images
    def pipeline(image):
        w, h = image.size
        short = 256
        size = (short, int(short * h / w)) if w <= h else (int(short * w / h), short)
        image = image.resize(size, Image.BILINEAR)
        left, top = int(round((image.size[0] - 224) / 2.0)), int(round((image.size[1] - 224) / 2.0))
        return image.crop((left, top, left + 224, top + 224))
    how = "PIL (torchvision not installed)"

files = [line.strip() for line in open(sys.argv[1]) if line.strip()]
start = time.perf_counter()
total = 0
for path in files:
    with Image.open(path) as image:
        total += int(np.asarray(pipeline(image.convert("RGB")))[0, 0, 0])
print(f"{time.perf_counter() - start:.4f} {how}")
