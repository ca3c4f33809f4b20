import * as ort from 'onnxruntime-node';
const model = process.argv[2];
const mode = process.argv[3];
const reps = Number(process.argv[4] ?? 5);
const extra = process.argv[5] ? JSON.parse(process.argv[5]) : {};
const opts = { executionProviders: ['cpu'], intraOpNumThreads: 2, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', logSeverityLevel: 3, ...extra };
const med = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.ceil(s.length / 2) - 1];
};
const input = new Float32Array(784).map((_, i) => Math.sin(i));
const out = [];
for (let r = 0; r < reps; r++) {
  const a = await ort.InferenceSession.create(model, opts);
  const b = mode === 'same' ? a : await ort.InferenceSession.create(model, opts);
  const feeds = (s) => ({ [s.inputNames[0]]: new ort.Tensor('float32', input.slice(), [1, 1, 28, 28]) });
  const fa = feeds(a),
    fb = feeds(b);
  for (let i = 0; i < 20; i++) {
    await a.run(fa);
    await b.run(fb);
  }
  const ta = [],
    tb = [];
  for (let block = 0; block < 40; block++) {
    const order =
      block % 2 === 0
        ? [
            [a, fa, ta],
            [b, fb, tb],
          ]
        : [
            [b, fb, tb],
            [a, fa, ta],
          ];
    for (const [s, f, t] of order)
      for (let i = 0; i < 10; i++) {
        const t0 = process.hrtime.bigint();
        await s.run(f);
        t.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
  }
  out.push((med(tb) / med(ta)).toFixed(3));
  await a.release();
  if (b !== a) await b.release();
}
console.log(mode, JSON.stringify(extra), out.join(' '));
