#!/usr/bin/env python3
"""
Writes the lm-evaluation-harness test fixtures of __tests__/fixtures/results/: the same twelve
arc_easy documents and the same right/wrong outcomes, saved the way each harness version saves
per-sample results, so the reader can be checked to give identical records from every layout.
Each writer follows the harness source at the named tag (EleutherAI/lm-evaluation-harness):

  lm-eval-0.3/       master 0bf683b4e (0.3 line, --write_out): <task>_write_out_info.json,
                     json.dump(indent=4, ensure_ascii=False), metrics as str(value)
  lm-eval-0.4.0/     v0.4.0 c9bbec6e (--log_samples): <model_args>_<task>.jsonl holding a JSON
                     array, json.dumps(indent=2) (ASCII-escaped), beside results.json
  lm-eval-0.4.3/     v0.4.3 3fa4fd72: samples_<task>_<date>.jsonl, one record per line, with
                     doc_hash/prompt_hash/target_hash, no filter, target not yet str()-ed
                     (0.4.4 added that); plus, in lm-eval-0.4.3-two-filters/, a two-filter task
                     (gsm8k) whose records can't be told apart (the reader must refuse it)
  lm-eval-0.4.7/     v0.4.7 4c26a9c1 (same through v0.4.12 6d642546): + "filter" and "metrics";
                     gsm8k with filters strict-match and flexible-extract; a task with a
                     corpus-level metric (bleu) whose per-sample value is a pair

Each folder has baseline/ and candidate/ (two made-up models). Standard library only:
    python3 scripts/reference/lm-eval-fixtures.py
"""
import hashlib
import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "__tests__" / "fixtures" / "results"
DATE = {"baseline": "2025-02-01T10-00-00.000001", "candidate": "2025-02-02T11-30-00.500000"}
MODEL_ARGS = {"baseline": "pretrained=EleutherAI/pythia-160m", "candidate": "pretrained=EleutherAI/pythia-410m"}
N = 12
# acc_norm per document for each model (acc differs on a few): the fixtures' known answers.
ACC_NORM = {
    "baseline": [1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1],
    "candidate": [1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 0, 0],
}
ACC = {
    "baseline": [1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 1],
    "candidate": [1, 1, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0],
}


def hash_string(s):
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def handle_non_serializable(o):
    if isinstance(o, set):
        return list(o)
    return str(o)


def sanitize_list(sub):
    if isinstance(sub, list):
        return [sanitize_list(item) for item in sub]
    if isinstance(sub, tuple):
        return tuple(sanitize_list(item) for item in sub)
    return str(sub)


def arc_docs():
    rng = random.Random(3)
    docs = []
    for i in range(N):
        choices = [f"option {c} for question {i}" for c in "ABCD"]
        docs.append({"id": f"Mercury_{4000 + i}", "question": f"Which statement about item {i} is true? (ü)", "choices": {"text": choices, "label": list("ABCD")}, "answerKey": "ABCD"[rng.randrange(4)]})
    return docs


def gold_of(doc):
    return "ABCD".index(doc["answerKey"])


def loglikelihoods(doc, acc, acc_norm, rng):
    """Loglikelihoods whose argmax (acc) and length-normalised argmax (acc_norm) give the outcomes."""
    gold = gold_of(doc)
    choices = doc["choices"]["text"]
    n = len(choices)
    pick = gold if acc else (gold + 1) % n
    pick_norm = gold if acc_norm else (gold + 2) % n
    lengths = [float(len(c)) for c in choices]
    lls = [-30.0 - rng.random() for _ in range(n)]
    lls[pick_norm] = -10.0
    if pick != pick_norm:
        # Highest raw loglikelihood but a lower per-character one.
        lls[pick] = -9.5
        lengths_ok = lls[pick] / lengths[pick] < lls[pick_norm] / lengths[pick_norm]
        if not lengths_ok:
            lls[pick_norm] = lls[pick] / lengths[pick] * lengths[pick_norm] + 0.3
    return lls


