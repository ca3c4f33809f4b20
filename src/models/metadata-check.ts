/**
 * The model's own metadata (metadata.ts) against the config (pure): what is refused, what is only
 * said, and which defaults an Ultralytics model supplies where the config is silent.
 *
 * Refused (the run would score the wrong thing):
 * - class names the config lists in another order than the model's metadata (names compared
 *   case- and punctuation-blind, so "T-shirt/top" matches the folder name "T-shirt-top");
 * - an Ultralytics task that is not the config's (a classify model under task: detection).
 * Warned (the run is valid but may not be what was meant):
 * - names that differ in wording, or in number, from the config's;
 * - an Ultralytics imgsz other than preprocess.size, or than the model's own fixed input;
 * - a detection.stride other than the model's stride;
 * - metadata that could not be read.
 * Defaults (where the config leaves them unset): preprocess.size from imgsz when the model input
 * has no fixed height and width; detection.stride from the model's stride.
 */
import type { Config, DecodeSpec, TaskName } from '../config/types.js';
import type { TensorSignature } from '../contracts/tensors.js';
import { readModelMetadata, type ModelMetadata } from './metadata.js';

export interface MetadataFacts {
  /** The model's label in messages (its path as the user wrote it). */
  readonly model: string;
  readonly task: TaskName;
  /** The class names model-gate will score output k as, and where they come from ("classes in model-gate.yml"). */
  readonly classes: readonly string[];
  readonly classesFrom: string;
  /** preprocess.size as configured (null: unset). */
  readonly size: readonly [number, number] | null;
  /** The model input's fixed [height, width], or null when dynamic. */
  readonly modelInputSize: readonly [number, number] | null;
  /** detection.stride when the config sets it; null when unset (or not detection). */
  readonly stride: number | null;
}

export interface MetadataVerdict {
  readonly refusals: string[];
  readonly warnings: string[];
}

const ULTRALYTICS_TASK: Record<string, TaskName> = { detect: 'detection', classify: 'classification' };
/** Past this many classes the message lists the positions that differ instead of both whole orders. */
const LIST_BOTH_UP_TO = 30;

const normalise = (name: string) => name.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
const list = (names: readonly string[]) => `[${names.join(', ')}]`;
const keyOf = (meta: ModelMetadata) => (meta.namesKey === 'names' ? "Ultralytics' names" : 'id2label');

function classProblems(meta: ModelMetadata, facts: MetadataFacts, out: MetadataVerdict): void {
  const names = meta.names;
  const classes = facts.classes;
  if (!names || classes.length === 0) return;
  const where = `${facts.model}: the model's metadata (${keyOf(meta)})`;
  if (names.length !== classes.length) {
    out.warnings.push(`${where} names ${names.length} classes, ${facts.classesFrom} lists ${classes.length}`);
    return;
  }
  const model = names.map(normalise);
  const config = classes.map(normalise);
  const differ = config.map((name, k) => (name === model[k] ? -1 : k)).filter((k) => k >= 0);
  if (differ.length === 0) return;
  // A config name the model has at another position: the order is wrong, not the wording.
  const moved = differ.filter((k) => model.includes(config[k]));
  if (moved.length > 0) {
    const detail =
      names.length <= LIST_BOTH_UP_TO
        ? `\n    model:  ${list(names)}\n    config: ${list(classes)}`
        : `: ${moved
            .slice(0, 10)
            .map((k) => `position ${k} is '${classes[k]}' in the config, '${names[k]}' in the model (which has '${classes[k]}' at ${model.indexOf(config[k])})`)
            .join('; ')}${moved.length > 10 ? `; and ${moved.length - 10} more` : ''}`;
    out.refusals.push(
      `${where} lists its classes in another order than ${facts.classesFrom}${detail}\n` +
        `  Output k is scored as class k of the config, so ${moved.length === 2 ? 'these two classes' : `${moved.length} classes`} would be scored as each other. Write the classes in the model's order.`,
    );
    return;
  }
  const shown = differ
    .slice(0, 5)
    .map((k) => `${k}: '${names[k]}' vs '${classes[k]}'`)
    .join(', ');
  out.warnings.push(
    `${where} names ${differ.length} class${differ.length === 1 ? '' : 'es'} differently from ${facts.classesFrom} (${shown}${differ.length > 5 ? ', …' : ''}); the report uses the config's names`,
  );
}

