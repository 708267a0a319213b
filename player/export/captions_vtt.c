/* captions_vtt.c - WebVTT captions from a resolved timeline. */
#include "export/captions_vtt.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Length in bytes of the UTF-8 sequence starting at s[i] (1 for stray bytes). */
static size_t cp_len(const char *s, size_t i, size_t n)
{
    unsigned char c = (unsigned char)s[i];
    size_t want = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    size_t k = 1;
    while (k < want && i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80)
        k++;
    return k;
}

size_t rlx_wrap_text(const char *text, size_t width, size_t *starts, size_t *lens, size_t max)
{
    if (!text || width == 0)
        return 0;
    size_t n = strlen(text), i = 0, lines = 0;
    for (;;) {
        while (i < n && is_space((unsigned char)text[i]))
            i++;
        if (i >= n)
            break;
        size_t line_start = i, line_end = i, line_cp = 0;
        for (;;) {
            size_t ws = i, cp = 0, cut = i;
            while (i < n && !is_space((unsigned char)text[i])) {
                i += cp_len(text, i, n);
                if (++cp == width)
                    cut = i;
            }
            if (line_cp == 0) {
                if (cp > width) {   /* a word longer than a line: cut it */
                    line_end = i = cut;
                    break;
                }
                line_cp = cp;
                line_end = i;
            } else if (line_cp + 1 + cp <= width) {
                line_cp += 1 + cp;
                line_end = i;
            } else {
                i = ws;             /* the word starts the next line */
                break;
            }
            size_t save = i;
            while (i < n && is_space((unsigned char)text[i]))
                i++;
            if (i >= n) {
                i = save;
                break;
            }
        }
        if (lines < max) {
            starts[lines] = line_start;
            lens[lines] = line_end - line_start;
        }
        lines++;
    }
    return lines;
}

const char *rlx_vtt_timestamp(int64_t ms, char *buf, size_t len)
{
    if (ms < 0)
        ms = 0;
    snprintf(buf, len, "%02" PRId64 ":%02" PRId64 ":%02" PRId64 ".%03" PRId64,
             ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
    return buf;
}

static int64_t frames_to_ms(int64_t frames, int rate)
{
    return rate > 0 ? (frames * 1000 + rate / 2) / rate : 0;
}

/* Caption text of a timeline cue, or NULL when it has none. */
static const char *caption_of(const rlx_tl_cue *c)
{
    if (!c->cue)
        return NULL;
    if (c->cue->kind != RLX_CUE_SAY && c->cue->kind != RLX_CUE_PLAY)
        return NULL;
    const char *t = c->cue->text;
    if (!t)
        return NULL;
    for (const char *p = t; *p; p++)
        if (!is_space((unsigned char)*p))
            return t;
    return NULL;   /* blank */
}

/* Writes text[0..len) with XML-ish escapes WebVTT requires; whitespace becomes spaces. */
static void put_escaped(FILE *f, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '&')
            fputs("&amp;", f);
        else if (c == '<')
            fputs("&lt;", f);
        else if (c == '>')
            fputs("&gt;", f);
        else if (is_space(c))
            fputc(' ', f);
        else if (c < 0x20 || c == 0x7f)
            continue;
        else
            fputc(c, f);
    }
}

static size_t count_cp(const char *s, size_t len)
{
    size_t k = 0;
    for (size_t i = 0; i < len; i++)
        k += ((unsigned char)s[i] & 0xC0) != 0x80;
    return k;
}

/* Lines text[a..b) needs when wrapped. */
static size_t lines_of(const char *text, size_t a, size_t b)
{
    char *p = strndup(text + a, b - a);
    if (!p)
        return 1;
    size_t st, ln;
    size_t n = rlx_wrap_text(p, RLX_VTT_LINE_CHARS, &st, &ln, 1);
    free(p);
    return n;
}

static size_t skip_space(const char *t, size_t i)
{
    while (t[i] && is_space((unsigned char)t[i]))
        i++;
    return i;
}

/* Where a sentence ends after i: just past [.!?] and closing quotes that
 * are followed by a space or the end of the text. */
static size_t sentence_end(const char *t, size_t i)
{
    for (; t[i]; i++)
        if (t[i] == '.' || t[i] == '!' || t[i] == '?') {
            size_t e = i + 1;
            while (t[e] == '"' || t[e] == '\'' || t[e] == ')')
                e++;
            if (!t[e] || is_space((unsigned char)t[e]))
                return e;
        }
    return i;
}

/* Splits text into caption ranges [sa[k], sb[k]) of at most two wrapped
 * lines: as many whole sentences as fit; a sentence too long for two lines
 * is cut between words into nearly equal parts. Returns the count. */
