/* test_cache.c - cache location and permissions, the hash, sidecars, the
 * stat index, atomic writes. */
#include "rlx_test.h"

#include <dirent.h>
#include <fcntl.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/cache.h"
#include "audio/clip.h"

static void location_and_permissions(void **state)
{
    (void)state;
    char *tmp = rlx_test_tmpdir();
    char path[4096];
    rlx_cache *c;

    /* An explicit folder, created with its parents, private. */
    snprintf(path, sizeof path, "%s/a/b/c", tmp);
    assert_int_equal(rlx_cache_open(path, &c, NULL, 0), RLX_OK);
    assert_string_equal(rlx_cache_dir(c), path);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    rlx_cache_close(c);
    /* Opening it again is fine. */
    assert_int_equal(rlx_cache_open(path, &c, NULL, 0), RLX_OK);
    rlx_cache_close(c);

    /* Default: $XDG_CACHE_HOME/relax. */
    char *old_xdg = getenv("XDG_CACHE_HOME") ? strdup(getenv("XDG_CACHE_HOME")) : NULL;
    char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    snprintf(path, sizeof path, "%s/xdg", tmp);
    setenv("XDG_CACHE_HOME", path, 1);
    assert_int_equal(rlx_cache_open(NULL, &c, NULL, 0), RLX_OK);
    snprintf(path, sizeof path, "%s/xdg/relax", tmp);
    assert_string_equal(rlx_cache_dir(c), path);
    rlx_cache_close(c);

    /* Fallback ~/.cache/relax; a relative XDG_CACHE_HOME is ignored (XDG spec). */
    setenv("XDG_CACHE_HOME", "relative/dir", 1);
    snprintf(path, sizeof path, "%s/home", tmp);
    setenv("HOME", path, 1);
    assert_int_equal(rlx_cache_open("", &c, NULL, 0), RLX_OK);
    snprintf(path, sizeof path, "%s/home/.cache/relax", tmp);
    assert_string_equal(rlx_cache_dir(c), path);
    rlx_cache_close(c);
    unsetenv("XDG_CACHE_HOME");
    assert_int_equal(rlx_cache_open(NULL, &c, NULL, 0), RLX_OK);
    assert_string_equal(rlx_cache_dir(c), path);
    rlx_cache_close(c);

    if (old_xdg)
        setenv("XDG_CACHE_HOME", old_xdg, 1);
    if (old_home)
        setenv("HOME", old_home, 1);
    free(old_xdg);
    free(old_home);

    /* A file where the folder should be: an error value, no crash. */
    char *file = rlx_test_write(tmp, "plainfile", "x", 1);
    c = (rlx_cache *)1;
    char why[1024];
    assert_int_equal(rlx_cache_open(file, &c, why, sizeof why), RLX_ERR_OUTPUT);
    assert_null(c);
    assert_non_null(strstr(why, "cannot use the cache folder "));
    assert_non_null(strstr(why, file));
    assert_non_null(strstr(why, "is a file, not a folder"));
    assert_non_null(strstr(why, "XDG_CACHE_HOME"));
    snprintf(path, sizeof path, "%s/sub", file);
    assert_int_equal(rlx_cache_open(path, &c, NULL, 0), RLX_ERR_OUTPUT);
    free(file);
    rlx_cache_close(NULL);
    rlx_test_rmtree(tmp);
    free(tmp);
}

static void hash_streams_and_discriminates(void **state)
{
    (void)state;
    unsigned char data[1000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 31 + 7);
    uint64_t whole = rlx_hash_bytes(data, sizeof data, 1);
    /* Any split into pieces gives the same hash. */
    for (size_t step = 1; step < 70; step += 3) {
        rlx_hash h;
        rlx_hash_init(&h, 1);
        for (size_t i = 0; i < sizeof data; i += step)
            rlx_hash_update(&h, data + i, i + step <= sizeof data ? step : sizeof data - i);
        assert_true(rlx_hash_final(&h) == whole);
    }
    /* Every single-bit change, length, and seed changes it. */
    for (size_t i = 0; i < sizeof data; i += 37) {
        for (int bit = 0; bit < 8; bit++) {
            data[i] ^= (unsigned char)(1 << bit);
            assert_true(rlx_hash_bytes(data, sizeof data, 1) != whole);
            data[i] ^= (unsigned char)(1 << bit);
        }
    }
    assert_true(rlx_hash_bytes(data, sizeof data - 1, 1) != whole);
    assert_true(rlx_hash_bytes(data, sizeof data, 2) != whole);
    unsigned char zeros[64] = {0};
    for (size_t n = 1; n < 64; n++)
        assert_true(rlx_hash_bytes(zeros, n, 0) != rlx_hash_bytes(zeros, n - 1, 0));
}

