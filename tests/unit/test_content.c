/* test_content.c - the shipped ten-week program and its sessions: they parse
 * with no errors or warnings, reference assets that exist, have the right ids
 * and weeks, a natural length of 12 to 20 minutes with the real TTS voice
 * durations, can be stretched to at least 40 minutes, and follow the writing
 * rules (a way back to the room, a breath sync, no pressure words). */
#include "rlx_test.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <math.h>
#include <sndfile.h>
#include <sys/stat.h>

#include "audio/clip.h"
#include "audio/render.h"
#include "session/program.h"
#include "session/session.h"
#include "session/breath_check.h"
#include "session/timeline.h"

#define NWEEKS 10
#define RATE 48000

static char *g_cache_dir;

static void print_diags(const rlx_diags *d)
{
    for (size_t i = 0; i < d->count; i++)
        fprintf(stderr, "  %s:%d:%d: %s\n", d->items[i].file ? d->items[i].file : "?",
                d->items[i].line, d->items[i].col, d->items[i].message);
}

static rlx_session *load_week(int week)
{
    char rel[64];
    snprintf(rel, sizeof rel, "sessions/week-%02d.session", week);
    char *path = rlx_test_source_path(rel);
    char *assets = rlx_test_source_path("assets");
    const char *dirs[] = {assets, NULL};
    rlx_parse_config cfg = {.asset_dirs = dirs, .check_files = true};
    rlx_diags d = {0};
    rlx_session *s = NULL;
    rlx_err err = rlx_session_parse(path, &cfg, &s, &d);
    if (err != RLX_OK || d.errors || d.warnings) {
        fprintf(stderr, "%s:\n", path);
        print_diags(&d);
    }
    assert_int_equal(err, RLX_OK);
    assert_int_equal(d.errors, 0);
    assert_int_equal(d.warnings, 0);
    rlx_diags_free(&d);
    free(path);
    free(assets);
    return s;
}

/* Case-insensitive search; with `word`, the match must not be part of a
 * longer word ("cure" must not match "secure"). */
static bool find_ci(const char *hay, const char *needle, bool word)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++) {
        size_t k = 0;
        while (k < n && p[k] && tolower((unsigned char)p[k]) == tolower((unsigned char)needle[k]))
            k++;
        if (k < n)
            continue;
        if (!word || ((p == hay || !isalpha((unsigned char)p[-1])) && !isalpha((unsigned char)p[n])))
            return true;
    }
    return false;
}

static bool contains_ci(const char *hay, const char *needle)
{
    return find_ci(hay, needle, false);
}

static void settings_and_assets(void **state)
{
    (void)state;
    const char *prev_ambient = NULL;
    char *prev_copy = NULL;
    for (int w = 1; w <= NWEEKS; w++) {
        rlx_session *s = load_week(w);
        char id[16];
        snprintf(id, sizeof id, "week-%02d", w);
        assert_string_equal(s->id, id);
        assert_int_equal(s->week, w);
        assert_non_null(s->title);
        assert_non_null(s->summary);
        assert_true(strlen(s->summary) > 20);
        assert_true(s->voice_normalize);
        assert_float_equal(s->voice_lufs, -18.0, 1e-9);
        /* voice and chime come from sessions/shared.inc */
        assert_int_equal(s->nfiles, 2);
        assert_non_null(strstr(s->files[1], "shared.inc"));
        assert_string_equal(s->tts_voice, "festival:slt-hts");
        assert_float_equal(s->tts_pace, 1.25, 1e-9);
        assert_float_equal(s->chime_level_db, -20.0, 1e-9);
        assert_true(s->breath_enabled);
        assert_true(s->breath_level_db <= -26 && s->breath_level_db >= -34);
        assert_true(s->ambient_level_db <= -20 && s->ambient_level_db >= -28);
        /* every referenced audio file resolved (the generated assets exist) */
        assert_non_null(s->ambient_path);
        assert_non_null(s->chime_path);
        /* the beds alternate from week to week */
        prev_ambient = prev_copy;
        if (prev_ambient)
            assert_string_not_equal(prev_ambient, s->ambient_file);
        free(prev_copy);
        prev_copy = strdup(s->ambient_file);
        rlx_session_free(s);
    }
    free(prev_copy);
}

