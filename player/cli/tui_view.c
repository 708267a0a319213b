/* tui_view.c - the full-screen player's frame as text (see tui_view.h).
 *
 * Top to bottom: the title line; in the middle the breathing guide (a disc
 * that grows on the inhale when there is room, else a bar) with its word,
 * and the caption wrapped under it (or the panel of keys); at the bottom
 * the remote's URL, the progress bar, the levels and one line of keys. The
 * middle gives way first: on a small terminal the guide becomes a bar and
 * the caption fewer lines; below RLX_TUI_MIN_COLS x RLX_TUI_MIN_ROWS the
 * frame is the one status line of tui.c. */
#include "tui_view.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tui.h"

#define CAPTION_MAX_COLS 72   /* a comfortable reading measure on wide terminals */
#define GUIDE_MAX_ROWS 11

/* ---- characters ----------------------------------------------------------- */

/* Length of the UTF-8 sequence starting at s; 0 if it is not a valid start
 * or is cut short. */
static size_t seq_len(const char *s)
{
    unsigned char c = (unsigned char)*s;
    size_t n = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
    for (size_t k = 1; k < n; k++)
        if (((unsigned char)s[k] & 0xc0) != 0x80)
            return 0;
    return n;
}

int rlx_tui_columns(const char *s)
{
    int n = 0;
    while (*s) {
        size_t k = seq_len(s);
        n += k ? rlx_tui_char_cols(s, k) : 1;
        s += k ? k : 1;
    }
    return n;
}

/* Clean text: no control bytes or broken sequences; white space becomes
 * single spaces (trimmed); with ascii, plain ASCII only. */
static void clean(const char *in, bool ascii, char *out, size_t len)
{
    size_t o = 0;
    bool space = true;   /* trims leading spaces */
    out[0] = 0;
    if (!in || !len)
        return;
    while (*in) {
        unsigned char c = (unsigned char)*in;
        size_t n = seq_len(in);
        if (n == 0) {
            in++;
            continue;
        }
        const char *put = in;
        size_t plen = n;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || (n == 2 && !memcmp(in, "\xc2\xa0", 2))) {
            in += n;
            if (!space && o + 2 < len) {
                out[o++] = ' ';
                space = true;
            }
            continue;
        }
        in += n;
        if (c < 0x20 || c == 0x7f)
            continue;
        if (ascii && n > 1) {
            put = rlx_tui_ascii_for(put, plen);
            plen = strlen(put);
        }
        if (o + plen + 1 > len)
            break;
        memcpy(out + o, put, plen);
        o += plen;
        space = false;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = 0;
}

/* ---- building a row ------------------------------------------------------- */

typedef struct {
    char *p;
    size_t used;
    int cols, max;
} row_buf;

static row_buf row_at(rlx_tui_frame *f, int r)
{
    f->text[r][0] = 0;
    return (row_buf){.p = f->text[r], .max = f->cols - 1};   /* the last column stays free */
}

/* Appends clean text, at most up to the width; never half a character. */
static void put(row_buf *b, const char *s)
{
    while (*s) {
        size_t n = seq_len(s);
        if (!n)
            return;
        int w = rlx_tui_char_cols(s, n);
        if (b->cols + w > b->max || (w == 0 && b->cols >= b->max) || b->used + n + 1 > RLX_TUI_LINE_BYTES)
            return;
        memcpy(b->p + b->used, s, n);
        b->used += n;
        b->p[b->used] = 0;
        b->cols += w;
        s += n;
    }
}

static void put_rep(row_buf *b, const char *s, int n)
{
    for (int i = 0; i < n; i++)
        put(b, s);
}

static void pad_to(row_buf *b, int col)
{
    while (b->cols < col && b->cols < b->max)
        put(b, " ");
}

