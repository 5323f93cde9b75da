#!/usr/bin/env python3
"""Draws wall time against N for each tool and phase (log-log) from bench/results/summary.json.

usage: python3 bench/chart.py SUMMARY_JSON OUT_PNG
"""
import json
import sys

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STYLE = {
    ("psql", "apply"): ("psql -f (apply, lower bound)", "black", "-", "o"),
    ("psql", "check"): ("psql read-back (plan lower bound)", "gray", ":", "^"),
    ("xp", "apply"): ("xp apply", "tab:blue", "-", "o"),
    ("xp", "noop"): ("xp apply, no-op", "tab:blue", "--", "s"),
    ("xp", "check"): ("xp plan, no-op", "tab:blue", ":", "^"),
    ("ansible", "apply"): ("ansible-playbook", "tab:red", "-", "o"),
    ("ansible", "noop"): ("ansible-playbook, no-op", "tab:red", "--", "s"),
    ("ansible", "check"): ("ansible-playbook --check", "tab:red", ":", "^"),
}


def main(summary_path: str, out_path: str) -> None:
    with open(summary_path, encoding="utf-8") as f:
        summary = json.load(f)
    fig, ax = plt.subplots(figsize=(8, 5.5), dpi=120)
    for (tool, phase), (label, colour, line, marker) in STYLE.items():
        points = sorted(
            (s["n"], s["phases"][phase]["median"])
            for s in summary["series"]
            if s["tool"] == tool and s["phases"].get(phase, {}).get("median") is not None
        )
        if not points:
            continue
        xs, ys = zip(*points)
        ax.plot(xs, ys, line, color=colour, marker=marker, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    sizes = sorted({s["n"] for s in summary["series"]})
    ax.set_xticks(sizes)
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_xlabel("tenants (N)")
    ax.set_ylabel("wall time, seconds (median, log scale)")
    ax.set_title("xp vs Ansible vs one psql session: time against N")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.text(0.01, 0.005, "Fresh PostgreSQL server per run, whole-process wall time. Missing points (skipped, killed at the time limit) and the machine's load: RESULTS.md.", fontsize=7, color="dimgray")
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    fig.savefig(out_path)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
