#!/usr/bin/env python3
"""
Reference values for model-gate's statistics on per-sample scores (task: results), computed with
scipy and statsmodels. Writes __tests__/fixtures/results-stats/reference.json, which
__tests__/metrics/continuous.test.ts asserts. Tests never run Python; this script is how the
committed numbers were made.

Run:      /opt/refpy/bin/python scripts/reference/results-stats.py
Recreate: python3 -m venv /opt/refpy && /opt/refpy/bin/pip install numpy scipy==1.17.* statsmodels==0.15.*

What is checked against what:
- Wilcoxon signed-rank: scipy.stats.wilcoxon(candidate, baseline) with its defaults
  (zero_method='wilcox', correction=False, method='auto'), on inputs chosen to hit each of scipy's
  branches (exact, permutation, normal approximation with and without ties/zeros).
- Sign-flip permutation test of the mean difference: scipy.stats.permutation_test((d,), mean,
  permutation_type='samples') exactly where it is exhaustive (2^n <= 9999); for larger n, an
  independent port of model-gate's generator (xoshiro128** seeded by splitmix32, as in
  src/metrics/random.ts) gives the exact figure model-gate must produce, and scipy's Monte Carlo
  test with 200,000 resamples gives the value it must be close to.
- Paired bootstrap CI of the mean difference: the same port gives the exact interval;
  scipy.stats.bootstrap((d,), mean, method='percentile', 200,000 resamples) the one it must be
  close to.
- Normal tail: scipy.special.erfc and scipy.stats.norm.sf, and mpmath (50 digits) for the exact value.
- Holm: statsmodels.stats.multitest.multipletests(p, alpha=0.05, method='holm').
- The example (examples/llm-results/runs, acc_norm, language from the task's _de/_fr suffix, en
  otherwise): per slice and pooled over the focus languages en and de, Wilson intervals
  (proportion_confint method='wilson'), McNemar's exact test (contingency_tables.mcnemar
  exact=True), and Holm over all slices and over the focus slices.
"""
import json
import math
import pathlib
import re

import mpmath
import numpy as np
import scipy
import scipy.special
import scipy.stats
import statsmodels
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "__tests__" / "fixtures" / "results-stats" / "reference.json"
M32 = 0xFFFFFFFF
SEED = 20240601  # src/metrics/resampling.ts DEFAULT_SEED


def imul(a, b):
    return (a * b) & M32


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


class Xoshiro128:
    """Port of src/metrics/random.ts createRng (xoshiro128**, state from splitmix32)."""

    def __init__(self, seed):
        self.split = seed & M32
        s = [self._splitmix32() for _ in range(4)]
        if s == [0, 0, 0, 0]:
            s[0] = 1
        self.s = s

    def _splitmix32(self):
        self.split = (self.split + 0x9E3779B9) & M32
        x = self.split
        x = imul(x ^ (x >> 16), 0x85EBCA6B)
        x = imul(x ^ (x >> 13), 0xC2B2AE35)
        return (x ^ (x >> 16)) & M32

    def next_u32(self):
        s0, s1, s2, s3 = self.s
        result = imul(rotl(imul(s1, 5), 7), 9)
        t = (s1 << 9) & M32
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 11)
        self.s = [s0, s1, s2, s3]
        return result

    def uniform(self):
        return self.next_u32() / 4294967296.0


def nearest_rank(sorted_values, p):
    """src/metrics/latency.ts percentileNearestRank."""
    n = len(sorted_values)
    exact = p * n / 100
    rank = min(n, max(1, math.ceil(exact - 1e-12 * max(1, exact))))
    return sorted_values[rank - 1]


def left_sum(values):
    total = 0.0
    for v in values:
        total += v
    return total


def port_bootstrap(values, resamples=10_000, seed=SEED, level=0.95):
    rng = Xoshiro128(seed)
    n = len(values)
    means = []
    for _ in range(resamples):
        total = 0.0
        for _ in range(n):
            total += values[math.floor(rng.uniform() * n)]
        means.append(total / n)
    means.sort()
    tail = (1 - level) / 2 * 100
    return [nearest_rank(means, tail), nearest_rank(means, 100 - tail)]


def port_sign_flip(d, resamples=9_999, seed=SEED):
    n = len(d)
    observed = left_sum(d) / n
    gamma = abs(100 * np.finfo(float).eps * observed)
    rng = Xoshiro128(seed)
    at_most = at_least = 0
    words = (n + 31) // 32
    for _ in range(resamples):
        w = [rng.next_u32() for _ in range(words)]
        total = 0.0
        for i in range(n):
            total += -d[i] if (w[i >> 5] >> (i & 31)) & 1 else d[i]
        stat = total / n
        at_most += stat <= observed + gamma
        at_least += stat >= observed - gamma
    return min(1.0, 2 * (min(at_most, at_least) + 1) / (resamples + 1))


