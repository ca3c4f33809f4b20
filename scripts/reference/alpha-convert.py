"""Reference pixels for images with alpha when preprocess.color is rgb or gray (src/preprocess/color.ts).

model-gate follows PIL's Image.convert(): Image.open(path).convert('RGB') (or 'L') drops the alpha
channel and keeps the colour stored under it, even where alpha is 0; it does not composite onto a
background. torchvision's default loader (torchvision.datasets.folder.pil_loader) is exactly
Image.open(f).convert('RGB'), and the resize comes after the conversion.

Writes __tests__/fixtures/alpha/:
  rgba8.png        8-bit RGBA, 13x9, random colours, alpha 0 on some pixels and 255, 1, 128 on others
  la8.png          8-bit gray+alpha, 13x9
  p-trns.png       palette image whose tRNS chunk makes some palette entries transparent
  rgba16.png       16-bit RGBA (model-gate's PNG fast path refuses it, so sharp decodes it); written by
                   the small encoder below, since Pillow does not write 16-bit RGBA
  expected.json    per file: PIL's mode on opening, size, and base64 of the raw bytes of
                   convert('RGB'), convert('L') and convert('RGB').resize((7, 5), Image.BILINEAR)
__tests__/preprocess/alpha.test.ts decodes each file with model-gate and compares byte for byte.

Run from the repository root:
    /opt/refpy/bin/python scripts/reference/alpha-convert.py
Environment: python3 -m venv /opt/refpy && /opt/refpy/bin/pip install pillow==12.3.0 numpy
"""
import base64
import json
import os
import struct
import zlib

import numpy as np
import PIL
from PIL import Image

OUT = os.path.join('__tests__', 'fixtures', 'alpha')
W, H = 13, 9
RESIZED = (7, 5)
rng = np.random.default_rng(20240611)


def alpha_plane(shape):
    alpha = rng.integers(0, 256, size=shape, dtype=np.uint8)
    alpha[0, :4] = [0, 255, 1, 128]
    alpha[rng.random(shape) < 0.3] = 0  # many fully transparent pixels, with colours under them
    return alpha


def write_png16_rgba(path, pixels):
    """A minimal PNG writer: 16-bit RGBA, filter 0 on every row (big-endian samples, PNG spec 11.2.2)."""
    h, w, _ = pixels.shape
    raw = b''.join(b'\x00' + pixels[y].astype('>u2').tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack('>IIBBBBB', w, h, 16, 6, 0, 0, 0)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))


def main():
    os.makedirs(OUT, exist_ok=True)
    rgb = rng.integers(0, 256, size=(H, W, 3), dtype=np.uint8)
    Image.fromarray(np.dstack([rgb, alpha_plane((H, W))]), 'RGBA').save(os.path.join(OUT, 'rgba8.png'))

    gray = rng.integers(0, 256, size=(H, W), dtype=np.uint8)
    Image.fromarray(np.dstack([gray, alpha_plane((H, W))]), 'LA').save(os.path.join(OUT, 'la8.png'))

    palette_image = Image.fromarray(rng.integers(0, 16, size=(H, W), dtype=np.uint8), 'P')
    palette_image.putpalette(rng.integers(0, 256, size=16 * 3, dtype=np.uint8).tolist())
    # Entries 0-5 transparent (tRNS), the rest opaque.
    palette_image.save(os.path.join(OUT, 'p-trns.png'), transparency=bytes([0] * 6 + [255] * 10))

    rgba16 = rng.integers(0, 65536, size=(H, W, 4), dtype=np.uint16)
    rgba16[..., 3][rng.random((H, W)) < 0.3] = 0
    write_png16_rgba(os.path.join(OUT, 'rgba16.png'), rgba16)

    expected = {'pillow': PIL.__version__}
    for name in ['rgba8.png', 'la8.png', 'p-trns.png', 'rgba16.png']:
        with Image.open(os.path.join(OUT, name)) as im:
            mode = im.mode
            as_rgb = im.convert('RGB')
            as_l = im.convert('L')
        resized = as_rgb.resize(RESIZED, Image.BILINEAR)
        b64 = lambda image: base64.b64encode(image.tobytes()).decode('ascii')
        expected[name] = {
            'openedMode': mode,
            'size': [W, H],
            'rgb': b64(as_rgb),
            'gray': b64(as_l),
            'resized': {'size': list(RESIZED), 'rgb': b64(resized)},
        }
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
