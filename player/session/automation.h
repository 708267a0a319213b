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
 * pauses: it eases down over RLX_REST_DOWN_MS until RLX_REST_AFTER_MS after
 * the voice, and is back RLX_REST_BACK_MS before the next line (the way up
 * takes RLX_REST_UP_MS). */
#define RLX_REST_GAP_MS 60000
#define RLX_REST_AFTER_MS 40000
#define RLX_REST_DOWN_MS 20000
#define RLX_REST_UP_MS 5000
#define RLX_REST_BACK_MS 3000

/* A piecewise curve: from `start` to `end` a segment ramps from `from` to
 * `to` (smoothstep); after `end` it holds `to` until the next segment. */
typedef struct {
    int64_t start, end;
    double from, to;
} rlx_ramp;

typedef struct {
    double initial;
    rlx_ramp *segs;      /* sorted by start */
    size_t nsegs, cap;   /* cap: allocated segments (grows by doubling) */
} rlx_curve;

/* Appends a ramp to `to` over [start, end) (end <= start: one frame). It
 * starts from where the curve is at `start`, also mid-way through the
 * previous ramp. RLX_ERR_NOMEM. */
rlx_err rlx_curve_push(rlx_curve *c, int64_t start, int64_t end, double to);
double rlx_curve_at(const rlx_curve *c, int64_t t);
void rlx_curve_free(rlx_curve *c);

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
    /* voice spans whose line sets its own tone dip (`breath-duck`), one
     * group per dip; the deepest running dip wins */
    struct rlx_tone_dip {
        double db;
        rlx_span *spans;     /* sorted by start */
        size_t n;
    } *dips;
    size_t ndips;
    rlx_span *plain;         /* voice spans with the [breath] duck */
    size_t nplain;
    rlx_span *rest;          /* long pauses: the tone rests lower inside */
    size_t nrest;
    int64_t rest_pre, rest_post;
    double rest_db;
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
/* The tone's dip (dB, >= 0) at t, given the duck depth there: the lines'
 * own `breath-duck` and the rest in long pauses included. Pure. */
double rlx_automation_tone_dip(const rlx_automation *a, int64_t t, double depth);
/* The gains heard at frame t. Pure; hint may be NULL. */
rlx_gains rlx_automation_gains(const rlx_automation *a, int64_t t, size_t *hint);
/* Where the gains may change: sorted, disjoint [start, end) spans (the
 * curves' ramps and the ducking ramps, merged when they touch). Between two
 * spans every rlx_automation_gains value is constant, bit for bit (curves
 * hold a ramp's end value, ducking is exactly 0 or 1), so a renderer may
 * reuse the gains it has. *out is malloc'ed (NULL when n is 0). RLX_ERR_NOMEM. */
rlx_err rlx_automation_changes(const rlx_automation *a, rlx_span **out, size_t *n);

/* The highest level (dB) a bus reaches (breath/ambient), for drawing scales. */
double rlx_automation_bus_max_db(const rlx_automation *a, rlx_bus bus);

#endif
