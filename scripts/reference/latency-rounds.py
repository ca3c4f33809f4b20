"""Reference values for __tests__/metrics/latency-rounds.test.ts: Student-t quantiles from
scipy.stats.t.ppf, and the round-level latency CI of src/metrics/latency-rounds.ts computed with
numpy and scipy on fixed per-round timings.

    python3 -m venv /opt/refpy && /opt/refpy/bin/pip install numpy scipy
    /opt/refpy/bin/python scripts/reference/latency-rounds.py > __tests__/fixtures/latency-rounds/reference.json
"""
import json
import math

import numpy as np
import scipy
from scipy import stats

quantiles = []
for df in [1, 2, 3, 4, 5, 6, 7, 9, 12, 19, 30, 60, 200]:
    for p in [0.6, 0.9, 0.95, 0.975, 0.995, 0.9995]:
        quantiles.append({"p": p, "df": df, "t": float(stats.t.ppf(p, df))})
cdf = [{"t": t, "df": df, "p": float(stats.t.cdf(t, df))} for t in [-3.1, -0.4, 0.0, 0.7, 2.447, 5.0] for df in [1, 3, 6, 25]]

rng = np.random.default_rng(20261201)


def p50(runs):
    runs = np.sort(np.asarray(runs))
    return float(runs[math.ceil(0.5 * len(runs)) - 1])  # nearest rank


cases = []
for rounds, slowdown, spread in [(7, 1.5, 0.03), (7, 1.0, 0.08), (5, 1.2, 0.01), (8, 0.8, 0.05), (3, 2.0, 0.2)]:
    baseline, candidate = [], []
    for r in range(rounds):
        level = math.exp(rng.normal(0, spread))  # a load level per round
        runs = 29 if r % 2 == 0 else 30
        baseline.append([round(0.05 * level * math.exp(rng.normal(0, 0.05)), 6) for _ in range(runs)])
        candidate.append([round(0.05 * slowdown * level * math.exp(rng.normal(0, 0.05 + spread)), 6) for _ in range(runs)])
    ratios = np.array([p50(c) / p50(b) for b, c in zip(baseline, candidate)])
    ordered = np.sort(ratios)
    mid = rounds // 2
    median = float(ordered[mid]) if rounds % 2 else float(math.sqrt(ordered[mid - 1] * ordered[mid]))
    sd = float(np.std(np.log(ratios), ddof=1))
    half = float(stats.t.ppf(0.975, rounds - 1)) * math.sqrt(math.pi / 2) * sd / math.sqrt(rounds)
    cases.append({
        "baseline": baseline, "candidate": candidate, "perRound": ratios.tolist(), "ratio": median,
        "ci": [math.exp(math.log(median) - half), math.exp(math.log(median) + half)],
    })

print(json.dumps({"scipy": scipy.__version__, "numpy": np.__version__, "quantiles": quantiles, "cdf": cdf, "cases": cases}))
