/* fuzz_cache.c - libFuzzer target: any bytes as a cache sidecar (.meta) and
 * as a stat-index entry. A damaged sidecar or index line is a miss, never a
 * crash; a sidecar that parses writes back to the same values. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audio/cache.h"

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s\n", #c); abort(); } } while (0)

static char folder[256], meta[512], index_file[600];
static rlx_cache *cache;
static const rlx_file_stamp stamp = {.size = 1000, .mtime_ns = 5, .ctime_ns = 6, .ino = 7, .dev = 8};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    snprintf(folder, sizeof folder, "%s/relax-fuzz-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(folder))
        abort();
    char why[256];
    if (rlx_cache_open(folder, &cache, why, sizeof why) != RLX_OK)
        abort();
    snprintf(meta, sizeof meta, "%s/x.meta", folder);
    /* learn the index file of "/music/a.flac" by writing it once */
    rlx_cache_index_put(cache, "/music/a.flac", &stamp, 0x1234);
    char dir[300];
    snprintf(dir, sizeof dir, "%s/index", folder);
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));)
        if (e->d_name[0] != '.')
            snprintf(index_file, sizeof index_file, "%s/%s", dir, e->d_name);
    if (d)
        closedir(d);
    if (!index_file[0])
        abort();
    return 0;
}

static void put(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    CHECK(f);
    CHECK(fwrite(data, 1, size, f) == size);
    fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    put(meta, data, size);
    rlx_cache_meta m;
    memset(&m, 0, sizeof m);
    if (rlx_cache_meta_read(meta, &m) == RLX_OK) {
        CHECK(m.frames >= 0 && m.channels >= 1 && m.channels <= 2 && m.rate > 0);
        CHECK(rlx_cache_meta_write(meta, &m, false) == RLX_OK);
        rlx_cache_meta m2;
        CHECK(rlx_cache_meta_read(meta, &m2) == RLX_OK);
        CHECK(m2.frames == m.frames && m2.rate == m.rate && m2.channels == m.channels &&
              m2.checksum == m.checksum);
    }
    put(index_file, data, size);
    uint64_t h = 0;
    (void)rlx_cache_index_get(cache, "/music/a.flac", &stamp, &h);
    return 0;
}
