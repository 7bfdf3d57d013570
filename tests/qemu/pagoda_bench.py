#!/usr/bin/env python3
"""Run Pagoda's benchmarks and print them side by side.

    pagoda_bench.py --build-root build [--arch x86_64 ...] [--memory 128M 2G]

On the host, pagoda-host-bench reports nanoseconds per operation over
simulated RAM of each size. On each board, the kernel is booted with the
command line "bench" under -icount shift=0,sleep=off, so that guest time
counts guest instructions and every figure repeats exactly; it reports
guest instructions per operation. Columns are memory sizes, so the growth
with RAM reads across a row.

A benchmark timed over 1 page and over 1024 (<op>_1_page, <op>_1024_pages)
also gets a derived line, "<op> per page / base": the slope
(T1024 - T1) / 1023 and the base T1 - slope, as the brief's Linux table
gives them.
"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LINE = re.compile(r"^bench: (\S+)\s+([0-9.]+|skipped)\b")
ONE_PAGE = re.compile(r"^(\S+)_1_page$")
MANY_PAGES = 1024


def parse(output):
    figures = {}
    for line in output.splitlines():
        m = LINE.match(line.strip())
        if m and m.group(1) != "operation":
            figures[m.group(1)] = m.group(2)
    return figures


def run_host(build_root, memory):
    binary = os.path.join(build_root, "host", "pagoda-host-bench")
    mib = int(memory.rstrip("MG")) * (1024 if memory.endswith("G") else 1)
    out = subprocess.run([binary, "all", str(mib)], capture_output=True, text=True, check=True)
    return parse(out.stdout)


def run_board(build_root, arch, memory):
    cmd = [sys.executable, os.path.join(HERE, "pagoda_qemu.py"), "test", "--arch", arch,
           "--build-dir", os.path.join(build_root, arch), "--cmdline", "bench",
           "--timeout", "600",
           f"--qemu-args=-icount shift=0,sleep=off -m {memory}"]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stdout[-4000:])
        raise SystemExit(f"pagoda_bench: the {arch} benchmark boot failed")
    return parse(out.stdout)


def per_page_and_base(figures):
    """The slope and base of every <op>_1_page / <op>_1024_pages pair in FIGURES."""
    derived = {}
    for name, one in figures.items():
        m = ONE_PAGE.match(name)
        many = figures.get(f"{m.group(1)}_{MANY_PAGES}_pages") if m else None
        if many is None or "skipped" in (one, many):
            continue
        slope = (float(many) - float(one)) / (MANY_PAGES - 1)
        derived[f"{m.group(1)} per page / base"] = f"{slope:.1f} / {float(one) - slope:.0f}"
    return derived


def table(title, unit, columns):
    names = []
    for figures in columns.values():
        for name in figures:
            if name not in names:
                names.append(name)
    print(f"\n{title} ({unit})")
    print(f"  {'operation':36}" + "".join(f"{m:>14}" for m in columns))
    for name in names:
        print(f"  {name:36}" + "".join(f"{columns[m].get(name, '-'):>14}" for m in columns))
    derived = {m: per_page_and_base(figures) for m, figures in columns.items()}
    derived_names = []
    for figures in derived.values():
        derived_names += [name for name in figures if name not in derived_names]
    for name in derived_names:
        print(f"  {name:36}" + "".join(f"{derived[m].get(name, '-'):>14}" for m in columns))


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build-root", required=True)
    p.add_argument("--arch", nargs="*", default=["x86_64", "riscv64", "aarch64"])
    p.add_argument("--memory", nargs="*", default=["128M", "2G"])
    p.add_argument("--no-host", action="store_true")
    args = p.parse_args()
    if not args.no_host:
        table("host", "ns/op", {m: run_host(args.build_root, m) for m in args.memory})
    for arch in args.arch:
        table(f"{arch} under QEMU -icount shift=0", "guest instructions/op",
              {m: run_board(args.build_root, arch, m) for m in args.memory})


if __name__ == "__main__":
    main()
