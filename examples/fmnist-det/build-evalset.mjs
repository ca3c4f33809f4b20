#!/usr/bin/env node
// Builds the detection example's eval set examples/fmnist-det/fmnist-det.tar.gz from the 300
// synthetic Fashion-MNIST scenes in __tests__/fixtures/fmnist-det (160×256 greyscale PNGs, the
// COCO JSON, the same boxes as YOLO txt, and classes.txt), packed into a byte-for-byte
// reproducible tarball (sorted entries, zeroed times and owners, fixed gzip header) so its sha256
// can be pinned in model-gate.yml. The PNG bytes are copied as they are. Node built-ins only.
//
// Usage: node examples/fmnist-det/build-evalset.mjs [folder with annotations.coco.json, images/, labels/, classes.txt]
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';

const TOP_FOLDER = 'fmnist-det';
const here = dirname(fileURLToPath(import.meta.url));

// ---- deterministic ustar (as examples/fashion-mnist/build-evalset.mjs) ----------------------
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
  gz[9] = 3; // OS byte: fixed to Unix so every OS gets the same bytes
  return gz;
}

// ---- main -----------------------------------------------------------------------------------
const source = resolve(process.argv[2] ?? join(here, '../../__tests__/fixtures/fmnist-det'));
const files = new Map();
const add = (relative) => files.set(`${TOP_FOLDER}/${relative}`, readFileSync(join(source, relative)));
add('annotations.coco.json');
add('classes.txt');
const images = readdirSync(join(source, 'images')).filter((name) => name.endsWith('.png')).sort();
const labels = readdirSync(join(source, 'labels')).filter((name) => name.endsWith('.txt')).sort();
for (const name of images) add(`images/${name}`);
for (const name of labels) add(`labels/${name}`);
const coco = JSON.parse(readFileSync(join(source, 'annotations.coco.json'), 'utf8'));
if (coco.images.length !== images.length) throw new Error(`${coco.images.length} images in the COCO JSON but ${images.length} PNG files`);

const archive = deterministicGzip(packTar(files));
const archivePath = join(here, 'fmnist-det.tar.gz');
const sha256 = createHash('sha256').update(archive).digest('hex');
writeFileSync(archivePath, archive);
writeFileSync(`${archivePath}.sha256`, `${sha256}  fmnist-det.tar.gz\n`);
console.log(`${images.length} scenes, ${coco.annotations.length} boxes, ${labels.length} YOLO label files -> ${archivePath} (${archive.length} bytes)`);
console.log(`sha256 ${sha256}`);
