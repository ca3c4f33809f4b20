/**
 * `model-gate map --gt coco.json --dets results.json`: scores a COCO results list against COCO
 * ground truth and prints the 12 numbers exactly as pycocotools' `COCOeval.summarize()` prints
 * them, so anyone can diff our metric against pycocotools line by line.
 * Exit status: 0 printed, 2 unreadable or invalid input (the message names the file).
 */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { UserError } from '../errors.js';
import { AREA_LABELS } from '../tasks/detection/coco-params.js';
import { cocoEvaluate, summaryToArray } from '../tasks/detection/cocoeval.js';
import { parseCocoGroundTruth, parseCocoResults } from '../tasks/detection/metric-input.js';

/** The rows of `_summarizeDets`: AP or AR, IoU label, area range, maxDets. */
const ROWS: readonly (readonly ['AP' | 'AR', string, (typeof AREA_LABELS)[number], number])[] = [
  ['AP', '0.50:0.95', 'all', 100],
  ['AP', '0.50', 'all', 100],
  ['AP', '0.75', 'all', 100],
  ['AP', '0.50:0.95', 'small', 100],
  ['AP', '0.50:0.95', 'medium', 100],
  ['AP', '0.50:0.95', 'large', 100],
  ['AR', '0.50:0.95', 'all', 1],
  ['AR', '0.50:0.95', 'all', 10],
  ['AR', '0.50:0.95', 'all', 100],
  ['AR', '0.50:0.95', 'small', 100],
  ['AR', '0.50:0.95', 'medium', 100],
  ['AR', '0.50:0.95', 'large', 100],
];

/**
 * Python's '{:0.3f}': correctly rounded, exact ties to even. toFixed also rounds the exact binary
 * value but breaks ties upward; a double is exactly halfway between two 3-decimal numbers only
 * when it is an odd multiple of 1/16 (0.0625, 0.1875, …), so only those need the even rule.
 */
export function formatPython3f(value: number): string {
  const sixteenths = value * 16; // exact: scaling by a power of two
  if (Number.isInteger(sixteenths) && sixteenths % 2 !== 0) {
    const thousandths = value * 1000; // an exact .5 here
    const down = Math.floor(thousandths);
    const even = down % 2 === 0 ? down : down + 1;
    return (even / 1000).toFixed(3);
  }
  return value.toFixed(3);
}

/** One line of pycocotools' `iStr = ' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}'`. */
export function summaryLine(kind: 'AP' | 'AR', iou: string, area: string, maxDets: number, value: number): string {
  const title = (kind === 'AP' ? 'Average Precision' : 'Average Recall').padEnd(18);
  return ` ${title} (${kind}) @[ IoU=${iou.padEnd(9)} | area=${area.padStart(6)} | maxDets=${String(maxDets).padStart(3)} ] = ${formatPython3f(value)}`;
}

async function readJson(file: string, role: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read the ${role} file ${file}${code === 'ENOENT' ? ': no such file' : `: ${(error as Error).message}`}`);
  }
  try {
    const text = file.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
    return JSON.parse(text);
  } catch (error) {
    throw new UserError(`the ${role} file ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

export async function runMapCommand(args: { gt: string; dets: string }, out: NodeJS.WritableStream, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  try {
    if (!args.gt || !args.dets) throw new UserError('usage: model-gate map --gt coco.json --dets results.json');
    const gt = parseCocoGroundTruth(await readJson(args.gt, 'ground truth'), args.gt);
    const dets = parseCocoResults(await readJson(args.dets, 'detections'), gt, args.dets);
    const stats = summaryToArray(cocoEvaluate(gt, dets).summary);
    out.write(ROWS.map(([kind, iou, area, maxDets], n) => summaryLine(kind, iou, area, maxDets, stats[n])).join('\n') + '\n');
    return 0;
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    err.write(`model-gate map: ${error.message}\n`);
    return 2;
  }
}
