/* remote_engine.h - the remote in front of an engine: the glue a front end
 * calls on its control thread (the engine's commands are control-thread
 * only, so the server never calls them itself: it queues, this applies). */
#ifndef RLX_REMOTE_ENGINE_H
#define RLX_REMOTE_ENGINE_H

#include <stdbool.h>

#include "engine/engine.h"
#include "remote/remote.h"

/* The engine's state as the remote's status (st NULL: "starting"). */
void rlx_remote_engine_status(rlx_engine *e, const rlx_session *s, const rlx_engine_state *st,
                              rlx_remote_status *out);

/* Publishes the engine's state (st from rlx_engine_poll; NULL before the
 * engine has started: the state is then "starting"). Cheap: call it on
 * every turn of the control loop. */
void rlx_remote_engine_publish(rlx_remote *r, rlx_engine *e, const rlx_session *s,
                               const rlx_engine_state *st);

/* Applies every queued command to e. Returns true when the remote asked to
 * stop: the caller fades out as for its own quit key (so its recording
 * hooks see the same stop). */
bool rlx_remote_engine_apply(rlx_remote *r, rlx_engine *e, const rlx_engine_state *st);

#endif
