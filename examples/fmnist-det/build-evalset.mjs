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
import { deterministicTarGz } from '../lib/deterministic-tar.mjs';

const TOP_FOLDER = 'fmnist-det';
const here = dirname(fileURLToPath(import.meta.url));

// ---- main -----------------------------------------------------------------------------------
const source = resolve(process.argv[2] ?? join(here, '../../__tests__/fixtures/fmnist-det'));
const files = new Map();
const add = (relative) => files.set(`${TOP_FOLDER}/${relative}`, readFileSync(join(source, relative)));
add('annotations.coco.json');
add('classes.txt');
const images = readdirSync(join(source, 'images'))
  .filter((name) => name.endsWith('.png'))
  .sort();
const labels = readdirSync(join(source, 'labels'))
  .filter((name) => name.endsWith('.txt'))
  .sort();
for (const name of images) add(`images/${name}`);
for (const name of labels) add(`labels/${name}`);
const coco = JSON.parse(readFileSync(join(source, 'annotations.coco.json'), 'utf8'));
if (coco.images.length !== images.length) throw new Error(`${coco.images.length} images in the COCO JSON but ${images.length} PNG files`);

const archive = deterministicTarGz(files);
const archivePath = join(here, 'fmnist-det.tar.gz');
const sha256 = createHash('sha256').update(archive).digest('hex');
writeFileSync(archivePath, archive);
writeFileSync(`${archivePath}.sha256`, `${sha256}  fmnist-det.tar.gz\n`);
console.log(`${images.length} scenes, ${coco.annotations.length} boxes, ${labels.length} YOLO label files -> ${archivePath} (${archive.length} bytes)`);
console.log(`sha256 ${sha256}`);
