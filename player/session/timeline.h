/* timeline.h - a session resolved to frames at one output rate and one length.
 * Pure: built from the parsed session plus the duration of every voice cue.
 * Relative times are resolved, stretchable silences stretched to reach the
 * requested length, voice overlaps detected, breath cycles laid out. */
#ifndef RLX_TIMELINE_H
#define RLX_TIMELINE_H

#include <stdint.h>

#include "session/breath.h"
#include "session/session.h"

/* One resolved cue: same order and index as session->cues. */
typedef struct {
    const rlx_cue *cue;
    int64_t start;        /* frame */
    int64_t end;          /* frame; == start for instantaneous cues */
} rlx_tl_cue;


typedef struct {
    int rate;
    int64_t length;               /* frames; the end cue */
    int64_t natural_ms, longest_ms, length_ms;
    rlx_tl_cue *cues;             /* ncues == session->ncues */
    size_t ncues;
    rlx_tl_breath *breaths;       /* from 0 to length, ordered */
    size_t nbreaths;
} rlx_timeline;

/* Natural (all silences at minimum) and longest (at maximum) lengths.
 * voice_ms[i] is the duration of cue i if it is a voice cue (ignored otherwise). */
rlx_err rlx_timeline_lengths(const rlx_session *s, const int64_t *voice_ms,
                             int64_t *natural_ms, int64_t *longest_ms, rlx_diags *diags);

/* Builds the timeline. length_ms = 0 means natural length. Errors (appended
 * to diags with the cue's line:col): voices overlapping, a relative cue
 * landing after `end`, length outside natural..longest (RLX_ERR_LENGTH). */
rlx_err rlx_timeline_build(const rlx_session *s, const int64_t *voice_ms,
                           int64_t length_ms, int rate, rlx_timeline **out,
                           rlx_diags *diags);
void rlx_timeline_free(rlx_timeline *t);  /* accepts NULL */

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
