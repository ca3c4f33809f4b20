/**
 * Progress on stderr for the CLI: a redrawn bar with rate and ETA on a terminal, periodic plain
 * lines otherwise (CI logs can't redraw, and a line per image would drown them).
 */
import type { Progress } from './progress.js';
import { silentProgress } from './progress.js';

export interface ProgressStream {
  write(text: string): unknown;
  readonly columns?: number;
}

const LINE_INTERVAL_MS = 5000;
const BAR_INTERVAL_MS = 100;

function seconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${Math.ceil(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
}

export function stderrProgress(mode: 'tty' | 'lines' | 'off', stream: ProgressStream, now: () => number = Date.now): Progress {
  if (mode === 'off') return silentProgress;
  let phase = '';
  let total = 0;
  let done = 0;
  let startedAt = 0;
  let lastDraw = 0;
  let drawn = false;

  const status = () => {
    const elapsed = (now() - startedAt) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    const pct = total > 0 ? Math.floor((done / total) * 100) : 0;
    return { pct, rate, eta, elapsed };
  };
  const draw = (final: boolean) => {
    const { pct, rate, eta, elapsed } = status();
    const counts = `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`;
    const tail = final ? `${seconds(elapsed)}` : `${rate.toFixed(rate < 10 ? 1 : 0)}/s · ETA ${seconds(eta)}`;
    if (mode === 'tty') {
      const width = 24;
      const filled = total > 0 ? Math.round((done / total) * width) : 0;
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      stream.write(`\r\x1b[2K${phase} ▕${bar}▏ ${String(pct).padStart(3)}% ${counts} · ${tail}${final ? '\n' : ''}`);
    } else {
      stream.write(`${phase}: ${pct}% (${counts}) · ${tail}\n`);
    }
    drawn = true;
  };

  return {
    start(name, count) {
      phase = name;
      total = count;
      done = 0;
      startedAt = now();
      lastDraw = startedAt;
      drawn = false;
      if (mode === 'tty') draw(false);
    },
    tick(value) {
      done = value;
      const t = now();
      if (t - lastDraw >= (mode === 'tty' ? BAR_INTERVAL_MS : LINE_INTERVAL_MS)) {
        lastDraw = t;
        draw(false);
      }
    },
    end() {
      if (phase && (drawn || mode === 'lines')) draw(true);
      phase = '';
    },
    info(message) {
      stream.write(`${mode === 'tty' && phase ? '\r\x1b[2K' : ''}${message}\n`);
    },
    warn(message) {
      stream.write(`${mode === 'tty' && phase ? '\r\x1b[2K' : ''}warning: ${message}\n`);
    },
  };
}
