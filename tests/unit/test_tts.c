/* test_tts.c - the flite voice: audible speech of a plausible length, the
 * four voices, pace, caching (a cached line is not spoken again), errors,
 * and silence on stdout/stderr. */
#include "rlx_test.h"

#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <flite/flite.h>

#include "audio/clip.h"
#include "audio/voice.h"

typedef rlx_test_cache_fixture fixture;

static double rms_of(const rlx_clip_info *info)
{
    rlx_clip_reader *r;
    assert_int_equal(rlx_clip_reader_open(info, &r), RLX_OK);
    float buf[2 * 1024];
    double sum = 0;
    int64_t n = 0;
    size_t got;
    do {
        assert_int_equal(rlx_clip_reader_read(r, buf, 1024, &got), RLX_OK);
        for (size_t i = 0; i < 2 * got; i++)
            sum += (double)buf[i] * buf[i];
        n += (int64_t)got;
    } while (got == 1024);
    rlx_clip_reader_close(r);
    assert_int_equal(n, info->frames);
    return sqrt(sum / (2.0 * (double)n));
}

static void speaks_audibly_and_caches(void **state)
{
    fixture *f = *state;
    const char *text = "Breathe in slowly, and let your shoulders drop.";
    rlx_clip_info a, b;
    char why[256] = "";
    unsigned long n0 = rlx_voice_speak_count();
    rlx_err err = rlx_clip_prepare_tts(f->cache, text, "slt", 1.0, 48000, &a, why, sizeof why);
    if (err)
        fail_msg("%s: %s", rlx_strerror(err), why);
    assert_int_equal(rlx_voice_speak_count(), n0 + 1);
    assert_int_equal(a.rate, 48000);
    assert_int_equal(a.channels, 1);
    /* Eight words: between 1.5 and 6 seconds at a normal pace. */
    double secs = (double)a.frames / 48000.0;
    if (secs < 1.5 || secs > 6.0)
        fail_msg("%.2f s of speech", secs);
    assert_true(rms_of(&a) > 0.01);
    assert_true(a.loudness_lufs > -40 && a.loudness_lufs < -5);
    assert_true(a.peak > 0.05 && a.peak <= 1.0);

    assert_int_equal(rlx_clip_prepare_tts(f->cache, text, "slt", 1.0, 48000, &b, why, sizeof why),
                     RLX_OK);
    assert_int_equal(rlx_voice_speak_count(), n0 + 1);  /* from the cache, flite not called */
    assert_string_equal(a.cached_path, b.cached_path);
    assert_int_equal(a.frames, b.frames);
    rlx_clip_info_free(&b);

    /* A slower pace is longer, and another entry. */
    assert_int_equal(rlx_clip_prepare_tts(f->cache, text, "slt", 1.5, 48000, &b, why, sizeof why),
                     RLX_OK);
    assert_int_equal(rlx_voice_speak_count(), n0 + 2);
    assert_true((double)b.frames > 1.3 * (double)a.frames);
    assert_string_not_equal(a.cached_path, b.cached_path);
    rlx_clip_info_free(&b);

    /* Another rate is another entry too. */
    assert_int_equal(rlx_clip_prepare_tts(f->cache, text, "slt", 1.0, 44100, &b, why, sizeof why),
                     RLX_OK);
    assert_int_equal(b.rate, 44100);
    assert_true(llabs(b.frames - a.frames * 44100 / 48000) < 10);
    rlx_clip_info_free(&b);
    rlx_clip_info_free(&a);
}

static bool voice_known(const char *spec)
{
    const rlx_voice_engine *e;
    const char *v;
    return rlx_voice_lookup(spec, &e, &v) == RLX_OK;
}

