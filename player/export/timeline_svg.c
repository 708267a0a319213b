/* timeline_svg.c - draws a resolved session as SVG (see timeline_svg.h). */
#include "export/timeline_svg.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "session/automation.h"

/* Layout, in px. Lanes are stacked top to bottom under the header. */
enum {
    LEFT = 118, RIGHT = 48, HEADER = 74, GAP = 12,
    MASTER_H = 46, VBAR_H = 14, VROW_H = 15, VROWS = 5, BREATH_H = 84, AMBIENT_H = 52,
    AXIS_H = 40
};
#define VOICE_H (VBAR_H + VROWS * VROW_H + 18)   /* + a row for silence labels */
#define CHAR_W 6.1          /* average advance of an 11 px sans-serif character */
#define SAMPLE_S 0.25       /* curves are sampled this often */
#define MAX_CAPTION_PX 420.0

typedef struct {
    FILE *f;
    const rlx_session *s;
    const rlx_timeline *t;
    double ppm;            /* px per minute */
    double width, height;
    double y_master, y_voice, y_breath, y_ambient, y_axis;
    rlx_automation a;      /* the gains, exactly as the renderer applies them */
} svg;

static double x_of(const svg *g, int64_t frame)
{
    return LEFT + (double)frame / g->t->rate / 60.0 * g->ppm;
}

static int64_t ms_of(const svg *g, int64_t frame)
{
    return (frame * 1000 + g->t->rate / 2) / g->t->rate;
}

/* ---- text -------------------------------------------------------------- */