static void sidecar_round_trip_and_damage(void **state)
{
    (void)state;
    char *tmp = rlx_test_tmpdir();
    char path[4096];
    snprintf(path, sizeof path, "%s/x.meta", tmp);
    rlx_cache_meta m = {.frames = 123456789012, .rate = 48000, .channels = 2,
                        .loudness_lufs = -23.456789012345678, .peak = 0.987654321,
                        .checksum = 0xfedcba9876543210ULL};
    assert_int_equal(rlx_cache_meta_write(path, &m, true), RLX_OK);
    rlx_cache_meta r;
    assert_int_equal(rlx_cache_meta_read(path, &r), RLX_OK);
    assert_true(r.frames == m.frames && r.rate == m.rate && r.channels == m.channels);
    assert_true(r.loudness_lufs == m.loudness_lufs && r.peak == m.peak);
    assert_true(r.checksum == m.checksum);

    /* No temporary files left behind. */
    DIR *d = opendir(tmp);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    assert_int_equal(n, 1);

    /* Each changed byte is caught (by the parser or the sidecar's own sum). */
    FILE *f = fopen(path, "rb");
    char text[600];
    size_t len = fread(text, 1, sizeof text, f);
    fclose(f);
    for (size_t i = 0; i < len; i++) {
        char was = text[i];
        text[i] = was == '1' ? '2' : was == '\n' ? ' ' : '1';
        char *p = rlx_test_write(tmp, "bad.meta", text, len);
        if (rlx_cache_meta_read(p, &r) != RLX_ERR_CACHE)
            fail_msg("byte %zu changed to '%c' not detected", i, text[i]);
        free(p);
        text[i] = was;
    }
    /* Truncated or missing. */
    char *p = rlx_test_write(tmp, "short.meta", text, len / 2);
    assert_int_equal(rlx_cache_meta_read(p, &r), RLX_ERR_CACHE);
    free(p);
    snprintf(path, sizeof path, "%s/none.meta", tmp);
    assert_int_equal(rlx_cache_meta_read(path, &r), RLX_ERR_CACHE);
    rlx_test_rmtree(tmp);
    free(tmp);
}

static void stat_index(void **state)
{
    (void)state;
    char *tmp = rlx_test_tmpdir();
    rlx_cache *c;
    assert_int_equal(rlx_cache_open(tmp, &c, NULL, 0), RLX_OK);
    rlx_file_stamp st = {.size = 1000, .mtime_ns = 1234567890123456789, .ctime_ns = 5, .ino = 42, .dev = 7};
    uint64_t h = 0;
    assert_false(rlx_cache_index_get(c, "/music/a.flac", &st, &h));
    rlx_cache_index_put(c, "/music/a.flac", &st, 0xabcdef);
    assert_true(rlx_cache_index_get(c, "/music/a.flac", &st, &h));
    assert_true(h == 0xabcdef);
    assert_false(rlx_cache_index_get(c, "/music/b.flac", &st, &h));
    rlx_file_stamp s2 = st;
    s2.size++;
    assert_false(rlx_cache_index_get(c, "/music/a.flac", &s2, &h));
    s2 = st;
    s2.mtime_ns++;
    assert_false(rlx_cache_index_get(c, "/music/a.flac", &s2, &h));
    s2 = st;
    s2.ctime_ns++; /* rewritten in place, mtime set back */
    assert_false(rlx_cache_index_get(c, "/music/a.flac", &s2, &h));
    s2 = st;
    s2.ino++;
    assert_false(rlx_cache_index_get(c, "/music/a.flac", &s2, &h));
    /* Updating replaces the entry. */
    rlx_cache_index_put(c, "/music/a.flac", &s2, 0x1234);
    assert_true(rlx_cache_index_get(c, "/music/a.flac", &s2, &h));
    assert_true(h == 0x1234);
    assert_false(rlx_cache_index_get(c, "/music/a.flac", &st, &h));
    /* Odd paths: a newline cannot be indexed (and is not confused). */
    rlx_cache_index_put(c, "/x\n/y", &st, 1);
    assert_false(rlx_cache_index_get(c, "/x\n/y", &st, &h));
    rlx_cache_close(c);
    rlx_test_rmtree(tmp);
    free(tmp);
}

static void entry_paths(void **state)
{
    (void)state;
    char *tmp = rlx_test_tmpdir();
    rlx_cache *c;
    assert_int_equal(rlx_cache_open(tmp, &c, NULL, 0), RLX_OK);
    char *p = rlx_cache_entry_path(c, 0x0123456789abcdefULL, "wav");
    char want[4096];
    snprintf(want, sizeof want, "%s/clips/0123456789abcdef.wav", tmp);
    assert_string_equal(p, want);
    free(p);
    rlx_cache_close(c);
    rlx_test_rmtree(tmp);
    free(tmp);
}

/* Temporary files of crashed runs are removed when old, kept when fresh. */
static void stale_temporaries_swept(void **state)
{
    (void)state;
    char *tmp = rlx_test_tmpdir();
    rlx_cache *c;
    assert_int_equal(rlx_cache_open(tmp, &c, NULL, 0), RLX_OK);
    rlx_cache_close(c);
    char *old = rlx_test_write(tmp, "clips/0123.wav.tmp.99.abcd", "x", 1);
    char *fresh = rlx_test_write(tmp, "clips/4567.wav.tmp.99.abcd", "x", 1);
    char *keep = rlx_test_write(tmp, "clips/89ab.wav", "x", 1);
    char *oldidx = rlx_test_write(tmp, "index/cdef.tmp.1.2", "x", 1);
    struct timespec ts[2] = {{.tv_sec = time(NULL) - 7200}, {.tv_sec = time(NULL) - 7200}};
    assert_int_equal(utimensat(AT_FDCWD, old, ts, 0), 0);
    assert_int_equal(utimensat(AT_FDCWD, keep, ts, 0), 0);
    assert_int_equal(utimensat(AT_FDCWD, oldidx, ts, 0), 0);
    assert_int_equal(rlx_cache_open(tmp, &c, NULL, 0), RLX_OK);
    rlx_cache_close(c);
    assert_int_equal(access(old, F_OK), -1);
    assert_int_equal(access(oldidx, F_OK), -1);
    assert_int_equal(access(fresh, F_OK), 0);
    assert_int_equal(access(keep, F_OK), 0);
    free(old);
    free(fresh);
    free(keep);
    free(oldidx);
    rlx_test_rmtree(tmp);
    free(tmp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(location_and_permissions),
        cmocka_unit_test(hash_streams_and_discriminates),
        cmocka_unit_test(sidecar_round_trip_and_damage),
        cmocka_unit_test(stat_index),
        cmocka_unit_test(entry_paths),
        cmocka_unit_test(stale_temporaries_swept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
