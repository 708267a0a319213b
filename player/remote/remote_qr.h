/* remote_qr.h - a QR code of a short text (the remote's URL) drawn with
 * characters for a terminal (libqrencode). No printing here: the CLI prints. */
#ifndef RLX_REMOTE_QR_H
#define RLX_REMOTE_QR_H

#include <stdbool.h>

#include "core/err.h"

/* Lines of text ending in '\n', malloc'ed in *out. utf8: Unicode half
 * blocks, two module rows per line; else '#' pairs, one row per line.
 * Light modules are drawn (a dark terminal background gives the dark
 * ones), with a light quiet zone around. RLX_ERR_USAGE if text is too long
 * for a QR code, RLX_ERR_NOMEM. */
rlx_err rlx_remote_qr_text(const char *text, bool utf8, char **out);

#endif
