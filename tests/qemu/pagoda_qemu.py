#!/usr/bin/env python3
"""Boot a Pagoda kernel on its QEMU board: interactively, under gdb, or as a test.

    pagoda_qemu.py run   --arch riscv64 --build-dir build/riscv64 [--cmdline ...]
    pagoda_qemu.py debug --arch riscv64 --build-dir build/riscv64
    pagoda_qemu.py test  --arch riscv64 --build-dir build/riscv64 --cmdline ktest=all \
                         [--expect pass|fail|panic|hang] [--timeout S] [--qemu-args "..."]

Extra QEMU arguments come from --qemu-args and then from $PAGODA_QEMU_ARGS
(the last -m / -smp wins, so either can override the defaults).

In test mode the kernel's serial output is echoed, its KTAP report parsed,
and the verdict printed on the last line. A run passes only if the kernel
exited with the success status, the KTAP report is complete and has no
failure, no "KERNEL PANIC" was printed, and every KTEST() in the sources
for this arch ran.
"""
import argparse
import json
import os
import re
import selectors
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktap  # noqa: E402

DEFAULT_MEMORY = "512M"

# How each board reports the kernel's exit status (include/arch/cpu.h
# enum exit_status: 0 success, 1 tests failed, 2 panic) through QEMU's.
BOARDS = {
    "x86_64": {
        "qemu": "qemu-system-x86_64",
        "image": "pagoda.elf",
        "args": ["-M", "q35", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"],
        # isa-debug-exit: QEMU exits with (value << 1) | 1, the kernel writes 0x10 + status.
        "exit_status": {33: 0, 35: 1, 37: 2},
    },
    "riscv64": {
        "qemu": "qemu-system-riscv64",
        "image": "pagoda.elf",
        "args": ["-M", "virt", "-bios", "default"],
        # sifive,test device: 0x5555 exits 0, (status << 16) | 0x3333 exits status.
        "exit_status": {0: 0, 1: 1, 2: 2},
    },
    "aarch64": {
        "qemu": "qemu-system-aarch64",
        "image": "pagoda.img",
        "args": ["-M", "virt", "-cpu", "cortex-a72",
                 "-semihosting-config", "enable=on,target=native"],
        # semihosting SYS_EXIT passes the status through.
        "exit_status": {0: 0, 1: 1, 2: 2},
    },
}

STATUS_NAMES = {0: "success", 1: "tests failed", 2: "panic"}

# The boot initrd in the build folder, and its module name on x86_64 (on the
# devicetree boards the kernel names the /chosen initrd "initrd" itself).
INITRD_NAME = "initrd.cpio"
INITRD_MODULE = "initrd"


def find_initrd(build_dir):
    """The boot initrd the kernel build packs (cmake/kernel.cmake), or None
    for a build that predates it (initrd_test.c then skips)."""
    initrd = os.path.join(build_dir, INITRD_NAME)
    if os.path.exists(initrd):
        return initrd
    print(f"pagoda_qemu: {initrd} does not exist: booting without an initrd", file=sys.stderr)
    return None


def make_iso(elf, cmdline, initrd, workdir):
    """x86_64: GRUB boots the Multiboot2 kernel from a CD image; the command
    line lives in grub.cfg, so each command line gets its own image. The
    initrd is a Multiboot2 module; the word after its path is the name GRUB
    passes in the module tag, which the kernel looks for."""
    root = os.path.join(workdir, "iso")
    os.makedirs(os.path.join(root, "boot", "grub"), exist_ok=True)
    shutil.copy(elf, os.path.join(root, "boot", "pagoda.elf"))
    module = ""
    if initrd:
        shutil.copy(initrd, os.path.join(root, "boot", INITRD_NAME))
        module = f"  module2 /boot/{INITRD_NAME} {INITRD_MODULE}\n"
    with open(os.path.join(root, "boot", "grub", "grub.cfg"), "w") as cfg:
        cfg.write("set timeout=0\nset default=0\n"
                  'menuentry "Pagoda" {\n'
                  f"  multiboot2 /boot/pagoda.elf {cmdline}\n"
                  f"{module}"
                  "  boot\n}\n")
    iso = os.path.join(workdir, "pagoda.iso")
    result = subprocess.run(["grub-mkrescue", "-o", iso, root],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        sys.exit("grub-mkrescue failed:\n" + result.stdout)
    return iso


def qemu_command(arch, build_dir, cmdline, workdir, qemu_args):
    board = BOARDS[arch]
    image = os.path.join(build_dir, board["image"])
    if not os.path.exists(image):
        sys.exit(f"{image} does not exist: build the {arch} kernel first (./pagoda build {arch})")
    cmd = [board["qemu"]] + board["args"] + ["-m", DEFAULT_MEMORY, "-display", "none",
                                             "-no-reboot"]
    initrd = find_initrd(build_dir)
    if arch == "x86_64":
        cmd += ["-cdrom", make_iso(image, cmdline, initrd, workdir), "-boot", "d"]
    else:
        cmd += ["-kernel", image]
        if initrd:
            cmd += ["-initrd", initrd]
        if cmdline:
            cmd += ["-append", cmdline]
    cmd += qemu_args
    return cmd


def extra_args(args):
    return shlex.split(args.qemu_args or "") + shlex.split(os.environ.get("PAGODA_QEMU_ARGS", ""))


def expected_tests(build_dir):
    """Every KTEST(suite, name) compiled into the kernel in BUILD_DIR, found
    through the build's compile_commands.json, so a test that was built but
    did not run is caught, whatever the reason."""
    with open(os.path.join(build_dir, "compile_commands.json"), encoding="utf-8") as f:
        sources = {entry["file"] for entry in json.load(f)}
    pattern = re.compile(r"^\s*KTEST\(\s*(\w+)\s*,\s*(\w+)\s*\)", re.M)
    found = set()
    for source in sources:
        if source.endswith(".c"):
            with open(source, encoding="utf-8") as src:
                found.update(pattern.findall(src.read()))
    return found


def run_interactive(args):
    with tempfile.TemporaryDirectory(prefix="pagoda-") as work:
        cmd = qemu_command(args.arch, args.build_dir, args.cmdline, work, extra_args(args))
        cmd += ["-serial", "mon:stdio"]
        if args.mode == "debug":
            cmd += ["-s", "-S"]
            elf = os.path.join(args.build_dir, "pagoda.elf")
            print(f"QEMU is waiting for gdb. In another terminal:\n"
                  f"  gdb-multiarch {elf} -ex 'target remote localhost:1234'\n"
                  f"(Ctrl-A X quits QEMU)", flush=True)
        print("+ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
        status = subprocess.call(cmd)
    kernel_status = BOARDS[args.arch]["exit_status"].get(status)
    what = STATUS_NAMES.get(kernel_status, f"QEMU exit status {status}")
    print(f"\npagoda: {args.arch} board powered off: {what}")
    return 0 if kernel_status == 0 else 1


def run_test(args):
    """Boot, capture the console, and judge the run. Returns a process exit code."""
    with tempfile.TemporaryDirectory(prefix="pagoda-") as work:
        cmd = qemu_command(args.arch, args.build_dir, args.cmdline, work, extra_args(args))
        cmd += ["-serial", "stdio", "-monitor", "none"]
        print("+ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        lines = []
        timed_out = False
        deadline = start + args.timeout
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        pending = b""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                proc.kill()
                break
            if not sel.select(timeout=min(remaining, 1.0)):
                if proc.poll() is not None:
                    break
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            pending += chunk
            *complete, pending = pending.split(b"\n")
            for raw in complete:
                line = raw.decode("utf-8", "replace").rstrip("\r")
                lines.append(line)
                print(line, flush=True)
        if pending:
            lines.append(pending.decode("utf-8", "replace").rstrip("\r"))
            print(lines[-1], flush=True)
        status = proc.wait()
        elapsed = time.monotonic() - start

    verdict = judge(args, lines, status, timed_out)
    print(f"--- {args.arch}: {verdict.summary} ({elapsed:.1f} s)")
    ok = verdict.outcome == args.expect
    if not ok:
        print(f"--- {args.arch}: FAIL: expected outcome '{args.expect}', got '{verdict.outcome}'")
        for problem in verdict.problems:
            print(f"---   {problem}")
    return 0 if ok else 1


class Verdict:
    def __init__(self, outcome, summary, problems):
        self.outcome, self.summary, self.problems = outcome, summary, problems


def judge(args, lines, status, timed_out):
    board = BOARDS[args.arch]
    problems = []
    panicked = any("KERNEL PANIC" in line for line in lines)
    if timed_out:
        return Verdict("hang", f"no power-off within {args.timeout} s", ["timeout"])
    kernel_status = board["exit_status"].get(status)
    if kernel_status is None:
        problems.append(f"QEMU exit status {status} is not a kernel exit status")
    if panicked or kernel_status == 2:
        return Verdict("panic", "kernel panic", problems + ["the kernel panicked"])

    report = ktap.parse(lines)
    if not args.ktest_filters:
        # A plain boot: the banner, the memory map, the demonstration (or the
        # benchmarks), a clean power-off.
        benchmarks = re.search(r"(^|\s)bench(=|\s|$)", args.cmdline) is not None
        last = "bench: done" if benchmarks else "the totals add up"
        for needle in ("Pagoda", "memory map:", "usable RAM", last):
            if not any(needle in line for line in lines):
                problems.append(f"the console never showed '{needle}'")
        if kernel_status != 0:
            problems.append(f"kernel exit status {STATUS_NAMES.get(kernel_status, status)}")
        return Verdict("pass" if not problems else "fail",
                       "booted" if not problems else "boot problems", problems)

    problems += report.problems
    if kernel_status != 0:
        problems.append(f"the kernel reported '{STATUS_NAMES.get(kernel_status, status)}'")
    if any(f in ("", "all") for f in args.ktest_filters):
        ran = {(s.name, t.name) for s in report.suites for t in s.tests}
        missing = sorted(expected_tests(args.build_dir) - ran)
        for suite, name in missing:
            problems.append(f"test {suite}.{name} is in the sources but did not run")
    summary = (f"{report.passed} passed, {report.failed} failed, {report.skipped} skipped "
               f"in {len(report.suites)} suites")
    return Verdict("fail" if problems else "pass", summary, problems)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["run", "debug", "test"])
    parser.add_argument("--arch", required=True, choices=sorted(BOARDS))
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--cmdline", default="")
    parser.add_argument("--qemu-args", default="")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--expect", choices=["pass", "fail", "panic", "hang"], default="pass")
    args = parser.parse_args()
    args.ktest_filters = re.findall(r"(?:^|\s)ktest(?:=(\S*))?(?=\s|$)", args.cmdline)
    if args.mode == "test":
        return run_test(args)
    return run_interactive(args)


if __name__ == "__main__":
    sys.exit(main())
