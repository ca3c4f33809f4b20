/**
 * What one Action run produced: the report of every model compared, plus the facts the comment
 * needs. It is written as report.json in the artifact, and the fork-comment workflow rebuilds
 * the comment from it (action/run-report.ts checks it field by field when reading it back).
 */
import type { AnyReport } from './report.js';

export type RunVerdict = 'pass' | 'fail' | 'skipped';

export interface RunComparison {
  readonly name: string;
  /** Models' report, or task: results' (result sets in place of models). */
  readonly report: AnyReport;
}

export interface RunReport {
  readonly schemaVersion: 1;
  readonly kind: 'model-gate-run';
  readonly verdict: RunVerdict;
  /** Repo-relative path of the config that judged the run; it names the sticky comment. */
  readonly configPath: string;
  /** 'base': the PR's base commit config judged (the usual case); 'head': there was none at base. */
  readonly configSource: 'base' | 'head' | 'workspace';
  /** Keys this PR changes in the config; they apply once it is merged. */
  readonly configChangedKeys: readonly string[];
  readonly pullRequest: { readonly number: number; readonly baseSha: string; readonly headSha: string } | null;
  readonly comparisons: readonly RunComparison[];
  /** One-line facts for the comment: models added or removed by the PR, fallbacks. */
  readonly notes: readonly string[];
}
