/* timeline_svg.h - an SVG drawing of a resolved session for its author:
 * lanes for the master (fades, chimes), the voice (captioned blocks,
 * silences), the breath tone (its wave and level with ducking) and the
 * ambient bed, over a time axis in minutes. Pure apart from writing to the
 * caller's stream. */
#ifndef RLX_TIMELINE_SVG_H
#define RLX_TIMELINE_SVG_H

#include <stddef.h>
#include <stdio.h>

#include "core/err.h"
#include "session/session.h"
#include "session/timeline.h"

typedef struct {
    double px_per_min;   /* horizontal scale; 0 = automatic (80, wider for short sessions) */
} rlx_svg_config;

/* Writes a complete standalone SVG document. t must have been built from s.
 * Returns RLX_ERR_OUTPUT if the stream reports an error, RLX_ERR_NOMEM. */
rlx_err rlx_timeline_svg_write(FILE *f, const rlx_session *s, const rlx_timeline *t,
                               const rlx_svg_config *cfg);

/* Writes len bytes of UTF-8 text escaped for XML character data and
 * attribute values: & < > " ' become entities, control characters are
 * dropped and invalid UTF-8 becomes U+FFFD, so the output is always well-formed. */
void rlx_xml_escape(FILE *f, const char *s, size_t len);

#endif
