/* remote_qr.c - the remote's URL as a QR code for the terminal. */
#include "remote_qr.h"

#include <errno.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#define QUIET 2   /* modules of light border; phones read 2 well on a screen */

rlx_err rlx_remote_qr_text(const char *text, bool utf8, char **out)
{
    *out = NULL;
    /* level M: survives a glare spot on a phone camera, still small for a URL */
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return errno == ENOMEM ? RLX_ERR_NOMEM : RLX_ERR_USAGE;
    int w = qr->width, full = w + 2 * QUIET;
    /* a module is light outside the symbol and where libqrencode's bit 0 is clear */
#define LIGHT(x, y) ((x) < QUIET || (y) < QUIET || (x) >= QUIET + w || (y) >= QUIET + w || \
                     !(qr->data[((y) - QUIET) * w + ((x) - QUIET)] & 1))
    size_t rows = utf8 ? (size_t)(full + 1) / 2 : (size_t)full;
    size_t per_row = utf8 ? (size_t)full * 3 + 1 : (size_t)full * 2 + 1;
    char *buf = malloc(rows * per_row + 1);
    if (!buf) {
        QRcode_free(qr);
        return RLX_ERR_NOMEM;
    }
    char *p = buf;
    if (utf8) {
        for (int y = 0; y < full; y += 2) {
            for (int x = 0; x < full; x++) {
                bool top = LIGHT(x, y), bottom = y + 1 < full ? LIGHT(x, y + 1) : false;
                const char *s = top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
                size_t n = strlen(s);
                memcpy(p, s, n);
                p += n;
            }
            *p++ = '\n';
        }
    } else {
        for (int y = 0; y < full; y++) {
            for (int x = 0; x < full; x++) {
                char c = LIGHT(x, y) ? '#' : ' ';
                *p++ = c;
                *p++ = c;
            }
            *p++ = '\n';
        }
    }
#undef LIGHT
    *p = '\0';
    QRcode_free(qr);
    *out = buf;
    return RLX_OK;
}
