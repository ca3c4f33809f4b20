#!/usr/bin/env python3
"""
Builds the real-architecture quantization fixtures in __tests__/fixtures/quantize-archs/ and the
onnxruntime references the parity tests (__tests__/quantize/parity.test.ts) compare against.

Two steps, run from the repo root:

  /opt/tvpy/bin/python  scripts/reference/quantize-fixtures.py build
  /opt/refpy/bin/python scripts/reference/quantize-fixtures.py reference

build (torch 1.13 + torchvision 0.14): for each architecture (torchvision classes, reduced
widths/depths, random init, seed 0)
  resnet        ResNet with BasicBlocks (residual Add, MaxPool, Gemm head)
  mobilenetv2   MobileNetV2 width 0.5, 4 of 7 stages (depthwise Conv, ReLU6 = Clip, residual Add)
  mobilenetv3   MobileNetV3-small width 0.5, 7 of 11 blocks (depthwise Conv, HardSwish, SE with
                HardSigmoid/Mul)
  efficientnet  EfficientNet-B0 width/depth 0.25, 6 of 7 stages (SiLU = Sigmoid·Mul, SE)
  convnext      ConvNeXt, 3 stages of 1 block (LayerNormalization, Erf-GELU, MatMul/Linear,
                layer scale)
  opzoo         not an architecture: one small network through the ops the five above do not
                use (Pad reflect and constant, Split, Greater/Where, unfused BatchNormalization,
                ConvTranspose, InstanceNormalization, Resize, AveragePool, Squeeze, Softmax)
it gives the Linear layers PyTorch's default init, re-estimates the BatchNorm statistics on 400
images (random init has near-zero margins; with real statistics the argmax depends on the
input), exports with torch.onnx.export (opset 17, dynamic batch) and checks onnxruntime's fp32
predictions against torch's. Writes images.u8.gz, manifest.json, models/<arch>.onnx and
build.json (facts about the models).

reference (onnxruntime 1.30.0 with numpy 2, as `pip install onnxruntime==1.30.0` gives today):
runs quantize_static on each fp32 model with the 64 calibration images in batches of 16: QDQ,
MinMax, uint8 activations (QUInt8), int8 weights (QInt8), per tensor and per channel, all
other options default. Writes ort/<arch>.<mode>.onnx (onnxruntime's int8 models),
ort/<arch>.ranges.json (its calibrated [min, max] per tensor, from its calibration cache) and
reference.json (fp32 and int8 top-1 on the 500 eval images, file sizes, versions).

Images: Fashion-MNIST test images from examples/fashion-mnist/fmnist-test.tar.gz (test-set idx =
file name): calibration idx 0–63, eval 64–563, BatchNorm statistics 1000–1399. images.u8.gz
holds the calibration and eval images as raw 28x28 uint8. Preprocessing, exact in float32 (the
tests rebuild it in TypeScript): image g → channels (g, gᵀ, g flipped left-right) → each
upsampled 2x by pixel repetition (56x56) → padded with 0 to 64x64 → x = (p − 128) / 64, NCHW.

Environments: Debian's torch/torchvision (apt-get install python3-torchvision) in
  python3 -m venv --system-site-packages /opt/tvpy && /opt/tvpy/bin/pip install onnxruntime==1.30.0 onnx pillow
and
  python3 -m venv /opt/refpy && /opt/refpy/bin/pip install onnxruntime==1.30.0 onnx numpy pillow
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile
import tempfile

import numpy as np
import onnxruntime as ort
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TAR = os.path.join(ROOT, 'examples/fashion-mnist/fmnist-test.tar.gz')
OUT = os.path.join(ROOT, '__tests__/fixtures/quantize-archs')
ARCHS = ['resnet', 'mobilenetv2', 'mobilenetv3', 'efficientnet', 'convnext', 'opzoo']
CALIBRATION = list(range(0, 64))
EVAL = list(range(64, 564))
BATCHNORM = list(range(1000, 1400))
CALIBRATION_BATCH = 16


def read_fashion_mnist(indices):
    """Test-set images by idx (the archive's files are <class>/<idx>.png), as [N,28,28] uint8."""
    wanted, images = set(indices), {}
    with tarfile.open(TAR) as tar:
        for member in tar.getmembers():
            if member.isfile() and member.name.endswith('.png'):
                idx = int(os.path.basename(member.name)[:-4])
                if idx in wanted:
                    images[idx] = np.array(Image.open(io.BytesIO(tar.extractfile(member).read())))
    return np.stack([images[i] for i in indices])


def preprocess(gray):
    """[N,28,28] uint8 → [N,3,64,64] float32, exactly as the module docstring says."""
    channels = np.stack([gray, gray.transpose(0, 2, 1), gray[:, :, ::-1]], axis=1)
    up = channels.repeat(2, axis=2).repeat(2, axis=3)
    padded = np.pad(up, ((0, 0), (0, 0), (4, 4), (4, 4)), constant_values=0)
    return ((padded.astype(np.float32) - np.float32(128)) / np.float32(64)).astype(np.float32)


def committed_tensors():
    raw = gzip.decompress(open(os.path.join(OUT, 'images.u8.gz'), 'rb').read())
    images = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 28, 28)
    return preprocess(images[:len(CALIBRATION)]), preprocess(images[len(CALIBRATION):])