/* Clean text cut to width columns, ending in an ellipsis when cut. */
static void fit(const char *s, int width, bool ascii, char *out, size_t len)
{
    if (rlx_tui_columns(s) <= width) {
        snprintf(out, len, "%s", s);
        return;
    }
    const char *ell = ascii ? "..." : "\xe2\x80\xa6";
    int keep = width - rlx_tui_columns(ell);
    size_t o = 0;
    for (int c = 0; *s;) {
        size_t n = seq_len(s);
        int w = n ? rlx_tui_char_cols(s, n) : 0;
        if (!n || c + w > keep || (w == 0 && c >= keep) || o + n + 1 >= len)
            break;
        memcpy(out + o, s, n);
        o += n;
        s += n;
        c += w;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    if (keep > 0 && o + strlen(ell) + 1 <= len) {
        memcpy(out + o, ell, strlen(ell));
        o += strlen(ell);
    }
    out[o] = 0;
}

/* ---- wrapping ------------------------------------------------------------- */

int rlx_tui_wrap(const char *text, int width, bool ascii, char (*lines)[RLX_TUI_LINE_BYTES], int max_lines)
{
    static char t[8192];
    clean(text, ascii, t, sizeof t);
    if (width < 1 || max_lines < 1 || !t[0])
        return 0;
    if (width > RLX_TUI_MAX_COLS)
        width = RLX_TUI_MAX_COLS;
    int n = 0;
    const char *s = t;
    while (*s) {
        if (n == max_lines) {
            /* more than fits: the last line says so */
            const char *ell = ascii ? "..." : "\xe2\x80\xa6";
            char tmp[RLX_TUI_LINE_BYTES];
            int el = rlx_tui_columns(ell);
            char *last = lines[n - 1];
            /* drop words from the end until the ellipsis fits */
            while (rlx_tui_columns(last) + el > width) {
                char *sp = strrchr(last, ' ');
                if (sp)
                    *sp = 0;
                else {
                    fit(last, width, ascii, tmp, sizeof tmp);
                    snprintf(last, RLX_TUI_LINE_BYTES, "%s", tmp);
                    return n;
                }
            }
            strncat(last, ell, RLX_TUI_LINE_BYTES - strlen(last) - 1);
            return n;
        }
        /* the longest run of whole words that fits */
        const char *p = s, *brk = NULL;
        int cols = 0;
        while (*p) {
            size_t k = seq_len(p);
            int w = k ? rlx_tui_char_cols(p, k) : 1;
            if (cols + w > width && p > s)
                break;   /* (a first character wider than the line still goes: progress) */
            if (*p == ' ')
                brk = p;
            p += k ? k : 1;
            cols += w;
        }
        const char *end;
        if (!*p || *p == ' ')
            end = p;                       /* the text, or a word, ends right at the width */
        else if (brk)
            end = brk;                     /* break at the last space */
        else
            end = p;                       /* one word longer than the line: split it */
        size_t len = (size_t)(end - s);
        if (len >= RLX_TUI_LINE_BYTES)
            len = RLX_TUI_LINE_BYTES - 1;
        memcpy(lines[n], s, len);
        lines[n][len] = 0;
        n++;
        s = end;
        while (*s == ' ')
            s++;
    }
    return n;
}

/* ---- the parts ------------------------------------------------------------ */

static const char *pick(bool ascii, const char *utf8, const char *plain)
{
    return ascii ? plain : utf8;
}

static void fmt_db(double db, char *buf, size_t len, bool sign)
{
    double r = round(db);
    if (r == 0)
        r = 0;   /* no "-0" */
    snprintf(buf, len, sign ? "%+.0f dB" : "%.0f dB", r);
}

static int level_cells(double db, double lo, double hi, int cells)
{
    double f = (db - lo) / (hi - lo);
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    return (int)lround(f * cells);
}

static void title_row(const rlx_tui_view *v, rlx_tui_frame *f, int r, int m)
{
    char title[1024], name[512], state[64];
    clean(v->title, v->ascii, name, sizeof name);
    const char *dot = pick(v->ascii, " \xc2\xb7 ", " - ");
    if (v->week > 0)
        snprintf(title, sizeof title, "%s%sweek %d", name, dot, v->week);
    else
        snprintf(title, sizeof title, "%s", name);
    state[0] = 0;
    if (v->stopping)
        snprintf(state, sizeof state, "fading out");
    else if (v->paused)
        snprintf(state, sizeof state, "%s paused", pick(v->ascii, "\xe2\x80\x96", "||"));
    int w = f->cols - 2 * m;
    int sw = state[0] ? rlx_tui_columns(state) + 2 : 0;
    char shown[1024];
    fit(title, w - sw > 4 ? w - sw : w, v->ascii, shown, sizeof shown);
    row_buf b = row_at(f, r);
    pad_to(&b, m);
    put(&b, shown);
    if (state[0] && w - sw > 4) {
        pad_to(&b, f->cols - m - rlx_tui_columns(state));
        put(&b, state);
    }
    f->style[r] = RLX_TUI_TITLE;
}

static void progress_row(const rlx_tui_view *v, rlx_tui_frame *f, int r, int m)
{
    char t1[32], t2[32], left[48], right[48];
    int64_t len = v->length_ms > 0 ? v->length_ms : 0;
    int64_t pos = v->pos_ms < 0 ? 0 : v->pos_ms > len ? len : v->pos_ms;
    rlx_cli_fmt_time(pos, t1, sizeof t1);
    rlx_cli_fmt_time(len - pos, t2, sizeof t2);
    int w = f->cols - 2 * m;
    snprintf(left, sizeof left, "%s ", t1);
    snprintf(right, sizeof right, " %s left", t2);
    if (w - rlx_tui_columns(left) - rlx_tui_columns(right) < 10)
        snprintf(right, sizeof right, " -%s", t2);
    int bar = w - rlx_tui_columns(left) - rlx_tui_columns(right);
    row_buf b = row_at(f, r);
    pad_to(&b, m);
    put(&b, left);
    if (bar >= 5) {
        int filled = len > 0 ? (int)((double)pos / (double)len * bar + 0.5) : 0;
        for (int i = 0; i < bar; i++) {
            bool tick = false;
            for (size_t k = 0; k < v->nticks && !tick; k++)
                tick = len > 0 && v->ticks_ms[k] >= 0 && v->ticks_ms[k] < len &&
                       (int)((double)v->ticks_ms[k] / (double)len * bar) == i;
            const char *c = i < filled ? (tick ? pick(v->ascii, "\xe2\x95\x8b", "+") : pick(v->ascii, "\xe2\x94\x81", "="))
                                       : (tick ? pick(v->ascii, "\xe2\x94\xbc", "+") : pick(v->ascii, "\xe2\x94\x80", "-"));
            put(&b, c);
        }
        put(&b, right);
    } else {
        char tmp[64];
        snprintf(tmp, sizeof tmp, "/ %s", rlx_cli_fmt_time(len, t2, sizeof t2));
        put(&b, tmp);
    }
    f->style[r] = RLX_TUI_PLAIN;
}

static void levels_row(const rlx_tui_view *v, rlx_tui_frame *f, int r, int m)
{
    char vol[32], bg[32];
    fmt_db(v->volume_db, vol, sizeof vol, false);
    fmt_db(v->background_db, bg, sizeof bg, true);
    int w = f->cols - 2 * m;
    /* the widest form that fits: "volume -6 dB ##########   background +0 dB ##########" */
    static const struct { bool full; int cells; } forms[] = {{true, 10}, {true, 5}, {false, 10}, {false, 5}, {false, 0}};
    bool full = false, fits = false;
    int cells = 0;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0] && !fits; i++) {
        int need = (forms[i].full ? 13 + 17 + 3 : 10 + 9 + 2) + 2 * forms[i].cells +
                   (int)strlen(vol) - 5 + (int)strlen(bg) - 5;
        full = forms[i].full;
        cells = forms[i].cells;
        fits = need <= w;
    }
    const char *on = pick(v->ascii, "\xe2\x96\xae", "#"), *off = pick(v->ascii, "\xe2\x96\xaf", ".");
    row_buf b = row_at(f, r);
    pad_to(&b, m);
    char tmp[64];
    snprintf(tmp, sizeof tmp, full ? "volume %s " : "vol %s ", vol);
    put(&b, tmp);
    int n = level_cells(v->volume_db, -40, 0, cells);
    put_rep(&b, on, n);
    put_rep(&b, off, cells - n);
    if (!fits) {   /* room for one: the volume */
        f->style[r] = RLX_TUI_DIM;
        return;
    }
    snprintf(tmp, sizeof tmp, full ? "   background %s " : "  bg %s ", bg);
    put(&b, tmp);
    n = level_cells(v->background_db, -20, 10, cells);
    put_rep(&b, on, n);
    put_rep(&b, off, cells - n);
    f->style[r] = RLX_TUI_DIM;
}

