/**
 * The nightly tracking issue: one open issue labelled model-gate-regression per config, opened on
 * the first bad night, updated (body + a comment) on later bad nights, and commented on and
 * closed when a night comes back clean. Found by label and a hidden marker before anything is
 * created, so retries and reruns never open a duplicate.
 */
import type { Progress } from '../progress.js';
import { capComment, markerComment } from '../report/comment-limit.js';
import { neutraliseMentionsAround } from '../report/untrusted-text.js';
import type { GitHub } from './github.js';

export interface TrackingTarget {
  readonly owner: string;
  readonly repo: string;
  /** Names the config, so two configs keep two issues. */
  readonly marker: string;
  readonly label: string;
  /** '@user' / '@org/team' to notify when the issue opens and on each further bad night. */
  readonly mention?: readonly string[];
  /** The workflow run that measured tonight, linked from the body and each comment. */
  readonly runUrl?: string | null;
}

/** "[Workflow run](…) · cc @a @b", the line under the body and each comment; '' when neither is set. */
export function trackingFooter(target: Pick<TrackingTarget, 'mention' | 'runUrl'>, mention: boolean): string {
  const parts = [...(target.runUrl ? [`[Workflow run](${target.runUrl})`] : []), ...(mention && target.mention && target.mention.length > 0 ? [`cc ${target.mention.join(' ')}`] : [])];
  return parts.join(' · ');
}

const withFooter = (text: string, footer: string) => (footer === '' ? text : `${text}\n\n${footer}`);

export interface TrackingResult {
  readonly action: 'opened' | 'updated' | 'closed' | 'none';
  readonly number: number | null;
  readonly url: string | null;
}

async function findOpen(gh: GitHub, target: TrackingTarget, marker: string) {
  const issues = await gh.paginate(gh.rest.issues.listForRepo, { owner: target.owner, repo: target.repo, state: 'open', labels: target.label, per_page: 100 });
  return issues.filter((issue) => !issue.pull_request && (issue.body ?? '').includes(marker)).sort((a, b) => a.number - b.number)[0];
}

export async function syncTrackingIssue(gh: GitHub, target: TrackingTarget, bad: boolean, body: string, night: string, log: Pick<Progress, 'info'>): Promise<TrackingResult> {
  const marker = markerComment(target.marker);
  // renderNightly fits its text to the limit; the caps only guard against a body that did not.
  // Model names and findings come from the config and the history: they must not ping anyone. The
  // body names the run but mentions no one: an edited body notifies nobody, so the owners are
  // mentioned where GitHub does notify, in the new issue and in each comment (the footer, ours).
  const full = (mention: boolean) => capComment(withFooter(neutraliseMentionsAround(`${marker}\n${body}`, marker), trackingFooter(target, mention)));
  const open = await findOpen(gh, target, marker);
  const { owner, repo } = target;
  if (bad && open) {
    await gh.rest.issues.update({ owner, repo, issue_number: open.number, body: full(false) });
    await gh.rest.issues.createComment({
      owner,
      repo,
      issue_number: open.number,
      body: withFooter(`Still failing on the night of ${night}; the issue body has tonight's findings.`, trackingFooter(target, true)),
    });
    log.info(`tracking issue #${open.number} updated`);
    return { action: 'updated', number: open.number, url: open.html_url };
  }
  if (bad) {
    const { data } = await gh.rest.issues.create({ owner, repo, title: `model-gate nightly: regression (${target.marker})`, body: full(true), labels: [target.label] });
    log.info(`tracking issue #${data.number} opened`);
    return { action: 'opened', number: data.number, url: data.html_url };
  }
  if (open) {
    await gh.rest.issues.createComment({
      owner,
      repo,
      issue_number: open.number,
      body: capComment(withFooter(neutraliseMentionsAround(`The night of ${night} came back clean; closing.\n\n${body}`, marker), trackingFooter(target, false))),
    });
    await gh.rest.issues.update({ owner, repo, issue_number: open.number, state: 'closed' });
    log.info(`tracking issue #${open.number} closed`);
    return { action: 'closed', number: open.number, url: open.html_url };
  }
  return { action: 'none', number: null, url: null };
}
