/* timeline.c - a parsed session resolved to frames.
 *
 * Times are first resolved in milliseconds. A relative cue starts at the end
 * of the previous voice cue or silence (its "anchor") plus its offset. An
 * absolute cue starts at its written time plus the stretch of every silence
 * written before it whose natural start lies before that time. Stretching
 * therefore only moves cues, never reorders them. The natural pass (every
 * silence at its minimum) also decides which silences can lengthen the
 * session: those whose stretch reaches the `end` cue. */
#include "session/timeline.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "session/lex.h"

#define NO_ANCHOR ((size_t)-1)

typedef struct {
    const rlx_session *s;
    const int64_t *voice_ms;
    size_t n;
    int64_t *nat_start;   /* natural pass: start of each cue */
    int64_t *start, *end; /* current pass */
    size_t *anchor;       /* relative cues: the cue they count from */
    size_t end_cue;
    const bool *omit;     /* cues this version leaves out (NULL: none) */
    size_t tail_cue;      /* the tail goes in before this cue (the last fade-out, else end) */
    int64_t tail_ms;
} resolver;

static int64_t clamp_ms(int64_t v)
{
    if (v < 0)
        return 0;
    if (v > 4 * RLX_LEX_MAX_MS)
        return 4 * RLX_LEX_MAX_MS;
    return v;
}

static int64_t cue_duration(const resolver *R, size_t i, const int64_t *stretch)
{
    const rlx_cue *c = &R->s->cues[i];
    switch (c->kind) {
    case RLX_CUE_SAY:
    case RLX_CUE_PLAY:
        return R->voice_ms ? clamp_ms(R->voice_ms[i]) : 0;
    case RLX_CUE_SILENCE:
        return clamp_ms(c->dur_ms) + (stretch ? stretch[i] : 0);
    case RLX_CUE_FADE_IN:
    case RLX_CUE_FADE_OUT:
        return clamp_ms(c->dur_ms);
    case RLX_CUE_LEVEL:
        return clamp_ms(c->dur_ms ? c->dur_ms : 50);
    default:
        return 0;
    }
}

/* ---- a min-heap of silences by natural start ---------------------------- */

typedef struct {
    int64_t key, val;
} heap_item;

static void heap_push(heap_item *h, size_t *n, heap_item it)
{
    size_t k = (*n)++;
    h[k] = it;
    while (k > 0) {
        size_t p = (k - 1) / 2;
        if (h[p].key <= h[k].key)
            break;
        heap_item t = h[p];
        h[p] = h[k];
        h[k] = t;
        k = p;
    }
}

static heap_item heap_pop(heap_item *h, size_t *n)
{
    heap_item top = h[0];
    h[0] = h[--(*n)];
    size_t k = 0;
    for (;;) {
        size_t l = 2 * k + 1, r = l + 1, m = k;
        if (l < *n && h[l].key < h[m].key)
            m = l;
        if (r < *n && h[r].key < h[m].key)
            m = r;
        if (m == k)
            break;
        heap_item t = h[m];
        h[m] = h[k];
        h[k] = t;
        k = m;
    }
    return top;
}

/* One pass: fills R->start/end (ms). stretch == NULL is the natural pass,
 * which also records natural starts and anchors. */
static bool resolve(resolver *R, const int64_t *stretch)
{
    const rlx_session *s = R->s;
    heap_item *heap = NULL;
    size_t hn = 0;
    if (stretch) {
        heap = malloc((R->n ? R->n : 1) * sizeof *heap);
        if (!heap)
            return false;
    }
    int64_t anchor_end = 0, shift = 0;
    size_t anchor = NO_ANCHOR;
    for (size_t i = 0; i < R->n; i++) {
        const rlx_cue *c = &s->cues[i];
        int64_t st;
        if (R->omit && R->omit[i]) {
            /* left out: takes no time and anchors nothing */
            R->start[i] = R->end[i] = anchor_end;
            if (!stretch) {
                R->nat_start[i] = anchor_end;
                R->anchor[i] = anchor;
            }
            continue;
        }
        if (c->relative) {
            st = anchor_end + clamp_ms(c->time_ms);
            if (!stretch)
                R->anchor[i] = anchor;
        } else {
            int64_t t = clamp_ms(c->time_ms);
            while (stretch && hn && heap[0].key < t)
                shift += heap_pop(heap, &hn).val;
            st = t + shift;
        }
        if (i >= R->tail_cue)
            st += R->tail_ms;   /* the ambient-only tail before the fade-out */
        int64_t en = st + cue_duration(R, i, stretch);
        R->start[i] = st;
        R->end[i] = en;
        if (!stretch)
            R->nat_start[i] = st;
        if (c->kind == RLX_CUE_SILENCE && stretch && stretch[i] > 0)
            heap_push(heap, &hn, (heap_item){R->nat_start[i], stretch[i]});
        if (rlx_cue_is_voice(c) || c->kind == RLX_CUE_SILENCE) {
            anchor_end = en;
            anchor = i;
        }
    }
    free(heap);
    return true;
}