static void all_four_voices(void **state)
{
    fixture *f = *state;
    const char *names[] = {"slt", "rms", "awb", "kal16"};
    for (int i = 0; i < 4; i++) {
        assert_true(voice_known(names[i]));
        rlx_clip_info info;
        char why[256] = "";
        rlx_err err = rlx_clip_prepare_tts(f->cache, "Rest now.", names[i], 1.0, 48000, &info,
                                           why, sizeof why);
        if (err)
            fail_msg("%s: %s: %s", names[i], rlx_strerror(err), why);
        double secs = (double)info.frames / 48000.0;
        assert_true(secs > 0.3 && secs < 3.0);
        assert_true(rms_of(&info) > 0.005);
        rlx_clip_info_free(&info);
    }
    /* engine:voice names the same voice as the bare name */
    const rlx_voice_engine *e1, *e2;
    const char *v1, *v2;
    assert_int_equal(rlx_voice_lookup("slt", &e1, &v1), RLX_OK);
    assert_int_equal(rlx_voice_lookup("flite:slt", &e2, &v2), RLX_OK);
    assert_ptr_equal(e1, e2);
    assert_string_equal(v1, v2);
    assert_false(voice_known("flit:slt"));
    assert_false(voice_known("flite:"));
    assert_false(voice_known("kal"));
    assert_false(voice_known(""));
    assert_false(voice_known(NULL));
}

static void errors(void **state)
{
    fixture *f = *state;
    rlx_clip_info info;
    char why[256];
    assert_int_equal(rlx_clip_prepare_tts(f->cache, "Hello.", "robot", 1.0, 48000, &info, why,
                                          sizeof why),
                     RLX_ERR_USAGE);
    assert_non_null(strstr(why, "robot"));
    assert_int_equal(rlx_clip_prepare_tts(f->cache, "  \n", "slt", 1.0, 48000, &info, why,
                                          sizeof why),
                     RLX_ERR_TTS);
    assert_int_equal(rlx_clip_prepare_tts(f->cache, "Hello.", "slt", 0.0, 48000, &info, why,
                                          sizeof why),
                     RLX_ERR_USAGE);
    assert_int_equal(rlx_clip_prepare_tts(f->cache, "Hello.", "slt", NAN, 48000, &info, why,
                                          sizeof why),
                     RLX_ERR_USAGE);
}

/* Redirects fds 1 and 2 to a file while speaking odd text; nothing may come out. */
static void prints_nothing(void **state)
{
    fixture *f = *state;
    char path[4096];
    snprintf(path, sizeof path, "%s/out.txt", f->tmp);
    fflush(stdout);
    fflush(stderr);
    int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(out >= 0);
    int save1 = dup(1), save2 = dup(2);
    dup2(out, 1);
    dup2(out, 2);
    const char *texts[] = {
        "Zxqvbnm grrrk 12345678901234567890 %s %n \\x00 ... !!! ???",
        "\xc3\xa9t\xc3\xa9 na\xc3\xafve caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80",
        "<speak>not ssml</speak> & &amp; ;;; ''' \"\"\"",
        "a",
    };
    /* libflite itself reports through cst_errmsg, which tts.c replaces: a
     * voice file that does not exist would print two lines otherwise. */
    flite_init();
    cst_voice *none = flite_voice_select("/nonexistent/relax-test.flitevox");
    rlx_err errs[4];
    for (int i = 0; i < 4; i++) {
        rlx_clip_info info;
        char why[256];
        errs[i] = rlx_clip_prepare_tts(f->cache, texts[i], "kal16", 1.0, 48000, &info, why,
                                       sizeof why);
        if (!errs[i])
            rlx_clip_info_free(&info);
    }
    fflush(stdout);
    fflush(stderr);
    dup2(save1, 1);
    dup2(save2, 2);
    close(save1);
    close(save2);
    close(out);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_null(none);
    for (int i = 0; i < 4; i++)
        assert_true(errs[i] == RLX_OK || errs[i] == RLX_ERR_TTS);
}

/* flite is not thread-safe: lines spoken from several threads at once
 * (behind the module's lock) all come out right. */
typedef struct {
    rlx_cache *cache;
    const char *text, *voice;
    rlx_err err;
    rlx_clip_info info;
} job;

static void *speak(void *arg)
{
    job *j = arg;
    char why[256];
    j->err = rlx_clip_prepare_tts(j->cache, j->text, j->voice, 1.0, 48000, &j->info, why,
                                  sizeof why);
    return NULL;
}

