/* test_automation.c - the picture shows what is heard: the points of the
 * timeline drawing's curves (master fade, breath level, ambient level, all
 * with ducking and ramps) equal the renderer's gains at the same frames,
 * within the drawing's 0.1 px rounding. Also the curves themselves. */
#include "rlx_test.h"

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/render.h"
#include "export/timeline_svg.h"
#include "session/automation.h"

#define RATE 48000
#define PX_PER_MIN 6000.0                          /* 100 px per second */
#define FRAMES_PER_PX (RATE * 60.0 / PX_PER_MIN)    /* 480 */
#define MAXP 20000

typedef struct {
    char *dir, *cache;
    rlx_session *s;
    rlx_renderer *r;
    char *svg;
    size_t svglen;
} fixture;

static void write_tone(const char *dir, const char *name, int channels, double secs, double hz, double amp)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    SF_INFO info = {.samplerate = RATE, .channels = channels, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
    assert_non_null(sf);
    int64_t n = (int64_t)(secs * RATE);
    float buf[2 * 1024];
    for (int64_t i = 0; i < n;) {
        int64_t m = n - i < 1024 ? n - i : 1024;
        for (int64_t j = 0; j < m; j++)
            for (int c = 0; c < channels; c++)
                buf[j * channels + c] = (float)(amp * sin(2 * M_PI * hz * (double)(i + j) / RATE));
        assert_int_equal(sf_writef_float(sf, buf, m), m);
        i += m;
    }
    sf_close(sf);
}

/* Fades, level ramps that overlap ducking, two lines; the ambient's top
 * level (-24 dB) and the breath's (-22 dB) are each held for a while with
 * no voice near, so the drawing reaches the top of those lanes. */
static const char session_text[] =
    "[session]\nid = auto\ntitle = \"Automation\"\n"
    "[breath]\nlevel = -28 dB\nduck = 10 dB\n"
    "[ambient]\nfile = bed.wav\nlevel = -30 dB\nduck = 6 dB\n"
    "[timeline]\n"
    "0:00 fade-in 4 s\n"
    "0:02 level ambient -24 dB over 6 s\n"
    "0:05 play a.wav \"One\"\n"
    "0:12 level breath -22 dB over 3 s\n"
    "0:16 play b.wav \"Two\"\n"
    "0:19 level ambient -40 dB over 2 s\n"
    "0:22 fade-out 5 s\n"
    "0:30 end\n";

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = rlx_test_tmpdir();
    f->cache = rlx_test_tmpdir();
    write_tone(f->dir, "a.wav", 1, 2.0, 330, 0.3);
    write_tone(f->dir, "b.wav", 1, 2.0, 440, 0.3);
    write_tone(f->dir, "bed.wav", 2, 40.0, 110, 0.1);
    const char *dirs[] = {f->dir, NULL};
    rlx_parse_config cfg = {.asset_dirs = dirs, .check_files = true};
    char name[4096];
    snprintf(name, sizeof name, "%s/auto.session", f->dir);
    rlx_diags d = {0};
    assert_int_equal(rlx_session_parse_buffer(name, session_text, strlen(session_text), &cfg, &f->s, &d),
                     RLX_OK);
    rlx_render_config rc = rlx_render_config_init();
    rc.rate = RATE;
    rc.cache_dir = f->cache;
    rlx_err err = rlx_renderer_open(&rc, f->s, &f->r, &d);
    for (size_t i = 0; i < d.count; i++)
        fprintf(stderr, "%s\n", d.items[i].message);
    assert_int_equal(err, RLX_OK);
    rlx_diags_free(&d);
    FILE *m = open_memstream(&f->svg, &f->svglen);
    assert_non_null(m);
    rlx_svg_config sc = {.px_per_min = PX_PER_MIN};
    assert_int_equal(rlx_timeline_svg_write(m, f->s, rlx_renderer_timeline(f->r), &sc), RLX_OK);
    fclose(m);
    const char *keep = getenv("RLX_SVG_OUT");
    if (keep) {
        FILE *o = fopen(keep, "w");
        if (o) {
            fwrite(f->svg, 1, f->svglen, o);
            fclose(o);
        }
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rlx_renderer_close(f->r);
    rlx_session_free(f->s);
    rlx_test_rmtree(f->dir);
    rlx_test_rmtree(f->cache);
    free(f->dir);
    free(f->cache);
    free(f->svg);
    free(f);
    return 0;
}

/* The points of the first polyline/polygon whose attributes contain `marker`. */
static size_t points(const fixture *f, const char *marker, double *xs, double *ys)
{
    const char *at = strstr(f->svg, marker);
    if (!at)
        fail_msg("no curve with %s in the drawing", marker);
    const char *p = strstr(at, "points=\"");
    assert_non_null(p);
    p += 8;
    size_t n = 0;
    while (*p && *p != '"') {
        char *end;
        double x = strtod(p, &end);
        assert_true(*end == ',');
        double y = strtod(end + 1, &end);
        assert_true(n < MAXP);
        xs[n] = x;
        ys[n] = y;
        n++;
        p = end;
        while (*p == ' ')
            p++;
    }
    return n;
}

static double ymin(const double *ys, size_t n)
{
    double m = ys[0];
    for (size_t i = 1; i < n; i++)
        m = ys[i] < m ? ys[i] : m;
    return m;
}

static double ymax(const double *ys, size_t n)
{
    double m = ys[0];
    for (size_t i = 1; i < n; i++)
        m = ys[i] > m ? ys[i] : m;
    return m;
}

