/*
 * The initrd as a file provider: the boot module "initrd" (a cpio "newc"
 * archive) is mapped into the kernel once at boot, and each of its regular
 * files can be opened as a struct vfile that mm/'s inode VMObjects map. The
 * files live in the archive's own memory, so a shared mapping's write-back
 * changes them in place. Files under var/ are writable; the rest are
 * read-only (programs in bin/, the test data).
 */
#pragma once

#include "kernel/boot_info.h"
#include "mm/vfile.h"

#define INITRD_FS_MAX_FILES 32
#define INITRD_FS_WRITABLE_PREFIX "var/"

/* Map the initrd of BI, if there is one (called once by kmain). */
void initrd_fs_init(const struct boot_info *bi);

/*
 * The file called PATH (as stored, e.g. "bin/hello"), the same struct for
 * every open. -E_NOENT if there is no initrd or no such regular file,
 * -E_NOSPACE past INITRD_FS_MAX_FILES distinct files.
 */
int initrd_fs_open(const char *path, struct vfile **out) MUST_CHECK;