def top1(path, tensors):
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    logits = np.concatenate([session.run(None, {'input': tensors[i:i + 100]})[0] for i in range(0, len(tensors), 100)])
    return logits.argmax(axis=1).tolist(), logits


def build():
    import torch
    from torch import nn
    from torchvision.models import convnext, efficientnet, mobilenetv2, mobilenetv3, resnet
    from torchvision.ops.misc import Conv2dNormActivation

    class SmallResNet(resnet.ResNet):
        """torchvision's ResNet with BasicBlocks and narrower stages (its __init__ hard-codes 64..512)."""

        def __init__(self, widths, layers, num_classes=10):
            nn.Module.__init__(self)
            self._norm_layer = nn.BatchNorm2d
            self.inplanes, self.dilation, self.groups, self.base_width = widths[0], 1, 1, 64
            self.conv1 = nn.Conv2d(3, widths[0], kernel_size=7, stride=2, padding=3, bias=False)
            self.bn1 = nn.BatchNorm2d(widths[0])
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
            self.layer1 = self._make_layer(resnet.BasicBlock, widths[0], layers[0])
            self.layer2 = self._make_layer(resnet.BasicBlock, widths[1], layers[1], stride=2)
            self.layer3 = self._make_layer(resnet.BasicBlock, widths[2], layers[2], stride=2)
            self.layer4 = self._make_layer(resnet.BasicBlock, widths[3], layers[3], stride=2)
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(widths[3], num_classes)

    import torch.nn.functional as F

    class OpZoo(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3, stride=2, padding=1)
            self.bn = nn.BatchNorm2d(8)
            self.up = nn.ConvTranspose2d(8, 8, 2, stride=2)
            self.norm = nn.InstanceNorm2d(8, affine=True)
            self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)
            self.head = nn.Linear(16, 10)

        def forward(self, x):
            x = F.relu(self.conv(x))                        # Conv, Relu      [8, 32, 32]
            x = F.pad(x, (1, 1, 1, 1), mode='reflect')      # Pad (reflect)   [8, 34, 34]
            x = self.bn(F.max_pool2d(x, 2))                 # MaxPool, BatchNormalization (not after a Conv: not fused)
            a, b = torch.split(x, 4, dim=1)                 # Split
            x = torch.cat([torch.where(a > 0, a, b * 0.5), b], 1)  # Greater, Where, Mul, Concat
            x = self.norm(self.up(x))                       # ConvTranspose, InstanceNormalization  [8, 34, 34]
            x = F.interpolate(x, scale_factor=0.5, mode='nearest')  # Resize [8, 17, 17]
            x = F.avg_pool2d(F.pad(x, (0, 1, 0, 1), value=0.0), 2)  # Pad (constant 0), AveragePool [8, 9, 9]
            x = self.conv2(x)                               # [16, 5, 5]
            x = F.adaptive_avg_pool2d(x, 1).squeeze(3).squeeze(2)  # GlobalAveragePool, Squeeze
            return torch.softmax(self.head(x), dim=1)       # Gemm, Softmax

    def make(arch):
        torch.manual_seed(0)
        if arch == 'opzoo':
            return OpZoo()
        if arch == 'resnet':
            return SmallResNet((16, 24, 32, 40), (1, 1, 1, 1))
        if arch == 'mobilenetv2':
            setting = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 2, 2], [6, 64, 2, 2]]
            model = mobilenetv2.MobileNetV2(num_classes=10, width_mult=0.5, inverted_residual_setting=setting)
            # The 1280-channel tail is fixed in torchvision; a narrower one keeps the file small.
            model.features[-1] = Conv2dNormActivation(model.features[-1][0].in_channels, 96, kernel_size=1, activation_layer=nn.ReLU6)
            model.classifier[1] = nn.Linear(96, 10)
            return model
        if arch == 'mobilenetv3':
            setting, _ = mobilenetv3._mobilenet_v3_conf('mobilenet_v3_small', width_mult=0.5)
            return mobilenetv3.MobileNetV3(setting[:7], 64, num_classes=10)
        if arch == 'efficientnet':
            setting, _ = efficientnet._efficientnet_conf('efficientnet_b0', width_mult=0.25, depth_mult=0.25)
            return efficientnet.EfficientNet(setting[:6], 0.2, num_classes=10, last_channel=64)
        stages = [convnext.CNBlockConfig(16, 32, 1), convnext.CNBlockConfig(32, 64, 1), convnext.CNBlockConfig(64, None, 1)]
        # layer_scale 0.5 instead of 1e-6, so the residual branches (the MatMuls) matter.
        return convnext.ConvNeXt(stages, stochastic_depth_prob=0.0, layer_scale=0.5, num_classes=10)

    def settle(model, images):
        """Default-init Linear layers (torchvision's N(0, 0.01) heads leave the argmax to noise),
        cumulative BatchNorm statistics over `images`, then eval mode."""
        for m in model.modules():
            if isinstance(m, nn.Linear):
                m.reset_parameters()
        bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
        for bn in bns:
            bn.reset_running_stats()
            bn.momentum = None
        model.train()
        with torch.no_grad():
            for start in range(0, len(images), 50):
                model(torch.from_numpy(images[start:start + 50]))
        model.eval()
        return len(bns)

    calibration_u8, eval_u8 = read_fashion_mnist(CALIBRATION), read_fashion_mnist(EVAL)
    batchnorm = preprocess(read_fashion_mnist(BATCHNORM))
    os.makedirs(os.path.join(OUT, 'models'), exist_ok=True)
    raw = np.concatenate([calibration_u8, eval_u8]).astype(np.uint8).tobytes()
    with open(os.path.join(OUT, 'images.u8.gz'), 'wb') as f:
        f.write(gzip.compress(raw, compresslevel=9, mtime=0))
    manifest = {
        'source': 'examples/fashion-mnist/fmnist-test.tar.gz (test-set idx = file name)',
        'layout': 'images.u8.gz: raw uint8 28x28 images, calibration first, then eval, row-major',
        'calibration': {'first': CALIBRATION[0], 'count': len(CALIBRATION)},
        'eval': {'first': EVAL[0], 'count': len(EVAL)},
        'batchnormStatistics': {'first': BATCHNORM[0], 'count': len(BATCHNORM)},
        'imagesSha256': hashlib.sha256(raw).hexdigest(),
        'preprocessing': 'channels (g, g transposed, g flipped left-right); 2x pixel repetition; pad 4 with 0 to 64x64; x = (p - 128) / 64; NCHW',
        'calibrationBatch': CALIBRATION_BATCH,
    }
    with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)
    calibration, evaluation = committed_tensors()
    facts = {'torch': torch.__version__, 'models': {}}
    for arch in ARCHS:
        model = make(arch)
        bn_layers = settle(model, batchnorm)
        path = os.path.join(OUT, 'models', f'{arch}.onnx')
        torch.onnx.export(model, torch.from_numpy(calibration[:1]), path, opset_version=17, input_names=['input'],
                          output_names=['logits'], dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})
        with torch.no_grad():
            expected = model(torch.from_numpy(evaluation)).numpy().argmax(axis=1).tolist()
        assert top1(path, evaluation)[0] == expected, f'{arch}: onnxruntime and torch disagree'
        facts['models'][arch] = {'parameters': int(sum(p.numel() for p in model.parameters())), 'batchNormLayers': bn_layers}
        print(arch, facts['models'][arch])
    with open(os.path.join(OUT, 'build.json'), 'w') as f:
        json.dump(facts, f, indent=1)


