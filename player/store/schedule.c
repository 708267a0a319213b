/* schedule.c - the unlock rule and the run of weeks on schedule. */
#include "schedule.h"

const char *rlx_week_state_name(rlx_week_state s)
{
    switch (s) {
    case RLX_WEEK_DONE: return "done";
    case RLX_WEEK_IN_PROGRESS: return "in-progress";
    case RLX_WEEK_OPEN: return "open";
    case RLX_WEEK_OPENS_LATER: return "opens-later";
    case RLX_WEEK_LOCKED: return "locked";
    }
    return "unknown";
}

void rlx_schedule_compute(const rlx_week_input *in, size_t n, int64_t wait_ms, int64_t now_ms,
                          bool any, rlx_week_status *out, rlx_schedule *sum)
{
    *sum = (rlx_schedule){.next = -1, .waiting = -1};
    if (wait_ms < 0)
        wait_ms = 0;
    for (size_t i = 0; i < n; i++) {
        rlx_week_status *w = &out[i];
        *w = (rlx_week_status){.completed_ms = in[i].completed_ms};
        bool prev_done = i > 0 && in[i - 1].completed_ms > 0;
        if (prev_done)   /* on the minute (rounded up), as the messages show it; wait 0: at once */
            w->opens_ms = wait_ms == 0 ? in[i - 1].completed_ms
                                       : (in[i - 1].completed_ms + wait_ms + 59999) / 60000 * 60000;
        w->unlocked = i == 0 || (prev_done && now_ms >= w->opens_ms);
        if (in[i].completed_ms > 0) {
            w->state = RLX_WEEK_DONE;
            /* completed before its predecessor (--any) counts as on schedule */
            w->on_schedule = i == 0 || !prev_done || in[i].completed_ms <= w->opens_ms + RLX_SCHEDULE_GRACE_MS;
            sum->done++;
        } else if (in[i].resume_ms > 0) {
            w->state = RLX_WEEK_IN_PROGRESS;   /* started somehow: always resumable */
            w->resume_ms = in[i].resume_ms;
            w->length_ms = in[i].length_ms;
        } else if (w->unlocked) {
            w->state = RLX_WEEK_OPEN;
        } else if (prev_done) {
            w->state = RLX_WEEK_OPENS_LATER;
        } else {
            w->state = RLX_WEEK_LOCKED;
        }
    }
    sum->all_done = n > 0 && sum->done == n;

    /* next: the most recently played unfinished week, else the first not done */
    int64_t latest = -1;
    for (size_t i = 0; i < n; i++)
        if (out[i].state == RLX_WEEK_IN_PROGRESS && in[i].last_listen_ms > latest) {
            latest = in[i].last_listen_ms;
            sum->next = (int)i;
            sum->resume = true;
        }
    if (sum->next < 0) {
        for (size_t i = 0; i < n; i++) {
            if (out[i].state == RLX_WEEK_DONE)
                continue;
            if (any || out[i].unlocked) {
                sum->next = (int)i;
            } else {
                sum->waiting = (int)i;
                sum->waiting_opens_ms = out[i].opens_ms;
            }
            break;
        }
    }

    /* run: back from the end of the unbroken prefix of done weeks */
    size_t k = 0;
    while (k < n && out[k].state == RLX_WEEK_DONE)
        k++;
    if (k < n && k > 0 && now_ms > out[k].opens_ms + RLX_SCHEDULE_GRACE_MS)
        return;   /* the next week has waited too long: the run has lapsed */
    for (size_t i = k; i > 0 && out[i - 1].on_schedule; i--)
        sum->run++;
}
