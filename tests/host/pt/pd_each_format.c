/* Running a test once per page-table format (kept apart: the fuzzer links pd_fixture.c without ktest). */
#include "tests/host/pt/pd_fixture.h"

void pd_for_each_format(struct ktest *t, pd_format_test_fn fn)
{
    for (size_t i = 0; i < pd_test_format_count; i++) {
        int before = t->failures;
        fn(t, &pd_test_formats[i]);
        if (t->failures != before)
            ktest_note(t, "... those failures were with the %s format", pd_test_formats[i].name);
    }
}
