/* store_record.c - the plain data shared by the store, its backends and
 * the journal. */
#include "store/store_record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


int64_t rlx_store_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void rlx_listen_rec_clear(rlx_listen_rec *r)
{
    if (!r)
        return;
    free(r->profile);
    free(r->session_id);
    free(r->session_hash);
    free(r->room);
    memset(r, 0, sizeof *r);
}

void rlx_store_listens_free(rlx_listen_rec *recs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rlx_listen_rec_clear(&recs[i]);
    free(recs);
}
