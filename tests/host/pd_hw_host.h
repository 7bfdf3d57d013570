/* What the host's stand-in PageDirectory hardware operations were asked to do. */
#pragma once

#include <arch/page_directory.h>

struct pd_hw_record {
    struct page_directory *activated;
    struct page_directory *last_pd;
    uint64_t last_va;
    uint64_t last_size;
    unsigned long flushes;
    unsigned long flush_alls;
};

extern struct pd_hw_record pd_hw_record;
