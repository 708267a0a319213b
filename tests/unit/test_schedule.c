/* test_schedule.c - program flow with fake clocks. */
#include "rlx_test.h"

#include <string.h>

#include "store/schedule.h"

#define DAY (24LL * 3600 * 1000)
#define T0 (1699999980000LL)   /* some Tuesday, on the minute */
#define WAIT (6 * DAY)

static void fresh_profile_week1_open(void **state)
{
    (void)state;
    rlx_week_input in[10] = {0};
    rlx_week_status out[10];
    rlx_schedule s;
    rlx_schedule_compute(in, 10, WAIT, T0, false, out, &s);
    assert_int_equal(out[0].state, RLX_WEEK_OPEN);
    for (int i = 1; i < 10; i++)
        assert_int_equal(out[i].state, RLX_WEEK_LOCKED);
    assert_int_equal(s.next, 0);
    assert_false(s.resume);
    assert_int_equal(s.waiting, -1);
    assert_int_equal(s.done, 0);
    assert_int_equal(s.run, 0);
    assert_false(s.all_done);
    assert_string_equal(rlx_week_state_name(out[1].state), "locked");
}

static void next_week_opens_after_wait(void **state)
{
    (void)state;
    rlx_week_input in[10] = {0};
    in[0].completed_ms = T0;
    rlx_week_status out[10];
    rlx_schedule s;
    /* one ms before the wait is over: week 2 opens later */
    rlx_schedule_compute(in, 10, WAIT, T0 + WAIT - 1, false, out, &s);
    assert_int_equal(out[0].state, RLX_WEEK_DONE);
    assert_int_equal(out[1].state, RLX_WEEK_OPENS_LATER);
    assert_int_equal(out[1].opens_ms, T0 + WAIT);
    assert_int_equal(out[2].state, RLX_WEEK_LOCKED);
    assert_int_equal(s.next, -1);
    assert_int_equal(s.waiting, 1);
    assert_int_equal(s.waiting_opens_ms, T0 + WAIT);
    assert_int_equal(s.run, 1);
    /* exactly at the moment: open */
    rlx_schedule_compute(in, 10, WAIT, T0 + WAIT, false, out, &s);
    assert_int_equal(out[1].state, RLX_WEEK_OPEN);
    assert_int_equal(s.next, 1);
    assert_int_equal(s.waiting, -1);
    /* --any ignores the lock */
    rlx_schedule_compute(in, 10, WAIT, T0 + 1, true, out, &s);
    assert_int_equal(s.next, 1);
    assert_int_equal(out[1].state, RLX_WEEK_OPENS_LATER);   /* the table still tells the truth */
    /* completed in the middle of a minute: opens at the start of the next
     * minute after the wait, the time the messages show */
    in[0].completed_ms = T0 + 52000;
    rlx_schedule_compute(in, 10, 60000, T0 + 60000 + 52000, false, out, &s);
    assert_int_equal(out[1].opens_ms, T0 + 120000);
    assert_int_equal(out[1].state, RLX_WEEK_OPENS_LATER);
    rlx_schedule_compute(in, 10, 60000, T0 + 120000, false, out, &s);
    assert_int_equal(out[1].state, RLX_WEEK_OPEN);
    in[0].completed_ms = T0;
    /* wait 0: opens at once */
    rlx_schedule_compute(in, 10, 0, T0, false, out, &s);
    assert_int_equal(out[1].state, RLX_WEEK_OPEN);
}

