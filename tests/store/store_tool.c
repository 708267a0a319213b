/* store_tool.c - test helper: writes listens into a progress store through
 * the same rlx_listen_* calls the player uses, at chosen (fake) times, so the
 * end-to-end tests can set up any point in the program without playing.
 *
 *   rlx_store_tool DB listen PROFILE SESSION_ID WEEK LENGTH_S POS_S PLAYED_S END(0|1) STARTED_EPOCH_S
 *       a finished listen that started at STARTED and stopped at POS after PLAYED seconds heard
 *   rlx_store_tool DB crash  PROFILE SESSION_ID WEEK LENGTH_S POS_S STARTED_EPOCH_S
 *       a listen cut off at POS (no finish), as after a kill -9
 *   rlx_store_tool DB bench N
 *       N forced position saves of one listen, as the player makes them:
 *       prints the mean time a save keeps its caller, and the time until
 *       the store holds the last one (PostgreSQL: the journal drained)
 * DB is a path (SQLite) or a PostgreSQL connection string.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/listen.h"

static int64_t clock_ms;
static int64_t fake_clock(void *user)
{
    (void)user;
    return clock_ms;
}

static long long num(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end) {
        fprintf(stderr, "rlx_store_tool: not a number: %s\n", s);
        exit(2);
    }
    return v;
}

static double mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int bench(const char *where, int n)
{
    char why[1024];
    rlx_store *st;
    rlx_listen *l;
    rlx_session s;
    memset(&s, 0, sizeof s);
    s.id = "week-01";
    s.week = 1;
    clock_ms = 1;
    double t0 = mono_ms();
    rlx_err err = rlx_store_open(where, &st, why, sizeof why);
    double t_open = mono_ms() - t0;
    if (!err)
        err = rlx_listen_begin(st, "bench", &s, 3600000, 0, fake_clock, NULL, &l, why, sizeof why);
    if (err) {
        fprintf(stderr, "rlx_store_tool: %s\n", why);
        return 1;
    }
    double worst = 0;
    t0 = mono_ms();
    for (int i = 1; i <= n && !err; i++) {
        clock_ms += 1000;
        double a = mono_ms();
        err = rlx_listen_update(l, i * 1000, i * 1000, true, why, sizeof why);
        double d = mono_ms() - a;
        worst = d > worst ? d : worst;
    }
    double t_saves = mono_ms() - t0;
    size_t left = rlx_store_finish(st);
    double t_sent = mono_ms() - t0;
    rlx_listen_close(l);
    rlx_store_close(st);
    if (err || left) {
        fprintf(stderr, "rlx_store_tool: %s\n", err ? why : "not all sent");
        return 1;
    }
    printf("open %.2f ms; position save: mean %.3f ms, worst %.3f ms per save (caller); "
           "%d saves stored after %.1f ms (%.3f ms each)\n",
           t_open, t_saves / n, worst, n, t_sent, t_sent / n);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[2], "bench"))
        return bench(argv[1], (int)num(argv[3]));
    bool crash = argc == 9 && !strcmp(argv[2], "crash");
    if (!(argc == 11 && !strcmp(argv[2], "listen")) && !crash) {
        fprintf(stderr, "usage: see the comment at the top of tests/store/store_tool.c\n");
        return 2;
    }
    rlx_session s;
    memset(&s, 0, sizeof s);
    s.id = argv[4];
    s.week = (int)num(argv[5]);
    s.hash = 0x1234;
    int64_t len = num(argv[6]) * 1000, pos = num(argv[7]) * 1000;
    int64_t played = crash ? pos : num(argv[8]) * 1000;
    clock_ms = num(argv[crash ? 8 : 10]) * 1000;
    char why[1024];
    rlx_store *st;
    rlx_listen *l;
    rlx_err err = rlx_store_open(argv[1], &st, why, sizeof why);
    if (!err)
        err = rlx_listen_begin(st, argv[3], &s, len, 0, fake_clock, NULL, &l, why, sizeof why);
    if (!err) {
        clock_ms += played;
        err = crash ? rlx_listen_update(l, pos, played, true, why, sizeof why)
                    : rlx_listen_finish(l, pos, played, num(argv[9]) != 0, why, sizeof why);
        rlx_listen_close(l);
    }
    rlx_store_close(st);
    if (err) {
        fprintf(stderr, "rlx_store_tool: %s\n", why);
        return 1;
    }
    return 0;
}
