/* remote_page.h - the remote's page (remote_page.html), compiled in at
 * build time by embed.cmake: one self-contained file, no other assets. */
#ifndef RLX_REMOTE_PAGE_H
#define RLX_REMOTE_PAGE_H

#include <stddef.h>

extern const unsigned char rlx_remote_page[];   /* NUL-terminated */
extern const size_t rlx_remote_page_len;        /* without the NUL */

#endif
