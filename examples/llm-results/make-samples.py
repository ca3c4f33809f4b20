#!/usr/bin/env python3
"""
Writes two lm-evaluation-harness runs in the harness's own --log_samples format (0.4.7 and later:
one samples_<task>_<date>.jsonl per task, with `filter` and `metrics`), for two made-up models on
the same 720 documents of six multiple-choice tasks in three languages:

    runs/llama-7b/     the baseline
    runs/llama-2-7b/   the candidate

Each record is built the way lm_eval/evaluator.py builds it (doc_id, doc, target, arguments,
resps, filtered_resps, filter, metrics, doc_hash, prompt_hash, target_hash, then the metric
values) and written the way lm_eval/loggers/evaluation_tracker.py writes it (arguments as
gen_args_i/arg_j, resps and filtered_resps as strings, target as str, json.dumps with
ensure_ascii=False, one line per record). The documents and answers are synthetic.

The known effect (probability that acc_norm is 1, per task):

    task            language  baseline  candidate
    arc_challenge   en        0.45      0.51      +6 pt
    hellaswag       en        0.60      0.65      +5 pt
    arc_de          de        0.40      0.28      -12 pt
    hellaswag_de    de        0.48      0.38      -10 pt
    arc_fr          fr        0.30      0.52      +22 pt
    hellaswag_fr    fr        0.40      0.60      +20 pt

so the candidate is better on average (+5.2 pt) and much better in French, but worse in German,
which (with English) is where this product's users are: model-gate.yml focuses on en and de.

Run: python3 examples/llm-results/make-samples.py   (standard library only, any Python 3.8+)
The output is deterministic (random.Random(20240601)); the committed files are its output.
"""
import hashlib
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOCS_PER_TASK = 120
TASKS = [
    # task, language, baseline p, candidate p, number of choices
    ("arc_challenge", "en", 0.45, 0.51, 4),
    ("hellaswag", "en", 0.60, 0.65, 4),
    ("arc_de", "de", 0.40, 0.28, 4),
    ("hellaswag_de", "de", 0.48, 0.38, 4),
    ("arc_fr", "fr", 0.30, 0.52, 4),
    ("hellaswag_fr", "fr", 0.40, 0.60, 4),
]
MODELS = [
    ("llama-7b", "2025-01-14T09-12-40.516203"),
    ("llama-2-7b", "2025-01-15T11-03-07.204518"),
]
QUESTION = {"en": "Question", "de": "Frage", "fr": "Question"}
ANSWER = {"en": "Answer", "de": "Antwort", "fr": "Réponse"}
# How often the two models' outcomes on a document come from the same draw (documents are
# easy or hard for both): this is what makes the comparison paired.
SHARED = 0.75


def hash_string(string):
    """lm_eval.utils.hash_string."""
    return hashlib.sha256(string.encode("utf-8")).hexdigest()


def handle_non_serializable(o):
    """lm_eval.utils.handle_non_serializable (numpy ints, sets; here only for completeness)."""
    if isinstance(o, set):
        return list(o)
    return str(o)


def sanitize_list(sub):
    """lm_eval.utils.sanitize_list."""
    if isinstance(sub, list):
        return [sanitize_list(item) for item in sub]
    if isinstance(sub, tuple):
        return tuple(sanitize_list(item) for item in sub)
    return str(sub)


def make_doc(task, language, i, choices, rng):
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    if task.startswith("arc"):
        query = f"{QUESTION[language]}: synthetic {task} item {i}?\n{ANSWER[language]}:"
        return {
            "id": f"{task}-{i:04d}",
            "query": query,
            "choices": [f"{rng.choice(words)} {k}" for k in range(choices)],
            "gold": rng.randrange(choices),
        }
    ctx = f"Synthetic {task} context {i}:"
    return {
        "ind": i,
        "activity_label": rng.choice(["Cooking", "Sports", "Travel"]),
        "ctx": ctx,
        "query": ctx,
        "choices": [f"{rng.choice(words)} ending {k}." for k in range(choices)],
        "gold": rng.randrange(choices),
        "split": "validation",
    }