def mean_statistic(d, axis=-1):
    return np.mean(d, axis=axis)


def wilcoxon_case(name, baseline, candidate):
    res = scipy.stats.wilcoxon(candidate, baseline)
    d = np.asarray(candidate) - np.asarray(baseline)
    n, zeros = len(d), int(np.sum(d == 0))
    nz = np.abs(d[d != 0])
    ties = len(np.unique(nz)) < len(nz)
    branch = "asymptotic" if n > 50 else ("exact" if not ties and zeros == 0 else ("permutation" if n <= 13 else "asymptotic"))
    return {
        "name": name,
        "baseline": list(map(float, baseline)),
        "candidate": list(map(float, candidate)),
        "method": branch,
        "statistic": float(res.statistic),
        "pValue": float(res.pvalue),
        "zeros": zeros,
        "ties": bool(ties),
    }


def read_example_side(folder):
    """acc_norm per '<task>/<doc_id>' from the harness's samples files (plain json, no model-gate code)."""
    values = {}
    for path in sorted(folder.glob("samples_*.jsonl")):
        task = re.match(r"samples_(.+)_\d{4}-\d{2}-\d{2}T[\d.-]+\.jsonl$", path.name).group(1)
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            values[f"{task}/{record['doc_id']}"] = record["acc_norm"]
    return values


def slice_reference(ids, base, cand):
    b = np.array([base[i] for i in ids]) == 1
    c = np.array([cand[i] for i in ids]) == 1
    table = [[int(np.sum(b & c)), int(np.sum(b & ~c))], [int(np.sum(~b & c)), int(np.sum(~b & ~c))]]
    n = len(ids)
    return {
        "samples": n,
        "baselineCi95": list(map(float, proportion_confint(int(b.sum()), n, alpha=0.05, method="wilson"))),
        "candidateCi95": list(map(float, proportion_confint(int(c.sum()), n, alpha=0.05, method="wilson"))),
        "delta": float((c.sum() - b.sum()) / n),
        "pValue": float(mcnemar(table, exact=True).pvalue),
    }


def example_reference():
    runs = ROOT / "examples" / "llm-results" / "runs"
    base = read_example_side(runs / "llama-7b")
    cand = read_example_side(runs / "llama-2-7b")
    assert base.keys() == cand.keys()
    ids = sorted(base)
    task = {i: i.split("/")[0] for i in ids}
    language = {i: (re.search(r"_(de|fr)$", task[i]).group(1) if re.search(r"_(de|fr)$", task[i]) else "en") for i in ids}
    slices = []
    for column, values in (("task", task), ("language", language)):
        for value in sorted(set(values.values())):
            members = [i for i in ids if values[i] == value]
            slices.append({"column": column, "value": value, **slice_reference(members, base, cand)})
    reject, corrected, _, _ = multipletests([s["pValue"] for s in slices], alpha=0.05, method="holm")
    for s, r, p in zip(slices, reject, corrected):
        s["holmP"], s["rejected"] = float(p), bool(r)
    focus = [s for s in slices if s["column"] == "language" and s["value"] in ("en", "de")]
    f_reject, f_corrected, _, _ = multipletests([s["pValue"] for s in focus], alpha=0.05, method="holm")
    focus_slices = [{"column": s["column"], "value": s["value"], "holmP": float(p), "rejected": bool(r)} for s, r, p in zip(focus, f_reject, f_corrected)]
    pooled = [i for i in ids if language[i] in ("en", "de")]
    return {
        "overall": slice_reference(ids, base, cand),
        "slices": slices,
        "focus": {"pooled": slice_reference(pooled, base, cand), "slices": focus_slices},
    }


