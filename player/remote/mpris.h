/* mpris.h - a playing session as an MPRIS media player on the D-Bus session
 * bus (sd-bus from libsystemd), so headset buttons, desktop media controls
 * and `playerctl` can pause, resume, skip lines, seek and stop it.
 *
 * Everything runs on the control thread: rlx_mpris_turn handles what the
 * bus has brought (bounded per turn, never blocking) and calls the engine's
 * commands directly, as the keys do. No session bus: not offered, silently. */
#ifndef RLX_MPRIS_H
#define RLX_MPRIS_H

#include <stdbool.h>

#include "engine/engine.h"

typedef struct rlx_mpris rlx_mpris;

/* Connects to the session bus and takes the name
 * org.mpris.MediaPlayer2.relax (or .relax.instance<pid> when taken).
 * Returns NULL when there is no session bus or it refuses us. */
rlx_mpris *rlx_mpris_open(const rlx_session *s);

/* Control thread, every turn of the loop: brings the published state up to
 * date (signalling what changed) and runs the requests that came in.
 * Returns true when Stop was asked: the caller fades out as for its quit key. */
bool rlx_mpris_turn(rlx_mpris *m, rlx_engine *e, const rlx_engine_state *st);

/* The bus name taken (for messages and tests). */
const char *rlx_mpris_name(const rlx_mpris *m);

void rlx_mpris_close(rlx_mpris *m);   /* accepts NULL */

#endif
