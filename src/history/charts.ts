/**
 * A model's last nights as the HTML report's line charts: top-1 (%) and batch-1 p50 (ms), fp32
 * and int8, oldest night first.
 */
import type { HistoryChart } from '../contracts/history.js';
import type { HistoryRecord } from '../contracts/history.js';

export function historyCharts(history: readonly HistoryRecord[], modelName: string, nights = 30): HistoryChart[] {
  const records = history.filter((r) => r.model.name === modelName).slice(-nights);
  if (records.length === 0) return [];
  const timestamps = records.map((r) => r.timestamp.slice(0, 10));
  const int8 = records.some((r) => r.quantized) ? [{ name: 'int8', values: records.map((r) => (r.quantized ? r.quantized.metrics.top1 * 100 : Number.NaN)) }] : [];
  return [
    { title: `${modelName}: top-1, last ${records.length} nights`, unit: '%', timestamps, series: [{ name: 'fp32', values: records.map((r) => r.metrics.top1 * 100) }, ...int8] },
    { title: `${modelName}: p50 latency, batch 1`, unit: 'ms', timestamps, series: [{ name: 'p50', values: records.map((r) => r.latency.batch1.p50Ms) }] },
  ];
}
