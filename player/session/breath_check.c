/* breath_check.c - spoken breathing invitations against the breath shape. */
#include "session/breath_check.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *words;
    rlx_invite_dir dir;
} phrases[] = {
    {"breathe in", RLX_INVITE_IN},       {"breathing in", RLX_INVITE_IN},
    {"breath in", RLX_INVITE_IN},        {"as the tone rises", RLX_INVITE_IN},
    {"as it rises", RLX_INVITE_IN},      {"with the rising tone", RLX_INVITE_IN},
    {"breathe out", RLX_INVITE_OUT},     {"breathing out", RLX_INVITE_OUT},
    {"breath out", RLX_INVITE_OUT},      {"as the tone falls", RLX_INVITE_OUT},
    {"as it falls", RLX_INVITE_OUT},     {"with the falling tone", RLX_INVITE_OUT},
};
#define NPHRASES (sizeof phrases / sizeof *phrases)

static bool word_byte(unsigned char c)
{
    return isalnum(c) || c == '\'' || c >= 0x80;
}

/* Case-insensitive match of a lower-case ASCII phrase at text + i. */
static bool match_at(const char *text, size_t i, const char *w)
{
    for (size_t k = 0; w[k]; k++)
        if (tolower((unsigned char)text[i + k]) != w[k])
            return false;
    return true;
}

/* The word after position e (skipping blanks and commas), lower-cased. */
static void next_word(const char *text, size_t e, char *out, size_t len)
{
    while (text[e] == ' ' || text[e] == ',')
        e++;
    size_t k = 0;
    while (text[e] && word_byte((unsigned char)text[e]) && k + 1 < len)
        out[k++] = (char)tolower((unsigned char)text[e++]);
    out[k] = 0;
}

size_t rlx_breath_invites(const char *text, rlx_breath_invite *out, size_t max)
{
    size_t n = 0;
    if (!text)
        return 0;
    size_t tl = strlen(text);
    for (size_t i = 0; i < tl && n < max; i++) {
        if (i > 0 && word_byte((unsigned char)text[i - 1]))
            continue;
        for (size_t p = 0; p < NPHRASES; p++) {
            size_t pl = strlen(phrases[p].words);
            if (i + pl > tl || !match_at(text, i, phrases[p].words))
                continue;
            if (i + pl < tl && word_byte((unsigned char)text[i + pl]))
                continue;
            char nw[16];
            next_word(text, i + pl, nw, sizeof nw);
            /* "breathing in your own way", "in for four": descriptions */
            if (!strcmp(nw, "your") || !strcmp(nw, "for"))
                continue;
            out[n++] = (rlx_breath_invite){phrases[p].dir, i, pl};
            i += pl - 1;
            break;
        }
    }
    return n;
}

/* -1 falling, 0 holding, +1 rising, over the next `look` frames. */
static int motion(const rlx_timeline *t, int64_t f, int64_t look)
{
    double a = rlx_timeline_breath_shape(t, f, NULL);
    double b = rlx_timeline_breath_shape(t, f + look, NULL);
    return b - a > 0.02 ? 1 : a - b > 0.02 ? -1 : 0;
}

/* Does the tone move in dir somewhere in [from, to)? */
static bool moves(const rlx_timeline *t, int64_t from, int64_t to, int dir, int *seen)
{
    int64_t step = t->rate / 10, look = t->rate * 3 / 10;
    *seen = 2;
    for (int64_t f = from < 0 ? 0 : from; f < to; f += step) {
        int m = motion(t, f, look);
        if (*seen == 2 || *seen == 0)
            *seen = m;   /* the first way it moves, else holding */
        if (m == dir)
            return true;
    }
    return false;
}

/* The length of the breath cycle running at f (frames). */
static int64_t cycle_at(const rlx_timeline *t, int64_t f)
{
    for (size_t i = 0; i < t->nbreaths; i++) {
        int64_t end = i + 1 < t->nbreaths ? t->breaths[i + 1].start : t->length;
        if (t->breaths[i].start <= f && f < end)
            return end - t->breaths[i].start;
    }
    return t->rate * 10;
}

size_t rlx_breath_check(const rlx_timeline *t, rlx_breath_finding **out)
{
    *out = NULL;
    if (!t || t->nbreaths == 0 || t->rate <= 0)
        return 0;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < t->ncues; i++) {
        const rlx_cue *c = t->cues[i].cue;
        if (!c || !rlx_cue_is_voice(c) || !c->text)
            continue;
        rlx_breath_invite inv[16];
        size_t ni = rlx_breath_invites(c->text, inv, 16);
        size_t tl = strlen(c->text);
        int64_t s = t->cues[i].start, e = t->cues[i].end;
        for (size_t k = 0; k < ni; k++) {
            int64_t f = s + (int64_t)((double)(e - s) * (double)inv[k].at / (double)(tl ? tl : 1));
            int seen;
            const char *problem = NULL;
            if (k == 0) {
                if (!moves(t, f, f + t->rate * 3 / 2, inv[k].dir, &seen))
                    problem = seen == 0 ? "the tone is holding"
                              : seen == 1 ? "the tone is rising" : "the tone is falling";
                else if (inv[k].dir == RLX_INVITE_IN && rlx_timeline_breath_shape(t, f, NULL) > 0.5)
                    problem = "the tone is already near the top";
            } else if (!moves(t, f - t->rate, f + cycle_at(t, f) + t->rate, inv[k].dir, &seen)) {
                problem = inv[k].dir == RLX_INVITE_IN ? "the tone does not rise again soon"
                                                      : "the tone does not fall soon";
            }
            if (!problem)
                continue;
            if (n == cap) {
                size_t nc = cap ? cap * 2 : 8;
                rlx_breath_finding *nf = realloc(*out, nc * sizeof *nf);
                if (!nf)
                    return n;   /* what was found so far */
                *out = nf;
                cap = nc;
            }
            (*out)[n++] = (rlx_breath_finding){i, inv[k].at, inv[k].len, f, problem, inv[k].dir};
        }
    }
    return n;
}
