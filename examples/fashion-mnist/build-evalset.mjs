#!/usr/bin/env node
// Builds the example eval set examples/fashion-mnist/fmnist-test.tar.gz from the Fashion-MNIST
// test split in idx format: one 8-bit greyscale PNG per image, in class folders, packed into a
// byte-for-byte reproducible tarball (sorted entries, zeroed times and owners, fixed gzip header)
// so its sha256 can be pinned in model-gate.yml. Node built-ins only.
//
// Usage: node examples/fashion-mnist/build-evalset.mjs <folder with t10k-*-ubyte.gz>
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deterministicTarGz } from '../lib/deterministic-tar.mjs';
import * as zlib from 'node:zlib';

/** Folder names in model output order (index 0–9); '/' and ' ' replaced to be path-safe. */
const CLASS_FOLDERS = ['T-shirt-top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle-boot'];
const TOP_FOLDER = 'fmnist-test';
const here = dirname(fileURLToPath(import.meta.url));

// ---- idx ------------------------------------------------------------------------------------
function readIdx(path, expectedMagic) {
  const data = zlib.gunzipSync(readFileSync(path));
  const magic = data.readUInt32BE(0);
  if (magic !== expectedMagic) throw new Error(`${path}: magic ${magic.toString(16)}, expected ${expectedMagic.toString(16)}`);
  const dimensions = magic & 0xff;
  const shape = Array.from({ length: dimensions }, (_, i) => data.readUInt32BE(4 + 4 * i));
  const body = data.subarray(4 + 4 * dimensions);
  if (body.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`${path}: size does not match its header`);
  return { shape, body };
}

// ---- PNG (8-bit greyscale, filter 0) --------------------------------------------------------
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
function pngChunk(type, data) {
  const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}
function encodeGrayPng(pixels, width, height) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // colour type: greyscale
  const rows = Buffer.alloc(height * (width + 1)); // each row: filter byte 0, then the pixels
  for (let y = 0; y < height; y++) pixels.copy(rows, y * (width + 1) + 1, y * width, (y + 1) * width);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', zlib.deflateSync(rows, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- main -----------------------------------------------------------------------------------
const fixtures = resolve(process.argv[2] ?? join(here, '../../../shared/fixtures/fashion-mnist'));
const images = readIdx(join(fixtures, 't10k-images-idx3-ubyte.gz'), 0x803);
const labels = readIdx(join(fixtures, 't10k-labels-idx1-ubyte.gz'), 0x801);
const [count, height, width] = images.shape;
if (labels.shape[0] !== count) throw new Error(`${count} images but ${labels.shape[0]} labels`);

const files = new Map();
const perClass = new Array(CLASS_FOLDERS.length).fill(0);
for (let index = 0; index < count; index++) {
  const label = labels.body[index];
  if (label >= CLASS_FOLDERS.length) throw new Error(`image ${index}: label ${label} out of range`);
  perClass[label] += 1;
  const pixels = images.body.subarray(index * width * height, (index + 1) * width * height);
  const name = `${TOP_FOLDER}/${CLASS_FOLDERS[label]}/${String(index).padStart(5, '0')}.png`;
  files.set(name, encodeGrayPng(pixels, width, height));
}

const archive = deterministicTarGz(files);
const archivePath = join(here, 'fmnist-test.tar.gz');
const sha256 = createHash('sha256').update(archive).digest('hex');
writeFileSync(archivePath, archive);
writeFileSync(`${archivePath}.sha256`, `${sha256}  fmnist-test.tar.gz\n`);
console.log(`${count} images (${perClass.join(', ')} per class) -> ${archivePath} (${archive.length} bytes)`);
console.log(`sha256 ${sha256}`);
