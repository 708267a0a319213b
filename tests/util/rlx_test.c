#include "rlx_test.h"

#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/clip.h"
#include "session/session.h"

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

static void write_line(const char *dir, const char *name, double hz)
{
    enum { RATE = 48000 };
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    SF_INFO info = {.samplerate = RATE, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    assert_non_null(sf);
    static float buf[RATE / 2];
    for (int i = 0; i < RATE / 2; i++)
        buf[i] = (float)(0.3 * sin(2 * M_PI * hz * i / RATE));
    assert_int_equal(sf_writef_float(sf, buf, RATE / 2), RATE / 2);
    sf_close(sf);
}

rlx_session *rlx_test_three_lines(const char *dir, const char *id, const char *title)
{
    write_line(dir, "a.wav", 330);
    write_line(dir, "b.wav", 440);
    write_line(dir, "c.wav", 550);
    char text[1024], name[4096];
    snprintf(text, sizeof text,
             "[session]\nid = %s\ntitle = \"%s\"\n"
             "[timeline]\n"
             "0:00 fade-in 200 ms\n"
             "0:01 play a.wav \"First\"\n"
             "0:05 play b.wav \"Second\"\n"
             "0:09 play c.wav \"Third\"\n"
             "+0 s silence 1 s .. 30 s\n"
             "+1 s end\n",
             id, title);
    const char *dirs[] = {dir, NULL};
    rlx_parse_config cfg = {.asset_dirs = dirs, .check_files = true};
    snprintf(name, sizeof name, "%s/t.session", dir);
    rlx_session *s = NULL;
    rlx_diags d = {0};
    assert_int_equal(rlx_session_parse_buffer(name, text, strlen(text), &cfg, &s, &d), RLX_OK);
    rlx_diags_free(&d);
    return s;
}
