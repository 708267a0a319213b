/* fuzz_session.c - libFuzzer target: any bytes as a session file; when they
 * parse, the timeline is built (natural length and a stretched one) with
 * made-up voice durations and its invariants are checked. Also feeds the
 * bytes to rlx_parse_duration_ms. The input is parsed as a file in a private
 * temporary folder that holds a few files it may name (includes, audio). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/session.h"
#include "session/timeline.h"

static char folder[256], name[300]; /* the input is parsed as if it were <folder>/fuzz.session */

static void put(const char *file, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", folder, file);
    FILE *f = fopen(p, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    snprintf(folder, sizeof folder, "%s/relax-fuzz-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(folder))
        abort();
    snprintf(name, sizeof name, "%s/fuzz.session", folder);
    put("a.inc", "[voice]\ntts-voice = rms\n[breath]\npattern = 3 1 5 1\n");
    put("b.inc", "include \"a.inc\"\n[ambient]\nfile = x.ogg\n");
    put("self.inc", "include \"self.inc\"\n");
    put("tl.inc", "[timeline]\n0:00 end\n");
    put("x.ogg", "x");
    put("chime.flac", "x");
    put("v.flac", "x");
    return 0;
}

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s\n", #c); abort(); } } while (0)

static void check_timeline(const rlx_session *s, const rlx_timeline *t, int64_t want_ms)
{
    CHECK(t->ncues == s->ncues);
    CHECK(t->length_ms == want_ms);
    CHECK(t->length == rlx_ms_to_frames(want_ms, t->rate));
    CHECK(t->natural_ms <= t->length_ms && t->length_ms <= t->longest_ms);
    CHECK(t->nbreaths >= 1 && t->breaths[0].start == 0);
    for (size_t k = 0; k < t->nbreaths; k++) {
        CHECK(t->breaths[k].start_shape >= 0 && t->breaths[k].start_shape <= 1);
        if (k) {
            CHECK(t->breaths[k].start > t->breaths[k - 1].start);
            CHECK(t->breaths[k].start < t->length);
        }
    }
    int64_t prev_voice_end = -1;
    for (size_t i = 0; i < t->ncues; i++) {
        CHECK(t->cues[i].cue == &s->cues[i]);
        CHECK(t->cues[i].start >= 0 && t->cues[i].end >= t->cues[i].start);
        if (rlx_cue_is_voice(&s->cues[i]) || s->cues[i].kind == RLX_CUE_SILENCE)
            CHECK(t->cues[i].end <= t->length);
        else
            CHECK(t->cues[i].start <= t->length);
        (void)prev_voice_end;
    }
    size_t hint = 0;
    for (int64_t f = 0; f <= t->length; f += t->length / 64 + 1) {
        double sh = rlx_timeline_breath_shape(t, f, &hint);
        CHECK(sh >= 0 && sh <= 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char small[80];
    size_t n = size < sizeof small - 1 ? size : sizeof small - 1;
    memcpy(small, data, n);
    small[n] = 0;
    int64_t ms = -1;
    if (rlx_parse_duration_ms(small, &ms))
        CHECK(ms >= 0 && ms <= 24LL * 3600 * 1000);

    const char *dirs[] = {folder, NULL};
    rlx_parse_config cfg = {.asset_dirs = dirs, .check_files = size % 2 == 0};
    rlx_session *s = NULL;
    rlx_diags d = {0};
    rlx_err e = rlx_session_parse_buffer(name, (const char *)data, size, &cfg, &s, &d);
    CHECK((e == RLX_OK) == (s != NULL));
    CHECK(e != RLX_OK || d.errors == 0);
    CHECK(e == RLX_OK || e == RLX_ERR_NOMEM || d.errors > 0);
    for (size_t k = 0; k < d.count; k++) {
        const rlx_diag *g = &d.items[k];
        CHECK(g->message && *g->message);
        if (g->source) {
            /* the CLI puts a caret under column col of the source */
            size_t len = strlen(g->source);
            CHECK(g->col >= 1 && (size_t)g->col <= len + 1);
            for (const char *p = g->source; *p; p++)
                CHECK((unsigned char)*p >= 0x20 || *p == '\t');
            CHECK(len < 1000);
        }
    }
    rlx_diags_free(&d);
    if (s) {
        int64_t *v = malloc((s->ncues + 1) * sizeof *v);
        for (size_t i = 0; i < s->ncues; i++)
            v[i] = rlx_cue_is_voice(&s->cues[i]) ? (int64_t)((i * 7919 + size) % 20000) : -1;
        int64_t nat = 0, lng = 0;
        rlx_diags d2 = {0};
        if (rlx_timeline_lengths(s, v, &nat, &lng, &d2) == RLX_OK) {
            CHECK(0 <= nat && nat <= lng);
            rlx_timeline *t = NULL;
            if (rlx_timeline_build(s, v, 0, 8000, &t, &d2) == RLX_OK) {
                check_timeline(s, t, nat);
                rlx_timeline_free(t);
            }
            int64_t mid = nat + (lng - nat) / 3;
            if (rlx_timeline_build(s, v, mid, 44100, &t, &d2) == RLX_OK) {
                check_timeline(s, t, mid);
                rlx_timeline_free(t);
            }
        }
        rlx_diags_free(&d2);
        free(v);
        rlx_session_free(s);
    }
    return 0;
}
