/* next_render.h - `relax next` without a sound card (or with -o FILE):
 * render the week to a file, by default Ogg Vorbis in the music folder,
 * and remember it in the store as an offline listen. */
#ifndef RLX_NEXT_RENDER_H
#define RLX_NEXT_RENDER_H

#include "cli_store.h"

/* Renders week (0-based) of p. out: the file to write (any extension
 * `relax render` takes), or NULL for the default: <music folder>/
 * relax-week-NN.ogg, never replacing a file that is there (-2, -3, ...
 * are added), and when an earlier render of this week is waiting there,
 * unheard, it is pointed to instead of rendered again (unless length_arg
 * asks for a length). length_arg, tail_arg: as for
 * render --length and --tail, or NULL. no_device: say that is why. Returns an exit code. */
int rlx_cli_next_render(const rlx_cli_store_opts *o, const char *profile, const rlx_cli_progress *p,
                        int week, const char *out, const char *length_arg, const char *tail_arg,
                        const char *bed_arg, bool length_remembered, bool no_device);

#endif