static size_t split_cues(const char *text, size_t *sa, size_t *sb, size_t max)
{
    size_t n = 0, pos = skip_space(text, 0);
    while (text[pos] && n < max) {
        size_t best = 0, e = pos;
        for (;;) {
            size_t next = sentence_end(text, e);
            if (next == e || lines_of(text, pos, next) > 2)
                break;
            best = next;
            e = next;
            if (!text[e])
                break;
        }
        if (!best) {
            /* the first sentence alone is too long: about 1/k of it, k = parts needed */
            size_t se = sentence_end(text, pos);
            size_t k = (lines_of(text, pos, se) + 1) / 2;
            size_t target = count_cp(text + pos, se - pos) / (k ? k : 1);
            size_t cut = pos, i = pos;
            while (i < se) {
                while (i < se && !is_space((unsigned char)text[i]))
                    i++;   /* end of a word */
                if (cut > pos && lines_of(text, pos, i) > 2)
                    break;
                cut = i;
                if (count_cp(text + pos, i - pos) >= target)
                    break;
                i = skip_space(text, i);
            }
            best = cut > pos ? cut : se;
        }
        sa[n] = pos;
        sb[n++] = best;
        pos = skip_space(text, best);
    }
    return n;
}

rlx_err rlx_vtt_write(FILE *f, const rlx_timeline *t)
{
    fputs("WEBVTT\n", f);
    size_t n = 0;
    size_t *order = malloc((t->ncues ? t->ncues : 1) * sizeof *order);
    if (!order)
        return RLX_ERR_NOMEM;
    for (size_t i = 0; i < t->ncues; i++) {
        if (!caption_of(&t->cues[i]))
            continue;
        /* insertion sort by start, stable */
        size_t j = n++;
        while (j > 0 && t->cues[order[j - 1]].start > t->cues[i].start) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    rlx_err err = RLX_OK;
    unsigned id = 0;
    for (size_t k = 0; k < n && !err; k++) {
        const rlx_tl_cue *c = &t->cues[order[k]];
        const char *text = caption_of(c);
        int64_t start = frames_to_ms(c->start, t->rate);
        int64_t end = frames_to_ms(c->end, t->rate);
        if (end <= start) {   /* no duration known: show it briefly */
            end = start + 2000;
            if (k + 1 < n) {
                int64_t next = frames_to_ms(t->cues[order[k + 1]].start, t->rate);
                if (next > start && next < end)
                    end = next;
            }
        }
        size_t tl = strlen(text);
        size_t *starts = malloc((tl + 1) * sizeof *starts), *lens = malloc((tl + 1) * sizeof *lens);
        size_t *sa = malloc((tl + 1) * sizeof *sa), *sb = malloc((tl + 1) * sizeof *sb);
        if (!starts || !lens || !sa || !sb) {
            free(starts);
            free(lens);
            free(sa);
            free(sb);
            err = RLX_ERR_NOMEM;
            break;
        }
        /* at most two lines on screen: a longer text becomes consecutive
         * cues, split at sentence ends where it can, timed by characters */
        size_t nseg = split_cues(text, sa, sb, tl + 1);
        size_t total = 0, done = 0;
        for (size_t k2 = 0; k2 < nseg; k2++)
            total += count_cp(text + sa[k2], sb[k2] - sa[k2]) + 1;
        for (size_t k2 = 0; k2 < nseg; k2++) {
            int64_t a = start + (int64_t)((double)(end - start) * done / total + 0.5);
            done += count_cp(text + sa[k2], sb[k2] - sa[k2]) + 1;
            int64_t b = k2 + 1 == nseg ? end : start + (int64_t)((double)(end - start) * done / total + 0.5);
            char ta[24], tb[24];
            fprintf(f, "\n%u\n%s --> %s\n", ++id, rlx_vtt_timestamp(a, ta, sizeof ta),
                    rlx_vtt_timestamp(b, tb, sizeof tb));
            char *piece = strndup(text + sa[k2], sb[k2] - sa[k2]);
            if (!piece) {
                err = RLX_ERR_NOMEM;
                break;
            }
            size_t lines = rlx_wrap_text(piece, RLX_VTT_LINE_CHARS, starts, lens, tl + 1);
            for (size_t l = 0; l < lines; l++) {
                put_escaped(f, piece + starts[l], lens[l]);
                fputc('\n', f);
            }
            free(piece);
        }
        free(sa);
        free(sb);
        free(starts);
        free(lens);
    }
    free(order);
    if (!err && (fflush(f) != 0 || ferror(f)))
        err = RLX_ERR_OUTPUT;
    return err;
}