static void keys_row(const rlx_tui_view *v, rlx_tui_frame *f, int r, int m)
{
    int w = f->cols - 2 * m;
    char shown[512];
    row_buf b = row_at(f, r);
    pad_to(&b, m);
    if (v->note && *v->note) {
        char note[256];
        clean(v->note, v->ascii, note, sizeof note);
        fit(note, w, v->ascii, shown, sizeof shown);
        put(&b, shown);
        f->style[r] = RLX_TUI_PLAIN;
        return;
    }
    const char *forms[] = {
        v->ascii ? "space pause . <- -> seek . n/p line . +/- volume . [ ] background . > < length . ? keys . q stop"
                 : "space pause \xc2\xb7 \xe2\x86\x90\xe2\x86\x92 seek \xc2\xb7 n/p line \xc2\xb7 +/- volume \xc2\xb7 "
                   "[ ] background \xc2\xb7 > < length \xc2\xb7 ? keys \xc2\xb7 q stop",
        v->ascii ? "space pause . <- -> seek . +/- volume . ? keys . q stop"
                 : "space pause \xc2\xb7 \xe2\x86\x90\xe2\x86\x92 seek \xc2\xb7 +/- volume \xc2\xb7 ? keys \xc2\xb7 q stop",
        v->ascii ? "space pause . ? keys . q stop" : "space pause \xc2\xb7 ? keys \xc2\xb7 q stop",
        v->ascii ? "? keys . q stop" : "? keys \xc2\xb7 q stop",
    };
    const char *k = forms[3];
    for (size_t i = 0; i < 4; i++)
        if (rlx_tui_columns(forms[i]) <= w) {
            k = forms[i];
            break;
        }
    if (v->help && rlx_tui_columns("? hides the keys") <= w)
        k = "? hides the keys";
    fit(k, w, v->ascii, shown, sizeof shown);
    put(&b, shown);
    f->style[r] = RLX_TUI_DIM;
}

