/**
 * schema/report.schema.json (the published JSON Schema of report.json, schemaVersion 1), compiled
 * once with ajv in strict mode. run-cli.ts checks every --json report a CLI run writes and
 * action-fixture.ts every report.json an Action run writes, so each report the suite produces is
 * validated; __tests__/report/schema.test.ts checks the in-process fixtures and that it rejects.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';

export const REPORT_SCHEMA_PATH = join(process.cwd(), 'schema/report.schema.json');

let validate: ReturnType<Ajv['compile']> | null = null;

function validator() {
  validate ??= new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(JSON.parse(readFileSync(REPORT_SCHEMA_PATH, 'utf8')));
  return validate;
}

const describe = (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? e.keyword}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`;

/** The schema's complaints about a parsed report (JSON round trip, as a user reads it), or []. */
export function reportSchemaProblems(report: unknown): string[] {
  const check = validator();
  return check(JSON.parse(JSON.stringify(report))) ? [] : [...new Set((check.errors ?? []).map(describe))];
}

/** Throws, naming the report and the first problems, when it does not fit the schema. */
export function assertValidReport(report: unknown, where: string): void {
  const problems = reportSchemaProblems(report);
  if (problems.length > 0) throw new Error(`${where} does not fit schema/report.schema.json:\n${problems.slice(0, 12).join('\n')}`);
}

/** The same for a report file. */
export function assertValidReportFile(file: string): void {
  assertValidReport(JSON.parse(readFileSync(file, 'utf8')), file);
}
