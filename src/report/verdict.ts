/**
 * The verdict line that opens every report (pure): the gates' verdict first, because that is what
 * decides the PR, then what the accuracy and latency did. One outcome, one icon and one colour
 * everywhere it shows: the Markdown comment and job summary, the HTML report and the check
 * annotation.
 *
 *   **❌ Gate failed:** p50 latency ×1.58, at least +55.4% (limit +25%). **Accuracy: real gain**, the candidate fixes …
 *   **✅ Gates passed.** **Accuracy: real gain**, the candidate fixes …
 *   **⚠️ Gates passed, but:** p50 latency not measurable (this runner resolves only ±14.0% right now, the limit is 10%). **Accuracy: …**
 *
 * Gate summaries come from the report, which the fork-comment workflow reads back from an
 * untrusted run, so they are escaped here like every other string taken from a report.
 */
import type { GateResult, LatencyComparison } from '../contracts/report.js';
import type { ReportingTask } from '../contracts/task.js';
import { code, escapeMarkdown, ratio } from './format.js';

/** fail: a gate failed; not-measurable: none failed but one could say neither; pass: all passed. */
export type GateVerdictKind = 'pass' | 'fail' | 'not-measurable';

export const VERDICT_ICON: Record<GateVerdictKind, string> = { pass: '✅', fail: '❌', 'not-measurable': '⚠️' };

/** The accuracy half's words, by the task's tone (no icon: the line's only icon is the gates'). */
const TONE_WORDS = { gain: 'real gain', loss: 'real loss', noise: 'not distinguishable from noise', same: 'no change' } as const;

/** The gate's short form for the verdict line; reports written before it existed fall back to the gate's name. */
function briefOf(gate: GateResult, markdown: boolean): string {
  const summary = typeof gate.summary === 'string' && gate.summary !== '' ? gate.summary : null;
  if (!markdown) return summary ?? `gate ${gate.name}`;
  return summary === null ? `gate ${code(gate.name)}` : escapeMarkdown(summary);
}

export interface GateVerdict {
  readonly kind: GateVerdictKind;
  readonly icon: string;
  /** "Gate failed", "2 gates failed", "Gates passed". */
  readonly head: string;
  /** The failed (or not measurable) gates' short forms, "" when all passed: Markdown, or plain text for annotations. */
  readonly detail: string;
}

export function gateVerdict(gates: readonly GateResult[], format: 'markdown' | 'plain' = 'markdown'): GateVerdict {
  const brief = (g: GateResult) => briefOf(g, format === 'markdown');
  const failed = gates.filter((g) => !g.passed);
  if (failed.length > 0) {
    return { kind: 'fail', icon: VERDICT_ICON.fail, head: failed.length === 1 ? 'Gate failed' : `${failed.length} gates failed`, detail: failed.map(brief).join('; ') };
  }
  const neutral = gates.filter((g) => g.outcome === 'not-measurable');
  if (neutral.length > 0) return { kind: 'not-measurable', icon: VERDICT_ICON['not-measurable'], head: 'Gates passed, but', detail: neutral.map(brief).join('; ') };
  return { kind: 'pass', icon: VERDICT_ICON.pass, head: gates.length === 0 ? 'No gates configured' : 'Gates passed', detail: '' };
}

/** "❌ Gate failed: p50 latency ×1.58, at least +55.4% (limit +25%)" as Markdown with the head in bold, or as plain text. */
export function gateVerdictText(verdict: GateVerdict, format: 'markdown' | 'plain' = 'markdown'): string {
  const head = `${verdict.icon} ${verdict.head}`;
  if (format === 'plain') return verdict.detail === '' ? `${head}.` : `${head}: ${verdict.detail}.`;
  return verdict.detail === '' ? `**${head}.**` : `**${head}:** ${verdict.detail}.`;
}

/**
 * The whole first line, from the gates and the comparison alone (so a report can be re-rendered
 * from its JSON): the gates' verdict, then the task's accuracy sentence and the latency change.
 */
export function verdictLine<C>(task: Pick<ReportingTask<unknown, C>, 'headline'>, comparison: C & LatencyComparison, gates: readonly GateResult[]): string {
  const accuracy = task.headline(comparison);
  return `${gateVerdictText(gateVerdict(gates))} **Accuracy: ${TONE_WORDS[accuracy.tone]}**, ${accuracy.text}, ${latencyPhrase(comparison, accuracy.tone)}.`;
}

/** The latency half of the verdict: the batch-1 p50 change, or that it was within this runner's noise. */
export function latencyPhrase(latency: LatencyComparison, tone: keyof typeof TONE_WORDS): string {
  const r = latency.latencyRatioP50;
  const ci = latency.latencyRatioP50Ci95;
  if (r === null || ci === null) return 'latency was not measured';
  const [lo, hi] = ci;
  const floor = latency.latencyNoiseFloor;
  const within = typeof floor === 'number' ? `, within this runner's noise of ±${(floor * 100).toFixed(1)}%` : '';
  if (lo <= 1 && hi >= 1) return `with no measurable p50 latency change (${ratio(r)}, 95% CI ${lo.toFixed(2)}–${hi.toFixed(2)}${within})`;
  if (lo > 1) return `${tone === 'gain' ? 'but' : 'and'} is **${r.toFixed(2)}× slower** at p50 (95% CI ${lo.toFixed(2)}–${hi.toFixed(2)}×)`;
  return `${tone === 'gain' ? 'and' : 'but'} is **${(1 / r).toFixed(2)}× faster** at p50 (95% CI ${(1 / hi).toFixed(2)}–${(1 / lo).toFixed(2)}×)`;
}