static const char *guide_word(const rlx_tui_view *v)
{
    if (v->stopping)
        return "fading out";
    if (v->paused)
        return "paused - space resumes";
    if (v->breath < 0)
        return "";
    return v->breath_dir > 0 ? "breathe in" : v->breath_dir < 0 ? "breathe out" : "hold";
}

/* ---- the middle: lines of a column, centred in its width ------------------- */

typedef struct {
    char text[RLX_TUI_LINE_BYTES];
    unsigned char style;
} mid_line;

static void center_into(row_buf *b, int x0, int w, const char *s)
{
    if (!*s)
        return;
    int c = rlx_tui_columns(s);
    pad_to(b, x0 + (c < w ? (w - c) / 2 : 0));
    put(b, s);
}

/* The disc: h rows; its size follows the breath. */
static int disc_lines(const rlx_tui_view *v, int h, int w, mid_line *out)
{
    double scale = 0.3 + 0.7 * (v->breath < 0 ? 0.5 : v->breath > 1 ? 1 : v->breath);
    double ry = h / 2.0, rx = ry * 2.0;   /* a cell is about twice as tall as it is wide */
    if (rx > w / 2.0 - 1)
        rx = w / 2.0 - 1;
    const char *fill = pick(v->ascii, "\xe2\x96\x91", ":");   /* light shade */
    for (int y = 0; y < h; y++) {
        double dy = (y + 0.5 - ry) / (ry * scale);
        row_buf b = {.p = out[y].text, .max = RLX_TUI_MAX_COLS};
        out[y].text[0] = 0;
        out[y].style = RLX_TUI_GUIDE;
        if (fabs(dy) >= 1)
            continue;
        int half = (int)lround(rx * scale * sqrt(1 - dy * dy));
        put_rep(&b, fill, 2 * half + 1);
    }
    return h;
}

static void bar_line(const rlx_tui_view *v, int w, mid_line *out)
{
    int bw = w < 40 ? w : 40;
    double br = v->breath < 0 ? 0.5 : v->breath > 1 ? 1 : v->breath;
    int n = 1 + (int)lround(br * (bw - 1));
    row_buf b = {.p = out->text, .max = RLX_TUI_MAX_COLS};
    out->text[0] = 0;
    put_rep(&b, pick(v->ascii, "\xe2\x94\x81", "="), n);
    out->style = RLX_TUI_GUIDE;
}

static const char *const help_keys[][2] = {
    {"space", "pause / resume"},
    {"\xe2\x86\x90 \xe2\x86\x92", "back / forward 15 s"},
    {"n  p", "next / previous spoken line"},
    {"+  -", "volume up / down"},
    {"[  ]", "background quieter / louder"},
    {">  <", "five minutes longer / shorter"},
    {"?", "show / hide the keys"},
    {"q", "fade out and stop (Ctrl-C too)"},
};
#define NHELP (sizeof help_keys / sizeof help_keys[0])

