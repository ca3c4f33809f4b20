/**
 * ONNX protobuf read/write through the generated code: the committed code is what the schema
 * generates, unknown fields survive a round trip, and the example models re-encode to the very
 * same bytes (protobufjs writes known fields in field-number order, as the C++ protobuf the
 * exporters use does, and unknown fields after them, also as C++ protobuf does).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeModel, encodeModel, onnx } from '../../src/quantize/index.js';
import { writeModelFile } from '../../src/quantize/model-io.js';
import { bytesField, concat, intField, stringField } from '../models/onnx-writer.js';

it('src/quantize/onnx-pb.js and .d.ts match a fresh generation (run `node scripts/gen-onnx-proto.mjs` if this fails)', async () => {
  const out = await mkdtemp(join(tmpdir(), 'mg-onnx-pb-'));
  try {
    await promisify(execFile)('node', ['scripts/gen-onnx-proto.mjs', '--outdir', out]);
    for (const file of ['onnx-pb.js', 'onnx-pb.d.ts']) {
      expect((await readFile(join(out, file), 'utf8')) === (await readFile(join('src/quantize', file), 'utf8'))).toBe(true);
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}, 60000);

it.each(['fmnist-lenet-v1', 'fmnist-dwnet-v3'])('%s decodes and re-encodes byte for byte', async (name) => {
  const bytes = new Uint8Array(await readFile(`examples/fashion-mnist/models/${name}.onnx`));
  const model = decodeModel(bytes, name);
  expect(model.graph!.node.length).toBeGreaterThan(0);
  expect(Buffer.from(encodeModel(model)).equals(Buffer.from(bytes))).toBe(true);
});

it.each(['fmnist-lenet-v1', 'fmnist-dwnet-v3'])('%s written tensor by tensor reads back as the same model', async (name) => {
  const bytes = new Uint8Array(await readFile(`examples/fashion-mnist/models/${name}.onnx`));
  const dir = await mkdtemp(join(tmpdir(), 'mg-write-model-'));
  try {
    const model = decodeModel(bytes, name);
    await writeModelFile(model, join(dir, 'model.onnx'));
    const written = new Uint8Array(await readFile(join(dir, 'model.onnx')));
    expect(written.length).toBe(bytes.length);
    expect(Buffer.from(encodeModel(decodeModel(written, 'written'))).equals(Buffer.from(bytes))).toBe(true);
    // and the model it was written from is unchanged
    expect(Buffer.from(encodeModel(model)).equals(Buffer.from(bytes))).toBe(true);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

describe('fields the schema does not list', () => {
  // A NodeProto (Relu x→y) with an unknown varint field 99 and an unknown length-delimited
  // field 98 between known ones; a ModelProto with an unknown length-delimited field 50 holding
  // a nested message, and an unknown fixed32 field 51. Field numbers above the known ones, placed
  // last, is where a newer writer would put them; the known fields come first in number order.
  const node = concat(stringField(1, 'x'), stringField(2, 'y'), stringField(4, 'Relu'), intField(99, 123456789), bytesField(98, Uint8Array.of(1, 2, 3, 250)));
  const graph = concat(bytesField(1, node), stringField(2, 'g'));
  const fixed32 = Uint8Array.of(0x9d, 0x03, 0x78, 0x56, 0x34, 0x12); // tag (51 << 3) | 5 = 413 as a varint
  const model = concat(
    intField(1, 10),
    bytesField(7, graph),
    bytesField(8, concat(stringField(1, ''), intField(2, 21))),
    bytesField(50, concat(stringField(1, 'future'), intField(2, 7))),
    fixed32,
  );

  it('are kept on decode and written back unchanged', () => {
    const decoded = decodeModel(model, 'crafted');
    expect(decoded.graph!.node[0].opType).toBe('Relu');
    expect(Buffer.from(encodeModel(decoded)).equals(Buffer.from(model))).toBe(true);
  });

  it('stay with their message when the known fields are edited', () => {
    const decoded = decodeModel(model, 'crafted');
    decoded.graph!.node[0].opType = 'Sigmoid';
    const again = decodeModel(encodeModel(decoded), 'again') as unknown as onnx.ModelProto;
    expect(again.graph!.node![0].opType).toBe('Sigmoid');
    const unknowns = (again.graph!.node![0] as { $unknowns?: Uint8Array[] }).$unknowns!;
    expect(unknowns.map((u) => Buffer.from(u).toString('hex'))).toEqual([
      Buffer.from(intField(99, 123456789)).toString('hex'),
      Buffer.from(bytesField(98, Uint8Array.of(1, 2, 3, 250))).toString('hex'),
    ]);
  });
});

it('int64 values beyond 2^53 survive (Slice ends of INT64_MAX are common)', () => {
  const attribute = concat(stringField(1, 'ends'), intField(3, 2n ** 63n - 1n), intField(20, 2));
  const bytes = concat(bytesField(7, bytesField(1, concat(stringField(4, 'Slice'), bytesField(5, attribute)))));
  expect(Buffer.from(encodeModel(decodeModel(bytes, 'int64'))).equals(Buffer.from(bytes))).toBe(true);
});

it('rejects bytes that are not a model with a clear error', () => {
  expect(() => decodeModel(Uint8Array.of(0x0a, 0x05, 1), 'broken.onnx')).toThrow(/broken\.onnx: not a readable ONNX model/);
});
