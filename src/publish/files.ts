/** Writes the JSON, Markdown and HTML reports where the user asked, creating folders as needed; the HTML is rendered only when asked for. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { OutputConfig } from '../config/types.js';
import type { AnyReport } from '../contracts/report.js';

export async function writeReportFiles(output: OutputConfig, report: AnyReport, markdown: string, html: () => Promise<string>): Promise<void> {
  const write = async (path: string, text: string) => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  };
  if (output.json) await write(output.json, `${JSON.stringify(report, null, 2)}\n`);
  if (output.markdown) await write(output.markdown, markdown);
  if (output.html) await write(output.html, await html());
}
