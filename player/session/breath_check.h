/* breath_check.h - does the tone do what the words say? Finds the phrases
 * in a spoken line that invite breathing in or out ("breathing in",
 * "as the tone falls", ...) and checks them against the breath shape of a
 * built timeline. Pure: text and timeline in, findings out. */
#ifndef RLX_BREATH_CHECK_H
#define RLX_BREATH_CHECK_H

#include <stddef.h>

#include "session/timeline.h"

typedef enum { RLX_INVITE_OUT = -1, RLX_INVITE_IN = 1 } rlx_invite_dir;

typedef struct {
    rlx_invite_dir dir;
    size_t at, len;   /* byte range of the phrase in the text */
} rlx_breath_invite;

/* Up to max invitations in text, in order; returns how many were found.
 * Descriptions are not invitations: "breathing in your own way", a count
 * ("in for four"), "the in breath". */
size_t rlx_breath_invites(const char *text, rlx_breath_invite *out, size_t max);

typedef struct {
    size_t cue;           /* index into the session's cues */
    size_t at, len;       /* the phrase in the cue's text */
    int64_t frame;        /* when the phrase is about to be heard (estimate) */
    const char *problem;  /* "the tone is falling", "the tone is holding", ... */
    rlx_invite_dir dir;
} rlx_breath_finding;

/* Checks every say/play cue with a text. The first invitation of a line is
 * estimated to be heard in proportion to its place in the text; the tone
 * must move that way within 1.5 s of it (and for "in", not already be near
 * the top). A later invitation in the same line only needs the tone to move
 * that way before the breath after the one running. Returns the number of
 * findings; *out is malloc'ed (NULL when none). */
size_t rlx_breath_check(const rlx_timeline *t, rlx_breath_finding **out);

#endif
