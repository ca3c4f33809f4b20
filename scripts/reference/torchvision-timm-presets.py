"""Reference pixels for preprocess.preset torchvision-classic and timm (src/config/presets.ts).

Writes __tests__/fixtures/presets/: small PNG test images (images/), and for each case the uint8
RGB image the library's eval transform produces just before ToTensor, as a PNG (expected/), plus the float value ToTensor +
Normalize gives each pixel level (torch computes x / 255, then (x - mean) / std, in float32, one
pixel at a time, so a 256-entry table per channel is the whole tensor; checked below).
__tests__/preprocess/presets.test.ts decodes the same PNGs through model-gate's preset and
compares the pixels byte for byte, and the tensors against the tables.

- torchvision-classic: transforms.Resize(256) (bilinear), CenterCrop(224), ToTensor, Normalize.
- timm: timm.data.create_transform(**resolve_data_config({}, model=timm.create_model(name))),
  at the model's size and with input_size overridden to 32 (as preprocess.size: [32, 32] does).
Images are loaded as the torchvision/timm datasets do: Image.open(path).convert('RGB').

Run from the repository root:
    /opt/tvpy/bin/python scripts/reference/torchvision-timm-presets.py
Environment: Debian's torch 1.13 + torchvision 0.14 (apt-get install python3-torchvision python3-pil)
in a venv with system site packages, plus `pip install --no-deps timm==1.0.29` and
`pip install pyyaml safetensors huggingface_hub`.
"""
import json
import os

import numpy as np
import PIL
import timm
import torch
import torchvision
from PIL import Image
from timm.data import create_transform, resolve_data_config
from torchvision import transforms as T

OUT = os.path.join("__tests__", "fixtures", "presets")
IMAGENET = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))


def lcg_bytes(count, seed):
    out = bytearray(count)
    state = seed & 0xFFFFFFFF
    for i in range(count):
        state = (1664525 * state + 1013904223) & 0xFFFFFFFF
        out[i] = state >> 24
    return np.frombuffer(bytes(out), dtype=np.uint8)


def scene(width, height, channels, seed):
    """Smooth shading, hard edges and a little grain (compresses well, still exercises every tap)."""
    y, x = np.mgrid[0:height, 0:width]
    planes = []
    for c in range(channels):
        base = 40 + 150 * (x / max(width - 1, 1)) * (0.6 + 0.2 * c) + 50 * np.sin(y / 9.0 + c)
        planes.append(np.where(((x // 20) + (y // 15)) % 3 == 0, 255 - base, base))
    grain = lcg_bytes(width * height * channels, seed).reshape(height, width, channels) / 128 - 1  # ±1: keeps it compressible
    return np.clip(np.round(np.stack(planes, -1) + grain), 0, 255).astype(np.uint8)


IMAGES = {  # name: (width, height, channels): a shrink, an enlargement, a gray portrait
    "scene-300x240.png": (300, 240, 3),
    "small-50x37.png": (50, 37, 3),
    "gray-40x64.png": (40, 64, 1),
}
TIMM_SMALL = ["convnext_tiny", "vit_base_patch16_224", "resnet18.tv_in1k", "efficientnet_b0", "convnext_tiny.in12k_ft_in1k_384"]


def before_tensor(transform):
    """The PIL part of an eval transform: everything before ToTensor / MaybeToTensor."""
    steps = transform.transforms
    cut = next(i for i, t in enumerate(steps) if "ToTensor" in type(t).__name__)
    assert [type(t).__name__ for t in steps[cut:]] in (["ToTensor", "Normalize"], ["MaybeToTensor", "Normalize"]), steps
    return T.Compose(steps[:cut]), T.Compose(steps[cut:]), steps[-1]


def level_table(normalize):
    """What ToTensor + Normalize make of each pixel level, per channel (float32)."""
    levels = torch.arange(256, dtype=torch.uint8).reshape(1, 1, 256).repeat(3, 1, 1)  # CHW image of every level
    return normalize(levels.float().div(255)).reshape(3, 256).numpy().astype(np.float32)


def main():
    os.makedirs(os.path.join(OUT, "images"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "expected"), exist_ok=True)
    for i, (name, (w, h, c)) in enumerate(IMAGES.items()):
        pixels = scene(w, h, c, seed=77 + i)
        Image.fromarray(pixels[:, :, 0] if c == 1 else pixels, "L" if c == 1 else "RGB").save(os.path.join(OUT, "images", name))
    cases, tables = [], {}

    def run(label, config, transform):
        pil_part, tensor_part, normalize = before_tensor(transform)
        key = json.dumps([list(map(float, normalize.mean)), list(map(float, normalize.std))])
        table = tables.setdefault(key, level_table(normalize))
        for image in IMAGES:
            img = Image.open(os.path.join(OUT, "images", image)).convert("RGB")
            out = np.asarray(pil_part(img))
            tensor = tensor_part(pil_part(img)).numpy()
            assert np.array_equal(tensor, table[np.arange(3)[:, None, None], out.transpose(2, 0, 1)]), "tensor is not per-pixel"
            expected = f"{len(cases):02d}-{config.get('timm-model', config['preset'])}-{image}"
            Image.fromarray(out, "RGB").save(os.path.join(OUT, "expected", expected))
            cases.append({"label": label, "config": config, "image": image, "expected": expected, "width": out.shape[1], "height": out.shape[0],
                          "normalization": list(tables).index(key)})

    run("torchvision Resize(256) + CenterCrop(224)", {"preset": "torchvision-classic"},
        T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(), T.Normalize(*IMAGENET)]))
    model = timm.create_model("convnext_tiny", pretrained=False)
    cfg = resolve_data_config({}, model=model)
    run(f"timm convnext_tiny {cfg}", {"preset": "timm", "timm-model": "convnext_tiny"}, create_transform(**cfg))
    for name in TIMM_SMALL:
        model = timm.create_model(name, pretrained=False)
        cfg = resolve_data_config({"input_size": (3, 32, 32)}, model=model)
        run(f"timm {name} {cfg}", {"preset": "timm", "timm-model": name, "size": [32, 32]}, create_transform(**cfg))
    index = {
        "generator": "scripts/reference/torchvision-timm-presets.py",
        "versions": {"torch": torch.__version__, "torchvision": torchvision.__version__, "timm": timm.__version__, "pillow": PIL.__version__},
        "layout": "expected/<case>.png: the RGB image before ToTensor; "
                  "normalization[i][c][level]: the float32 ToTensor + Normalize value of that level in channel c",
        "normalization": [t.tolist() for t in tables.values()],
        "cases": cases,
    }
    with open(os.path.join(OUT, "torchvision-timm.json"), "w") as f:
        json.dump(index, f)
        f.write("\n")
    print(f"{len(cases)} cases, {len(tables)} normalizations")


if __name__ == "__main__":
    main()