function inputProblems(meta: ModelMetadata, facts: MetadataFacts, out: MetadataVerdict): void {
  const expected = meta.task === null ? undefined : ULTRALYTICS_TASK[meta.task];
  if (meta.source === 'ultralytics' && meta.task !== null && expected !== facts.task) {
    out.refusals.push(
      `${facts.model}: the model's metadata says it is an Ultralytics '${meta.task}' model, which model-gate does not score as task: ${facts.task}${expected ? ` (use task: ${expected})` : ' (model-gate reads detect and classify models)'}`,
    );
  }
  const imgsz = meta.imgsz;
  const same = (a: readonly number[], b: readonly number[]) => a[0] === b[0] && a[1] === b[1];
  if (imgsz && facts.modelInputSize && !same(imgsz, facts.modelInputSize)) {
    out.warnings.push(`${facts.model}: the model's metadata says imgsz [${imgsz.join(', ')}], but its input is fixed at [${facts.modelInputSize.join(', ')}]; the input's size is used`);
  } else if (imgsz && facts.size && !same(imgsz, facts.size)) {
    out.warnings.push(
      `${facts.model}: the model was exported at imgsz [${imgsz.join(', ')}] (its metadata), but preprocess.size is [${facts.size.join(', ')}]: the scores are for another input size than the model's`,
    );
  }
  if (meta.stride !== null && facts.task === 'detection' && facts.stride !== null && facts.stride !== meta.stride) {
    const fits = facts.stride % meta.stride === 0;
    out.warnings.push(
      `${facts.model}: the model's stride is ${meta.stride} (its metadata), detection.stride is ${facts.stride}${fits ? '' : `: inputs padded to a multiple of ${facts.stride} may not fit the model`}`,
    );
  }
  for (const key of meta.unreadable) out.warnings.push(`${facts.model}: metadata ${key} could not be read; it is ignored`);
}

export function checkModelMetadata(meta: ModelMetadata, facts: MetadataFacts): MetadataVerdict {
  const out: MetadataVerdict = { refusals: [], warnings: [] };
  classProblems(meta, facts, out);
  inputProblems(meta, facts, out);
  return out;
}

/**
 * The decode an Ultralytics model implies where the config is silent: its imgsz as the size when
 * neither preprocess.size nor the model input fixes one, and its stride for rect and letterbox
 * padding when detection.stride is not written.
 */
export function withMetadataDefaults(spec: DecodeSpec, meta: ModelMetadata, modelInputSize: readonly [number, number] | null, strideSet: boolean): DecodeSpec {
  const size = spec.size === null && modelInputSize === null && meta.imgsz ? ([meta.imgsz[0], meta.imgsz[1]] as const) : spec.size;
  const stride = !strideSet && spec.stride !== undefined && meta.stride !== null ? meta.stride : spec.stride;
  return size === spec.size && stride === spec.stride ? spec : { ...spec, size, ...(stride === undefined ? {} : { stride }) };
}

/** The model input's fixed [height, width] in this layout, or null (as inference/signature.ts reads it). */
function fixedInputSize(input: TensorSignature | undefined, layout: 'nchw' | 'nhwc'): [number, number] | null {
  if (!input || input.dims.length !== 4) return null;
  const [h, w] = layout === 'nchw' ? input.dims.slice(2, 4) : input.dims.slice(1, 3);
  return typeof h === 'number' && typeof w === 'number' ? [h, w] : null;
}

/** One model file against the config: its metadata read and judged; `classes` is what the task scores output k as. */
export function judgeModelMetadata(
  config: Config,
  file: { readonly label: string; readonly facts: { readonly inputs: readonly TensorSignature[]; readonly metadata?: Readonly<Record<string, string>> } },
  classes: { readonly names: readonly string[]; readonly from: string },
): MetadataVerdict & { metadata: ModelMetadata } {
  const metadata = readModelMetadata(file.facts.metadata);
  const verdict = checkModelMetadata(metadata, {
    model: file.label,
    task: config.task,
    classes: classes.names,
    classesFrom: classes.from,
    size: config.preprocess.size,
    modelInputSize: fixedInputSize(file.facts.inputs[0], config.preprocess.layout),
    stride: config.detection?.strideSet ? config.detection.stride : null,
  });
  return { ...verdict, metadata };
}

/** withMetadataDefaults for one model file and the config. */
export function decodeDefaultsFor(
  config: Config,
  file: { readonly facts: { readonly inputs: readonly TensorSignature[]; readonly metadata?: Readonly<Record<string, string>> } },
  spec: DecodeSpec,
): DecodeSpec {
  return withMetadataDefaults(spec, readModelMetadata(file.facts.metadata), fixedInputSize(file.facts.inputs[0], config.preprocess.layout), config.detection?.strideSet ?? true);
}
