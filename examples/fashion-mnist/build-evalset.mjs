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

// ---- deterministic ustar --------------------------------------------------------------------
function writeOctal(block, offset, width, value) {
  block.write(value.toString(8).padStart(width - 1, '0') + '\0', offset, width, 'latin1');
}
function tarHeader(name, type, size) {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar name too long: ${name}`);
  const block = Buffer.alloc(512);
  block.write(name, 0, 100, 'utf8');
  writeOctal(block, 100, 8, type === '5' ? 0o755 : 0o644);
  writeOctal(block, 108, 8, 0); // uid
  writeOctal(block, 116, 8, 0); // gid
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, 0); // mtime
  block.write(type, 156, 1, 'latin1');
  block.write('ustar\0' + '00', 257, 8, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return block;
}
function packTar(files) {
  const folders = new Set();
  for (const name of files.keys()) {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) folders.add(parts.slice(0, i).join('/') + '/');
  }
  const parts = [];
  for (const name of [...folders, ...files.keys()].sort()) {
    const data = files.get(name);
    if (data === undefined) {
      parts.push(tarHeader(name, '5', 0));
      continue;
    }
    parts.push(tarHeader(name, '0', data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024)); // end-of-archive marker
  return Buffer.concat(parts);
}
function deterministicGzip(data) {
  const gz = zlib.gzipSync(data, { level: 9 }); // Node writes mtime 0 and no file name
  gz[9] = 3; // OS byte: zlib sets it per platform; fix it to Unix so every OS gets the same bytes
  return gz;
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

const archive = deterministicGzip(packTar(files));
const archivePath = join(here, 'fmnist-test.tar.gz');
const sha256 = createHash('sha256').update(archive).digest('hex');
writeFileSync(archivePath, archive);
writeFileSync(`${archivePath}.sha256`, `${sha256}  fmnist-test.tar.gz\n`);
console.log(`${count} images (${perClass.join(', ')} per class) -> ${archivePath} (${archive.length} bytes)`);
console.log(`sha256 ${sha256}`);
