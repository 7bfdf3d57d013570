#!/usr/bin/env python3
"""Pack the boot initrd: every file under SOURCE_DIR, a generated pattern
file and the built files named on the command line, into a cpio "newc" archive (`cpio -o -H newc`), the format
kernel/boot/cpio.c reads. The test harness passes it to every boot
(tests/qemu/pagoda_qemu.py) and kernel/tests/vm/initrd_test.c checks it.

    make_initrd.py SOURCE_DIR OUTPUT [NAME=FILE ...]

Each NAME=FILE puts a copy of FILE in the archive as NAME (the user
programs: bin/hello=build/user/hello).

The pattern file is made here rather than stored, so the repository holds
no binary blob; its size and pattern must match initrd_test.c. Timestamps
and owners are fixed, so the same sources always give the same archive.
"""
import os
import shutil
import subprocess
import sys
import tempfile

PATTERN_NAME = "pattern.bin"
PATTERN_SIZE = 10000  # spans three pages, so a page mapped in the wrong place shows
PATTERN_PERIOD = 251  # a prime: no page-sized shift of the pattern equals it
FIXED_MTIME = 0


def archive_names(root):
    """Every directory and file below ROOT, relative, each directory before its contents."""
    names = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = os.path.relpath(dirpath, root)
        if rel != ".":
            names.append(rel)
        names += [os.path.normpath(os.path.join(rel, name)) for name in sorted(filenames)]
    return names


def main():
    if len(sys.argv) < 3 or any("=" not in a for a in sys.argv[3:]):
        sys.exit(__doc__)
    source, output = sys.argv[1], sys.argv[2]
    extras = [a.split("=", 1) for a in sys.argv[3:]]
    with tempfile.TemporaryDirectory(prefix="pagoda-initrd-") as stage:
        root = os.path.join(stage, "root")
        shutil.copytree(source, root)
        with open(os.path.join(root, PATTERN_NAME), "wb") as f:
            f.write(bytes(i % PATTERN_PERIOD for i in range(PATTERN_SIZE)))
        for name, path in extras:
            os.makedirs(os.path.dirname(os.path.join(root, name)) or root, exist_ok=True)
            shutil.copyfile(path, os.path.join(root, name))
        names = archive_names(root)
        for name in names:
            os.utime(os.path.join(root, name), (FIXED_MTIME, FIXED_MTIME))
        partial = output + ".partial"
        with open(partial, "wb") as out:
            subprocess.run(["cpio", "-o", "-H", "newc", "--quiet", "--reproducible",
                            "-R", "0:0"],
                           input="".join(n + "\n" for n in names).encode(), cwd=root,
                           stdout=out, check=True)
        os.replace(partial, output)


if __name__ == "__main__":
    main()