def main():
    gen = np.random.default_rng(7)
    cases = {}

    # --- Wilcoxon: one input per branch of scipy's method='auto'.
    wil = []
    b = gen.uniform(0, 1, 20)
    wil.append(wilcoxon_case("n=20, no ties or zeros (exact)", b, b + gen.normal(0.1, 0.2, 20)))
    b = np.round(gen.uniform(0, 1, 12), 1)
    c = b.copy()
    c[:9] = np.round(np.clip(b[:9] + gen.choice([-0.1, 0.1, 0.2, 0.3], 9), 0, 1), 1)
    wil.append(wilcoxon_case("n=12 with ties and zeros (permutation)", b, c))
    b = np.round(gen.uniform(0, 1, 40), 2)
    c = np.round(np.clip(b + np.where(gen.uniform(size=40) < 0.25, 0, gen.normal(0.05, 0.1, 40)), 0, 1), 2)
    wil.append(wilcoxon_case("n=40 with ties and zeros (normal approximation)", b, c))
    b = gen.uniform(0, 1, 120)
    wil.append(wilcoxon_case("n=120, no ties (normal approximation)", b, b + gen.normal(-0.01, 0.1, 120)))
    # ROUGE-like per-sample scores: identical outputs on a third of the samples, two decimals.
    b = np.round(gen.beta(2, 3, 300), 2)
    same = gen.uniform(size=300) < 0.33
    c = np.where(same, b, np.round(np.clip(b + gen.normal(0.02, 0.12, 300), 0, 1), 2))
    wil.append(wilcoxon_case("n=300 ROUGE-like, a third identical (normal approximation, ties)", b, c))
    cases["wilcoxon"] = wil

    # --- Sign-flip permutation test of the mean difference.
    flips = []
    for n in (10, 13):
        b = gen.uniform(0, 1, n)
        c = b + gen.normal(0.1, 0.25, n)
        d = c - b
        res = scipy.stats.permutation_test((d,), mean_statistic, permutation_type="samples", n_resamples=9_999, vectorized=True)
        flips.append({"name": f"n={n}, exhaustive", "baseline": list(map(float, b)), "candidate": list(map(float, c)), "exact": True, "pValue": float(res.pvalue)})
    mc_gen = np.random.default_rng(11)
    b = np.round(mc_gen.beta(2, 3, 200), 3)
    c = np.round(np.clip(b + mc_gen.normal(0.01, 0.1, 200), 0, 1), 3)
    d = c - b
    mc = scipy.stats.permutation_test((d,), mean_statistic, permutation_type="samples", n_resamples=200_000, vectorized=True, rng=np.random.default_rng(1))
    flips.append({
        "name": "n=200, Monte Carlo", "baseline": list(map(float, b)), "candidate": list(map(float, c)), "exact": False,
        "pValue": port_sign_flip(list(map(float, d))), "scipyPValue": float(mc.pvalue), "scipyResamples": 200_000,
    })
    cases["signFlip"] = flips

    # --- Paired bootstrap CI of the mean difference (same n=200 data) and of one model's mean.
    d = list(map(float, c - b))
    sb = scipy.stats.bootstrap((np.asarray(d),), mean_statistic, method="percentile", n_resamples=200_000, vectorized=True, rng=np.random.default_rng(2))
    cases["bootstrap"] = [{
        "name": "n=200 paired differences",
        "baseline": list(map(float, b)), "candidate": list(map(float, c)),
        "mean": float(np.mean(c - b)),
        "ci": port_bootstrap(d),
        "scipyCi": [float(sb.confidence_interval.low), float(sb.confidence_interval.high)],
        "standardError": float(np.std(c - b, ddof=1) / math.sqrt(len(d))),
    }]

    # --- Normal tail.
    xs = [-3.0, -0.5, 0.0, 1e-8, 0.1, 0.5, 0.999, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 26.0]
    zs = [0.0, 0.5, 1.0, 1.959963984540054, 2.5, 3.0, 4.0, 6.0, 8.0, 12.0, 30.0]
    # mpmath at 50 digits gives the function's exact value at the double input; scipy's ndtr itself
    # evaluates erfc(z/sqrt(2)) and so carries the rounding of z/sqrt(2) (relative z^2 * eps).
    mpmath.mp.dps = 50
    cases["erfc"] = [{"x": x, "value": float(scipy.special.erfc(x)), "exact": float(mpmath.erfc(x))} for x in xs]
    cases["normalSf"] = [{"z": z, "value": float(scipy.stats.norm.sf(z)), "exact": float(mpmath.erfc(mpmath.mpf(z) / mpmath.sqrt(2)) / 2)} for z in zs]

    # --- Holm.
    families = [
        [0.01, 0.04, 0.03, 0.005, 0.2],
        [0.0125, 0.0125, 0.0167, 0.05, 0.9, 0.0001],
        [0.001, 0.5, 0.02, 0.02, 0.019, 0.3, 0.04, 0.011],
        [0.6, 0.7],
    ]
    holm = []
    for p in families:
        reject, corrected, _, _ = multipletests(p, alpha=0.05, method="holm")
        holm.append({"pValues": p, "adjusted": list(map(float, corrected)), "rejected": list(map(bool, reject))})
    cases["holm"] = holm

    cases["example"] = example_reference()

    out = {
        "source": f"scripts/reference/results-stats.py with numpy {np.__version__}, scipy {scipy.__version__}, statsmodels {statsmodels.__version__}, mpmath {mpmath.__version__}",
        **cases,
    }
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
