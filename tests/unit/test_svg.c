/* test_svg.c - the timeline drawing: well-formed XML, every caption present
 * and escaped, lanes and axis drawn. Set RLX_SVG_OUT=file.svg to keep the
 * drawing of the fixture for a look. */
#include "rlx_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/timeline_svg.h"

#define RATE 48000
#define MAXC 32

typedef struct {
    rlx_session s;
    rlx_cue cues[MAXC];
    rlx_tl_cue tl[MAXC];
    rlx_tl_breath breaths[512];
    rlx_timeline t;
} fixture;

static rlx_cue *add(fixture *x, rlx_cue_kind kind, double start_s, double end_s)
{
    size_t i = x->t.ncues++;
    assert_true(i < MAXC);
    x->cues[i] = (rlx_cue){.kind = kind, .line = (int)i + 10, .col = 1};
    x->tl[i] = (rlx_tl_cue){.cue = &x->cues[i], .start = (int64_t)(start_s * RATE),
                            .end = (int64_t)(end_s * RATE)};
    return &x->cues[i];
}

static const char *SAY1 = "Welcome back. Settle into a position that feels comfortable for you.";
static const char *SAY2 = "If you like, let your eyes close <or> rest your gaze \"softly\" & 'gently'.";
static const char *SAY3 = "Ünïcödé text, a tab\there and a bad byte \xff in it.";
static const char *PLAYCAP = "Bring your attention to your shoulders.";

/* A session like the README example, resolved by hand. */
static void build(fixture *x)
{
    memset(x, 0, sizeof *x);
    rlx_session *s = &x->s;
    s->id = "week-03";
    s->title = "The armour we carry & <other> \"things\"";
    s->week = 3;
    s->tts_voice = "slt";
    s->breath = (rlx_breath_pattern){4000, 2000, 6000, 0};
    s->breath_pitch_hz = 174;
    s->breath_glide_st = 4;
    s->breath_level_db = -28;
    s->breath_duck_db = 10;
    s->breath_enabled = true;
    s->ambient_file = "ambient/shore.ogg";
    s->ambient_level_db = -32;
    s->ambient_duck_db = 6;
    s->chime_level_db = -20;
    x->t.rate = RATE;
    x->t.cues = x->tl;
    x->t.breaths = x->breaths;

    add(x, RLX_CUE_FADE_IN, 0, 0)->dur_ms = 10000;
    add(x, RLX_CUE_SAY, 3, 7.5)->text = (char *)SAY1;
    add(x, RLX_CUE_SAY, 9.5, 15)->text = (char *)SAY2;
    rlx_cue *c = add(x, RLX_CUE_PLAY, 40, 43);
    c->text = (char *)PLAYCAP;
    c->file = "narration/week-03/shoulders.flac";
    c = add(x, RLX_CUE_BREATH, 43, 43);
    c->pattern = (rlx_breath_pattern){4000, 7000, 8000, 0};
    add(x, RLX_CUE_SAY, 50, 54)->text = (char *)SAY3;
    c = add(x, RLX_CUE_LEVEL, 60, 60);
    c->bus = RLX_BUS_AMBIENT;
    c->value = -26;
    c->dur_ms = 5000;
    for (int i = 0; i < 12; i++)
        add(x, RLX_CUE_SAY, 70 + i * 8, 75 + i * 8)->text = "Breathe in, and out.";
    c = add(x, RLX_CUE_SILENCE, 180, 220);
    c->dur_ms = 40000;
    c->dur_max_ms = 240000;
    add(x, RLX_CUE_BREATH_SYNC, 220, 220);
    add(x, RLX_CUE_SAY, 221, 226)->text = "Breathe in... and let it go.";
    c = add(x, RLX_CUE_SILENCE, 300, 320);
    c->dur_ms = c->dur_max_ms = 20000;
    add(x, RLX_CUE_CHIME, 800, 800);
    add(x, RLX_CUE_FADE_OUT, 810, 810)->dur_ms = 30000;
    add(x, RLX_CUE_END, 840, 840);
    x->t.length = 840LL * RATE;
    x->t.natural_ms = 840000;
    x->t.longest_ms = 1040000;
    x->t.length_ms = 840000;

    /* breath cycles: 4 2 6 0 until the change at 43 s, then 4 7 8 0, sync at 220 s */
    int64_t f = 0;
    rlx_breath_pattern p = s->breath;
    while (f < x->t.length) {
        assert_true(x->t.nbreaths < 512);
        x->breaths[x->t.nbreaths++] = (rlx_tl_breath){.start = f, .pattern = p};
        int64_t len = (int64_t)(p.inhale_ms + p.hold_in_ms + p.exhale_ms + p.hold_out_ms) * RATE / 1000;
        if (f < 220LL * RATE && f + len > 220LL * RATE) {
            f = 220LL * RATE;
            x->breaths[x->t.nbreaths++] = (rlx_tl_breath){.start = f, .pattern = p, .start_shape = 0.4};
            f += len;
            continue;
        }
        f += len;
        if (f > 43LL * RATE)
            p = (rlx_breath_pattern){4000, 7000, 8000, 0};
    }
}

