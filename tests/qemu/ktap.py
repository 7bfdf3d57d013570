"""A parser for the KTAP version 1 reports the Pagoda kernel prints.

The kernel's report (kernel/ktest.c) is a top-level plan of suites, each
suite a nested KTAP subtest indented by four spaces:

    KTAP version 1
    1..2
        KTAP version 1
        # Subtest: fdt
        1..2
        ok 1 open_good_blob
        # rejects_bad_magic: EXPECTATION FAILED at ...
        not ok 2 rejects_bad_magic
    not ok 1 fdt
    ...
    # ktest: 10 passed, 1 failed, 0 skipped

Lines that are not KTAP (the kernel's own console messages) are ignored.
parse() returns a Report whose `problems` list everything that makes the
run a failure: failed tests, plans that do not match what ran, results out
of order, and a report that never finished.
"""
import re

RESULT = re.compile(r"^(not ok|ok) (\d+) (\S+)(?:\s+#\s*(SKIP)\b\s*(.*))?$")
PLAN = re.compile(r"^1\.\.(\d+)$")
SUBTEST = re.compile(r"^# Subtest: (\S+)$")
SUMMARY = re.compile(r"^# ktest: (\d+) passed, (\d+) failed, (\d+) skipped$")
INDENT = "    "


class Test:
    def __init__(self, number, name, ok, skipped):
        self.number, self.name, self.ok, self.skipped = number, name, ok, skipped


class Suite:
    def __init__(self, name):
        self.name, self.plan, self.tests, self.ok, self.number = name, None, [], None, None


class Report:
    def __init__(self):
        self.started = False
        self.plan = None
        self.suites = []
        self.summary = None
        self.problems = []

    @property
    def passed(self):
        return sum(1 for s in self.suites for t in s.tests if t.ok and not t.skipped)

    @property
    def failed(self):
        return sum(1 for s in self.suites for t in s.tests if not t.ok)

    @property
    def skipped(self):
        return sum(1 for s in self.suites for t in s.tests if t.skipped)


def parse(lines):
    report = Report()
    current = None
    for raw in lines:
        line = raw.rstrip()
        if not report.started:
            report.started = line == "KTAP version 1"
            continue
        if line.startswith(INDENT):
            inner = line[len(INDENT):]
            m = SUBTEST.match(inner)
            if m:
                current = Suite(m.group(1))
                report.suites.append(current)
                continue
            if current is None:
                continue
            m = PLAN.match(inner)
            if m and current.plan is None:
                current.plan = int(m.group(1))
                continue
            m = RESULT.match(inner)
            if m:
                ok = m.group(1) == "ok"
                test = Test(int(m.group(2)), m.group(3), ok, m.group(4) == "SKIP")
                if test.number != len(current.tests) + 1:
                    report.problems.append(
                        f"{current.name}: result {test.number} ({test.name}) out of order")
                current.tests.append(test)
                if not ok:
                    report.problems.append(f"test {current.name}.{test.name} failed")
            continue
        m = PLAN.match(line)
        if m and report.plan is None:
            report.plan = int(m.group(1))
            continue
        m = RESULT.match(line)
        if m and current is not None and m.group(3) == current.name:
            current.ok = m.group(1) == "ok"
            current.number = int(m.group(2))
            current = None
            continue
        m = SUMMARY.match(line)
        if m:
            report.summary = tuple(int(x) for x in m.groups())
    check(report)
    return report


def check(report):
    p = report.problems
    if not report.started:
        p.append("no KTAP report on the console")
        return
    if report.plan is None:
        p.append("the KTAP report has no plan")
    elif report.plan != len(report.suites):
        p.append(f"the plan announced {report.plan} suites, {len(report.suites)} ran")
    if report.plan == 0:
        p.append("no test suite ran")
    for number, suite in enumerate(report.suites, 1):
        if suite.plan is None:
            p.append(f"suite {suite.name} has no plan")
        elif suite.plan != len(suite.tests):
            p.append(f"suite {suite.name} announced {suite.plan} tests, {len(suite.tests)} ran")
        if suite.ok is None:
            p.append(f"suite {suite.name} never reported its result")
        elif suite.ok != all(t.ok for t in suite.tests):
            p.append(f"suite {suite.name} result disagrees with its tests")
        elif not suite.ok:
            p.append(f"suite {suite.name} failed")
        if suite.number is not None and suite.number != number:
            p.append(f"suite {suite.name} numbered {suite.number}, expected {number}")
    if report.summary is None:
        p.append("the report never finished (no '# ktest:' summary)")
    elif report.summary != (report.passed, report.failed, report.skipped):
        p.append(f"the summary {report.summary} disagrees with the results")