def ctx_of(doc):
    return f"Question: {doc['question']}\nAnswer:"


def metrics_of(acc, acc_norm):
    return {"acc": float(acc), "acc_norm": float(acc_norm)}


def v04_example(doc_id, doc, acc, acc_norm, rng, *, hashes, filter_key=None):
    """evaluator.py's example dict for a multiple_choice doc (0.4.x)."""
    lls = loglikelihoods(doc, acc, acc_norm, rng)
    best = max(range(len(lls)), key=lambda k: lls[k])
    reqs = [((ctx_of(doc), f" {c}"), (lls[k], k == best)) for k, c in enumerate(doc["choices"]["text"])]
    target = gold_of(doc)
    example = {
        "doc_id": doc_id,
        "doc": doc,
        "target": target,
        "arguments": [a for a, _ in reqs],
        "resps": [[r] for _, r in reqs],
        "filtered_resps": [r for _, r in reqs],
    }
    if filter_key is not None:
        example["filter"] = filter_key
        example["metrics"] = ["acc", "acc_norm"]
    if hashes:
        example["doc_hash"] = hash_string(json.dumps(doc, indent=2, default=handle_non_serializable, ensure_ascii=False))
        example["prompt_hash"] = hash_string(reqs[0][0][0])
        example["target_hash"] = hash_string(str(target))
    example.update(metrics_of(acc, acc_norm))
    return example


def tracker_line(sample, *, str_target):
    """EvaluationTracker.save_results_samples' per-line transformation and dump."""
    arguments = {}
    for i, arg in enumerate(sample["arguments"]):
        arguments[f"gen_args_{i}"] = {}
        for j, tmp in enumerate(arg):
            arguments[f"gen_args_{i}"][f"arg_{j}"] = tmp
    sample["resps"] = sanitize_list(sample["resps"])
    sample["filtered_resps"] = sanitize_list(sample["filtered_resps"])
    sample["arguments"] = arguments
    if str_target:
        sample["target"] = str(sample["target"])
    return json.dumps(sample, default=handle_non_serializable, ensure_ascii=False) + "\n"


