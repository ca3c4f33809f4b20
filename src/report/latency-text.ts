/**
 * The words around the latency figures, shared by the Markdown and the HTML report: how the
 * ratio was measured, what the A/A control says this runner resolves, and how a gate's outcome
 * reads (a latency gate can be "not measurable" as well as pass or fail), and where a sharded
 * comparison measured it.
 */
import { cutRounds, keptRounds } from '../metrics/latency-rounds.js';
import { ratio } from './format.js';
import type { AnyReport, GateResult, LatencyComparison, Report } from '../contracts/report.js';

export function latencyMethodNote(comparison: LatencyComparison, perSample: boolean): string {
  const rounds = comparison.latencyRounds;
  if (perSample) return 'Per-sample latencies as the result files give them; percentiles are nearest-rank; the p50 ratio CI is a 2,000-resample bootstrap.';
  if (!rounds) return 'Runs of the two models are interleaved in blocks so machine drift hits both alike; percentiles are nearest-rank; the p50 ratio CI is a 2,000-resample bootstrap.';
  const lines = [
    `The batch-1 p50 ratio comes from ${rounds.rounds} rounds (${rounds.perRound.map((r) => r.toFixed(2)).join(', ')}), each on fresh sessions with the models interleaved in alternating blocks: ${trimmedWords(rounds.rounds)}. Its 95% CI comes from the spread between rounds (trimmed-mean t-interval, ${keptRounds(rounds.rounds) - 1} df), so a change of load between rounds widens it. Percentiles are nearest-rank over all rounds.`,
  ];
  const control = rounds.control;
  if (control && typeof comparison.latencyNoiseFloor === 'number') {
    lines.push(
      `A/A control (the baseline against a second session of itself, same rounds): ${ratio(control.ratio)} (${control.ci95.map((v) => v.toFixed(2)).join('–')}), so this runner resolves latency changes of ±${(comparison.latencyNoiseFloor * 100).toFixed(1)}% or more right now.`,
    );
  }
  return lines.join(' ');
}

/** What the figure is: with 5 or more rounds the outermost are cut, so one far-off round does not set it. */
function trimmedWords(rounds: number): string {
  const cut = cutRounds(rounds);
  if (cut === 0) return 'their geometric mean';
  return `the geometric mean of the middle ${keptRounds(rounds)}, the ${cut === 1 ? 'highest and the lowest round' : `${cut} highest and ${cut} lowest rounds`} cut`;
}

export function gateResultLabel(gate: GateResult): { text: string; kind: 'pass' | 'fail' | 'neutral' } {
  if (gate.outcome === 'not-measurable') return { text: '⚠️ not measurable', kind: 'neutral' };
  return gate.passed ? { text: '✅ pass', kind: 'pass' } : { text: '❌ fail', kind: 'fail' };
}

/** "all 3 passed", or "2 passed, 1 not measurable" when a gate could say neither. */
export function gatesPassedSummary(gates: readonly GateResult[]): string {
  const neutral = gates.filter((g) => g.outcome === 'not-measurable').length;
  return neutral === 0 ? `all ${gates.length} passed` : `${gates.length - neutral} passed, ${neutral} not measurable`;
}

/** A comparison merged from shards: how many, and the one machine latency comes from. */
export function shardsNote(report: AnyReport): string | null {
  const shards = (report as { shards?: Report['shards'] }).shards;
  if (!shards) return null;
  return `merged from ${shards.count} shard${shards.count === 1 ? '' : 's'}; latency measured in shard ${shards.latencyMeasuredOn.shard} alone (${shards.latencyMeasuredOn.machine}), never averaged across machines`;
}