def reference():
    from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static

    class Reader(CalibrationDataReader):
        def __init__(self, tensors):
            self.batches = [{'input': tensors[i:i + CALIBRATION_BATCH]} for i in range(0, len(tensors), CALIBRATION_BATCH)]

        def get_next(self):
            return self.batches.pop(0) if self.batches else None

    calibration, evaluation = committed_tensors()
    os.makedirs(os.path.join(OUT, 'ort'), exist_ok=True)
    result = {'onnxruntime': ort.__version__, 'numpy': np.__version__, 'models': {}}
    for arch in ARCHS:
        fp32_path = os.path.join(OUT, 'models', f'{arch}.onnx')
        fp32, logits = top1(fp32_path, evaluation)
        top2 = np.sort(logits, axis=1)
        entry = {'fp32': fp32, 'fp32Classes': len(set(fp32)), 'fp32MedianMargin': float(np.median(top2[:, -1] - top2[:, -2])),
                 'fp32Bytes': os.path.getsize(fp32_path)}
        for mode, per_channel in [('per-tensor', False), ('per-channel', True)]:
            int8_path = os.path.join(OUT, 'ort', f'{arch}.{mode}.onnx')
            with tempfile.TemporaryDirectory() as tmp:
                cache = os.path.join(tmp, 'ranges.json')
                quantize_static(fp32_path, int8_path, Reader(calibration), quant_format=QuantFormat.QDQ,
                                per_channel=per_channel, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                                calibrate_method=CalibrationMethod.MinMax, calibration_cache_path=cache)
                if not per_channel:
                    with open(cache) as f:
                        data = json.load(f)['data']
                    ranges = {name: [td['lowest']['data'], td['highest']['data']] for name, td in sorted(data.items())}
                    with open(os.path.join(OUT, 'ort', f'{arch}.ranges.json'), 'w') as f:
                        json.dump(ranges, f, indent=0)
            int8, _ = top1(int8_path, evaluation)
            entry[mode] = {'int8': int8, 'bytes': os.path.getsize(int8_path),
                           'agreementWithFp32': float(np.mean(np.array(int8) == np.array(fp32)))}
        result['models'][arch] = entry
        print(arch, {k: v for k, v in entry.items() if k != 'fp32' and not isinstance(v, dict)},
              {m: {k: v for k, v in entry[m].items() if k != 'int8'} for m in ('per-tensor', 'per-channel')})
    with open(os.path.join(OUT, 'reference.json'), 'w') as f:
        json.dump(result, f, separators=(',', ':'))


if __name__ == '__main__':
    {'build': build, 'reference': reference}[sys.argv[1]]()