def gsm8k_examples(side, rng, *, with_filter):
    """A generate_until task with two filters: one record per doc per filter, grouped by filter."""
    out = []
    for filter_key in ("strict-match", "flexible-extract"):
        for doc_id in range(4):
            answer = str(10 + doc_id)
            doc = {"question": f"What is {doc_id} + 10?", "answer": f"{doc_id} + 10 = {answer}\n#### {answer}"}
            right = (doc_id + (side == "candidate") + (filter_key == "flexible-extract")) % 2 == 0
            text = f"The answer is #### {answer}" if right else f"It is {answer}1"
            ctx = f"Question: {doc['question']}\nAnswer:"
            gen_kwargs = {"until": ["Question:", "</s>", "<|im_end|>"], "do_sample": False, "temperature": 0.0}
            example = {
                "doc_id": doc_id,
                "doc": doc,
                "target": doc["answer"],
                "arguments": [(ctx, gen_kwargs)],
                "resps": [[text]],
                "filtered_resps": [answer if right else f"{answer}1"],
            }
            if with_filter:
                example["filter"] = filter_key
                example["metrics"] = ["exact_match"]
            example["doc_hash"] = hash_string(json.dumps(doc, indent=2, default=handle_non_serializable, ensure_ascii=False))
            example["prompt_hash"] = hash_string(ctx)
            example["target_hash"] = hash_string(doc["answer"])
            example["exact_match"] = 1.0 if right else 0.0
            out.append(example)
    return out


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main():
    docs = arc_docs()
    for side in ("baseline", "candidate"):
        rng = random.Random(11 if side == "baseline" else 12)
        acc, accn = ACC[side], ACC_NORM[side]

        # 0.3 (--write_out): prompts, loglikelihoods, truth, metrics as strings.
        info = []
        for doc_id, doc in enumerate(docs):
            lls = loglikelihoods(doc, acc[doc_id], accn[doc_id], rng)
            entry = {"doc_id": doc_id}
            for i, c in enumerate(doc["choices"]["text"]):
                entry[f"prompt_{i}"] = ctx_of(doc) + f" {c}"
            for i, ll in enumerate(lls):
                entry[f"logit_{i}"] = ll
            entry["truth"] = gold_of(doc)
            for metric, value in metrics_of(acc[doc_id], accn[doc_id]).items():
                entry[metric] = str(value)
            info.append(entry)
        write(OUT / "lm-eval-0.3" / side / "arc_easy_write_out_info.json", json.dumps(info, indent=4, ensure_ascii=False))

        # 0.4.0 (--log_samples): a JSON array in <model_args>_<task>.jsonl, and results.json.
        samples = [v04_example(i, d, acc[i], accn[i], rng, hashes=False) for i, d in enumerate(docs)]
        name = "{}_{}".format(MODEL_ARGS[side].replace("/", "__").replace("=", "__"), "arc_easy")
        write(OUT / "lm-eval-0.4.0" / side / f"{name}.jsonl", json.dumps(samples, indent=2, default=handle_non_serializable))
        results = {"results": {"arc_easy": {"acc,none": sum(acc) / N, "acc_norm,none": sum(accn) / N}}, "configs": {"arc_easy": {"task": "arc_easy", "output_type": "multiple_choice"}}, "versions": {"arc_easy": "Yaml"}}
        write(OUT / "lm-eval-0.4.0" / side / "results.json", json.dumps(results, indent=2))

        # 0.4.3: JSONL with hashes, no filter/metrics; the target still as doc_to_target returned it
        # (EvaluationTracker turns it into str(target) from 0.4.4 on).
        lines = [tracker_line(v04_example(i, d, acc[i], accn[i], rng, hashes=True), str_target=False) for i, d in enumerate(docs)]
        write(OUT / "lm-eval-0.4.3" / side / f"samples_arc_easy_{DATE[side]}.jsonl", "".join(lines))
        multi = [tracker_line(e, str_target=False) for e in gsm8k_examples(side, rng, with_filter=False)]
        write(OUT / "lm-eval-0.4.3-two-filters" / side / f"samples_gsm8k_{DATE[side]}.jsonl", "".join(multi))

        # 0.4.7+: filter and metrics on every record.
        lines = [tracker_line(v04_example(i, d, acc[i], accn[i], rng, hashes=True, filter_key="none"), str_target=True) for i, d in enumerate(docs)]
        write(OUT / "lm-eval-0.4.7" / side / f"samples_arc_easy_{DATE[side]}.jsonl", "".join(lines))
        multi = [tracker_line(e, str_target=True) for e in gsm8k_examples(side, rng, with_filter=True)]
        write(OUT / "lm-eval-0.4.7" / side / f"samples_gsm8k_{DATE[side]}.jsonl", "".join(multi))

    # A corpus-level metric: the per-sample bleu item is (reference, prediction), not a score.
    bleu = {"doc_id": 0, "doc": {"translation": {"de": "Hallo Welt", "en": "Hello world"}}, "target": "Hello world",
            "arguments": {"gen_args_0": {"arg_0": "German: Hallo Welt\nEnglish:", "arg_1": {"until": ["\n"]}}},
            "resps": [["Hello world"]], "filtered_resps": ["Hello world"], "filter": "none", "metrics": ["bleu", "chrf", "ter"],
            "doc_hash": hash_string("x"), "prompt_hash": hash_string("y"), "target_hash": hash_string("Hello world"),
            "bleu": ["Hello world", "Hello world"], "chrf": ["Hello world", "Hello world"], "ter": ["Hello world", "Hello world"]}
    write(OUT / "lm-eval-corpus-metric" / f"samples_wmt16_de_en_{DATE['baseline']}.jsonl", json.dumps(bleu, ensure_ascii=False) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