static void writing_rules(void **state)
{
    (void)state;
    int professional_week = 0;   /* first week that suggests talking to a professional */
    static const char *const pressure[] = {"let go", "release", "surrender", "disarm", "you must",
                                           "you should", "cure", "heal", "treat"};
    for (int w = 1; w <= NWEEKS; w++) {
        rlx_session *s = load_week(w);
        size_t syncs = 0, stretchable = 0, chimes = 0, ends = 0, fade_in = 0, fade_out = 0;
        const rlx_cue *last_voice = NULL;
        bool way_out = false;   /* says early on that stopping / opening the eyes is fine */
        for (size_t i = 0; i < s->ncues; i++) {
            const rlx_cue *c = &s->cues[i];
            switch (c->kind) {
            case RLX_CUE_BREATH_SYNC: syncs++; break;
            case RLX_CUE_SILENCE: stretchable += c->dur_max_ms > c->dur_ms; break;
            case RLX_CUE_CHIME: chimes++; break;
            case RLX_CUE_END: ends++; break;
            case RLX_CUE_FADE_IN: fade_in++; break;
            case RLX_CUE_FADE_OUT: fade_out++; break;
            default: break;
            }
            if (c->kind == RLX_CUE_SAY) {
                assert_non_null(c->text);
                for (size_t k = 0; k < sizeof pressure / sizeof pressure[0]; k++) {
                    if (find_ci(c->text, pressure[k], true))
                        fprintf(stderr, "week %d line %d: '%s'\n", w, c->line, pressure[k]);
                    assert_false(find_ci(c->text, pressure[k], true));
                }
                if (i < 12 && (contains_ci(c->text, "stop") || contains_ci(c->text, "open")))
                    way_out = true;
                last_voice = c;
            }
            /* a line that opens with "Breathing in" starts on a fresh inhale */
            if (c->kind == RLX_CUE_SAY && !strncmp(c->text, "Breathing in", 12)) {
                assert_true(i > 0);
                assert_int_equal(s->cues[i - 1].kind, RLX_CUE_BREATH_SYNC);
            }
            /* breath sync comes right before a spoken invitation to breathe in,
             * and the tone dips only a little under it so the rise is heard */
            if (c->kind == RLX_CUE_BREATH_SYNC) {
                assert_true(i + 1 < s->ncues);
                assert_int_equal(s->cues[i + 1].kind, RLX_CUE_SAY);
                assert_true(contains_ci(s->cues[i + 1].text, "breath"));
                assert_true(s->cues[i + 1].breath_duck_set);
                assert_true(s->cues[i + 1].breath_duck_db <= 7.0);
            }
            if (c->kind == RLX_CUE_SAY) {
                /* no digging into threats, no telling how to read one's stress */
                assert_false(contains_ci(c->text, "what it is protecting you from"));
                assert_false(contains_ci(c->text, "sign that you're living"));
                if (contains_ci(c->text, "professional"))
                    professional_week = professional_week ? professional_week : w;
            }
        }
        /* week 1 leaves the breath alone; from week 2 on the tone is offered as a guide */
        assert_true(w == 1 || syncs >= 1);
        assert_true(stretchable >= 6);
        assert_int_equal(chimes, 1);
        assert_int_equal(ends, 1);
        assert_int_equal(fade_in, 1);
        assert_int_equal(fade_out, 1);
        assert_true(way_out);
        assert_non_null(last_voice);
        /* the way back to the room: one of the last five lines invites
         * opening the eyes */
        bool back = false;
        int says = 0;
        for (size_t i = s->ncues; i-- > 0 && says < 5;) {
            if (s->cues[i].kind != RLX_CUE_SAY)
                continue;
            says++;
            back = back || contains_ci(s->cues[i].text, "open your eyes")
                   || contains_ci(s->cues[i].text, "open them")
                   || contains_ci(s->cues[i].text, "eyes open");
        }
        assert_true(back);
        rlx_session_free(s);
    }
    /* said early, not only in the last week */
    assert_true(professional_week >= 1 && professional_week < 10);
}

