#!/usr/bin/env python3
"""Unit tests of the KTAP parser: each way a kernel run can go wrong must be caught."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktap  # noqa: E402

GOOD = """boot noise
KTAP version 1
1..2
    KTAP version 1
    # Subtest: alpha
    1..2
    ok 1 first
devicetree: rejected: bad magic
    ok 2 second # SKIP not on this board
ok 1 alpha
    KTAP version 1
    # Subtest: beta
    1..1
    ok 1 only
ok 2 beta
# ktest: 2 passed, 0 failed, 1 skipped
""".splitlines()


def mutate(old, new):
    return [new if line == old else line for line in GOOD]


class ParseTest(unittest.TestCase):
    def test_good_report(self):
        r = ktap.parse(GOOD)
        self.assertEqual(r.problems, [])
        self.assertEqual((r.passed, r.failed, r.skipped), (2, 0, 1))
        self.assertEqual([s.name for s in r.suites], ["alpha", "beta"])

    def test_failed_test(self):
        lines = mutate("    ok 1 first", "    not ok 1 first")
        lines = [line.replace("ok 1 alpha", "not ok 1 alpha") if line == "ok 1 alpha" else line
                 for line in lines]
        lines[-1] = "# ktest: 1 passed, 1 failed, 1 skipped"
        r = ktap.parse(lines)
        self.assertIn("test alpha.first failed", r.problems)
        self.assertEqual(r.failed, 1)

    def test_suite_result_disagrees(self):
        r = ktap.parse(mutate("    ok 1 first", "    not ok 1 first"))
        self.assertTrue(any("disagrees with its tests" in p for p in r.problems))

    def test_missing_test(self):
        r = ktap.parse([line for line in GOOD if line != "    ok 1 only"])
        self.assertTrue(any("announced 1 tests, 0 ran" in p for p in r.problems))

    def test_missing_suite(self):
        r = ktap.parse(mutate("1..2", "1..3"))
        self.assertTrue(any("announced 3 suites, 2 ran" in p for p in r.problems))

    def test_truncated_report(self):
        r = ktap.parse(GOOD[:8])
        self.assertTrue(any("never reported its result" in p for p in r.problems))
        self.assertTrue(any("never finished" in p for p in r.problems))

    def test_no_report(self):
        self.assertEqual(ktap.parse(["just a boot log"]).problems,
                         ["no KTAP report on the console"])

    def test_out_of_order(self):
        r = ktap.parse(mutate("    ok 1 first", "    ok 3 first"))
        self.assertTrue(any("out of order" in p for p in r.problems))

    def test_summary_mismatch(self):
        r = ktap.parse(mutate("# ktest: 2 passed, 0 failed, 1 skipped",
                              "# ktest: 3 passed, 0 failed, 0 skipped"))
        self.assertTrue(any("summary" in p for p in r.problems))

    def test_empty_plan(self):
        r = ktap.parse(["KTAP version 1", "1..0", "# ktest: 0 passed, 0 failed, 0 skipped"])
        self.assertIn("no test suite ran", r.problems)


if __name__ == "__main__":
    unittest.main()
