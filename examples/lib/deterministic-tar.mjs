// Deterministic .tar.gz for the example eval sets: sorted entries, zeroed times and owners, fixed
// gzip header, so the same files always give the same bytes and the sha256 in model-gate.yml holds.
// Node built-ins only, so the builders run anywhere.
import * as zlib from 'node:zlib';

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
/** files: Map of archive path → bytes; parent folders are added as entries. */
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

/** The .tar.gz of `files` (Map of archive path → bytes), byte-for-byte reproducible. */
export function deterministicTarGz(files) {
  return deterministicGzip(packTar(files));
}