static void in_progress_is_resumed_first(void **state)
{
    (void)state;
    rlx_week_input in[10] = {0};
    in[0].completed_ms = T0;
    in[1].completed_ms = T0 + 7 * DAY;
    in[2].resume_ms = 125000;
    in[2].length_ms = 900000;
    in[2].last_listen_ms = T0 + 14 * DAY;
    rlx_week_status out[10];
    rlx_schedule s;
    rlx_schedule_compute(in, 10, WAIT, T0 + 15 * DAY, false, out, &s);
    assert_int_equal(out[2].state, RLX_WEEK_IN_PROGRESS);
    assert_int_equal(out[2].resume_ms, 125000);
    assert_int_equal(out[2].length_ms, 900000);
    assert_int_equal(s.next, 2);
    assert_true(s.resume);
    /* a week replayed after completion and stopped early stays done */
    in[0].resume_ms = 5000;
    in[0].last_listen_ms = T0 + 15 * DAY;
    rlx_schedule_compute(in, 10, WAIT, T0 + 15 * DAY, false, out, &s);
    assert_int_equal(out[0].state, RLX_WEEK_DONE);
    assert_int_equal(s.next, 2);
    /* of two unfinished weeks, the one played last wins */
    in[5].resume_ms = 1000;
    in[5].length_ms = 900000;
    in[5].last_listen_ms = T0 + 16 * DAY;
    rlx_schedule_compute(in, 10, WAIT, T0 + 16 * DAY, false, out, &s);
    assert_int_equal(out[5].state, RLX_WEEK_IN_PROGRESS);
    assert_int_equal(s.next, 5);
}

static void run_of_weeks_on_schedule(void **state)
{
    (void)state;
    rlx_week_input in[10] = {0};
    /* weeks 1-3 each done the day they opened, week 4 done 8 days late, week 5 on time */
    in[0].completed_ms = T0;
    in[1].completed_ms = in[0].completed_ms + WAIT;
    in[2].completed_ms = in[1].completed_ms + WAIT + DAY;
    in[3].completed_ms = in[2].completed_ms + WAIT + 8 * DAY;
    rlx_week_status out[10];
    rlx_schedule s;
    int64_t now = in[3].completed_ms + DAY;
    rlx_schedule_compute(in, 10, WAIT, now, false, out, &s);
    assert_true(out[2].on_schedule);
    assert_false(out[3].on_schedule);
    assert_int_equal(s.run, 0);
    assert_int_equal(s.done, 4);
    in[4].completed_ms = in[3].completed_ms + WAIT + 7 * DAY;   /* the last day of grace */
    now = in[4].completed_ms + DAY;
    rlx_schedule_compute(in, 10, WAIT, now, false, out, &s);
    assert_true(out[4].on_schedule);
    assert_int_equal(s.run, 1);
    /* the run lapses once week 6 has been open longer than the grace */
    now = in[4].completed_ms + WAIT + 7 * DAY;
    rlx_schedule_compute(in, 10, WAIT, now, false, out, &s);
    assert_int_equal(s.run, 1);
    rlx_schedule_compute(in, 10, WAIT, now + 1, false, out, &s);
    assert_int_equal(s.run, 0);
    /* a clean sweep */
    for (int i = 0; i < 10; i++)
        in[i].completed_ms = T0 + i * WAIT;
    rlx_schedule_compute(in, 10, WAIT, T0 + 100 * DAY, false, out, &s);
    assert_true(s.all_done);
    assert_int_equal(s.run, 10);
    assert_int_equal(s.next, -1);
    assert_int_equal(s.waiting, -1);
}

static void out_of_order_with_any(void **state)
{
    (void)state;
    rlx_week_input in[10] = {0};
    in[0].completed_ms = T0;
    in[2].completed_ms = T0 + DAY;   /* week 3 played early with --any */
    rlx_week_status out[10];
    rlx_schedule s;
    rlx_schedule_compute(in, 10, WAIT, T0 + 2 * DAY, false, out, &s);
    assert_int_equal(out[1].state, RLX_WEEK_OPENS_LATER);
    assert_int_equal(out[2].state, RLX_WEEK_DONE);
    assert_int_equal(out[3].state, RLX_WEEK_OPENS_LATER);   /* week 3 done: week 4's wait runs */
    assert_int_equal(s.waiting, 1);                        /* the first week not done */
    assert_int_equal(s.done, 2);
    assert_int_equal(s.run, 1);                            /* only the unbroken prefix counts */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fresh_profile_week1_open),
        cmocka_unit_test(next_week_opens_after_wait),
        cmocka_unit_test(in_progress_is_resumed_first),
        cmocka_unit_test(run_of_weeks_on_schedule),
        cmocka_unit_test(out_of_order_with_any),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