def outcomes(rng):
    """(baseline correct, candidate correct) per task and document, from the probabilities above."""
    table = {}
    for task, _, pb, pc, _ in TASKS:
        rows = []
        for _ in range(DOCS_PER_TASK):
            u = rng.random()
            v = u if rng.random() < SHARED else rng.random()
            rows.append((u < pb, v < pc))
        table[task] = rows
    return table


def record(doc_id, doc, correct, rng):
    """The dict evaluator.py logs for a multiple_choice task with metrics acc and acc_norm."""
    gold = doc["gold"]
    n = len(doc["choices"])
    lls = [-rng.uniform(2.0, 12.0) for _ in range(n)]
    # acc_norm's pick is the right one exactly when `correct`; acc (raw loglikelihood) agrees most of the time.
    pick_norm = gold if correct else (gold + 1 + rng.randrange(n - 1)) % n
    pick = pick_norm if rng.random() < 0.85 else rng.randrange(n)
    lengths = [float(len(c)) for c in doc["choices"]]  # completion_len in ConfigurableTask.process_results
    best = max(lls)
    lls[pick] = best + 0.5
    for k in range(n):  # make argmax(ll / len) the acc_norm pick
        if k != pick_norm and lls[k] / lengths[k] >= lls[pick_norm] / lengths[pick_norm]:
            lls[k] = lls[pick_norm] / lengths[pick_norm] * lengths[k] - 0.5
    pick = max(range(n), key=lambda k: lls[k])
    ctx = doc["query"]
    requests = [((ctx, f" {choice}"), (lls[k], k == pick)) for k, choice in enumerate(doc["choices"])]
    target = gold
    metrics = {"acc": 1.0 if pick == gold else 0.0, "acc_norm": 1.0 if pick_norm == gold else 0.0}
    example = {
        "doc_id": doc_id,
        "doc": doc,
        "target": target,
        "arguments": [args for args, _ in requests],
        "resps": [[resp] for _, resp in requests],
        "filtered_resps": [resp for _, resp in requests],
        "filter": "none",
        "metrics": list(metrics.keys()),
        "doc_hash": hash_string(json.dumps(doc, indent=2, default=handle_non_serializable, ensure_ascii=False)),
        "prompt_hash": hash_string(requests[0][0][0]),
        "target_hash": hash_string(str(target)),
    }
    example.update(metrics)
    return example


def write_samples(path, samples):
    """EvaluationTracker.save_results_samples, minus the Hub."""
    with open(path, "w", encoding="utf-8") as f:
        for sample in samples:
            arguments = {}
            for i, arg in enumerate(sample["arguments"]):
                arguments[f"gen_args_{i}"] = {}
                for j, tmp in enumerate(arg):
                    arguments[f"gen_args_{i}"][f"arg_{j}"] = tmp
            sample["resps"] = sanitize_list(sample["resps"])
            sample["filtered_resps"] = sanitize_list(sample["filtered_resps"])
            sample["arguments"] = arguments
            sample["target"] = str(sample["target"])
            f.write(json.dumps(sample, default=handle_non_serializable, ensure_ascii=False) + "\n")


def main():
    rng = random.Random(20240601)
    docs = {task: [make_doc(task, lang, i, k, rng) for i in range(DOCS_PER_TASK)] for task, lang, _, _, k in TASKS}
    table = outcomes(rng)
    for m, (model, date) in enumerate(MODELS):
        folder = HERE / "runs" / model
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.json*"):
            old.unlink()
        aggregate = {}
        for task, _, _, _, _ in TASKS:
            samples = [record(i, docs[task][i], table[task][i][m], rng) for i in range(DOCS_PER_TASK)]
            aggregate[task] = {
                "alias": task,
                "acc,none": sum(s["acc"] for s in samples) / len(samples),
                "acc_norm,none": sum(s["acc_norm"] for s in samples) / len(samples),
            }
            write_samples(folder / f"samples_{task}_{date}.jsonl", samples)
        # The harness's aggregate file sits next to the samples; model-gate reads only the samples.
        (folder / f"results_{date}.json").write_text(
            json.dumps({"results": aggregate, "model_name": f"synthetic/{model}"}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"wrote {folder.relative_to(HERE)}: {len(TASKS)} tasks x {DOCS_PER_TASK} docs")


if __name__ == "__main__":
    main()