static char *draw(const fixture *x, rlx_svg_config *cfg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(rlx_timeline_svg_write(f, &x->s, &x->t, cfg), RLX_OK);
    fclose(f);
    return buf;
}

/* A small XML checker: tags nest and close, one root, text and attribute
 * values contain no raw '<' and only known entities, and the bytes are UTF-8. */
static void assert_well_formed(const char *doc)
{
    const unsigned char *u = (const unsigned char *)doc;
    for (size_t i = 0; u[i];) {   /* UTF-8 */
        int n = u[i] < 0x80 ? 1 : (u[i] & 0xE0) == 0xC0 ? 2 : (u[i] & 0xF0) == 0xE0 ? 3 : (u[i] & 0xF8) == 0xF0 ? 4 : 0;
        assert_true(n > 0);
        for (int k = 1; k < n; k++)
            assert_int_equal(u[i + k] & 0xC0, 0x80);
        if (n == 1 && u[i] < 0x20)
            assert_true(u[i] == '\n' || u[i] == '\t' || u[i] == '\r');
        i += n;
    }
    const char *p = doc;
    assert_true(!strncmp(p, "<?xml", 5));
    p = strstr(p, "?>") + 2;
    char stack[64][32];
    int depth = 0, roots = 0;
    while (*p) {
        const char *lt = strchr(p, '<');
        const char *text_end = lt ? lt : p + strlen(p);
        for (const char *q = p; q < text_end; q++)
            if (*q == '&')
                assert_true(!strncmp(q, "&amp;", 5) || !strncmp(q, "&lt;", 4) || !strncmp(q, "&gt;", 4) ||
                            !strncmp(q, "&quot;", 6) || !strncmp(q, "&apos;", 6));
        if (!lt)
            break;
        if (depth == 0)   /* outside the root only whitespace */
            for (const char *q = p; q < lt; q++)
                assert_true(*q == '\n' || *q == ' ');
        const char *gt = lt + 1;
        char quote = 0;
        for (; *gt && (quote || *gt != '>'); gt++) {
            if (quote && *gt == '<')
                fail_msg("raw < in an attribute value");
            if (quote && *gt == '&')
                assert_true(!strncmp(gt, "&amp;", 5) || !strncmp(gt, "&lt;", 4) || !strncmp(gt, "&gt;", 4) ||
                            !strncmp(gt, "&quot;", 6) || !strncmp(gt, "&apos;", 6));
            if (*gt == '"' || *gt == '\'')
                quote = quote == *gt ? 0 : quote ? quote : *gt;
        }
        assert_int_equal(*gt, '>');
        char name[32] = {0};
        bool closing = lt[1] == '/';
        const char *ns = lt + 1 + closing;
        size_t nl = strcspn(ns, " \t\n/>");
        assert_true(nl > 0 && nl < sizeof name);
        memcpy(name, ns, nl);
        if (closing) {
            assert_true(depth > 0);
            assert_string_equal(stack[depth - 1], name);
            depth--;
        } else if (gt[-1] != '/') {
            assert_true(depth < 64);
            if (depth == 0)
                roots++;
            strcpy(stack[depth++], name);
        } else if (depth == 0) {
            roots++;
        }
        p = gt + 1;
    }
    assert_int_equal(depth, 0);
    assert_int_equal(roots, 1);
}