/* Decodes one UTF-8 code point at s[i]; returns its length, *cp = 0xFFFD if invalid. */
static size_t utf8_next(const char *s, size_t i, size_t n, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s + i;
    size_t avail = n - i, len;
    uint32_t c, min;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    } else if (u[0] >= 0xC2 && u[0] < 0xE0) {
        len = 2, c = u[0] & 0x1F, min = 0x80;
    } else if (u[0] >= 0xE0 && u[0] < 0xF0) {
        len = 3, c = u[0] & 0x0F, min = 0x800;
    } else if (u[0] >= 0xF0 && u[0] < 0xF5) {
        len = 4, c = u[0] & 0x07, min = 0x10000;
    } else {
        *cp = 0xFFFD;
        return 1;
    }
    if (avail < len) {
        *cp = 0xFFFD;
        return 1;
    }
    for (size_t k = 1; k < len; k++) {
        if ((u[k] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        c = c << 6 | (u[k] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        c = 0xFFFD;
    *cp = c;
    return len;
}

void rlx_xml_escape(FILE *f, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = utf8_next(s, i, len, &cp);
        switch (cp) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        case '\t': case '\n': case '\r': fputc(' ', f); break;
        default:
            if (cp < 0x20 || cp == 0x7F || cp == 0xFFFE || cp == 0xFFFF)
                break;   /* not allowed in XML 1.0 */
            if (cp == 0xFFFD && !(k == 3 && (unsigned char)s[i] == 0xEF))
                fputs("\xEF\xBF\xBD", f);
            else
                fwrite(s + i, 1, k, f);
        }
        i += k;
    }
}

static void esc(FILE *f, const char *s)
{
    if (s)
        rlx_xml_escape(f, s, strlen(s));
}

static size_t rlx_utf8_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Escaped text cut to at most max_chars code points, with an ellipsis when cut. */
static void esc_fit(FILE *f, const char *s, double max_px)
{
    if (!s)
        return;
    long max_chars = (long)(max_px / CHAR_W);
    size_t n = strlen(s), i = 0;
    long count = 0;
    while (i < n) {
        uint32_t cp;
        i += utf8_next(s, i, n, &cp);
        count++;
    }
    if (count <= max_chars) {
        rlx_xml_escape(f, s, n);
        return;
    }
    if (max_chars < 2)
        return;
    i = 0;
    for (long c = 0; c < max_chars - 1 && i < n; c++) {
        uint32_t cp;
        i += utf8_next(s, i, n, &cp);
    }
    while (i > 0 && s[i - 1] == ' ')
        i--;
    rlx_xml_escape(f, s, i);
    fputs("\xE2\x80\xA6", f);   /* … */
}

static const char *fmt_clock(int64_t ms, bool millis, char *buf, size_t len)
{
    if (ms < 0)
        ms = 0;
    int64_t s = ms / 1000;
    if (s >= 3600)
        snprintf(buf, len, "%" PRId64 ":%02" PRId64 ":%02" PRId64, s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, len, "%" PRId64 ":%02" PRId64, s / 60, s % 60);
    if (millis) {
        size_t l = strlen(buf);
        snprintf(buf + l, len - l, ".%03" PRId64, ms % 1000);
    }
    return buf;
}

static const char *fmt_dur(int64_t ms, char *buf, size_t len)
{
    if (ms % 60000 == 0 && ms >= 60000)
        snprintf(buf, len, "%" PRId64 " min", ms / 60000);
    else if (ms % 1000 == 0)
        snprintf(buf, len, "%" PRId64 " s", ms / 1000);
    else if (ms >= 1000)
        snprintf(buf, len, "%.3g s", (double)ms / 1000.0);
    else
        snprintf(buf, len, "%" PRId64 " ms", ms);
    return buf;
}

static const char *base_name(const char *p)
{
    if (!p)
        return "";
    const char *b = strrchr(p, '/');
    return b ? b + 1 : p;
}

/* ---- curves ------------------------------------------------------------ */

/* Highest level a bus reaches (the top of its lane). */
static double bus_max(const svg *g, rlx_bus bus)
{
    return rlx_automation_bus_max_db(&g->a, bus);
}

/* Master gain from fades, 0..1. */
static double master_gain(const svg *g, int64_t frame)
{
    return rlx_curve_at(&g->a.fade, frame);
}

/* Writes the points of a polyline, dropping points on flat runs. */
typedef struct {
    FILE *f;
    double px, py;      /* last point written */
    double hx, hy;      /* held point not yet written */
    bool have_last, held;
} pts;

static void pts_add(pts *p, double x, double y)
{
    if (p->have_last && p->held && fabs(p->hy - p->py) < 0.05 && fabs(y - p->hy) < 0.05) {
        p->hx = x;   /* still flat: move the held point along */
        p->hy = y;
        return;
    }
    if (p->held) {
        fprintf(p->f, "%.1f,%.1f ", p->hx, p->hy);
        p->px = p->hx, p->py = p->hy;
        p->have_last = true;
    }
    p->hx = x, p->hy = y, p->held = true;
}

static void pts_end(pts *p)
{
    if (p->held)
        fprintf(p->f, "%.1f,%.1f", p->hx, p->hy);
}

/* An area under a curve, sampled every SAMPLE_S, y = base - v(frame) * h. */
typedef double (*curve_fn)(const svg *g, int64_t frame, void *state);

static void draw_curve(const svg *g, double base, double h, curve_fn fn, void *state,
                       const char *fill, const char *stroke)
{
    FILE *f = g->f;
    /* every SAMPLE_S, or every half pixel when that is coarser (long sessions) */
    double step_s = 30.0 / g->ppm > SAMPLE_S ? 30.0 / g->ppm : SAMPLE_S;
    int64_t step = (int64_t)(g->t->rate * step_s);
    if (step < 1)
        step = 1;
    if (fill) {
        fprintf(f, "<polygon fill=\"%s\" stroke=\"none\" points=\"%.1f,%.1f ", fill,
                x_of(g, 0), base);
        pts p = {.f = f};
        for (int64_t fr = 0;; fr += step) {
            if (fr > g->t->length)
                fr = g->t->length;
            pts_add(&p, x_of(g, fr), base - fn(g, fr, state) * h);
            if (fr == g->t->length)
                break;
        }
        pts_end(&p);
        fprintf(f, " %.1f,%.1f\"/>\n", x_of(g, g->t->length), base);
    }
    if (stroke) {
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.4\" points=\"", stroke);
        pts p = {.f = f};
        for (int64_t fr = 0;; fr += step) {
            if (fr > g->t->length)
                fr = g->t->length;
            pts_add(&p, x_of(g, fr), base - fn(g, fr, state) * h);
            if (fr == g->t->length)
                break;
        }
        pts_end(&p);
        fputs("\"/>\n", f);
    }
}

