/*
 * Writes the fuzzers' seed corpora from the inputs in seeds.c (so no binary
 * blobs live in the repository). Usage: pagoda-fuzz-seeds DIR; writes
 * DIR/fdt/, DIR/multiboot2/, DIR/cpio/ and DIR/elf/.
 */
#include "tests/fuzz/seeds.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *seed_root;

static void seed_mkdir(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        perror(path);
        exit(EXIT_FAILURE);
    }
}

static void seed_write(const char *corpus, const char *name, const void *data, size_t size)
{
    char path[4096];
    if (size == 0) {
        fprintf(stderr, "pagoda-fuzz-seeds: %s/%s did not fit in %d bytes\n", corpus, name,
                SEED_MAX);
        exit(EXIT_FAILURE);
    }
    snprintf(path, sizeof(path), "%s/%s", seed_root, corpus);
    seed_mkdir(path);
    snprintf(path, sizeof(path), "%s/%s/%s", seed_root, corpus, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
        perror(path);
        exit(EXIT_FAILURE);
    }
}

int main(int argc, char **argv)
{
    static uint8_t buf[SEED_MAX];
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return EXIT_FAILURE;
    }
    seed_root = argv[1];
    seed_mkdir(seed_root);
    for (size_t i = 0; i < seed_count; i++)
        seed_write(seeds[i].corpus, seeds[i].name, buf, seeds[i].build(buf));
    for (size_t i = 0; i < archive_seed_count; i++)
        seed_write(archive_seeds[i].corpus, archive_seeds[i].name, buf,
                   archive_seeds[i].build(buf));
    for (size_t i = 0; i < program_seed_count; i++)
        seed_write(program_seeds[i].corpus, program_seeds[i].name, buf,
                   program_seeds[i].build(buf));
    return EXIT_SUCCESS;
}
