/* clock.c - the monotonic clock and whole sleeps (see clock.h). */
#include "core/clock.h"

#include <errno.h>
#include <time.h>

int64_t rlx_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

void rlx_sleep_ns(int64_t ns)
{
    if (ns <= 0)
        return;
    struct timespec t = {.tv_sec = (time_t)(ns / 1000000000LL), .tv_nsec = (long)(ns % 1000000000LL)};
    while (nanosleep(&t, &t) == -1 && errno == EINTR)
        ;
}

void rlx_sleep_ms(int ms)
{
    rlx_sleep_ns((int64_t)ms * 1000000LL);
}
