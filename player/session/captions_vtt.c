/* captions_vtt.c - WebVTT captions from a resolved timeline. */
#include "session/captions_vtt.h"

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
        if (!starts || !lens) {
            free(starts);
            free(lens);
            err = RLX_ERR_NOMEM;
            break;
        }
        size_t lines = rlx_wrap_text(text, RLX_VTT_LINE_CHARS, starts, lens, tl + 1);
        /* two lines per cue; a longer text is split in time by its characters */
        size_t total = 0;
        for (size_t l = 0; l < lines; l++)
            total += count_cp(text + starts[l], lens[l]) + 1;
        size_t done = 0;
        for (size_t l = 0; l < lines; l += 2) {
            size_t chunk = count_cp(text + starts[l], lens[l]) + 1;
            if (l + 1 < lines)
                chunk += count_cp(text + starts[l + 1], lens[l + 1]) + 1;
            int64_t a = start + (int64_t)((double)(end - start) * done / total + 0.5);
            done += chunk;
            int64_t b = l + 2 >= lines ? end
                                       : start + (int64_t)((double)(end - start) * done / total + 0.5);
            char ta[24], tb[24];
            fprintf(f, "\n%u\n%s --> %s\n", ++id, rlx_vtt_timestamp(a, ta, sizeof ta),
                    rlx_vtt_timestamp(b, tb, sizeof tb));
            put_escaped(f, text + starts[l], lens[l]);
            fputc('\n', f);
            if (l + 1 < lines) {
                put_escaped(f, text + starts[l + 1], lens[l + 1]);
                fputc('\n', f);
            }
        }
        free(starts);
        free(lens);
    }
    free(order);
    if (!err && (fflush(f) != 0 || ferror(f)))
        err = RLX_ERR_OUTPUT;
    return err;
}
