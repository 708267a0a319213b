#include "rlx_test.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/clip.h"

char *rlx_test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/relax-test-XXXXXX", base && *base ? base : "/tmp");
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    return strdup(dir);
}

static int rm_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb, (void)type, (void)ftw;
    return remove(path);
}

void rlx_test_rmtree(const char *path)
{
    if (path)
        nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *rlx_test_write(const char *dir, const char *name, const void *data, size_t len)
{
    char *full = malloc(strlen(dir) + strlen(name) + 2);
    assert_non_null(full);
    sprintf(full, "%s/%s", dir, name);
    for (char *p = full + strlen(dir) + 1; *p; p++) {
        if (*p == '/') {
            *p = 0;
            if (mkdir(full, 0700) != 0)
                assert_int_equal(errno, EEXIST);
            *p = '/';
        }
    }
    FILE *f = fopen(full, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return full;
}

char *rlx_test_source_path(const char *rel)
{
    const char *src = getenv("RLX_SOURCE_DIR");
    assert_non_null(src);
    char *p = malloc(strlen(src) + strlen(rel) + 2);
    assert_non_null(p);
    sprintf(p, "%s/%s", src, rel);
    return p;
}

int rlx_test_cache_setup(void **state)
{
    rlx_test_cache_fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->tmp = rlx_test_tmpdir();
    char cdir[4096];
    snprintf(cdir, sizeof cdir, "%s/cache", f->tmp);
    assert_int_equal(rlx_cache_open(cdir, &f->cache, NULL, 0), RLX_OK);
    *state = f;
    return 0;
}

int rlx_test_cache_teardown(void **state)
{
    rlx_test_cache_fixture *f = *state;
    rlx_cache_close(f->cache);
    rlx_test_rmtree(f->tmp);
    free(f->tmp);
    free(f);
    return 0;
}