static void lengths_with_real_voice(void **state)
{
    (void)state;
    rlx_cache *cache = NULL;
    assert_int_equal(rlx_cache_open(g_cache_dir, &cache, NULL, 0), RLX_OK);
    for (int w = 1; w <= NWEEKS; w++) {
        rlx_session *s = load_week(w);
        rlx_diags d = {0};
        int64_t *voice = NULL;
        rlx_err err = rlx_voice_durations(s, cache, RATE, &voice, &d);
        if (err != RLX_OK)
            print_diags(&d);
        assert_int_equal(err, RLX_OK);
        int64_t natural = 0, longest = 0;
        err = rlx_timeline_lengths(s, voice, &natural, &longest, &d);
        if (err != RLX_OK)
            print_diags(&d);
        assert_int_equal(err, RLX_OK);
        fprintf(stderr, "week-%02d: natural %lld:%02lld, longest %lld:%02lld\n", w,
                (long long)(natural / 60000), (long long)(natural / 1000 % 60),
                (long long)(longest / 60000), (long long)(longest / 1000 % 60));
        assert_true(natural >= 12 * 60000);
        assert_true(natural <= 20 * 60000);
        assert_true(longest >= 40 * 60000);
        assert_true(longest <= 60 * 60000);
        /* the natural and a stretched timeline both build: no voice overlaps,
         * nothing after the end */
        rlx_timeline *t = NULL;
        err = rlx_timeline_build(s, voice, 0, RATE, &t, &d);
        if (err != RLX_OK)
            print_diags(&d);
        assert_int_equal(err, RLX_OK);
        /* the tone does what the words say (relax check's breath warning) */
        rlx_breath_finding *bf = NULL;
        size_t nbf = rlx_breath_check(t, &bf);
        for (size_t k = 0; k < nbf; k++)
            fprintf(stderr, "week-%02d line %d: %s\n", w, t->cues[bf[k].cue].cue->line,
                    bf[k].problem);
        assert_int_equal(nbf, 0);
        free(bf);
        rlx_timeline_free(t);
        err = rlx_timeline_build(s, voice, 30 * 60000, RATE, &t, &d);
        assert_int_equal(err, RLX_OK);
        assert_int_equal(t->length, rlx_ms_to_frames(30 * 60000, RATE));
        /* the last voice cue ends before the session does */
        int64_t last_voice_end = 0;
        for (size_t i = 0; i < t->ncues; i++)
            if (rlx_cue_is_voice(t->cues[i].cue) && t->cues[i].end > last_voice_end)
                last_voice_end = t->cues[i].end;
        assert_true(last_voice_end + 10 * RATE <= t->length);
        rlx_timeline_free(t);
        assert_int_equal(d.errors, 0);
        rlx_diags_free(&d);
        free(voice);
        rlx_session_free(s);
    }
    rlx_cache_close(cache);
}

static void program_file(void **state)
{
    (void)state;
    char *path = rlx_test_source_path("sessions/ten-weeks.program");
    rlx_program *p = NULL;
    rlx_diags d = {0};
    rlx_err err = rlx_program_parse(path, &p, &d);
    if (err != RLX_OK)
        print_diags(&d);
    assert_int_equal(err, RLX_OK);
    assert_int_equal(d.errors, 0);
    assert_int_equal(d.warnings, 0);
    assert_string_equal(p->id, "ten-weeks");
    assert_int_equal(p->wait_s, 6 * 24 * 3600);
    assert_int_equal(p->nentries, NWEEKS);
    for (size_t i = 0; i < p->nentries; i++) {
        char want[32];
        snprintf(want, sizeof want, "week-%02d.session", (int)i + 1);
        assert_string_equal(p->entries[i].file, want);
        assert_non_null(p->entries[i].path);
    }
    rlx_program_free(p);
    rlx_diags_free(&d);
    free(path);
}

/* The spoken lines are cached in the build folder, shared with the content
 * e2e tests (a cold cache costs minutes); without RLX_BUILD_DIR, a temporary
 * folder. Never the user's own cache. */
static bool g_cache_is_tmp;

/* ---- the generated assets ------------------------------------------------ */

typedef struct {
    float *x;        /* interleaved */
    sf_count_t frames;
    SF_INFO info;
    long long bytes;
} asset_audio;

static asset_audio load_asset(const char *rel)
{
    char *path = rlx_test_source_path(rel);
    asset_audio a = {0};
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    a.bytes = (long long)st.st_size;
    SNDFILE *f = sf_open(path, SFM_READ, &a.info);
    if (!f)
        fprintf(stderr, "%s: %s\n", path, sf_strerror(NULL));
    assert_non_null(f);
    assert_true(a.info.frames > 0);
    a.x = malloc((size_t)a.info.frames * (size_t)a.info.channels * sizeof *a.x);
    assert_non_null(a.x);
    a.frames = sf_readf_float(f, a.x, a.info.frames);
    assert_int_equal(a.frames, a.info.frames);
    sf_close(f);
    free(path);
    return a;
}

