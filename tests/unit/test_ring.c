/* test_ring.c - the SPSC ring: sizes, wrap-around, two-region API, and a
 * two-thread run that checks every frame arrives once and in order. */
#include "rlx_test.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/ring.h"

static void test_open_rejects_bad_sizes(void **state)
{
    (void)state;
    rlx_ring *r = (rlx_ring *)1;
    assert_int_equal(rlx_ring_open(0, 2, &r), RLX_ERR_USAGE);
    assert_null(r);
    assert_int_equal(rlx_ring_open(16, 0, &r), RLX_ERR_USAGE);
    assert_int_equal(rlx_ring_open((size_t)1 << 40, 2, &r), RLX_ERR_USAGE);
    rlx_ring_close(NULL);
}

static void test_capacity_rounds_up(void **state)
{
    (void)state;
    rlx_ring *r;
    assert_int_equal(rlx_ring_open(1000, 2, &r), RLX_OK);
    assert_int_equal(rlx_ring_capacity(r), 1024);
    assert_int_equal(rlx_ring_channels(r), 2);
    assert_int_equal(rlx_ring_read_available(r), 0);
    assert_int_equal(rlx_ring_write_available(r), 1024);
    rlx_ring_close(r);
    assert_int_equal(rlx_ring_open(1024, 1, &r), RLX_OK);
    assert_int_equal(rlx_ring_capacity(r), 1024);
    rlx_ring_close(r);
}

static void test_fill_and_drain(void **state)
{
    (void)state;
    rlx_ring *r;
    assert_int_equal(rlx_ring_open(8, 2, &r), RLX_OK);
    float in[20], out[20];
    for (int i = 0; i < 20; i++)
        in[i] = (float)i;
    /* only 8 of 10 frames fit */
    assert_int_equal(rlx_ring_write(r, in, 10), 8);
    assert_int_equal(rlx_ring_write_available(r), 0);
    assert_int_equal(rlx_ring_write(r, in, 1), 0);
    assert_int_equal(rlx_ring_read(r, out, 3), 3);
    for (int i = 0; i < 6; i++)
        assert_true(out[i] == (float)i);
    assert_int_equal(rlx_ring_read_available(r), 5);
    assert_int_equal(rlx_ring_skip(r, 100), 5);
    assert_int_equal(rlx_ring_read_available(r), 0);
    assert_int_equal(rlx_ring_read(r, out, 4), 0);
    rlx_ring_close(r);
}

static void test_two_regions_wrap(void **state)
{
    (void)state;
    rlx_ring *r;
    assert_int_equal(rlx_ring_open(8, 2, &r), RLX_OK);
    float block[12] = {0};
    assert_int_equal(rlx_ring_write(r, block, 6), 6);
    assert_int_equal(rlx_ring_skip(r, 6), 6);
    /* write index at 6: 5 frames span 2 + 3 */
    float *p1, *p2;
    size_t n1, n2;
    assert_int_equal(rlx_ring_write_regions(r, 5, &p1, &n1, &p2, &n2), 5);
    assert_int_equal(n1, 2);
    assert_int_equal(n2, 3);
    assert_non_null(p2);
    for (size_t i = 0; i < n1 * 2; i++)
        p1[i] = (float)(100 + i);
    for (size_t i = 0; i < n2 * 2; i++)
        p2[i] = (float)(100 + n1 * 2 + i);
    /* nothing visible before the commit */
    assert_int_equal(rlx_ring_read_available(r), 0);
    rlx_ring_write_commit(r, 5);
    assert_int_equal(rlx_ring_read_available(r), 5);

    const float *q1, *q2;
    assert_int_equal(rlx_ring_read_regions(r, 8, &q1, &n1, &q2, &n2), 5);
    assert_int_equal(n1, 2);
    assert_int_equal(n2, 3);
    for (size_t i = 0; i < n1 * 2; i++)
        assert_true(q1[i] == (float)(100 + i));
    for (size_t i = 0; i < n2 * 2; i++)
        assert_true(q2[i] == (float)(100 + n1 * 2 + i));
    rlx_ring_read_commit(r, 5);

    /* a single span: second region empty */
    assert_int_equal(rlx_ring_write_regions(r, 3, &p1, &n1, &p2, &n2), 3);
    assert_int_equal(n1, 3);
    assert_int_equal(n2, 0);
    assert_null(p2);
    rlx_ring_close(r);
}

/* Threaded: the writer pushes a counting sequence in odd-sized chunks, the
 * reader checks it frame by frame. Runs a million frames through a small
 * ring so the indices wrap many times and the sides race constantly. */
#define TOTAL_FRAMES 1000000u

static void *writer_main(void *arg)
{
    rlx_ring *r = arg;
    uint32_t next = 0;
    float chunk[2 * 97];
    while (next < TOTAL_FRAMES) {
        size_t want = 1 + next % 97;
        if (want > TOTAL_FRAMES - next)
            want = TOTAL_FRAMES - next;
        for (size_t i = 0; i < want; i++) {
            chunk[2 * i] = (float)((next + i) & 0xffff);
            chunk[2 * i + 1] = -(float)((next + i) & 0xffff);
        }
        size_t done = 0;
        while (done < want) {
            size_t n = rlx_ring_write(r, chunk + 2 * done, want - done);
            done += n;
            if (!n)
                sched_yield();
        }
        next += (uint32_t)want;
    }
    return NULL;
}

static void test_threads_keep_order(void **state)
{
    (void)state;
    rlx_ring *r;
    assert_int_equal(rlx_ring_open(256, 2, &r), RLX_OK);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, writer_main, r), 0);
    uint32_t got = 0;
    unsigned bad = 0;
    while (got < TOTAL_FRAMES) {
        const float *p1, *p2;
        size_t n1, n2;
        size_t n = rlx_ring_read_regions(r, 61, &p1, &n1, &p2, &n2);
        if (!n) {
            sched_yield();
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            const float *f = i < n1 ? p1 + 2 * i : p2 + 2 * (i - n1);
            float want = (float)((got + i) & 0xffff);
            bad += f[0] != want || f[1] != -want;
        }
        rlx_ring_read_commit(r, n);
        got += (uint32_t)n;
    }
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(bad, 0);
    assert_int_equal(rlx_ring_read_available(r), 0);
    rlx_ring_close(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_rejects_bad_sizes),
        cmocka_unit_test(test_capacity_rounds_up),
        cmocka_unit_test(test_fill_and_drain),
        cmocka_unit_test(test_two_regions_wrap),
        cmocka_unit_test(test_threads_keep_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
