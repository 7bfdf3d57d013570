#include "kernel/initrd_fs.h"
#include "kernel/boot/cpio.h"
#include "kernel/console.h"
#include "kernel/lib/string.h"
#include "mm/kernel_region.h"
#include <pagoda/errors.h>

#define INITRD_MODULE_NAME "initrd"

static uint8_t *archive;
static size_t archive_size;
/* The files opened so far: no heap, so opening never shows as a leak in a test. */
static struct vfile files[INITRD_FS_MAX_FILES];
static size_t file_count;

void initrd_fs_init(const struct boot_info *bi)
{
    const struct boot_module *m = boot_info_find_module(bi, INITRD_MODULE_NAME);
    if (!m) {
        kprintf("initrd: none was passed: no files, no user programs\n");
        return;
    }
    void *mapped;
    int err = kregion_map_physical(paddr(m->base), m->size, MEMORY_TYPE_NORMAL,
                                   PD_READ | PD_WRITE, "initrd", &mapped);
    if (err) {
        kprintf("initrd: cannot map %llu bytes at %#llx: %s\n", (unsigned long long)m->size,
                (unsigned long long)m->base, error_name(err));
        return;
    }
    archive = mapped;
    archive_size = m->size;
    size_t count = 0, offset = 0;
    struct cpio_entry e;
    while (cpio_next(archive, archive_size, &offset, &e) == 0)
        count += (e.mode & CPIO_MODE_TYPE_MASK) == CPIO_MODE_REGULAR;
    kprintf("initrd: %llu bytes, %llu files\n", (unsigned long long)archive_size,
            (unsigned long long)count);
}

int initrd_fs_open(const char *path, struct vfile **out)
{
    if (!archive)
        return -E_NOENT;
    for (size_t i = 0; i < file_count; i++) {
        if (strcmp(files[i].name, path) == 0) {
            *out = &files[i];
            return 0;
        }
    }
    struct cpio_entry e;
    int err = cpio_find(archive, archive_size, path, &e);
    if (err)
        return err;
    if ((e.mode & CPIO_MODE_TYPE_MASK) != CPIO_MODE_REGULAR || e.name_len >= VFILE_NAME_MAX)
        return -E_NOENT;
    if (file_count == INITRD_FS_MAX_FILES)
        return -E_NOSPACE;
    struct vfile *f = &files[file_count++];
    *f = (struct vfile){ .size = e.size, .data = archive + e.data_offset };
    memcpy(f->name, e.name, e.name_len + 1);
    f->writable = strncmp(path, INITRD_FS_WRITABLE_PREFIX, strlen(INITRD_FS_WRITABLE_PREFIX)) == 0;
    *out = f;
    return 0;
}
