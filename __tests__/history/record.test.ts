import { parseHistory, serializeRecord } from '../../src/history/record.js';
import { makeRecord } from './records.js';

describe('serializeRecord', () => {
  it('writes one JSON line ending in a newline, which parses back to the same record', () => {
    const record = makeRecord({ quantizedTop1: 0.8655, gpu: 'NVIDIA "T4", 16 GB\nsecond line' });
    const line = serializeRecord(record);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(parseHistory(line, 'h.jsonl')).toEqual({ records: [record], skipped: [] });
  });

  it('writes exactly the fields of the issue, in its order, whatever object it is given', () => {
    const { metrics, timestamp, ...rest } = makeRecord({ quantizedTop1: 0.5 });
    const shuffled = { metrics, extra: 'dropped', ...rest, timestamp, model: { sha256: rest.model.sha256, path: rest.model.path, name: rest.model.name, size: 3 } };
    const parsed = JSON.parse(serializeRecord(shuffled));
    expect(Object.keys(parsed)).toEqual(['timestamp', 'commit', 'model', 'evalSha256', 'executionProvider', 'runner', 'metrics', 'latency', 'quantized']);
    expect(Object.keys(parsed.model)).toEqual(['name', 'path', 'sha256']);
    expect(parsed.latency).toEqual({ batch1: { p50Ms: 100, p90Ms: 110 } });
    expect(parsed.quantized).toEqual({ metrics: { top1: 0.5 } });
  });

  it('refuses to write a record that would not read back (NaN becomes null in JSON)', () => {
    expect(() => serializeRecord(makeRecord({ p50Ms: Number.NaN }))).toThrow(/latency.batch1.p50Ms/);
    expect(() => serializeRecord(makeRecord({ top1: 1.5 }))).toThrow(/metrics.top1/);
  });
});

describe('parseHistory', () => {
  const a = makeRecord({ night: 0 });
  const b = makeRecord({ night: 1, top1: 0.9 });

  it('skips a torn last line (a killed writer) with a warning, keeping every whole record', () => {
    const torn = serializeRecord(b).slice(0, 37);
    const result = parseHistory(serializeRecord(a) + torn, 'model-gate-history:history.jsonl');
    expect(result.records).toEqual([a]);
    expect(result.skipped).toEqual([{ line: 2, reason: 'model-gate-history:history.jsonl:2: the last line is cut short (a writer was interrupted); ignored' }]);
  });

  it('keeps a complete last record that only lacks its newline', () => {
    expect(parseHistory(serializeRecord(a) + serializeRecord(b).trimEnd(), 'h').records).toEqual([a, b]);
  });

  it('skips bad lines anywhere, never throwing, and ignores blank lines and CRLF endings', () => {
    const text = [serializeRecord(a).trimEnd(), '', 'not json', '{"timestamp":"2025-01-01T00:00:00Z"}', '[1,2]', serializeRecord(b).trimEnd(), ''].join('\r\n');
    const result = parseHistory(text, 'h.jsonl');
    expect(result.records).toEqual([a, b]);
    expect(result.skipped).toEqual([
      { line: 3, reason: 'h.jsonl:3: not valid JSON' },
      { line: 4, reason: 'h.jsonl:4: not a history record (commit is missing)' },
      { line: 5, reason: 'h.jsonl:5: not a history record (not an object)' },
    ]);
  });

  it('names the field and the value that make a line invalid', () => {
    const bad = { ...a, latency: { batch1: { p50Ms: '12', p90Ms: 13 } } };
    expect(parseHistory(`${JSON.stringify(bad)}\n`, 'h').skipped[0].reason).toBe('h:1: not a history record (latency.batch1.p50Ms should be milliseconds, got "12")');
    const badQuantized = { ...a, quantized: { metrics: {} } };
    expect(parseHistory(`${JSON.stringify(badQuantized)}\n`, 'h').skipped[0].reason).toMatch(/quantized.metrics.top1/);
  });

  it('reads an empty file as no records', () => {
    expect(parseHistory('', 'h')).toEqual({ records: [], skipped: [] });
  });
});