static void well_formed_with_escaped_captions(void **state)
{
    (void)state;
    fixture *x = malloc(sizeof *x);
    build(x);
    char *svg = draw(x, NULL);
    const char *keep = getenv("RLX_SVG_OUT");
    if (keep && *keep) {
        FILE *f = fopen(keep, "w");
        assert_non_null(f);
        fputs(svg, f);
        fclose(f);
    }
    assert_well_formed(svg);
    assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
    /* the title, escaped, at the top and as the document title */
    assert_non_null(strstr(svg, "<title>The armour we carry &amp; &lt;other&gt; &quot;things&quot;</title>"));
    assert_non_null(strstr(svg, ">The armour we carry &amp; &lt;other&gt; &quot;things&quot;</text>"));
    /* every voice cue's full caption is in a <title> */
    assert_non_null(strstr(svg, SAY1));
    assert_non_null(strstr(svg, "If you like, let your eyes close &lt;or&gt; rest your gaze "
                                "&quot;softly&quot; &amp; &apos;gently&apos;."));
    assert_non_null(strstr(svg, "Ünïcödé text, a tab here and a bad byte \xEF\xBF\xBD in it."));
    assert_non_null(strstr(svg, PLAYCAP));
    assert_non_null(strstr(svg, "Breathe in... and let it go."));
    assert_null(strstr(svg, "<or>"));
    /* lanes, axis labels, markers */
    assert_non_null(strstr(svg, ">master</text>"));
    assert_non_null(strstr(svg, ">voice</text>"));
    assert_non_null(strstr(svg, ">breath</text>"));
    assert_non_null(strstr(svg, ">ambient</text>"));
    assert_non_null(strstr(svg, ">14:00</text>"));
    assert_non_null(strstr(svg, ">chime</text>"));
    assert_non_null(strstr(svg, ">40 s \xE2\x86\x94 4 min</text>"));
    assert_non_null(strstr(svg, ">sync</text>"));
    assert_non_null(strstr(svg, ">4-7-8-0</text>"));
    assert_non_null(strstr(svg, "natural 14:00, longest 17:20"));
    free(svg);
    free(x);
}

static void width_follows_the_scale(void **state)
{
    (void)state;
    fixture *x = malloc(sizeof *x);
    build(x);
    rlx_svg_config cfg = {.px_per_min = 100};
    char *svg = draw(x, &cfg);
    double w = 0;
    const char *p = strstr(svg, "width=\"");
    assert_non_null(p);
    w = atof(p + 7);
    /* 14 min at 100 px/min plus the margins */
    assert_true(w >= 1400 && w <= 1400 + 300);
    assert_well_formed(svg);
    free(svg);
    free(x);
}

static void escape_drops_what_xml_forbids(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    const char in[] = "a\x01<b>&\"'\x7f\xc3\xa9\xed\xa0\x80\xef\xbf\xbe!";
    rlx_xml_escape(f, in, sizeof in - 1);
    fclose(f);
    /* U+D800 (a surrogate) becomes one U+FFFD; U+FFFE is dropped */
    assert_string_equal(buf, "a&lt;b&gt;&amp;&quot;&apos;\xc3\xa9\xEF\xBF\xBD!");
    free(buf);
}

static void tiny_session_without_voice(void **state)
{
    (void)state;
    fixture *x = malloc(sizeof *x);
    memset(x, 0, sizeof *x);
    x->s.id = "tiny";
    x->s.title = "Tiny";
    x->s.breath_enabled = false;
    x->t.rate = RATE;
    x->t.cues = x->tl;
    add(x, RLX_CUE_END, 5, 5);
    x->t.length = 5LL * RATE;
    x->t.natural_ms = x->t.longest_ms = x->t.length_ms = 5000;
    char *svg = draw(x, NULL);
    assert_well_formed(svg);
    assert_non_null(strstr(svg, "tone off"));
    free(svg);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(well_formed_with_escaped_captions),
        cmocka_unit_test(width_follows_the_scale),
        cmocka_unit_test(escape_drops_what_xml_forbids),
        cmocka_unit_test(tiny_session_without_voice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