static double db(double lin)
{
    return 20.0 * log10(lin > 1e-12 ? lin : 1e-12);
}

static double rms(const asset_audio *a, sf_count_t from, sf_count_t n)
{
    double sum = 0;
    for (sf_count_t i = from; i < from + n; i++)
        for (int c = 0; c < a->info.channels; c++) {
            double v = a->x[i * a->info.channels + c];
            sum += v * v;
        }
    return sqrt(sum / (double)(n * a->info.channels));
}

static void ambient_beds_loop_seamlessly(void **state)
{
    (void)state;
    static const char *const beds[] = {"assets/ambient/shore.ogg", "assets/ambient/rain.ogg"};
    for (size_t b = 0; b < 2; b++) {
        asset_audio a = load_asset(beds[b]);
        assert_int_equal(a.info.format & SF_FORMAT_TYPEMASK, SF_FORMAT_OGG);
        assert_int_equal(a.info.samplerate, 48000);
        assert_int_equal(a.info.channels, 2);
        assert_true(a.frames >= 45 * 48000 && a.frames <= 60 * 48000);
        assert_true(a.bytes < 1200 * 1000);
        double level = db(rms(&a, 0, a.frames));
        assert_true(level > -26 && level < -12);
        /* The step across the loop point (last frame -> first frame) is no
         * bigger than the steps inside the file... */
        for (int c = 0; c < 2; c++) {
            double mean = 0, max = 0;
            for (sf_count_t i = 1; i < a.frames; i++) {
                double d = fabs(a.x[i * 2 + c] - a.x[(i - 1) * 2 + c]);
                mean += d;
                if (d > max)
                    max = d;
            }
            mean /= (double)(a.frames - 1);
            double seam = fabs(a.x[c] - a.x[(a.frames - 1) * 2 + c]);
            assert_true(seam <= max);
            assert_true(seam < 5 * mean);
        }
        /* ...and the loudness does not jump there. */
        double head = db(rms(&a, 0, 24000)), tail = db(rms(&a, a.frames - 24000, 24000));
        assert_true(fabs(head - tail) < 3.0);
        free(a.x);
    }
}

static void chime_rings_and_fades(void **state)
{
    (void)state;
    asset_audio a = load_asset("assets/chime.flac");
    assert_int_equal(a.info.format & SF_FORMAT_TYPEMASK, SF_FORMAT_FLAC);
    assert_int_equal(a.info.samplerate, 48000);
    assert_true(a.frames >= 3 * 48000 && a.frames <= 6 * 48000);
    double peak = 0;
    for (sf_count_t i = 0; i < a.frames * a.info.channels; i++)
        if (fabs(a.x[i]) > peak)
            peak = fabs(a.x[i]);
    assert_true(db(peak) > -6 && db(peak) < -1);
    /* starts from silence (no click), decays, and ends in silence */
    assert_true(fabs(a.x[0]) < 0.01);
    assert_true(db(rms(&a, 48000, 4800)) < db(rms(&a, 4800, 4800)) - 3);
    assert_true(db(rms(&a, a.frames - 2400, 2400)) < -60);
    free(a.x);
}

static int setup(void **state)
{
    (void)state;
    const char *build = getenv("RLX_BUILD_DIR");
    if (build && *build) {
        g_cache_dir = malloc(strlen(build) + 64);
        assert_non_null(g_cache_dir);
        sprintf(g_cache_dir, "%s/content-test-cache/relax", build);
    } else {
        g_cache_dir = rlx_test_tmpdir();
        g_cache_is_tmp = true;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (g_cache_is_tmp)
        rlx_test_rmtree(g_cache_dir);
    free(g_cache_dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(settings_and_assets),
        cmocka_unit_test(writing_rules),
        cmocka_unit_test(program_file),
        cmocka_unit_test(lengths_with_real_voice),
        cmocka_unit_test(ambient_beds_loop_seamlessly),
        cmocka_unit_test(chime_rings_and_fades),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