enum { MASTER, BREATH, AMBIENT };

/* Holds every point of a curve (value = (base - y) / h) against the
 * renderer's gain at the point's frame (over `ref`, the lane's top). */
static void agree(const fixture *f, const double *xs, const double *ys, size_t n, double x0,
                  double base, double h, int which, double ref)
{
    /* 0.05 px rounding of the point, of base and of the top */
    double tol = 0.16 / h;
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double fr = (xs[i] - x0) * FRAMES_PER_PX;
        int64_t frame = llround(fr);
        assert_true(fabs(fr - (double)frame) < 1e-6);   /* samples sit on whole frames */
        double v, b, a, m;
        rlx_renderer_gains(f->r, frame, &v, &b, &a, &m);
        double want = which == MASTER ? m : (which == BREATH ? b : a) / ref;
        double got = (base - ys[i]) / h;
        if (fabs(got - want) > worst)
            worst = fabs(got - want);
        if (fabs(got - want) > tol)
            fail_msg("curve %d at %.3f s: the drawing shows %.4f, the renderer applies %.4f",
                     which, (double)frame / RATE, got, want);
    }
    assert_true(worst <= tol);
}

static void drawing_equals_gains(void **state)
{
    fixture *f = *state;
    double *xs = malloc(MAXP * sizeof *xs), *ys = malloc(MAXP * sizeof *ys);
    double *bx = malloc(MAXP * sizeof *bx), *by = malloc(MAXP * sizeof *by);

    /* master: the fade-in starts from silence at 0 (base), full in mid-session */
    size_t n = points(f, "stroke=\"#59606b\" stroke-width=\"1.4\"", xs, ys);
    assert_true(n > 20);
    double x0 = xs[0], base = ymax(ys, n), h = base - ymin(ys, n);
    assert_true(ys[0] == base);
    agree(f, xs, ys, n, x0, base, h, MASTER, 1.0);

    /* breath: the plain pattern spans the lane (empty lungs .. full) */
    size_t nb = points(f, "stroke=\"#b9d9cf\"", bx, by);
    base = ymax(by, nb);
    h = base - ymin(by, nb);
    n = points(f, "stroke=\"#1f6f58\" stroke-width=\"1.4\"", xs, ys);
    assert_true(n > 20);
    assert_true(fabs(ymin(ys, n) - (base - h)) < 0.11);   /* -22 dB is reached: the top */
    agree(f, xs, ys, n, x0, base, h, BREATH, rlx_db_to_lin(-22));

    /* ambient: the area starts on the lane's floor; -24 dB is its top */
    nb = points(f, "fill=\"#ecd9b4\"", bx, by);
    base = by[0];
    n = points(f, "stroke=\"#a0772e\"", xs, ys);
    h = base - ymin(ys, n);
    agree(f, xs, ys, n, x0, base, h, AMBIENT, rlx_db_to_lin(-24));
    free(xs);
    free(ys);
    free(bx);
    free(by);
}

/* The renderer's gains are the automation's (times the volume). */
static void renderer_uses_automation(void **state)
{
    fixture *f = *state;
    rlx_automation a;
    assert_int_equal(rlx_automation_build(f->s, rlx_renderer_timeline(f->r), &a), RLX_OK);
    for (int64_t t = 0; t < 30 * RATE; t += 997) {
        rlx_gains g = rlx_automation_gains(&a, t, NULL);
        double v, b, am, m;
        rlx_renderer_gains(f->r, t, &v, &b, &am, &m);
        assert_true(g.voice == v && g.breath == b && g.ambient == am && g.master == m);
    }
    /* a fade-in ramps with the smooth step, not a straight line */
    rlx_gains q = rlx_automation_gains(&a, RATE, NULL);   /* 1 s into a 4 s fade */
    assert_true(fabs(q.master - rlx_smoothstep(0.25)) < 1e-12);
    assert_true(fabs(rlx_automation_bus_max_db(&a, RLX_BUS_AMBIENT) - -24) < 1e-12);
    assert_true(fabs(rlx_automation_bus_max_db(&a, RLX_BUS_BREATH) - -22) < 1e-12);
    rlx_automation_free(&a);
}

/* A ramp that starts while the previous one moves continues from where it is. */
static void curves(void **state)
{
    (void)state;
    rlx_curve c = {.initial = -30};
    assert_true(rlx_curve_at(&c, 5) == -30);
    assert_int_equal(rlx_curve_push(&c, 100, 200, -20), RLX_OK);
    assert_true(rlx_curve_at(&c, 99) == -30);
    assert_true(rlx_curve_at(&c, 100) == -30);
    assert_true(fabs(rlx_curve_at(&c, 150) - -25) < 1e-12);
    assert_true(rlx_curve_at(&c, 200) == -20);
    assert_int_equal(rlx_curve_push(&c, 150, 250, -40), RLX_OK);   /* from -25, mid-ramp */
    assert_true(fabs(rlx_curve_at(&c, 150) - -25) < 1e-12);
    assert_true(fabs(rlx_curve_at(&c, 200) - -32.5) < 1e-12);
    assert_true(rlx_curve_at(&c, 1000) == -40);
    assert_int_equal(rlx_curve_push(&c, 300, 300, 0), RLX_OK);     /* a step: one frame */
    assert_true(rlx_curve_at(&c, 301) == 0);
    rlx_curve_free(&c);
    rlx_curve_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(drawing_equals_gains, setup, teardown),
        cmocka_unit_test_setup_teardown(renderer_uses_automation, setup, teardown),
        cmocka_unit_test(curves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
