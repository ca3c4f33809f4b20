/** "i/n", the shard a run evaluates: the CLI's --shard and the Action's input shard read it alike. */
import { UserError } from '../errors.js';

export interface ShardSpec {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** `where` names the flag or input in the message, `example` shows a value that would do. */
export function parseShard(value: string, where: string, example: string): ShardSpec {
  const match = /^(\d+)\/(\d+)$/.exec(value.trim());
  const [index, count] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(count >= 1 && index >= 1 && index <= count)) throw new UserError(`${where}: expected i/n with 1 ≤ i ≤ n (e.g. ${example}), got '${value}'`);
  return { index, count };
}