static int help_lines(const rlx_tui_view *v, int w, mid_line *out, int max)
{
    int n = 0;
    if (n < max) {
        snprintf(out[n].text, RLX_TUI_LINE_BYTES, "Keys");
        out[n++].style = RLX_TUI_TITLE;
    }
    if (n < max && max > (int)NHELP + 1) {
        out[n].text[0] = 0;
        out[n++].style = RLX_TUI_PLAIN;
    }
    /* a block of the same width for every line, so the keys line up */
    for (size_t i = 0; i < NHELP && n < max; i++) {
        char line[256], shown[RLX_TUI_LINE_BYTES];
        const char *key = v->ascii && i == 1 ? "<- ->" : help_keys[i][0];
        int kc = rlx_tui_columns(key);
        snprintf(line, sizeof line, "%s%*s%s", key, 8 - kc, "", help_keys[i][1]);
        int bw = 8 + 31;
        char padded[300];
        snprintf(padded, sizeof padded, "%-*s", bw + (int)(strlen(line) - (size_t)rlx_tui_columns(line)), line);
        fit(padded, w, v->ascii, shown, sizeof shown);
        snprintf(out[n].text, RLX_TUI_LINE_BYTES, "%s", shown);
        out[n++].style = RLX_TUI_PLAIN;
    }
    return n;
}

/* ---- the frame ------------------------------------------------------------ */

static void status_frame(const rlx_tui_view *v, rlx_tui_frame *f)
{
    f->status_line = true;
    rlx_tui_state st = {
        .title = v->title, .pos_ms = v->pos_ms, .total_ms = v->length_ms, .paused = v->paused,
        .caption = v->caption, .breath = v->breath, .breath_dir = v->breath_dir,
        .volume_db = v->volume_db, .background_db = v->background_db, .note = v->note, .ascii = v->ascii,
    };
    /* rlx_tui_format keeps the last column free, as every row here does:
     * a character there could scroll the screen on some terminals */
    rlx_tui_format(&st, f->cols, f->text[0], RLX_TUI_LINE_BYTES);
    f->style[0] = RLX_TUI_PLAIN;
}

