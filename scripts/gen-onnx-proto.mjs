// @ts-check
// Generates src/quantize/onnx-pb.js (+ .d.ts) from src/quantize/onnx.proto with protobufjs-cli.
// The output is committed, so neither the build nor a user's install runs this; the test
// __tests__/quantize/protobuf.test.ts regenerates into a temp dir and checks the committed files match.
//
// protobufjs 8 static code can keep unknown fields: each decoder's default branch stores the raw
// bytes of a field it does not know (tag included) in `$unknowns` when the reader's discardUnknown
// is false, and each encoder writes them back after the known fields. discardUnknown defaults to
// true, so src/quantize/model-io.ts decodes through a reader with it turned off. That is what
// lets models with fields missing from onnx.proto survive a round trip; the tests check it on
// crafted bytes.
//
// Usage: node scripts/gen-onnx-proto.mjs [--outdir DIR]
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pbjs, pbts } from 'protobufjs-cli';

const at = process.argv.indexOf('--outdir');
const outdir = at > 0 ? process.argv[at + 1] : 'src/quantize';
mkdirSync(outdir, { recursive: true });

const jsFile = join(outdir, 'onnx-pb.js');
const dtsFile = join(outdir, 'onnx-pb.d.ts');

/**
 * @param {{ main(args: string[], callback: (error: Error | null) => void): unknown }} tool
 * @param {string[]} args
 * @returns {Promise<void>}
 */
function run(tool, args) {
  return new Promise((resolve, reject) => {
    tool.main(args, (error) => (error ? reject(error) : resolve()));
  });
}

// No verify/convert/delimited/typeurl helpers: the quantizer only decodes and encodes, and less
// generated code is less to bundle.
await run(pbjs, ['--target', 'static-module', '--wrap', 'es6', '--no-verify', '--no-convert', '--no-delimited', '--no-typeurl', '--out', jsFile, 'src/quantize/onnx.proto']);
await run(pbts, ['--out', dtsFile, jsFile]);
