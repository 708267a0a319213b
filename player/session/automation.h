/* automation.h - the gains of a session as pure functions of the timeline
 * frame: fades, level ramps, ducking under the voice (the breath envelope
 * is rlx_timeline_breath_shape, timeline.h). The renderer makes the sound
 * with them and the timeline drawing draws them, so the picture shows the
 * gains that are heard. No I/O; allocation only in rlx_automation_build. */
#ifndef RLX_AUTOMATION_H
#define RLX_AUTOMATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "session/session.h"
#include "session/shape.h"
#include "session/timeline.h"

#define RLX_DUCK_PRE_MS 300        /* the background starts to dip this long before a line */
#define RLX_DUCK_POST_MS 600       /* and is back this long after it */
#define RLX_LEVEL_RAMP_DEFAULT_MS 50
/* In a voice-free stretch of at least RLX_REST_GAP_MS the tone settles
 * [breath] rest lower, so the bed rather than a bare tone carries long
 * pauses: it eases down from REST_AFTER - REST_DOWN to REST_AFTER after the
 * voice, and is back REST_BACK before the next line. */
#define RLX_REST_GAP_MS 60000
#define RLX_REST_AFTER_MS 40000
#define RLX_REST_DOWN_MS 20000
#define RLX_REST_UP_MS 5000
#define RLX_REST_BACK_MS 3000
#define RLX_TAIL_TONE_FADE_MS 20000  /* the tone's way out at the start of a tail */

/* A piecewise curve: from `start` to `end` a segment ramps from `from` to
 * `to` (smoothstep); after `end` it holds `to` until the next segment. */
typedef struct {
    int64_t start, end;
    double from, to;
} rlx_ramp;

typedef struct {
    double initial;
    rlx_ramp *segs;      /* sorted by start */
    size_t nsegs;
} rlx_curve;

/* Appends a ramp to `to` over [start, end) (end <= start: one frame). It
 * starts from where the curve is at `start`, also mid-way through the
 * previous ramp. RLX_ERR_NOMEM. */
rlx_err rlx_curve_push(rlx_curve *c, int64_t start, int64_t end, double to);
double rlx_curve_at(const rlx_curve *c, int64_t t);
void rlx_curve_free(rlx_curve *c);

/* The tone's dip under the voice lines that share one depth. */
typedef struct {
    double db;          /* dip in dB at full depth */
    rlx_span *spans;    /* sorted by start */
    size_t n;
} rlx_tone_duck;

/* Everything a session does to its gains, laid out on its timeline. */
typedef struct {
    int rate;
    rlx_curve voice_db;       /* offset from the [voice] level, dB */
    rlx_curve breath_db;      /* breath tone level, dB */
    rlx_curve ambient_db;     /* ambient bed level, dB */
    rlx_curve fade;           /* master fade, 0..1 */
    rlx_span *duck;           /* voice cue spans, sorted by start */
    size_t nduck;
    int64_t duck_pre, duck_post;
    double breath_duck_db, ambient_duck_db;
    /* the tone's dip: voice spans grouped by their dip (a line may ask for
     * its own with `breath-duck`); the deepest running dip wins */
    rlx_tone_duck *tduck;
    size_t ntduck;
    rlx_span *rest;           /* long pauses where the tone rests lower */
    size_t nrest;
    int64_t rest_pre, rest_post;
    double breath_rest_db;
    int64_t tail_start, tail_fade;   /* the tone fades out over tail_fade from tail_start
                                      * (an ambient-only tail); tail_start = INT64_MAX: none */
} rlx_automation;

/* Linear gains at one frame, before the background balance and the
 * master volume; breath and ambient as if both were present. */
typedef struct {
    double voice, breath, ambient, master;
} rlx_gains;

rlx_err rlx_automation_build(const rlx_session *s, const rlx_timeline *t, rlx_automation *a);
void rlx_automation_free(rlx_automation *a);   /* accepts a zeroed struct */

/* Ducking depth 0..1 at t (hint as for rlx_duck_depth, may be NULL). */
double rlx_automation_duck(const rlx_automation *a, int64_t t, size_t *hint);
/* The gains heard at frame t. Pure; hint may be NULL. */
rlx_gains rlx_automation_gains(const rlx_automation *a, int64_t t, size_t *hint);
/* The highest level (dB) a bus reaches (breath/ambient), for drawing scales. */
double rlx_automation_bus_max_db(const rlx_automation *a, rlx_bus bus);

#endif
