/*
 * A file as the memory manager sees it: a name, a size and its bytes in
 * kernel memory (the in-memory files of the boot initrd; a buffer in host
 * tests). Inode VMObjects (mm/inode_vmobject.c) map it; the file keeps a
 * pointer to its shared VMObject while one exists, so every shared mapping
 * of the file uses the same pages.
 */
#pragma once

#include <pagoda/types.h>

#define VFILE_NAME_MAX 64

struct vmobject;

struct vfile {
    char name[VFILE_NAME_MAX];
    uint64_t size;
    uint8_t *data;              /* SIZE bytes */
    bool writable;              /* may shared mappings write back to it? */
    struct vmobject *shared;    /* the file's shared object while it exists (no reference) */
};
