/* test_sink_file.c - the file sink: formats, atomic replace, abandon, errors, disk full. */
#include "rlx_test.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sink/pcm24.h"
#include "sink/sink_file.h"

static char *join(const char *dir, const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    assert_non_null(p);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

/* Number of directory entries other than . and .. */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static void fill(float *buf, size_t n, size_t offset)
{
    for (size_t i = 0; i < n; i++) {
        double t = (double)(i + offset) / 48000.0;
        buf[2 * i] = (float)(0.5 * sin(2 * M_PI * 440 * t));
        buf[2 * i + 1] = (float)(-0.25 * sin(2 * M_PI * 660 * t));
    }
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void write_and_check(const char *ext, int expect_major, double tol)
{
    char *dir = rlx_test_tmpdir();
    char name[32];
    snprintf(name, sizeof name, "out.%s", ext);
    char *out = join(dir, name);
    rlx_sink *s = NULL;
    char why[256];
    assert_int_equal(rlx_sink_file_open(out, 48000, &s, why, sizeof why), RLX_OK);
    enum { N = 48000 };
    static float buf[N * 2];
    fill(buf, N, 0);
    for (size_t off = 0; off < N; off += 1000)
        assert_int_equal(s->ops->write(s, buf + off * 2, 1000), RLX_OK);
    /* nothing at OUT until commit; the temporary is the only entry */
    struct stat st;
    assert_int_not_equal(stat(out, &st), 0);
    assert_int_equal(count_entries(dir), 1);
    assert_int_equal(s->ops->close(s, true), RLX_OK);
    assert_int_equal(count_entries(dir), 1);
    assert_int_equal(stat(out, &st), 0);
    mode_t mask = umask(0);
    umask(mask);
    assert_int_equal(st.st_mode & 0777, 0666 & ~mask);

    SF_INFO info = {0};
    SNDFILE *sf = sf_open(out, SFM_READ, &info);
    assert_non_null(sf);
    assert_int_equal(info.samplerate, 48000);
    assert_int_equal(info.channels, 2);
    assert_int_equal(info.format & SF_FORMAT_TYPEMASK, expect_major);
    assert_int_equal(info.frames, N);
    static float back[N * 2];
    assert_int_equal(sf_readf_float(sf, back, N), N);
    sf_close(sf);
    double maxerr = 0;
    for (size_t i = 1000; i < (N - 1000) * 2; i++)
        maxerr = fmax(maxerr, fabs(back[i] - buf[i]));
    if (maxerr > tol)
        fail_msg("%s: max error %g > %g", ext, maxerr, tol);
    rlx_test_rmtree(dir);
    free(out);
    free(dir);
}

static void test_wav_24bit(void **state)
{
    (void)state;
    write_and_check("wav", SF_FORMAT_WAV, 1.0 / 8388608.0 * 1.01);
}

static void test_flac_24bit(void **state)
{
    (void)state;
    write_and_check("flac", SF_FORMAT_FLAC, 1.0 / 8388608.0 * 1.01);
}

static void test_ogg_vorbis(void **state)
{
    (void)state;
    write_and_check("OGG", SF_FORMAT_OGG, 0.05);  /* lossy: only roughly equal */
}

static void test_unknown_extension(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    const char *names[] = {"out.mp3", "out", "out.wav.txt", ".wav"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char *out = join(dir, names[i]);
        rlx_sink *s = (rlx_sink *)1;
        char why[256];
        assert_int_equal(rlx_sink_file_open(out, 48000, &s, why, sizeof why), RLX_ERR_USAGE);
        assert_null(s);
        assert_non_null(strstr(why, "unknown output format"));
        free(out);
    }
    assert_int_equal(count_entries(dir), 0);
    rlx_test_rmtree(dir);
    free(dir);
}

static void test_abandon_keeps_existing(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *out = rlx_test_write(dir, "keep.wav", "old contents", 12);
    rlx_sink *s = NULL;
    char why[256];
    assert_int_equal(rlx_sink_file_open(out, 44100, &s, why, sizeof why), RLX_OK);
    float buf[512 * 2];
    fill(buf, 512, 0);
    assert_int_equal(s->ops->write(s, buf, 512), RLX_OK);
    assert_int_equal(s->ops->close(s, false), RLX_OK);
    size_t len;
    char *b = read_all(out, &len);
    assert_non_null(b);
    assert_int_equal(len, 12);
    assert_memory_equal(b, "old contents", 12);
    free(b);
    assert_int_equal(count_entries(dir), 1);
    /* commit replaces it */
    assert_int_equal(rlx_sink_file_open(out, 44100, &s, why, sizeof why), RLX_OK);
    assert_int_equal(s->ops->write(s, buf, 512), RLX_OK);
    assert_int_equal(s->ops->close(s, true), RLX_OK);
    b = read_all(out, &len);
    assert_true(len > 512 * 6);
    assert_memory_equal(b, "RIFF", 4);
    free(b);
    assert_int_equal(count_entries(dir), 1);
    rlx_test_rmtree(dir);
    free(out);
    free(dir);
}

static void test_missing_folder(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *out = join(dir, "no/such/folder/out.wav");
    rlx_sink *s = NULL;
    char why[512];
    assert_int_equal(rlx_sink_file_open(out, 48000, &s, why, sizeof why), RLX_ERR_OUTPUT);
    assert_null(s);
    assert_non_null(strstr(why, out));
    assert_non_null(strstr(why, "No such file or directory"));
    /* a folder given as OUT */
    assert_int_equal(rlx_sink_file_open(dir, 48000, &s, why, sizeof why), RLX_ERR_USAGE);
    char *sub = join(dir, "x.wav");
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(rlx_sink_file_open(sub, 48000, &s, why, sizeof why), RLX_ERR_OUTPUT);
    assert_non_null(strstr(why, "is a folder"));
    rlx_test_rmtree(dir);
    free(sub);
    free(out);
    free(dir);
}

/* ENOSPC: the preloaded shim (tests/preload/enospc.c, set up by ctest) fills
 * the "disk" after 256 KiB of writes under the test folder. */
static void test_disk_full(void **state)
{
    (void)state;
    void *self = dlopen(NULL, RTLD_NOW);   /* the global scope, preloaded libraries included */
    bool shim = self && dlsym(self, "rlx_enospc_loaded");
    if (self)
        dlclose(self);
    if (!shim)
        fail_msg("the ENOSPC shim is not loaded: run this test through ctest "
                 "(LD_PRELOAD=rlx_enospc.so)");
    char *dir = rlx_test_tmpdir();
    setenv("RLX_ENOSPC_DIR", dir, 1);
    setenv("RLX_ENOSPC_AFTER", "262144", 1);
    char *out = rlx_test_write(dir, "full.wav", "previous", 8);
    rlx_sink *s = NULL;
    char why[256];
    assert_int_equal(rlx_sink_file_open(out, 48000, &s, why, sizeof why), RLX_OK);
    static float buf[4800 * 2];
    fill(buf, 4800, 0);
    rlx_err err = RLX_OK;
    int i;
    for (i = 0; i < 1000 && err == RLX_OK; i++)  /* 100 s of 24-bit stereo = 28 MB */
        err = s->ops->write(s, buf, 4800);
    assert_int_equal(err, RLX_ERR_DISK_FULL);
    assert_true(i > 1);
    /* the error sticks; abandoning removes the temporary */
    assert_int_equal(s->ops->write(s, buf, 10), RLX_ERR_DISK_FULL);
    assert_int_equal(s->ops->close(s, false), RLX_OK);
    assert_int_equal(count_entries(dir), 1);
    size_t len;
    char *b = read_all(out, &len);
    assert_int_equal(len, 8);
    assert_memory_equal(b, "previous", 8);
    free(b);
    /* commit after a failure reports it and keeps the old file too (the shim
     * counts bytes ever written: give back the 256 KiB the temporary held) */
    setenv("RLX_ENOSPC_AFTER", "524288", 1);
    assert_int_equal(rlx_sink_file_open(out, 48000, &s, why, sizeof why), RLX_OK);
    for (err = RLX_OK, i = 0; i < 1000 && err == RLX_OK; i++)
        err = s->ops->write(s, buf, 4800);
    assert_int_equal(err, RLX_ERR_DISK_FULL);
    assert_int_equal(s->ops->close(s, true), RLX_ERR_DISK_FULL);
    assert_int_equal(count_entries(dir), 1);
    b = read_all(out, &len);
    assert_int_equal(len, 8);
    free(b);
    unsetenv("RLX_ENOSPC_DIR");
    rlx_test_rmtree(dir);
    free(out);
    free(dir);
}

/* The WAV sink's own float -> 24-bit conversion gives the same bytes as
 * libsndfile's (clipping on): random values over the whole range and past
 * it, exact rounding ties, tiny values, +-0, +-1, infinities. */
static void test_pcm24_matches_libsndfile(void **state)
{
    (void)state;
    enum { N = 1 << 18 };
    float *x = malloc(N * sizeof *x);
    assert_non_null(x);
    uint64_t r = 0x9e3779b97f4a7c15u;
    size_t n = 0;
    static const float special[] = {0.0f, -0.0f, 1.0f, -1.0f, 0.5f, -0.5f, 1.5f, -1.5f,
                                    0.99999994f, -0.99999994f, 1.0000001f, -1.0000001f,
                                    INFINITY, -INFINITY, 1e-30f, -1e-30f, 8.9e-1f};
    for (size_t i = 0; i < sizeof special / sizeof *special; i++)
        x[n++] = special[i];
    for (int k = -4096; k <= 4096; k++) {
        x[n++] = (float)((k + 0.5) / 2147483648.0);          /* ties at 32 bits */
        x[n++] = (float)((k * 256 + 128) / 2147483648.0);    /* halfway at 24 bits */
        x[n++] = (float)(k / 8388608.0);                     /* 24-bit steps */
    }
    while (n < N) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        x[n++] = (float)((double)(r >> 11) / 9007199254740992.0 * 2.4 - 1.2);
    }
    char *dir = rlx_test_tmpdir();
    char *path = join(dir, "ref.wav");
    SF_INFO info = {.samplerate = 48000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_24};
    SNDFILE *f = sf_open(path, SFM_WRITE, &info);
    assert_non_null(f);
    sf_command(f, SFC_SET_CLIPPING, NULL, SF_TRUE);
    assert_int_equal(sf_write_float(f, x, N), N);
    sf_close(f);
    memset(&info, 0, sizeof info);
    f = sf_open(path, SFM_READ, &info);
    assert_non_null(f);
    uint8_t *want = malloc(3 * N), *got = malloc(3 * N);
    assert_non_null(want);
    assert_non_null(got);
    assert_int_equal(sf_read_raw(f, want, 3 * N), 3 * N);
    sf_close(f);
    rlx_pcm24_from_float(got, x, N);
    for (size_t i = 0; i < N; i++)
        if (memcmp(want + 3 * i, got + 3 * i, 3))
            fail_msg("sample %zu (%.9g): libsndfile %02x%02x%02x, ours %02x%02x%02x", i, x[i],
                     want[3 * i + 2], want[3 * i + 1], want[3 * i], got[3 * i + 2],
                     got[3 * i + 1], got[3 * i]);
    /* every short length and offset: the same bytes, and nothing written
     * past the 3 n bytes (the vector paths store 16 bytes at a time) */
    for (size_t len = 0; len <= 40; len++) {
        for (size_t off = 0; off < 4; off++) {
            uint8_t buf[3 * 40 + 32];
            memset(buf, 0xa5, sizeof buf);
            rlx_pcm24_from_float(buf, x + off, len);
            if (len)
                assert_memory_equal(buf, want + 3 * off, 3 * len);
            for (size_t k = 3 * len; k < sizeof buf; k++)
                assert_int_equal(buf[k], 0xa5);
        }
    }
    free(want), free(got), free(x);
    rlx_test_rmtree(dir);
    free(path);
    free(dir);
}

/* A WAV written in many small writes equals one written by libsndfile
 * directly (header and data), whatever the block sizes. */
static void test_wav_same_as_libsndfile(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    char *ours = join(dir, "ours.wav"), *ref = join(dir, "ref.wav");
    enum { N = 300000 };
    float *buf = malloc(N * 2 * sizeof *buf);
    assert_non_null(buf);
    fill(buf, N, 7);
    rlx_sink *s = NULL;
    char why[256];
    assert_int_equal(rlx_sink_file_open(ours, 48000, &s, why, sizeof why), RLX_OK);
    for (size_t off = 0, step = 1; off < N; off += step, step = step * 3 + 1)
        assert_int_equal(s->ops->write(s, buf + 2 * off, step < N - off ? step : N - off), RLX_OK);
    assert_int_equal(s->ops->close(s, true), RLX_OK);
    SF_INFO info = {.samplerate = 48000, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_24};
    SNDFILE *f = sf_open(ref, SFM_WRITE, &info);
    assert_non_null(f);
    sf_command(f, SFC_SET_CLIPPING, NULL, SF_TRUE);
    assert_int_equal(sf_writef_float(f, buf, N), N);
    sf_close(f);
    size_t la, lb;
    char *a = read_all(ours, &la), *b = read_all(ref, &lb);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    free(a), free(b), free(buf);
    rlx_test_rmtree(dir);
    free(ours), free(ref), free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wav_24bit),
        cmocka_unit_test(test_flac_24bit),
        cmocka_unit_test(test_ogg_vorbis),
        cmocka_unit_test(test_unknown_extension),
        cmocka_unit_test(test_abandon_keeps_existing),
        cmocka_unit_test(test_missing_folder),
        cmocka_unit_test(test_disk_full),
        cmocka_unit_test(test_pcm24_matches_libsndfile),
        cmocka_unit_test(test_wav_same_as_libsndfile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