static void threads(void **state)
{
    fixture *f = *state;
    enum { N = 6 };
    const char *texts[N] = {"One.", "Two, three.", "One.", "Four five six.", "Two, three.", "Seven."};
    const char *voices[N] = {"slt", "rms", "slt", "awb", "rms", "kal16"};
    job jobs[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        jobs[i] = (job){.cache = f->cache, .text = texts[i], .voice = voices[i]};
        assert_int_equal(pthread_create(&th[i], NULL, speak, &jobs[i]), 0);
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    for (int i = 0; i < N; i++) {
        assert_int_equal(jobs[i].err, RLX_OK);
        /* Each matches what the same line gives when spoken alone, later. */
        rlx_clip_info again;
        char why[256];
        assert_int_equal(rlx_clip_prepare_tts(f->cache, texts[i], voices[i], 1.0, 48000, &again,
                                              why, sizeof why),
                         RLX_OK);
        assert_string_equal(again.cached_path, jobs[i].info.cached_path);
        assert_int_equal(again.frames, jobs[i].info.frames);
        rlx_clip_info_free(&again);
        float *raw;
        size_t n;
        int rate;
        assert_int_equal(rlx_voice_speak(voices[i], texts[i], 1.0, &raw, &n, &rate, why, sizeof why),
                         RLX_OK);
        assert_int_equal(rate, 16000);
        assert_true(llabs(jobs[i].info.frames - 3 * (int64_t)n) <= 3);
        free(raw);
    }
    for (int i = 0; i < N; i++)
        rlx_clip_info_free(&jobs[i].info);
}

/* A line's samples do not depend on what was spoken before it. */
static void same_line_same_samples(void **state)
{
    (void)state;
    static const char *const lines[] = {"Settle in, gently.", "Breathing in, slowly.",
                                        "Settle in, gently."};
    float *first = NULL;
    size_t nfirst = 0;
    for (size_t i = 0; i < 3; i++) {
        float *raw;
        size_t n;
        int rate;
        char why[256];
        assert_int_equal(rlx_voice_speak("slt", lines[i], 1.15, &raw, &n, &rate, why, sizeof why),
                         RLX_OK);
        if (i == 0) {
            first = raw, nfirst = n;
            continue;
        }
        if (i == 2) {
            assert_int_equal(n, nfirst);
            assert_memory_equal(raw, first, n * sizeof *raw);
        }
        free(raw);
    }
    free(first);
}

/* All samples of a prepared clip (the WAV header holds a time stamp). */
static float *samples_of(const rlx_clip_info *info)
{
    float *x = malloc((size_t)info->frames * 2 * sizeof *x);
    assert_non_null(x);
    rlx_clip_reader *r;
    assert_int_equal(rlx_clip_reader_open(info, &r), RLX_OK);
    size_t got;
    assert_int_equal(rlx_clip_reader_read(r, x, (size_t)info->frames, &got), RLX_OK);
    assert_int_equal(got, (size_t)info->frames);
    rlx_clip_reader_close(r);
    return x;
}

/* rlx_clip_prepare_batch (worker processes) fills the cache with exactly
 * the entries that preparing one by one gives: nothing is left to speak. */
static void batch_matches_one_by_one(void **state)
{
    fixture *f = *state;
    static const char *const texts[] = {"One.", "Two, three.", "Four five six.", "One.",
                                        "Seven, eight.", "Nine."};
    enum { N = sizeof texts / sizeof *texts };
    rlx_clip_job jobs[N];
    for (int i = 0; i < N; i++)
        jobs[i] = (rlx_clip_job){.text = texts[i], .voice = i == 4 ? "rms" : "slt", .pace = 1.0};
    /* one already warm: it is not spoken again */
    rlx_clip_info warm;
    char why[256];
    assert_int_equal(rlx_clip_prepare_tts(f->cache, texts[2], "slt", 1.0, 48000, &warm, why,
                                          sizeof why), RLX_OK);
    rlx_clip_batch_config bc = {.workers = 3};
    rlx_clip_prepare_batch(f->cache, jobs, N, 48000, &bc);
    unsigned long spoken = rlx_voice_speak_count();
    for (int i = 0; i < N; i++) {
        rlx_clip_info a, b;
        assert_int_equal(rlx_clip_prepare_tts(f->cache, texts[i], jobs[i].voice, 1.0, 48000, &a,
                                              why, sizeof why), RLX_OK);
        assert_int_equal(rlx_voice_speak_count(), spoken);   /* warm now */
        /* the same line prepared here, into a fresh cache */
        char *dir = rlx_test_tmpdir();
        rlx_cache *fresh;
        assert_int_equal(rlx_cache_open(dir, &fresh, NULL, 0), RLX_OK);
        assert_int_equal(rlx_clip_prepare_tts(fresh, texts[i], jobs[i].voice, 1.0, 48000, &b,
                                              why, sizeof why), RLX_OK);
        spoken = rlx_voice_speak_count();
        assert_int_equal(a.frames, b.frames);
        float *xa = samples_of(&a), *xb = samples_of(&b);
        assert_memory_equal(xa, xb, (size_t)a.frames * 2 * sizeof *xa);
        assert_true(a.loudness_lufs == b.loudness_lufs);
        free(xa), free(xb);
        rlx_clip_info_free(&a);
        rlx_clip_info_free(&b);
        rlx_cache_close(fresh);
        rlx_test_rmtree(dir);
        free(dir);
    }
    rlx_clip_info_free(&warm);
}

/* A watched batch (cfg.ready): the caller hears of every job once, each
 * already in the cache when it does (a repeat when the one it repeats is,
 * a warm one at once), and the calling thread speaks nothing itself. */
typedef struct {
    rlx_cache *cache;
    const rlx_clip_job *jobs;
    int told[8];
    int order[8], ntold;
    bool all_there;
} watched;

static void on_ready(void *user, size_t i)
{
    watched *w = user;
    w->told[i]++;
    w->order[w->ntold++] = (int)i;
    rlx_clip_info info;
    if (rlx_clip_lookup(w->cache, &w->jobs[i], 48000, &info) != RLX_OK)
        w->all_there = false;
    rlx_clip_info_free(&info);
}

static void batch_watched(void **state)
{
    fixture *f = *state;
    static const char *const texts[] = {"One.", "Two, three.", "Four five six.", "One.", "Seven."};
    enum { N = sizeof texts / sizeof *texts };
    rlx_clip_job jobs[N];
    for (int i = 0; i < N; i++)
        jobs[i] = (rlx_clip_job){.text = texts[i], .voice = "slt", .pace = 1.0};
    rlx_clip_info warm, info;
    char why[256];
    assert_int_equal(rlx_clip_prepare_tts(f->cache, texts[2], "slt", 1.0, 48000, &warm, why,
                                          sizeof why), RLX_OK);
    assert_int_equal(rlx_clip_lookup(f->cache, &jobs[1], 48000, &info), RLX_ERR_CACHE);
    unsigned long spoken = rlx_voice_speak_count();
    watched w = {.cache = f->cache, .jobs = jobs, .all_there = true};
    rlx_clip_batch_config bc = {.workers = 2, .ready = on_ready, .user = &w};
    rlx_clip_prepare_batch(f->cache, jobs, N, 48000, &bc);
    assert_int_equal(rlx_voice_speak_count(), spoken);   /* the children spoke */
    assert_int_equal(w.ntold, N);
    for (int i = 0; i < N; i++)
        assert_int_equal(w.told[i], 1);
    assert_true(w.all_there);
    assert_int_equal(w.order[0], 2);   /* the warm one at once */
    int one = -1, again = -1;
    for (int k = 0; k < N; k++) {
        one = w.order[k] == 0 ? k : one;
        again = w.order[k] == 3 ? k : again;
    }
    assert_true(again > one);          /* the repeat after the one it repeats */
    rlx_clip_info_free(&warm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(speaks_audibly_and_caches, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(all_four_voices, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(errors, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(prints_nothing, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(threads, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test(same_line_same_samples),
        cmocka_unit_test_setup_teardown(batch_matches_one_by_one, rlx_test_cache_setup, rlx_test_cache_teardown),
        cmocka_unit_test_setup_teardown(batch_watched, rlx_test_cache_setup, rlx_test_cache_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