/* Marks the silences whose stretch moves the end cue. */
static void mark_contributors(const resolver *R, bool *mark)
{
    const rlx_session *s = R->s;
    memset(mark, 0, R->n * sizeof *mark);
    if (R->end_cue == NO_ANCHOR)
        return;
    size_t cur = R->end_cue;
    while (cur != NO_ANCHOR && s->cues[cur].relative) {
        size_t a = R->anchor[cur];
        if (a != NO_ANCHOR && s->cues[a].kind == RLX_CUE_SILENCE)
            mark[a] = true;
        cur = a;
    }
    if (cur == NO_ANCHOR)
        return;
    int64_t t = clamp_ms(s->cues[cur].time_ms);
    for (size_t j = 0; j < cur; j++)
        if (s->cues[j].kind == RLX_CUE_SILENCE && R->nat_start[j] < t && !(R->omit && R->omit[j]))
            mark[j] = true;
}

static void cue_error(rlx_diags *d, const rlx_cue *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cue_error(rlx_diags *d, const rlx_cue *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rlx_diags_vadd(d, RLX_DIAG_ERROR, c->src_file, c->line, c->col, NULL, fmt, ap);
    va_end(ap);
}

typedef struct {
    int64_t start, end;
    size_t idx;
} span;

static int cmp_span(const void *a, const void *b)
{
    const span *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Overlapping voices or silences, cues after the end. Returns false if any. */
static bool check(const resolver *R, rlx_diags *d)
{
    const rlx_session *s = R->s;
    size_t errors = d->errors;
    char a[32], b[32], c2[32];
    if (R->end_cue == NO_ANCHOR) {
        rlx_diags_add(d, RLX_DIAG_ERROR, s->path, 0, 0, NULL, "the timeline has no 'end'");
        return false;
    }
    int64_t end = R->start[R->end_cue];
    if (end > RLX_LEX_MAX_MS) {
        cue_error(d, &s->cues[R->end_cue], "'end' at %s: sessions last at most 24 hours",
                  rlx_fmt_ms(end, a, sizeof a));
        return false;
    }
    span *sp = malloc((R->n ? R->n : 1) * sizeof *sp);
    if (!sp)
        return false;
    size_t ns = 0;
    for (size_t i = 0; i < R->n; i++) {
        const rlx_cue *c = &s->cues[i];
        if (i == R->end_cue || (R->omit && R->omit[i]))
            continue;
        if (R->start[i] > end) {
            cue_error(d, c, "'%s' starts at %s, after 'end' at %s", rlx_cue_kind_name(c->kind),
                      rlx_fmt_ms(R->start[i], a, sizeof a), rlx_fmt_ms(end, b, sizeof b));
            continue;
        }
        if ((rlx_cue_is_voice(c) || c->kind == RLX_CUE_SILENCE) && R->end[i] > end) {
            cue_error(d, c, "'%s' runs until %s, past 'end' at %s", rlx_cue_kind_name(c->kind),
                      rlx_fmt_ms(R->end[i], a, sizeof a), rlx_fmt_ms(end, b, sizeof b));
            continue;
        }
        if ((rlx_cue_is_voice(c) || c->kind == RLX_CUE_SILENCE) && R->end[i] > R->start[i])
            sp[ns++] = (span){R->start[i], R->end[i], i};
    }
    qsort(sp, ns, sizeof *sp, cmp_span);
    size_t prev = NO_ANCHOR;
    for (size_t k = 0; k < ns; k++) {
        if (prev != NO_ANCHOR && sp[k].start < sp[prev].end) {
            const rlx_cue *c = &s->cues[sp[k].idx], *p = &s->cues[sp[prev].idx];
            bool cv = rlx_cue_is_voice(c), pv = rlx_cue_is_voice(p);
            if (cv && pv)
                cue_error(d, c, "'%s' starts at %s while the previous voice cue runs until %s",
                          rlx_cue_kind_name(c->kind), rlx_fmt_ms(sp[k].start, a, sizeof a),
                          rlx_fmt_ms(sp[prev].end, b, sizeof b));
            else if (cv)
                cue_error(d, c, "'%s' starts at %s during the silence from %s to %s (line %d)",
                          rlx_cue_kind_name(c->kind), rlx_fmt_ms(sp[k].start, a, sizeof a),
                          rlx_fmt_ms(sp[prev].start, c2, sizeof c2), rlx_fmt_ms(sp[prev].end, b, sizeof b),
                          p->line);
            else
                cue_error(d, c, "silence starts at %s while the previous %s cue runs until %s (line %d)",
                          rlx_fmt_ms(sp[k].start, a, sizeof a), pv ? "voice" : "silence",
                          rlx_fmt_ms(sp[prev].end, b, sizeof b), p->line);
        }
        if (prev == NO_ANCHOR || sp[k].end > sp[prev].end)
            prev = k;
    }
    free(sp);
    return d->errors == errors;
}

static void resolver_free(resolver *R)
{
    free(R->nat_start);
    free(R->start);
    free(R->end);
    free(R->anchor);
}

static rlx_err resolver_init(resolver *R, const rlx_session *s, const int64_t *voice_ms)
{
    memset(R, 0, sizeof *R);
    R->s = s;
    R->voice_ms = voice_ms;
    R->n = s->ncues;
    size_t n = R->n ? R->n : 1;
    R->nat_start = malloc(n * sizeof(int64_t));
    R->start = malloc(n * sizeof(int64_t));
    R->end = malloc(n * sizeof(int64_t));
    R->anchor = malloc(n * sizeof(size_t));
    if (!R->nat_start || !R->start || !R->end || !R->anchor) {
        resolver_free(R);
        return RLX_ERR_NOMEM;
    }
    R->end_cue = NO_ANCHOR;
    for (size_t i = 0; i < R->n; i++)
        if (s->cues[i].kind == RLX_CUE_END) {
            R->end_cue = i;
            break;
        }
    R->tail_cue = R->end_cue;
    for (size_t i = 0; i < R->n && i < R->end_cue; i++)
        if (s->cues[i].kind == RLX_CUE_FADE_OUT)
            R->tail_cue = i;
    return RLX_OK;
}

/* Natural pass, checks and the lengths. */
static rlx_err natural(resolver *R, bool *mark, int64_t *natural_ms, int64_t *longest_ms, rlx_diags *d)
{
    if (!resolve(R, NULL))
        return RLX_ERR_NOMEM;
    if (!check(R, d))
        return RLX_ERR_SESSION;
    mark_contributors(R, mark);
    int64_t nat = R->start[R->end_cue], longest = nat;
    for (size_t i = 0; i < R->n; i++)
        if (mark[i])
            longest += clamp_ms(R->s->cues[i].dur_max_ms) - clamp_ms(R->s->cues[i].dur_ms) > 0
                           ? clamp_ms(R->s->cues[i].dur_max_ms) - clamp_ms(R->s->cues[i].dur_ms)
                           : 0;
    if (longest > RLX_LEX_MAX_MS)
        longest = RLX_LEX_MAX_MS > nat ? RLX_LEX_MAX_MS : nat;
    *natural_ms = nat;
    *longest_ms = longest;
    return RLX_OK;
}

/* ---- versions ------------------------------------------------------------- */

/* The version of the session for a requested length L (ms; 0 = natural):
 * `from D` cues are in when L >= D (never in the natural version), and
 * optional levels 1..drop are left out. */
static void version_omit(const rlx_session *s, int64_t L, int drop, bool *omit)
{
    for (size_t i = 0; i < s->ncues; i++) {
        const rlx_cue *c = &s->cues[i];
        omit[i] = (c->optional && c->optional <= drop) || (c->from_ms > 0 && (L == 0 || L < c->from_ms));
    }
}

/* Bit k: some cue is `optional k`; bit 0: some cue has `from`. */
static unsigned version_marks(const rlx_session *s)
{
    unsigned m = 0;
    for (size_t i = 0; i < s->ncues; i++) {
        if (s->cues[i].optional > 0 && s->cues[i].optional <= RLX_OPTIONAL_LEVELS)
            m |= 1u << s->cues[i].optional;
        if (s->cues[i].from_ms > 0)
            m |= 1u;
    }
    return m;
}

/* Natural and longest length of one version; false (diags) if it breaks. */
static rlx_err version_lengths(resolver *R, bool *omit, bool *mark, int64_t L, int drop, int64_t *nat,
                               int64_t *lng, rlx_diags *d)
{
    version_omit(R->s, L, drop, omit);
    R->omit = omit;
    return natural(R, mark, nat, lng, d);
}

typedef struct {
    int64_t shortest, natural, longest;
} range3;

/* The session's range over all its versions. */
static rlx_err session_range(resolver *R, bool *omit, bool *mark, range3 *out, rlx_diags *d)
{
    int64_t nat, lng;
    unsigned marks = version_marks(R->s);
    rlx_err e = version_lengths(R, omit, mark, 0, 0, &nat, &lng, d);
    if (e != RLX_OK)
        return e;
    out->natural = nat;
    out->shortest = nat;
    out->longest = lng;
    if (!marks)
        return RLX_OK;   /* one version: one pass */
    /* shortest: everything optional left out */
    int64_t lng0 = lng;
    if (marks & ~1u) {
        e = version_lengths(R, omit, mark, 0, RLX_OPTIONAL_LEVELS, &out->shortest, &lng, d);
        if (e != RLX_OK)
            return e;
    }
    if (!(marks & 1u)) {
        out->longest = lng0;
        return RLX_OK;
    }
    /* longest: every `from` cue that fits in, found by lowering the
     * estimate until it holds (a handful of steps: each drops a cue) */
    int64_t est = RLX_LEX_MAX_MS;
    for (int k = 0; k < 64; k++) {
        if ((e = version_lengths(R, omit, mark, est, 0, &nat, &lng, d)) != RLX_OK)
            return e;
        if (lng >= est || lng == est)
            break;
        est = lng;
    }
    if (nat > est)   /* the `from` lines make it longer than it may be: without them */
        if ((e = version_lengths(R, omit, mark, 0, 0, &nat, &lng, d)) != RLX_OK)
            return e;
    out->longest = lng > out->natural ? lng : out->natural;
    return RLX_OK;
}

/* Picks the version for length L: the fullest whose natural length is at
 * most L. Fills omit/mark and nat and lng; RLX_ERR_LENGTH if none holds L. */
static rlx_err pick_version(resolver *R, bool *omit, bool *mark, int64_t L, int *drop, int64_t *nat,
                            int64_t *lng, rlx_diags *d)
{
    unsigned marks = version_marks(R->s);
    for (int k = 0; k <= RLX_OPTIONAL_LEVELS; k++) {
        if (k > 0 && !(marks & (1u << k)))
            continue;
        rlx_err e = version_lengths(R, omit, mark, L, k, nat, lng, d);
        if (e != RLX_OK)
            return e;
        if (L == 0 || *nat <= L) {
            *drop = k;
            return L == 0 || L <= *lng ? RLX_OK : RLX_ERR_LENGTH;
        }
    }
    return RLX_ERR_LENGTH;
}

static rlx_err resolver_init_tail(resolver *R, const rlx_session *s, const int64_t *voice_ms, int64_t tail_ms,
                                  bool **omit, bool **mark)
{
    rlx_err e = resolver_init(R, s, voice_ms);
    if (e != RLX_OK)
        return e;
    R->tail_ms = tail_ms > 0 ? tail_ms : 0;
    *omit = calloc(R->n ? R->n : 1, sizeof **omit);
    *mark = calloc(R->n ? R->n : 1, sizeof **mark);
    if (!*omit || !*mark) {
        free(*omit);
        free(*mark);
        resolver_free(R);
        return RLX_ERR_NOMEM;
    }
    return RLX_OK;
}

rlx_err rlx_timeline_range(const rlx_session *s, const int64_t *voice_ms, int64_t tail_ms, int64_t *shortest_ms,
                           int64_t *natural_ms, int64_t *longest_ms, rlx_diags *diags)
{
    resolver R;
    bool *omit, *mark;
    rlx_err e = resolver_init_tail(&R, s, voice_ms, tail_ms, &omit, &mark);
    if (e != RLX_OK)
        return e;
    range3 r;
    e = session_range(&R, omit, mark, &r, diags);
    if (e == RLX_OK) {
        if (shortest_ms)
            *shortest_ms = r.shortest;
        if (natural_ms)
            *natural_ms = r.natural;
        if (longest_ms)
            *longest_ms = r.longest;
    }
    free(omit);
    free(mark);
    resolver_free(&R);
    return e;
}

rlx_err rlx_timeline_lengths(const rlx_session *s, const int64_t *voice_ms, int64_t *natural_ms,
                             int64_t *longest_ms, rlx_diags *diags)
{
    return rlx_timeline_range(s, voice_ms, 0, NULL, natural_ms, longest_ms, diags);
}

bool rlx_timeline_fits(const rlx_session *s, const int64_t *voice_ms, int64_t tail_ms, int64_t length_ms)
{
    resolver R;
    bool *omit, *mark;
    if (resolver_init_tail(&R, s, voice_ms, tail_ms, &omit, &mark) != RLX_OK)
        return false;
    rlx_diags quiet = {0};
    int drop;
    int64_t nat, lng;
    bool ok = pick_version(&R, omit, mark, length_ms, &drop, &nat, &lng, &quiet) == RLX_OK;
    rlx_diags_free(&quiet);
    free(omit);
    free(mark);
    resolver_free(&R);
    return ok;
}

int64_t rlx_timeline_nearest(const rlx_session *s, const int64_t *voice_ms, int64_t tail_ms, int64_t length_ms)
{
    int64_t lo, hi;
    rlx_diags quiet = {0};
    rlx_err e = rlx_timeline_range(s, voice_ms, tail_ms, &lo, NULL, &hi, &quiet);
    rlx_diags_free(&quiet);
    if (e != RLX_OK)
        return -1;
    if (length_ms <= lo)
        return lo;
    if (length_ms >= hi)
        return hi;
    /* a gap between versions: the nearest whole second that works */
    int64_t base = length_ms / 1000 * 1000;
    for (int64_t k = 0; k <= 3 * 3600; k++) {
        if (base - k * 1000 >= lo && rlx_timeline_fits(s, voice_ms, tail_ms, base - k * 1000))
            return base - k * 1000;
        if (base + (k + 1) * 1000 <= hi && rlx_timeline_fits(s, voice_ms, tail_ms, base + (k + 1) * 1000))
            return base + (k + 1) * 1000;
    }
    return lo;
}

/* ---- breath cycles ------------------------------------------------------- */

static int64_t cycle_frames(const rlx_breath_pattern *p, int rate)
{
    int64_t ms = (int64_t)p->inhale_ms + p->hold_in_ms + p->exhale_ms + p->hold_out_ms;
    if (ms < 1000) /* the parser refuses shorter cycles; never loop on a hand-made one */
        ms = 1000;
    return rlx_ms_to_frames(ms, rate);
}

typedef struct {
    int64_t frame;
    size_t idx;
} bevent;

static int cmp_bevent(const void *a, const void *b)
{
    const bevent *x = a, *y = b;
    if (x->frame != y->frame)
        return x->frame < y->frame ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static bool push_cycle(rlx_timeline *t, size_t *cap, rlx_tl_breath b)
{
    if (t->nbreaths == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        rlx_tl_breath *nb = realloc(t->breaths, nc * sizeof *nb);
        if (!nb)
            return false;
        t->breaths = nb;
        *cap = nc;
    }
    t->breaths[t->nbreaths++] = b;
    return true;
}

static int64_t active_ms(const rlx_breath_pattern *p)
{
    return (int64_t)p->inhale_ms + p->hold_in_ms + p->exhale_ms;
}

/* Scales a pattern's phases by num/den (milliseconds rounded down, so the
 * scaled breath never runs past the time it was fitted to). */
static rlx_breath_pattern scale_pattern(rlx_breath_pattern p, int64_t num, int64_t den)
{
    p.inhale_ms = (int32_t)((int64_t)p.inhale_ms * num / den);
    p.hold_in_ms = (int32_t)((int64_t)p.hold_in_ms * num / den);
    p.exhale_ms = (int32_t)((int64_t)p.exhale_ms * num / den);
    p.hold_out_ms = (int32_t)((int64_t)p.hold_out_ms * num / den);
    return p;
}

/* A `breath sync` at frame f starts a fresh inhale from empty lungs (the
 * bottom of the glide), so "breathing in" is heard as the full rise. For the
 * tone to get there without a jump, the breath running at f is fitted to end
 * by f: if most of it has passed, it is quickened to finish at f; if it has
 * barely begun, it is dropped and the breath before it is slowed to end at f
 * (at most 1.5 times longer); the very first breath is replaced by a rest at
 * the bottom. A sync during the hold at the bottom changes nothing before f. */
static void land_at_bottom(rlx_timeline *t, int64_t f)
{
    rlx_tl_breath *cur = &t->breaths[t->nbreaths - 1];
    int64_t act = active_ms(&cur->pattern);
    /* elapsed time in ms (rounded down, so a fitted breath ends by f) */
    int64_t d_ms = (f - cur->start) * 1000 / t->rate;
    if (act <= 0 || d_ms >= act)
        return;
    if (2 * d_ms >= act) {
        cur->pattern = scale_pattern(cur->pattern, d_ms, act);
        cur->start_shape = 0;
        return;
    }
    if (t->nbreaths == 1) {
        cur->pattern = (rlx_breath_pattern){0, 0, 0, (int32_t)d_ms};
        cur->start_shape = 0;
        return;
    }
    rlx_tl_breath *prev = cur - 1;
    int64_t len_ms = (cur->start - prev->start) * 1000 / t->rate;
    int64_t want_ms = (f - prev->start) * 1000 / t->rate;
    if (len_ms > 0)
        prev->pattern = scale_pattern(prev->pattern, want_ms, len_ms);
    t->nbreaths--;
}

static rlx_err lay_out_breaths(rlx_timeline *t, const rlx_session *s)
{
    size_t ne = 0, cap = 0;
    bevent *ev = malloc((s->ncues ? s->ncues : 1) * sizeof *ev);
    if (!ev)
        return RLX_ERR_NOMEM;
    for (size_t i = 0; i < s->ncues; i++)
        if (s->cues[i].kind == RLX_CUE_BREATH || s->cues[i].kind == RLX_CUE_BREATH_SYNC)
            ev[ne++] = (bevent){t->cues[i].start, i};
    qsort(ev, ne, sizeof *ev, cmp_bevent);
    rlx_breath_pattern pat = s->breath;
    size_t k = 0;
    /* changes at frame 0 apply to the first cycle */
    for (; k < ne && ev[k].frame <= 0; k++)
        if (s->cues[ev[k].idx].kind == RLX_CUE_BREATH)
            pat = s->cues[ev[k].idx].pattern;
    if (!push_cycle(t, &cap, (rlx_tl_breath){0, pat, 0}))
        goto oom;
    for (;;) {
        rlx_tl_breath *cur = &t->breaths[t->nbreaths - 1];
        int64_t b = cur->start + cycle_frames(&cur->pattern, t->rate);
        if (k < ne && ev[k].frame < b && ev[k].frame < t->length) {
            const rlx_cue *c = &s->cues[ev[k].idx];
            int64_t f = ev[k].frame;
            k++;
            if (c->kind == RLX_CUE_BREATH) {
                pat = c->pattern;
            } else if (f == cur->start) {
                cur->pattern = pat;
            } else {
                land_at_bottom(t, f);
                if (!push_cycle(t, &cap, (rlx_tl_breath){f, pat, 0}))
                    goto oom;
            }
            continue;
        }
        if (b >= t->length)
            break;
        for (; k < ne && ev[k].frame <= b; k++)
            if (s->cues[ev[k].idx].kind == RLX_CUE_BREATH)
                pat = s->cues[ev[k].idx].pattern;
        if (!push_cycle(t, &cap, (rlx_tl_breath){b, pat, 0}))
            goto oom;
    }
    free(ev);
    return RLX_OK;
oom:
    free(ev);
    return RLX_ERR_NOMEM;
}

/* ---- building ------------------------------------------------------------ */

void rlx_timeline_free(rlx_timeline *t)
{
    if (!t)
        return;
    free(t->cues);
    free(t->breaths);
    free(t);
}

rlx_err rlx_timeline_build(const rlx_session *s, const int64_t *voice_ms, int64_t length_ms, int rate,
                           rlx_timeline **out, rlx_diags *diags)
{
    rlx_timeline_opts o = {.length_ms = length_ms};
    return rlx_timeline_build_opts(s, voice_ms, &o, rate, out, diags);
}

rlx_err rlx_timeline_build_opts(const rlx_session *s, const int64_t *voice_ms, const rlx_timeline_opts *o,
                                int rate, rlx_timeline **out, rlx_diags *diags)
{
    *out = NULL;
    int64_t length_ms = o->length_ms;
    if (rate < 1000 || rate > 1000000) {
        rlx_diags_add(diags, RLX_DIAG_ERROR, s->path, 0, 0, NULL, "sample rate %d Hz is out of range", rate);
        return RLX_ERR_USAGE;
    }
    if (o->tail_ms < 0 || o->tail_ms > RLX_TIMELINE_TAIL_MAX_MS) {
        char a[32], b[32];
        rlx_diags_add(diags, RLX_DIAG_ERROR, s->path, 0, 0, NULL, "a tail of %s is too long: at most %s",
                      rlx_fmt_ms(o->tail_ms, a, sizeof a), rlx_fmt_ms(RLX_TIMELINE_TAIL_MAX_MS, b, sizeof b));
        return RLX_ERR_USAGE;
    }
    resolver R;
    bool *omit = NULL, *mark = NULL;
    rlx_err e = resolver_init_tail(&R, s, voice_ms, o->tail_ms, &omit, &mark);
    if (e != RLX_OK)
        return e;
    int64_t *stretch = calloc(R.n ? R.n : 1, sizeof *stretch);
    rlx_timeline *t = calloc(1, sizeof *t);
    if (!stretch || !t) {
        e = RLX_ERR_NOMEM;
        goto done;
    }
    range3 rg;
    if ((e = session_range(&R, omit, mark, &rg, diags)) != RLX_OK)
        goto done;
    int64_t nat, lng;
    int drop = 0;
    rlx_diags quiet = {0};
    e = pick_version(&R, omit, mark, length_ms, &drop, &nat, &lng, &quiet);
    rlx_diags_free(&quiet);
    if (e == RLX_ERR_LENGTH) {
        char a[32], b[32], c[32], n[32];
        int64_t near = rlx_timeline_nearest(s, voice_ms, o->tail_ms, length_ms);
        if (rg.shortest == rg.longest)
            rlx_diags_add(diags, RLX_DIAG_ERROR, s->path, 0, 0, NULL,
                          "length %s is not possible: this session always lasts %s (it has no stretchable silence)",
                          rlx_fmt_ms(length_ms, a, sizeof a), rlx_fmt_ms(rg.natural, b, sizeof b));
        else {
            /* "--length 90" is 90 seconds; when the same number of minutes
             * would fit, the listener most likely meant minutes: say how */
            char hint[64] = "";
            int64_t as_min = length_ms * 60;
            if (length_ms > 0 && length_ms % 1000 == 0 && length_ms < rg.shortest && as_min >= rg.shortest &&
                as_min <= rg.longest)
                snprintf(hint, sizeof hint, "; for %lld minute%s write '%lld min'", (long long)(length_ms / 1000),
                         length_ms == 1000 ? "" : "s", (long long)(length_ms / 1000));
            /* whole seconds, rounded inwards so that both ends as shown
             * work (as typed back on a command line) */
            int64_t lo = rg.shortest, hi = rg.longest;
            int64_t lo_s = (lo + 999) / 1000 * 1000, hi_s = hi / 1000 * 1000;
            if (lo_s <= hi_s) {
                near = near == lo ? lo_s : near == hi ? hi_s : near;
                lo = lo_s;
                hi = hi_s;
            }
            char with[48] = "", tl[32];
            if (o->tail_ms > 0)
                snprintf(with, sizeof with, " with a %s tail", rlx_fmt_ms(o->tail_ms, tl, sizeof tl));
            rlx_diags_add(diags, RLX_DIAG_ERROR, s->path, 0, 0, NULL,
                          "length %s is outside what this session allows%s: %s to %s (nearest that works: %s%s)",
                          rlx_fmt_ms(length_ms, a, sizeof a), with, rlx_fmt_ms(lo, b, sizeof b),
                          rlx_fmt_ms(hi, c, sizeof c), rlx_fmt_ms(near, n, sizeof n), hint);
        }
        goto done;
    }
    if (e != RLX_OK) {
        /* the version broke: say why with the real diagnostics */
        version_lengths(&R, omit, mark, length_ms, drop, &nat, &lng, diags);
        goto done;
    }
    if (length_ms == 0)
        length_ms = nat;
    /* Share the extra time in proportion to each silence's range; cumulative
     * rounding makes the shares add up to exactly `extra`. */
    int64_t extra = length_ms - nat;
    double total = 0;
    for (size_t i = 0; i < R.n; i++)
        if (mark[i] && s->cues[i].dur_max_ms > s->cues[i].dur_ms)
            total += (double)(clamp_ms(s->cues[i].dur_max_ms) - clamp_ms(s->cues[i].dur_ms));
    if (extra > 0 && total > 0) {
        double cum = 0;
        int64_t given = 0;
        for (size_t i = 0; i < R.n; i++) {
            if (!mark[i] || s->cues[i].dur_max_ms <= s->cues[i].dur_ms)
                continue;
            int64_t range = clamp_ms(s->cues[i].dur_max_ms) - clamp_ms(s->cues[i].dur_ms);
            cum += (double)range;
            int64_t upto = cum >= total ? extra : (int64_t)llround((double)extra * (cum / total));
            if (upto > extra)
                upto = extra;
            int64_t share = upto - given;
            if (share > range)
                share = range;
            if (share < 0)
                share = 0;
            stretch[i] = share;
            given += share;
        }
    }
    if (!resolve(&R, stretch)) {
        e = RLX_ERR_NOMEM;
        goto done;
    }
    if (!check(&R, diags)) {
        e = RLX_ERR_SESSION;
        goto done;
    }
    t->rate = rate;
    t->natural_ms = rg.natural;
    t->longest_ms = rg.longest;
    t->shortest_ms = rg.shortest;
    t->dropped_level = drop;
    t->length_ms = R.start[R.end_cue];
    t->length = rlx_ms_to_frames(t->length_ms, rate);
    t->tail = rlx_ms_to_frames(R.tail_ms, rate);
    t->tail_start = R.tail_ms > 0 && R.tail_cue != NO_ANCHOR
                        ? rlx_ms_to_frames(R.start[R.tail_cue] - R.tail_ms, rate) : t->length;
    t->ncues = R.n;
    t->cues = calloc(R.n ? R.n : 1, sizeof *t->cues);
    if (!t->cues) {
        e = RLX_ERR_NOMEM;
        goto done;
    }
    for (size_t i = 0; i < R.n; i++) {
        t->cues[i] = (rlx_tl_cue){&s->cues[i], rlx_ms_to_frames(clamp_ms(R.start[i]), rate),
                                  rlx_ms_to_frames(clamp_ms(R.end[i]), rate), omit[i]};
        if (omit[i])
            t->nomitted++;
    }
    e = lay_out_breaths(t, s);
done:
    if (e == RLX_OK) {
        *out = t;
    } else {
        rlx_timeline_free(t);
    }
    free(omit);
    free(mark);
    free(stretch);
    resolver_free(&R);
    return e;
}

int64_t rlx_timeline_map_frame(const rlx_timeline *from, const rlx_timeline *to, int64_t pos)
{
    long best = -1;
    for (size_t i = 0; i < from->ncues && i < to->ncues; i++) {
        if (from->cues[i].omitted || to->cues[i].omitted)
            continue;   /* not in one of the versions: count from a cue in both */
        if (from->cues[i].start > pos)
            break;
        best = (long)i;
    }
    int64_t np = best < 0 ? pos : to->cues[best].start + (pos - from->cues[best].start);
    if (best >= 0 && from->cues[best].end > from->cues[best].start) {
        const rlx_tl_cue *a = &from->cues[best], *b = &to->cues[best];
        if (pos > a->end)
            np = b->end + (pos - a->end);   /* in the gap after it: as far past its end */
        else if (np > b->end)
            np = b->end;                    /* inside a silence that got shorter: on to its end */
    }
    return np < 0 ? 0 : np > to->length ? to->length : np;
}
