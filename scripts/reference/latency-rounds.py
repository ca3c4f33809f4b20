"""Reference values for __tests__/metrics/latency-rounds.test.ts: Student-t quantiles from
scipy.stats.t.ppf, and the round-level latency figure and CI of src/metrics/latency-rounds.ts on
fixed per-round timings: scipy's 20%-trimmed mean (stats.trim_mean) of the per-round log ratios
and its Tukey-McLaughlin interval (stats.mstats.trimmed_mean_ci), exponentiated. One case has a
round far off the others, the case the trimming is for.

    python3 -m venv /opt/refpy && /opt/refpy/bin/pip install numpy scipy
    /opt/refpy/bin/python scripts/reference/latency-rounds.py > __tests__/fixtures/latency-rounds/reference.json
"""
import json
import math

import numpy as np
import scipy
from scipy import stats
from scipy.stats import mstats

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
# (rounds, slowdown, load spread between rounds, the round a burst of load hits (or None), its factor)
for rounds, slowdown, spread, burst, factor in [
    (7, 1.5, 0.03, None, 1), (7, 1.0, 0.08, None, 1), (5, 1.2, 0.01, None, 1), (8, 0.8, 0.05, None, 1),
    (3, 2.0, 0.2, None, 1), (7, 1.5, 0.03, 4, 2.6), (11, 1.1, 0.04, 0, 0.4), (2, 1.3, 0.05, None, 1),
]:
    baseline, candidate = [], []
    for r in range(rounds):
        level = math.exp(rng.normal(0, spread))  # a load level per round
        runs = 29 if r % 2 == 0 else 30
        hit = factor if r == burst else 1  # the burst slows the candidate's blocks of that round only
        baseline.append([round(0.05 * level * math.exp(rng.normal(0, 0.05)), 6) for _ in range(runs)])
        candidate.append([round(0.05 * slowdown * hit * level * math.exp(rng.normal(0, 0.05 + spread)), 6) for _ in range(runs)])
    ratios = np.array([p50(c) / p50(b) for b, c in zip(baseline, candidate)])
    logs = np.log(ratios)
    center = float(stats.trim_mean(logs, 0.2))
    low, high = mstats.trimmed_mean_ci(logs, limits=(0.2, 0.2), alpha=0.05)
    cases.append({
        "baseline": baseline, "candidate": candidate, "perRound": ratios.tolist(), "ratio": math.exp(center),
        "ci": [math.exp(float(low)), math.exp(float(high))],
    })

print(json.dumps({"scipy": scipy.__version__, "numpy": np.__version__, "quantiles": quantiles, "cdf": cdf, "cases": cases}))
