/*
 * The PageDirectory hardware operations on the host: there is no TLB, so
 * they only count and remember what was asked, for tests to check.
 */
#include "tests/host/pd_hw_host.h"

struct pd_hw_record pd_hw_record;

void pd_activate(struct page_directory *pd)
{
    pd_hw_record.activated = pd;
}

void pd_flush_range(struct page_directory *pd, vaddr_t va, size_t size)
{
    pd_hw_record.flushes++;
    pd_hw_record.last_pd = pd;
    pd_hw_record.last_va = va.value;
    pd_hw_record.last_size = size;
}

void pd_flush_all(struct page_directory *pd)
{
    pd_hw_record.flush_alls++;
    pd_hw_record.last_pd = pd;
}
