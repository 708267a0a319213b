/* ring.c - SPSC float ring (see ring.h).
 * The indices run freely (they wrap at SIZE_MAX + 1, a multiple of the
 * power-of-two capacity), so write - read is the fill without a spare slot.
 * The writer publishes with release after filling; the reader acquires
 * before reading the data, and vice versa for freeing space. */
#include "core/ring.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct rlx_ring {
    float *buf;
    size_t cap;    /* frames, power of two */
    size_t mask;
    int ch;
    /* Each index is written by one side only; on its own cache line so the
     * two threads do not bounce one line between cores. */
    _Alignas(64) _Atomic size_t w;  /* written by the writer */
    _Alignas(64) _Atomic size_t r;  /* written by the reader */
};

#define RLX_RING_MAX_FRAMES ((size_t)1 << 28)

rlx_err rlx_ring_open(size_t min_frames, int channels, rlx_ring **out)
{
    *out = NULL;
    if (min_frames == 0 || channels < 1 || channels > 64 || min_frames > RLX_RING_MAX_FRAMES)
        return RLX_ERR_USAGE;
    size_t cap = 1;
    while (cap < min_frames)
        cap <<= 1;
    rlx_ring *r = aligned_alloc(64, sizeof *r);
    if (!r)
        return RLX_ERR_NOMEM;
    memset(r, 0, sizeof *r);
    r->buf = calloc(cap * (size_t)channels, sizeof(float));
    if (!r->buf) {
        free(r);
        return RLX_ERR_NOMEM;
    }
    r->cap = cap;
    r->mask = cap - 1;
    r->ch = channels;
    atomic_init(&r->w, 0);
    atomic_init(&r->r, 0);
    *out = r;
    return RLX_OK;
}

void rlx_ring_close(rlx_ring *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r);
}

size_t rlx_ring_capacity(const rlx_ring *r) { return r->cap; }
int rlx_ring_channels(const rlx_ring *r) { return r->ch; }

size_t rlx_ring_read_available(const rlx_ring *r)
{
    size_t rd = atomic_load_explicit(&((rlx_ring *)r)->r, memory_order_acquire);
    size_t wr = atomic_load_explicit(&((rlx_ring *)r)->w, memory_order_acquire);
    return wr - rd;
}

size_t rlx_ring_write_available(const rlx_ring *r)
{
    return r->cap - rlx_ring_read_available(r);
}

/* Splits `n` frames starting at index `at` into at most two spans. */
static void regions(const rlx_ring *r, size_t at, size_t n, float **p1, size_t *n1,
                    float **p2, size_t *n2)
{
    size_t off = at & r->mask;
    size_t first = r->cap - off;
    if (first > n)
        first = n;
    *p1 = r->buf + off * (size_t)r->ch;
    *n1 = first;
    if (n > first) {
        *p2 = r->buf;
        *n2 = n - first;
    } else {
        *p2 = NULL;
        *n2 = 0;
    }
}

size_t rlx_ring_write_regions(rlx_ring *r, size_t n, float **p1, size_t *n1,
                              float **p2, size_t *n2)
{
    size_t wr = atomic_load_explicit(&r->w, memory_order_relaxed);
    size_t rd = atomic_load_explicit(&r->r, memory_order_acquire);
    size_t room = r->cap - (wr - rd);
    if (n > room)
        n = room;
    regions(r, wr, n, p1, n1, p2, n2);
    return n;
}

void rlx_ring_write_commit(rlx_ring *r, size_t n)
{
    size_t wr = atomic_load_explicit(&r->w, memory_order_relaxed);
    atomic_store_explicit(&r->w, wr + n, memory_order_release);
}

size_t rlx_ring_write(rlx_ring *r, const float *frames, size_t n)
{
    float *p1, *p2;
    size_t n1, n2;
    n = rlx_ring_write_regions(r, n, &p1, &n1, &p2, &n2);
    size_t ch = (size_t)r->ch;
    memcpy(p1, frames, n1 * ch * sizeof(float));
    if (n2)
        memcpy(p2, frames + n1 * ch, n2 * ch * sizeof(float));
    rlx_ring_write_commit(r, n);
    return n;
}

size_t rlx_ring_read_regions(rlx_ring *r, size_t n, const float **p1, size_t *n1,
                             const float **p2, size_t *n2)
{
    size_t rd = atomic_load_explicit(&r->r, memory_order_relaxed);
    size_t wr = atomic_load_explicit(&r->w, memory_order_acquire);
    size_t have = wr - rd;
    if (n > have)
        n = have;
    float *q1, *q2;
    regions(r, rd, n, &q1, n1, &q2, n2);
    *p1 = q1;
    *p2 = q2;
    return n;
}

void rlx_ring_read_commit(rlx_ring *r, size_t n)
{
    size_t rd = atomic_load_explicit(&r->r, memory_order_relaxed);
    atomic_store_explicit(&r->r, rd + n, memory_order_release);
}

size_t rlx_ring_read(rlx_ring *r, float *out, size_t n)
{
    const float *p1, *p2;
    size_t n1, n2;
    n = rlx_ring_read_regions(r, n, &p1, &n1, &p2, &n2);
    size_t ch = (size_t)r->ch;
    memcpy(out, p1, n1 * ch * sizeof(float));
    if (n2)
        memcpy(out + n1 * ch, p2, n2 * ch * sizeof(float));
    rlx_ring_read_commit(r, n);
    return n;
}

size_t rlx_ring_skip(rlx_ring *r, size_t n)
{
    size_t have = rlx_ring_read_available(r);
    if (n > have)
        n = have;
    rlx_ring_read_commit(r, n);
    return n;
}
