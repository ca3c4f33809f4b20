/** What the decode pool and its workers send each other (structured-clone data only). */
import type { ImageGeometry } from '../contracts/tensors.js';
import type { ResolvedDecodeSpec } from './types.js';

export interface DecodeTask {
  readonly id: number;
  readonly files: readonly string[];
  /** Image index of files[0] in every target's buffer. */
  readonly first: number;
  /** The sha256 each file must have (a cached eval set's record), or null: checked on the bytes read. */
  readonly sha256: readonly (string | null)[];
  /** Files the worker decodes at once (pool.ts, filesInFlight). */
  readonly filesInFlight: number;
  readonly targets: readonly {
    readonly spec: ResolvedDecodeSpec;
    readonly buffer: SharedArrayBuffer;
    /** Where the target's pixels start in `buffer` (a rect batch's view). */
    readonly byteOffset: number;
    readonly shape: { readonly count: number; readonly height: number; readonly width: number; readonly channels: 1 | 3 };
  }[];
}

export type DecodeReply =
  | { readonly id: number; readonly geometry: ImageGeometry[][]; readonly error?: undefined }
  | { readonly id: number; readonly error: { readonly message: string; readonly user: boolean; readonly stack: string | null; readonly changedFile?: string } };