void rlx_tui_layout(const rlx_tui_view *v, int cols, int rows, rlx_tui_frame *f)
{
    cols = cols < 1 ? 1 : cols > RLX_TUI_MAX_COLS ? RLX_TUI_MAX_COLS : cols;
    rows = rows < 1 ? 1 : rows > RLX_TUI_MAX_ROWS ? RLX_TUI_MAX_ROWS : rows;
    f->cols = cols;
    f->rows = rows;
    f->status_line = false;
    for (int r = 0; r < rows; r++) {
        f->text[r][0] = 0;
        f->style[r] = f->style2[r] = RLX_TUI_PLAIN;
        f->split[r] = 0;
    }
    if (cols < RLX_TUI_MIN_COLS || rows < RLX_TUI_MIN_ROWS) {
        status_frame(v, f);
        return;
    }
    int m = cols >= 60 ? 2 : 1;
    int w = cols - 2 * m;

    /* bottom up: keys, levels, progress, (a space), the remote's URL */
    int bottom = rows;
    keys_row(v, f, --bottom, m);
    levels_row(v, f, --bottom, m);
    progress_row(v, f, --bottom, m);
    if (rows >= 16)
        bottom--;   /* air above the progress bar */
    if (v->remote_url && *v->remote_url && rows >= 9) {
        /* a URL cut short is no use: it takes the rows it needs (it has no
         * spaces to wrap at), at most three */
        char url[600], line[700];
        clean(v->remote_url, true, url, sizeof url);
        snprintf(line, sizeof line, "remote %s", url);
        int need = (rlx_tui_columns(line) + w - 1) / w;
        if (need > 1) {
            snprintf(line, sizeof line, "%s", url);
            need = (rlx_tui_columns(line) + w - 1) / w;
        }
        if (need <= 3 && rows - need >= 10) {
            bottom -= need;
            for (int i = 0; i < need; i++) {
                row_buf b = row_at(f, bottom + i);
                pad_to(&b, m);
                put(&b, line + (size_t)i * (size_t)w);   /* ASCII: a byte is a column */
                f->style[bottom + i] = RLX_TUI_DIM;
            }
        }
    }
    title_row(v, f, 0, m);
    int top = rows >= 10 ? 2 : 1;   /* a blank row under the title when there is room */
    int mh = bottom - top;           /* rows for the middle */
    if (mh <= 0)
        return;

    /* the QR code beside the middle when both fit */
    int qw = 0, qh = 0;
    const char *qr = v->remote_url && *v->remote_url ? v->remote_qr : NULL;
    if (qr) {
        for (const char *p = qr; *p;) {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) : strlen(p);
            char tmp[RLX_TUI_LINE_BYTES];
            snprintf(tmp, sizeof tmp, "%.*s", (int)(n < sizeof tmp - 1 ? n : sizeof tmp - 1), p);
            int c = rlx_tui_columns(tmp);
            qw = c > qw ? c : qw;
            qh++;
            p = nl ? nl + 1 : p + n;
        }
        if (qh > mh || w - qw - 2 < 40)
            qr = NULL;
    }
    int cw = qr ? w - qw - 2 : w;   /* the middle column's width */

    static mid_line mid[RLX_TUI_MAX_ROWS];
    int n = 0;
    if (v->help) {
        n = help_lines(v, cw, mid, mh);
    } else {
        /* the caption takes up to 4 lines (fewer on small terminals), the guide the rest */
        static char cap[RLX_TUI_MAX_ROWS][RLX_TUI_LINE_BYTES];
        int capw = cw < CAPTION_MAX_COLS ? cw : CAPTION_MAX_COLS;
        int capmax = mh >= 12 ? 4 : mh >= 6 ? 3 : mh >= 3 ? 2 : 1;
        int nc = rlx_tui_wrap(v->caption, capw, v->ascii, cap, capmax);
        int guide_rows = mh - nc - (nc > 0) - 1;   /* a space before the caption; the word */
        if (guide_rows >= 5) {
            int h = guide_rows - 2 < GUIDE_MAX_ROWS ? guide_rows - 2 : GUIDE_MAX_ROWS;
            if (h % 2 == 0)
                h--;
            if (h < 3) {
                bar_line(v, cw, &mid[n++]);
            } else {
                n += disc_lines(v, h, cw, mid + n);
            }
            mid[n].text[0] = 0;
            mid[n++].style = RLX_TUI_PLAIN;
        } else if (guide_rows >= 1) {
            bar_line(v, cw, &mid[n++]);
        } else {
            nc = mh - 1 > 0 ? (nc < mh - 1 ? nc : mh - 1) : 0;
        }
        if (n < mh) {
            snprintf(mid[n].text, RLX_TUI_LINE_BYTES, "%s", guide_word(v));
            mid[n++].style = RLX_TUI_DIM;
        }
        if (nc > 0 && n + 1 + nc <= mh) {
            mid[n].text[0] = 0;
            mid[n++].style = RLX_TUI_PLAIN;
        }
        for (int i = 0; i < nc && n < mh; i++) {
            memcpy(mid[n].text, cap[i], strlen(cap[i]) + 1);
            mid[n++].style = RLX_TUI_PLAIN;
        }
    }
    /* centred vertically in the middle rows, and horizontally in its column */
    int y0 = top + (mh - n) / 2;
    for (int i = 0; i < n; i++) {
        int r = y0 + i;
        row_buf b = row_at(f, r);
        center_into(&b, m, cw, mid[i].text);
        f->style[r] = mid[i].style;
    }
    if (qr) {
        int qy = top + (mh - qh) / 2, r = qy;
        for (const char *p = qr; *p && r < top + mh; r++) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            char tmp[RLX_TUI_LINE_BYTES];
            snprintf(tmp, sizeof tmp, "%.*s", (int)(len < sizeof tmp - 1 ? len : sizeof tmp - 1), p);
            row_buf b = {.p = f->text[r], .used = strlen(f->text[r]), .cols = rlx_tui_columns(f->text[r]),
                         .max = cols - 1};
            pad_to(&b, m + cw + 2);
            f->split[r] = (unsigned short)b.used;
            f->style2[r] = RLX_TUI_PLAIN;
            put(&b, tmp);
            p = nl ? nl + 1 : p + len;
        }
    }
}