typedef struct {
    rlx_bus bus;
    double ref_db;         /* the top of the lane */
    bool ducked;           /* false: the level without the dips (tone off) */
    size_t hint;
} level_state;

/* Gain of a bus relative to its loudest level, ducked under the voice:
 * the renderer's gain (rlx_automation_gains) over the lane's top. */
static double level_curve(const svg *g, int64_t frame, void *st)
{
    level_state *ls = st;
    double gain;
    if (ls->ducked) {
        rlx_gains a = rlx_automation_gains(&g->a, frame, &ls->hint);
        gain = ls->bus == RLX_BUS_BREATH ? a.breath : a.ambient;
    } else {
        gain = rlx_db_to_lin(rlx_curve_at(ls->bus == RLX_BUS_BREATH ? &g->a.breath_db : &g->a.ambient_db,
                                          frame));
    }
    return gain / rlx_db_to_lin(ls->ref_db);
}

static double breath_curve(const svg *g, int64_t frame, void *st)
{
    size_t *hint = st;
    double v = rlx_timeline_breath_shape(g->t, frame, hint);
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

/* The breath wave under the ducked level envelope. */
typedef struct {
    level_state level;
    size_t hint;
} wave_state;

static double wave_curve(const svg *g, int64_t frame, void *st)
{
    wave_state *w = st;
    return breath_curve(g, frame, &w->hint) * level_curve(g, frame, &w->level);
}

static double master_curve(const svg *g, int64_t frame, void *st)
{
    (void)st;
    return master_gain(g, frame);
}

/* ---- pieces ------------------------------------------------------------ */

static void lane_bg(const svg *g, double y, double h)
{
    fprintf(g->f, "<rect class=\"lane\" x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>\n",
            LEFT, y, x_of(g, g->t->length) - LEFT, h);
}

static void lane_box(const svg *g, double y, double h, const char *name, const char *sub)
{
    FILE *f = g->f;
    (void)h;
    fprintf(f, "<text class=\"lane-name\" x=\"%d\" y=\"%.1f\">%s</text>\n", LEFT - 10, y + 16, name);
    if (sub && *sub) {
        fprintf(f, "<text class=\"lane-sub\" x=\"%d\" y=\"%.1f\">", LEFT - 10, y + 30);
        esc_fit(f, sub, LEFT - 16);
        fputs("</text>\n", f);
    }
}

static void draw_axis(const svg *g)
{
    FILE *f = g->f;
    static const int steps[] = {5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600};
    int step = steps[sizeof steps / sizeof steps[0] - 1];
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (steps[i] / 60.0 * g->ppm >= 56) {
            step = steps[i];
            break;
        }
    double top = g->y_master - 4, bottom = g->y_axis;
    double len_s = (double)g->t->length / g->t->rate;
    fputs("<g class=\"axis\">\n", f);
    /* minor gridlines halfway between labels */
    for (double sec = step / 2.0; sec < len_s; sec += step)
        fprintf(f, "<line class=\"grid-minor\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                LEFT + sec / 60 * g->ppm, top, LEFT + sec / 60 * g->ppm, bottom);
    for (int sec = 0; sec <= len_s + 1e-9; sec += step) {
        double x = LEFT + sec / 60.0 * g->ppm;
        char b[32];
        fprintf(f, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                x, top, x, bottom + 5);
        fprintf(f, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\">%s</text>\n", x, bottom + 18,
                fmt_clock((int64_t)sec * 1000, false, b, sizeof b));
    }
    fprintf(f, "<line class=\"axis-line\" x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
            LEFT, bottom, x_of(g, g->t->length), bottom);
    fprintf(f, "<text class=\"axis-title\" x=\"%d\" y=\"%.1f\">min:s</text>\n",
            LEFT - 22, bottom + 18);
    fputs("</g>\n", f);
}

static void draw_header(const svg *g)
{
    FILE *f = g->f;
    const rlx_session *s = g->s;
    const rlx_timeline *t = g->t;
    char a[32], b[32], c[32];
    fputs("<text class=\"title\" x=\"16\" y=\"28\">", f);
    esc(f, s->title ? s->title : s->id ? s->id : "(untitled)");
    fputs("</text>\n<text class=\"subtitle\" x=\"16\" y=\"50\">", f);
    if (s->id) {
        esc(f, s->id);
        fputs(" \xC2\xB7 ", f);
    }
    if (s->week > 0)
        fprintf(f, "week %d \xC2\xB7 ", s->week);
    fprintf(f, "length %s", fmt_clock(ms_of(g, t->length), false, a, sizeof a));
    if (t->longest_ms > t->natural_ms)
        fprintf(f, " (natural %s, longest %s)", fmt_clock(t->natural_ms, false, b, sizeof b),
                fmt_clock(t->longest_ms, false, c, sizeof c));
    fputs("</text>\n", f);
    /* legend */
    static const struct { const char *cls, *label; } legend[] = {
        {"say", "say"}, {"play", "recording"}, {"silence", "silence"},
        {"silence-stretch", "stretchable silence"}, {"chime", "chime"},
    };
    double x = 16;
    for (size_t i = 0; i < sizeof legend / sizeof legend[0]; i++) {
        fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"58\" width=\"12\" height=\"10\"/>"
                   "<text class=\"legend\" x=\"%.1f\" y=\"67\">%s</text>\n",
                legend[i].cls, x, x + 16, legend[i].label);
        x += 16 + strlen(legend[i].label) * CHAR_W + 18;
    }
}

static void draw_master(const svg *g)
{
    FILE *f = g->f;
    double y = g->y_master, h = MASTER_H;
    lane_box(g, y, h, "master", "fades, chimes");
    draw_curve(g, y + h - 3, h - 16, master_curve, NULL, "#d9dde3", "#59606b");
    for (size_t i = 0; i < g->t->ncues; i++) {
        const rlx_tl_cue *c = &g->t->cues[i];
        const rlx_cue *q = c->cue;
        char d[32], tm[32];
        double x = x_of(g, c->start);
        if (q->kind == RLX_CUE_FADE_IN || q->kind == RLX_CUE_FADE_OUT) {
            const char *name = q->kind == RLX_CUE_FADE_IN ? "fade-in" : "fade-out";
            fmt_dur(q->dur_ms, d, sizeof d);
            fprintf(f, "<g><title>%s %s %s</title>"
                       "<text class=\"cue-label\" x=\"%.1f\" y=\"%.1f\"%s>%s %s</text></g>\n",
                    fmt_clock(ms_of(g, c->start), true, tm, sizeof tm), name, d,
                    q->kind == RLX_CUE_FADE_IN ? x + 3 : x_of(g, c->start + rlx_ms_to_frames(q->dur_ms, g->t->rate)) - 3,
                    y + 11, q->kind == RLX_CUE_FADE_OUT ? " text-anchor=\"end\"" : "", name, d);
        } else if (q->kind == RLX_CUE_CHIME) {
            fprintf(f, "<g class=\"chime-mark\"><title>%s chime ",
                    fmt_clock(ms_of(g, c->start), true, tm, sizeof tm));
            esc(f, q->file ? q->file : "(default)");
            fprintf(f, "</title><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                       "<circle class=\"chime\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\"/>"
                       "<text class=\"cue-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">chime</text></g>\n",
                    x, y + 2, x, g->y_ambient + AMBIENT_H, x, y + 26, x - 8, y + 30);
        } else if (q->kind == RLX_CUE_END) {
            fprintf(f, "<line class=\"end\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                    x, y, x, g->y_ambient + AMBIENT_H);
        }
    }
}

static void draw_silences(const svg *g)
{
    FILE *f = g->f;
    const rlx_timeline *t = g->t;
    double y = g->y_voice;
    for (size_t i = 0; i < t->ncues; i++) {
        const rlx_tl_cue *c = &t->cues[i];
        const rlx_cue *q = c->cue;
        if (q->kind != RLX_CUE_SILENCE)
            continue;
        int64_t end = c->end > c->start ? c->end : c->start + rlx_ms_to_frames(q->dur_ms, t->rate);
        bool stretch = q->dur_max_ms > q->dur_ms;
        double x0 = x_of(g, c->start), x1 = x_of(g, end);
        char a[32], b[32], tm[32];
        fmt_dur(q->dur_ms, a, sizeof a);
        fmt_dur(q->dur_max_ms, b, sizeof b);
        fprintf(f, "<g><title>%s silence %s%s%s%s</title>", fmt_clock(ms_of(g, c->start), true, tm, sizeof tm),
                a, stretch ? " .. " : "", stretch ? b : "", stretch ? " (stretchable)" : "");
        fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/>",
                stretch ? "silence-stretch" : "silence", x0, g->y_master, x1 - x0 > 1 ? x1 - x0 : 1,
                g->y_ambient + AMBIENT_H - g->y_master);
        /* the label may run on past a short silence (its row is its own),
         * up to the next silence */
        double avail = x1 - x0 - 6 > 96 ? x1 - x0 - 6 : 96;
        for (size_t j = i + 1; j < t->ncues; j++)
            if (t->cues[j].cue->kind == RLX_CUE_SILENCE) {
                double room = x_of(g, t->cues[j].start) - x0 - 8;
                if (room < avail)
                    avail = room;
                break;
            }
        char label[96];
        if (stretch)
            snprintf(label, sizeof label, "%s \xE2\x86\x94 %s", a, b);
        else
            snprintf(label, sizeof label, "%s", a);
        if (rlx_utf8_width(label) * CHAR_W > avail && stretch)
            snprintf(label, sizeof label, "%s\xE2\x86\x94%s", a, b);   /* tighter */
        if (avail >= 3 * CHAR_W) {
            fprintf(f, "<text class=\"silence-label\" x=\"%.1f\" y=\"%.1f\">", x0 + 3,
                    y + VOICE_H - 5);
            esc_fit(f, label, avail);
            fputs("</text>", f);
        }
        fputs("</g>\n", f);
    }

}

static void draw_voice(const svg *g)
{
    FILE *f = g->f;
    const rlx_timeline *t = g->t;
    double y = g->y_voice;
    char sub[64];
    snprintf(sub, sizeof sub, "%s", g->s->tts_voice ? g->s->tts_voice : "");
    lane_box(g, y, VOICE_H, "voice", sub[0] ? sub : NULL);

    /* voice blocks: a bar on top, captions staggered over VROWS rows below
     * so each may run on until the voice cue VROWS places later starts */
    size_t nv = 0;
    for (size_t i = 0; i < t->ncues; i++)
        nv += rlx_cue_is_voice(t->cues[i].cue);
    size_t k = 0;
    for (size_t i = 0; i < t->ncues; i++) {
        const rlx_tl_cue *c = &t->cues[i];
        const rlx_cue *q = c->cue;
        if (q->kind == RLX_CUE_LEVEL && q->bus == RLX_BUS_VOICE) {
            char tm[32];
            double x = x_of(g, c->start);
            fprintf(f, "<g><title>%s level voice %.1f LUFS</title><path class=\"level-mark\" "
                       "d=\"M%.1f,%.1f l4,-6 h-8 z\"/></g>\n",
                    fmt_clock(ms_of(g, c->start), true, tm, sizeof tm), q->value, x, y + VBAR_H + 1);
            continue;
        }
        if (!rlx_cue_is_voice(q))
            continue;
        size_t row = k % VROWS;
        /* the cue VROWS voice cues later shares this row */
        double limit = x_of(g, t->length) + RIGHT - 4;
        size_t seen = 0;
        for (size_t j = i + 1; j < t->ncues; j++)
            if (rlx_cue_is_voice(t->cues[j].cue) && ++seen == VROWS) {
                limit = x_of(g, t->cues[j].start) - 6;
                break;
            }
        double x0 = x_of(g, c->start), x1 = x_of(g, c->end > c->start ? c->end : c->start);
        double ty = y + VBAR_H + (row + 1) * VROW_H;
        const char *cls = q->kind == RLX_CUE_SAY && !q->path ? "say" : "play";
        char a[32], b[32];
        fputs("<g class=\"voice-cue\"><title>", f);
        fprintf(f, "%s\xE2\x80\x93%s %s: ", fmt_clock(ms_of(g, c->start), true, a, sizeof a),
                fmt_clock(ms_of(g, c->end), true, b, sizeof b), rlx_cue_kind_name(q->kind));
        if (q->text)
            esc(f, q->text);
        if (q->file) {
            fputs(q->text ? " [" : "", f);
            esc(f, q->file);
            fputs(q->text ? "]" : "", f);
        }
        fputs("</title>", f);
        fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" rx=\"2\"/>",
                cls, x0, y + 2, x1 - x0 > 2 ? x1 - x0 : 2, VBAR_H - 3);
        fprintf(f, "<line class=\"tick-voice\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                x0 + 0.5, y + VBAR_H - 1, x0 + 0.5, ty - 2);
        double avail = limit - x0 - 4;
        if (avail > MAX_CAPTION_PX)
            avail = MAX_CAPTION_PX;
        fprintf(f, "<text class=\"caption\" x=\"%.1f\" y=\"%.1f\">", x0 + 3, ty - 3);
        esc_fit(f, q->text ? q->text : base_name(q->file), avail);
        fputs("</text></g>\n", f);
        k++;
    }
    (void)nv;
}

static void draw_breath(const svg *g)
{
    FILE *f = g->f;
    const rlx_session *s = g->s;
    double y = g->y_breath, h = BREATH_H;
    char sub[96];
    snprintf(sub, sizeof sub, "%.0f Hz +%.3g st", s->breath_pitch_hz, s->breath_glide_st);
    lane_box(g, y, h, "breath", sub);
    char lv[64];
    if (s->breath_enabled)
        snprintf(lv, sizeof lv, "%.3g dB, duck %.3g dB", s->breath_level_db, s->breath_duck_db);
    else
        snprintf(lv, sizeof lv, "tone off");
    fprintf(f, "<text class=\"lane-sub\" x=\"%d\" y=\"%.1f\">%s</text>\n", LEFT - 10, y + 44, lv);

    wave_state w = {.level = {.bus = RLX_BUS_BREATH, .ref_db = bus_max(g, RLX_BUS_BREATH),
                              .ducked = s->breath_enabled}};
    size_t hint = 0;
    double base = y + h - 4, amp = h - 24;
    /* the pattern itself, faint, and under it the tone as heard (ducked) */
    draw_curve(g, base, amp, breath_curve, &hint, NULL, "#b9d9cf");
    if (s->breath_enabled) {
        draw_curve(g, base, amp, wave_curve, &w, "#8fcab7", NULL);
        level_state ls = w.level;
        ls.hint = 0;
        draw_curve(g, base, amp, level_curve, &ls, NULL, "#1f6f58");
    }
    for (size_t i = 0; i < g->t->ncues; i++) {
        const rlx_tl_cue *c = &g->t->cues[i];
        const rlx_cue *q = c->cue;
        double x = x_of(g, c->start);
        char tm[32];
        if (q->kind == RLX_CUE_BREATH) {
            fprintf(f, "<g><title>%s breath %g %g %g %g</title>"
                       "<line class=\"breath-mark\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                       "<text class=\"cue-label\" x=\"%.1f\" y=\"%.1f\">%g-%g-%g-%g</text></g>\n",
                    fmt_clock(ms_of(g, c->start), true, tm, sizeof tm),
                    q->pattern.inhale_ms / 1000.0, q->pattern.hold_in_ms / 1000.0,
                    q->pattern.exhale_ms / 1000.0, q->pattern.hold_out_ms / 1000.0,
                    x, y, x, y + h, x + 3, y + 11,
                    q->pattern.inhale_ms / 1000.0, q->pattern.hold_in_ms / 1000.0,
                    q->pattern.exhale_ms / 1000.0, q->pattern.hold_out_ms / 1000.0);
        } else if (q->kind == RLX_CUE_BREATH_SYNC) {
            fprintf(f, "<g><title>%s breath sync</title>"
                       "<line class=\"sync-mark\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                       "<text class=\"cue-label\" x=\"%.1f\" y=\"%.1f\">sync</text></g>\n",
                    fmt_clock(ms_of(g, c->start), true, tm, sizeof tm), x, y, x, y + h, x + 3, y + 21);
        } else if (q->kind == RLX_CUE_LEVEL && q->bus == RLX_BUS_BREATH) {
            fprintf(f, "<g><title>%s level breath %.1f dB</title>"
                       "<text class=\"cue-label\" x=\"%.1f\" y=\"%.1f\">%.3g dB</text></g>\n",
                    fmt_clock(ms_of(g, c->start), true, tm, sizeof tm), q->value, x + 3, y + 21,
                    q->value);
        }
    }
}

static void draw_ambient(const svg *g)
{
    FILE *f = g->f;
    const rlx_session *s = g->s;
    double y = g->y_ambient, h = AMBIENT_H;
    lane_box(g, y, h, "ambient", s->ambient_file ? base_name(s->ambient_file) : "none");
    if (!s->ambient_file)
        return;
    char lv[64];
    snprintf(lv, sizeof lv, "%.3g dB, duck %.3g dB", s->ambient_level_db, s->ambient_duck_db);
    fprintf(f, "<text class=\"lane-sub\" x=\"%d\" y=\"%.1f\">%s</text>\n", LEFT - 10, y + 44, lv);
    level_state ls = {.bus = RLX_BUS_AMBIENT, .ref_db = bus_max(g, RLX_BUS_AMBIENT), .ducked = true};
    draw_curve(g, y + h - 3, h - 12, level_curve, &ls, "#ecd9b4", NULL);
    ls.hint = 0;
    draw_curve(g, y + h - 3, h - 12, level_curve, &ls, NULL, "#a0772e");
    for (size_t i = 0; i < g->t->ncues; i++) {
        const rlx_tl_cue *c = &g->t->cues[i];
        const rlx_cue *q = c->cue;
        char tm[32];
        if (q->kind == RLX_CUE_LEVEL && q->bus == RLX_BUS_AMBIENT)
            fprintf(f, "<g><title>%s level ambient %.1f dB</title>"
                       "<text class=\"cue-label\" x=\"%.1f\" y=\"%.1f\">%.3g dB</text></g>\n",
                    fmt_clock(ms_of(g, c->start), true, tm, sizeof tm), q->value,
                    x_of(g, c->start) + 3, y + 11, q->value);
    }
}

static const char *STYLE =
    "<style>\n"
    "text{font-family:'DejaVu Sans',Verdana,sans-serif;font-size:11px;fill:#2b2f36}\n"
    ".title{font-size:19px;font-weight:bold}\n"
    ".subtitle{font-size:12px;fill:#5b6270}\n"
    ".legend{font-size:10px;fill:#5b6270}\n"
    ".lane{fill:#fbfbfc;stroke:#c9ced6;stroke-width:1}\n"
    ".lane-name{font-size:12px;font-weight:bold;text-anchor:end}\n"
    ".lane-sub{font-size:9.5px;fill:#6b7280;text-anchor:end}\n"
    ".grid{stroke:#c4c9d1;stroke-width:1}\n"
    ".grid-minor{stroke:#e3e6eb;stroke-width:1}\n"
    ".axis-line{stroke:#444;stroke-width:1}\n"
    ".tick{font-size:10.5px;text-anchor:middle;fill:#444}\n"
    ".axis-title{font-size:10px;text-anchor:end;fill:#6b7280}\n"
    ".say{fill:#4c7fd1}\n"
    ".play{fill:#8a63c9}\n"
    ".silence{fill:#9aa1ab;fill-opacity:0.16}\n"
    ".silence-stretch{fill:url(#hatch);stroke:#9aa1ab;stroke-opacity:0.5;stroke-dasharray:3 2}\n"
    ".silence-label{font-size:9.5px;fill:#5b6270;font-style:italic}\n"
    ".caption{font-size:11px}\n"
    ".tick-voice{stroke:#9bb3dc;stroke-width:1}\n"
    ".chime{fill:#e0a030;stroke:#8a5a10;stroke-width:1}\n"
    ".chime-mark line{stroke:#e0a030;stroke-width:1.2;stroke-dasharray:2 2}\n"
    ".end{stroke:#2b2f36;stroke-width:1.5}\n"
    ".cue-label{font-size:9.5px;fill:#444}\n"
    ".breath-mark{stroke:#1f6f58;stroke-width:1}\n"
    ".sync-mark{stroke:#1f6f58;stroke-width:1;stroke-dasharray:4 3}\n"
    ".level-mark{fill:#c0392b}\n"
    "</style>\n";

rlx_err rlx_timeline_svg_write(FILE *f, const rlx_session *s, const rlx_timeline *t,
                               const rlx_svg_config *cfg)
{
    if (!t || !s || t->rate <= 0)
        return RLX_ERR_USAGE;
    svg g = {.f = f, .s = s, .t = t};
    double len_min = (double)t->length / t->rate / 60.0;
    g.ppm = cfg && cfg->px_per_min > 0 ? cfg->px_per_min : 80;
    if (!(cfg && cfg->px_per_min > 0) && len_min > 0 && len_min * g.ppm < 900)
        g.ppm = 900 / len_min > 2400 ? 2400 : 900 / len_min;
    g.y_master = HEADER;
    g.y_voice = g.y_master + MASTER_H + GAP;
    g.y_breath = g.y_voice + VOICE_H + GAP;
    g.y_ambient = g.y_breath + BREATH_H + GAP;
    g.y_axis = g.y_ambient + AMBIENT_H + 6;
    g.height = g.y_axis + AXIS_H;
    g.width = x_of(&g, t->length) + RIGHT;
    if (g.width < 640)
        g.width = 640;

    rlx_err err = rlx_automation_build(s, t, &g.a);
    if (err != RLX_OK)
        return err;

    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\">\n<title>",
            g.width, g.height, g.width, g.height);
    esc(f, s->title ? s->title : s->id);
    fputs("</title>\n", f);
    fputs(STYLE, f);
    fputs("<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
          "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#9aa1ab\" "
          "fill-opacity=\"0.10\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#9aa1ab\" "
          "stroke-opacity=\"0.45\" stroke-width=\"1.5\"/></pattern></defs>\n", f);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
    draw_header(&g);
    lane_bg(&g, g.y_master, MASTER_H);
    lane_bg(&g, g.y_voice, VOICE_H);
    lane_bg(&g, g.y_breath, BREATH_H);
    lane_bg(&g, g.y_ambient, AMBIENT_H);
    draw_axis(&g);
    draw_silences(&g);
    draw_master(&g);
    draw_voice(&g);
    draw_breath(&g);
    draw_ambient(&g);
    fputs("</svg>\n", f);
    rlx_automation_free(&g.a);
    return fflush(f) != 0 || ferror(f) ? RLX_ERR_OUTPUT : RLX_OK;
}
