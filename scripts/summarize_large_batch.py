#!/usr/bin/env python3
"""Summarises the runs of scripts/compare_large_batch.sh into one JSON file.

    python3 scripts/summarize_large_batch.py OUT WORK INSTANCES "BATCH SCALING" ...

Everything comes from the model files the runs wrote (WORK/small_tf_b<BATCH>_<SCALING>.safetensors): per run its
seed, device, step, precision, batch, learning-rate scaling and rate, steps, instances, wall time, label loss at
n = N + 1 on the fixed evaluation set, skipped batches and the revision of the binary; and the host and date of the
summary.
"""
import datetime
import json
import platform
import struct
import sys


def metadata(path):
    with open(path, "rb") as f:
        header = json.loads(f.read(struct.unpack("<Q", f.read(8))[0]))
    return json.loads(header["__metadata__"]["icsr"])


def main():
    out, work, instances = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rows = []
    for run in sys.argv[4:]:
        batch, scaling = run.split()
        meta = metadata(f"{work}/small_tf_b{batch}_{scaling}.safetensors")
        config = meta["config"]
        seconds = sum(chunk["seconds"] for chunk in meta["chunks"])
        rows.append({"batch": int(batch), "lr_scaling": scaling, "lr_effective": meta["lr_effective"], "seed": config["seed"],
                     "device": config["device"], "step": config["step_mode"], "precision": config["precision"],
                     "steps": meta["steps_done"], "instances": meta["instances_done"], "seconds": seconds,
                     "instances_per_second": meta["instances_done"] / seconds,
                     "eval_loss_at_N_plus_1": meta["final_curve"][-1], "eval_instances": config["eval_instances"],
                     "skipped_steps": meta["skipped_steps"], "revision": meta["revision"]})
        print(f'batch {batch:>5} lr {meta["lr_effective"]:.2e} ({scaling}): {meta["steps_done"]} steps, '
              f'{meta["instances_done"]} instances, {seconds:.0f} s, label loss at n = N+1 {meta["final_curve"][-1]:.4f}')
    alike = {}
    for key in ("seed", "device", "step", "precision", "eval_instances"):
        values = [row[key] for row in rows]
        distinct = [value for i, value in enumerate(values) if value not in values[:i]]
        alike[key] = distinct[0] if len(distinct) == 1 else distinct
    json.dump({"model": "small_tf linear", "instances_asked": instances,
               "equal_instances": len({row["instances"] for row in rows}) == 1,
               "settings": alike,
               "evaluation": "the checkpoints' fixed evaluation set (seed from d and the support prior)",
               "host": platform.node(), "summarised": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "runs": rows}, open(out, "w"), indent=2)


if __name__ == "__main__":
    main()
