/* timeline.h - a session resolved to frames at one output rate and one length.
 * Pure: built from the parsed session plus the duration of every voice cue.
 * Relative times are resolved, stretchable silences stretched to reach the
 * requested length, voice overlaps detected, breath cycles laid out. */
#ifndef RLX_TIMELINE_H
#define RLX_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "session/breath.h"
#include "session/session.h"

/* One resolved cue: same order and index as session->cues. */
typedef struct {
    const rlx_cue *cue;
    int64_t start;        /* frame */
    int64_t end;          /* frame; == start for instantaneous cues */
    bool omitted;         /* this version leaves the cue out (optional, or `from` a longer
                           * length): start == end, nothing plays; skip it */
} rlx_tl_cue;


typedef struct {
    int rate;
    int64_t length;               /* frames; the end cue */
    int64_t natural_ms, longest_ms, length_ms;
    int64_t shortest_ms;          /* with every optional cue left out */
    int dropped_level;            /* optional levels 1..this are left out (0: none) */
    size_t nomitted;              /* cues this version leaves out */
    int64_t tail, tail_start;     /* frames: the ambient-only tail (0: none) and where it starts */
    rlx_tl_cue *cues;             /* ncues == session->ncues */
    size_t ncues;
    rlx_tl_breath *breaths;       /* from 0 to length, ordered */
    size_t nbreaths;
} rlx_timeline;

#define RLX_TIMELINE_TAIL_MAX_MS (60 * 60000)

/* What a timeline is built for: length_ms 0 = natural; tail_ms: an
 * ambient-only stretch before the last fade-out (or `end`), part of the length. */
typedef struct {
    int64_t length_ms;
    int64_t tail_ms;
} rlx_timeline_opts;

/* The lengths a session can be played at, over all its versions: shortest
 * (every optional cue left out, stretchable silences at their minimum),
 * natural (nothing left out) and longest (every silence at its maximum and
 * every `from` cue that fits). Any length in between normally works; a gap
 * between two versions is possible and reported by rlx_timeline_fits. */
rlx_err rlx_timeline_range(const rlx_session *s, const int64_t *voice_ms, int64_t tail_ms,
                           int64_t *shortest_ms, int64_t *natural_ms, int64_t *longest_ms,
                           rlx_diags *diags);
bool rlx_timeline_fits(const rlx_session *s, const int64_t *voice_ms, int64_t tail_ms, int64_t length_ms);
/* The length nearest length_ms that works (-1 if the session is broken). */
int64_t rlx_timeline_nearest(const rlx_session *s, const int64_t *voice_ms, int64_t tail_ms,
                             int64_t length_ms);

/* Natural (nothing left out, all silences at minimum) and longest lengths.
 * voice_ms[i] is the duration of cue i if it is a voice cue (ignored otherwise). */
rlx_err rlx_timeline_lengths(const rlx_session *s, const int64_t *voice_ms,
                             int64_t *natural_ms, int64_t *longest_ms, rlx_diags *diags);

/* Builds the timeline. length_ms = 0 means natural length. Errors (appended
 * to diags with the cue's line:col): voices overlapping, a relative cue
 * landing after `end`, length outside natural..longest (RLX_ERR_LENGTH). */
rlx_err rlx_timeline_build(const rlx_session *s, const int64_t *voice_ms,
                           int64_t length_ms, int rate, rlx_timeline **out,
                           rlx_diags *diags);
/* The same with a tail. The version played at a length (the layout, README
 * "Lengths"): `from D` cues are in when length >= D; then optional levels
 * 1, 2, ... are left out, one level at a time, until the version's natural
 * length is at most the length asked; the rest of the time goes into the
 * stretchable silences in proportion to their ranges. */
rlx_err rlx_timeline_build_opts(const rlx_session *s, const int64_t *voice_ms, const rlx_timeline_opts *o,
                                int rate, rlx_timeline **out, rlx_diags *diags);
void rlx_timeline_free(rlx_timeline *t);  /* accepts NULL */

/* The frame of `to` (another version of the same session: another length)
 * that plays what `frame` plays in `from`: the same cue (the last one in
 * both versions started at frame), the same distance into it; in the quiet
 * after a cue, as far past its end; inside a silence that got shorter, on to
 * its end. Clamped to 0..to->length. Pure; used for a length change while
 * playing, so nothing heard is replayed and the listener hears no jump. */
int64_t rlx_timeline_map_frame(const rlx_timeline *from, const rlx_timeline *to, int64_t frame);

/* Breath shape at frame t: 0 = empty lungs, 1 = full, smooth (raised cosine)
 * in between; pure. Used by the tone synth and the SVG drawing. */
static inline double rlx_timeline_breath_shape(const rlx_timeline *t, int64_t frame, size_t *hint)
{
    return t ? rlx_breath_shape(t->breaths, t->nbreaths, t->rate, frame, hint) : 0.0;
}

static inline int64_t rlx_ms_to_frames(int64_t ms, int rate)
{
    return (ms * (int64_t)rate + 500) / 1000;
}

#endif
