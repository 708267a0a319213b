/* test_listen.c - recording listens: write throttling, the completion rule,
 * resuming, the playback recorder, and kill -9 at random moments. */
#include "rlx_test.h"

#include <sched.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rlx_pg.h"
#include "store/listen.h"

#define MIN (60 * 1000LL)

typedef struct {
    char *dir, *path;
    rlx_store *st;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = rlx_test_tmpdir();
    f->path = rlx_test_store_where(f->dir);   /* SQLite, or the PostgreSQL server in use */
    char why[512];
    if (rlx_store_open(f->path, &f->st, why, sizeof why) != RLX_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rlx_store_close(f->st);
    rlx_test_rmtree(f->dir);
    free(f->dir);
    free(f->path);
    free(f);
    return 0;
}

static int64_t fake_now;
static int64_t fake_clock(void *user)
{
    (void)user;
    return fake_now;
}

static rlx_session fake_session(const char *id, int week)
{
    rlx_session s;
    memset(&s, 0, sizeof s);
    s.id = (char *)id;
    s.week = week;
    s.hash = 0xfeedbeefcafe0001ULL;
    return s;
}

/* The newest listen row of a session, read back from the store. */
static rlx_listen_rec last_row(rlx_store *st, const char *profile, const char *session)
{
    rlx_listen_rec *recs;
    size_t n;
    char why[512];
    assert_int_equal(rlx_store_listens(st, profile, session, &recs, &n, why, sizeof why), RLX_OK);
    assert_true(n > 0);
    rlx_listen_rec r = recs[n - 1];
    memset(&recs[n - 1], 0, sizeof recs[n - 1]);
    rlx_store_listens_free(recs, n);
    return r;
}

static void writes_every_five_seconds(void **state)
{
    fixture *f = *state;
    rlx_session s = fake_session("week-01", 1);
    rlx_listen *l;
    char why[512];
    fake_now = 1000000;
    assert_int_equal(rlx_listen_begin(f->st, "anna", &s, 20 * MIN, 0, fake_clock, NULL, &l, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_listen_writes(l), 1);
    rlx_listen_rec r = last_row(f->st, "anna", "week-01");
    assert_string_equal(r.session_hash, "feedbeefcafe0001");
    assert_int_equal(r.week, 1);
    assert_int_equal(r.started_ms, 1000000);
    assert_false(r.finished);
    rlx_listen_rec_clear(&r);
    for (int sec = 1; sec <= 20; sec++) {
        fake_now += 1000;
        assert_int_equal(rlx_listen_update(l, sec * 1000, sec * 1000, false, why, sizeof why), RLX_OK);
        r = last_row(f->st, "anna", "week-01");
        assert_int_equal(r.position_ms, sec / 5 * 5 * 1000);   /* written at 5, 10, 15, 20 s */
        rlx_listen_rec_clear(&r);
    }
    assert_int_equal(rlx_listen_writes(l), 5);
    /* force (pause, quit, signal) writes at once */
    fake_now += 300;
    assert_int_equal(rlx_listen_update(l, 20300, 20300, true, why, sizeof why), RLX_OK);
    r = last_row(f->st, "anna", "week-01");
    assert_int_equal(r.position_ms, 20300);
    assert_int_equal(r.ended_ms, fake_now);
    rlx_listen_rec_clear(&r);
    /* a wall clock set back does not stall writing */
    fake_now -= 60000;
    assert_int_equal(rlx_listen_update(l, 21000, 21000, false, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_listen_writes(l), 7);
    rlx_listen_close(l);
}

static void completion_needs_end_and_ninety_percent(void **state)
{
    fixture *f = *state;
    rlx_session s = fake_session("week-02", 2);
    char why[512];
    struct { int64_t played; bool end; bool completed; } cases[] = {
        {9 * MIN, true, true},          /* exactly 90% */
        {9 * MIN - 1, true, false},     /* skipped a little too much */
        {10 * MIN, false, false},       /* heard it all but quit before the end */
        {2 * MIN, true, false},         /* jumped to the end */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rlx_listen *l;
        assert_int_equal(rlx_listen_begin(f->st, "bo", &s, 10 * MIN, 0, NULL, NULL, &l, why, sizeof why), RLX_OK);
        assert_int_equal(rlx_listen_finish(l, cases[i].end ? 10 * MIN : 5 * MIN, cases[i].played,
                                           cases[i].end, why, sizeof why), RLX_OK);
        rlx_listen_rec r = last_row(f->st, "bo", "week-02");
        assert_int_equal(r.completed, cases[i].completed);
        assert_true(r.finished);
        assert_int_equal(r.played_ms, cases[i].played);
        rlx_listen_rec_clear(&r);
        /* finishing twice changes nothing */
        assert_int_equal(rlx_listen_finish(l, 0, 0, false, why, sizeof why), RLX_OK);
        rlx_listen_close(l);
    }
}

static void resume_carries_time_heard(void **state)
{
    fixture *f = *state;
    rlx_session s = fake_session("week-03", 3);
    char why[512];
    int64_t pos, len;
    assert_int_equal(rlx_listen_resume_point(f->st, "cy", "week-03", &pos, &len, why, sizeof why), RLX_OK);
    assert_int_equal(pos, 0);

    rlx_listen *l;
    assert_int_equal(rlx_listen_begin(f->st, "cy", &s, 10 * MIN, 0, NULL, NULL, &l, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_listen_finish(l, 6 * MIN, 6 * MIN, false, why, sizeof why), RLX_OK);
    rlx_listen_close(l);
    assert_int_equal(rlx_listen_resume_point(f->st, "cy", "week-03", &pos, &len, why, sizeof why), RLX_OK);
    assert_int_equal(pos, 6 * MIN);
    assert_int_equal(len, 10 * MIN);

    /* resumed 5 s early: the 6 min heard before count, so this completes */
    assert_int_equal(rlx_listen_begin(f->st, "cy", &s, 10 * MIN, 6 * MIN - 5000, NULL, NULL, &l, why, sizeof why),
                     RLX_OK);
    assert_int_equal(rlx_listen_record(l)->credit_ms, 6 * MIN);
    assert_int_equal(rlx_listen_finish(l, 10 * MIN, 4 * MIN + 5000, true, why, sizeof why), RLX_OK);
    assert_true(rlx_listen_record(l)->completed);
    assert_int_equal(rlx_listen_record(l)->credit_ms, 10 * MIN);   /* capped at the length */
    rlx_listen_close(l);
    assert_int_equal(rlx_listen_resume_point(f->st, "cy", "week-03", &pos, &len, why, sizeof why), RLX_OK);
    assert_int_equal(pos, 0);   /* completed: nothing to resume */

    /* jumping far ahead of where you stopped carries nothing */
    rlx_session s4 = fake_session("week-04", 4);
    assert_int_equal(rlx_listen_begin(f->st, "cy", &s4, 10 * MIN, 0, NULL, NULL, &l, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_listen_finish(l, 1 * MIN, 1 * MIN, false, why, sizeof why), RLX_OK);
    rlx_listen_close(l);
    assert_int_equal(rlx_listen_begin(f->st, "cy", &s4, 10 * MIN, 9 * MIN, NULL, NULL, &l, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_listen_record(l)->credit_ms, 0);
    assert_int_equal(rlx_listen_finish(l, 10 * MIN, 1 * MIN, true, why, sizeof why), RLX_OK);
    assert_false(rlx_listen_record(l)->completed);
    rlx_listen_close(l);
    /* reached the end without completing: starts over, nothing to resume */
    assert_int_equal(rlx_listen_resume_point(f->st, "cy", "week-04", &pos, &len, why, sizeof why), RLX_OK);
    assert_int_equal(pos, 0);
    /* other profiles are separate */
    assert_int_equal(rlx_listen_resume_point(f->st, "dee", "week-03", &pos, &len, why, sizeof why), RLX_OK);
    assert_int_equal(pos, 0);
}

static void recorder_follows_hooks(void **state)
{
    fixture *f = *state;
    rlx_listen_recorder *r;
    char why[512];
    assert_int_equal(rlx_listen_recorder_open(f->path, "eve", &r, why, sizeof why), RLX_OK);
    assert_false(rlx_listen_recorder_mix(r, NULL, NULL, NULL));
    rlx_session s = fake_session("week-05", 5);
    rlx_listen_recorder_on_start(r, &s, 10 * MIN);
    rlx_listen_recorder_on_position(r, 0, 0, false);
    rlx_listen_recorder_on_position(r, 1000, 1000, false);
    rlx_listen_recorder_on_position(r, 2000, 2000, true);   /* pause: forced write */
    rlx_listen_rec row = last_row(f->st, "eve", "week-05");
    assert_int_equal(row.position_ms, 2000);
    rlx_listen_rec_clear(&row);
    rlx_listen_recorder_on_position(r, 3000, 3000, false);     /* playing on: not saved yet */
    row = last_row(f->st, "eve", "week-05");
    assert_int_equal(row.position_ms, 2000);
    rlx_listen_rec_clear(&row);
    rlx_listen_recorder_on_position(r, 60000, 3100, false);    /* a seek: saved at once */
    row = last_row(f->st, "eve", "week-05");
    assert_int_equal(row.position_ms, 60000);
    assert_int_equal(row.furthest_ms, 60000);
    rlx_listen_rec_clear(&row);
    rlx_listen_recorder_on_stop(r, 10 * MIN, 10 * MIN, true);
    rlx_listen_recorder_set_mix(r, -3, 2.5, "hw:1");
    assert_int_equal(rlx_listen_recorder_close(r, why, sizeof why), RLX_OK);
    row = last_row(f->st, "eve", "week-05");
    assert_true(row.completed);
    assert_int_equal(row.week, 5);
    rlx_listen_rec_clear(&row);

    /* the mix comes back next time */
    assert_int_equal(rlx_listen_recorder_open(f->path, "eve", &r, why, sizeof why), RLX_OK);
    double vol, bg;
    const char *dev;
    assert_true(rlx_listen_recorder_mix(r, &vol, &bg, &dev));
    assert_true(vol == -3 && bg == 2.5);
    assert_string_equal(dev, "hw:1");
    assert_int_equal(rlx_listen_recorder_close(r, why, sizeof why), RLX_OK);
    assert_int_equal(rlx_listen_recorder_close(NULL, why, sizeof why), RLX_OK);

    /* a bad profile name is refused up front */
    assert_int_equal(rlx_listen_recorder_open(f->path, "a\tb", &r, why, sizeof why), RLX_ERR_USAGE);
    assert_non_null(strstr(why, "profile"));
}

static void hooks_record_a_listen(void **state)
{
    fixture *f = *state;
    rlx_play_hooks h;
    char why[512];
    assert_int_equal(rlx_listen_hooks_open(f->path, "fay", &h, why, sizeof why), RLX_OK);
    rlx_session s = fake_session("week-07", 7);
    h.on_start(h.user, &s, 10 * MIN);
    h.on_position(h.user, 30000, 0, false);   /* started at 0:30 */
    h.on_position(h.user, 31000, 1000, true);
    h.on_stop(h.user, 45000, 15000, false);
    assert_int_equal(rlx_listen_hooks_close(&h, why, sizeof why), RLX_OK);
    assert_null(h.user);
    rlx_listen_rec row = last_row(f->st, "fay", "week-07");
    assert_int_equal(row.from_ms, 30000);
    assert_int_equal(row.position_ms, 45000);
    assert_int_equal(row.played_ms, 15000);
    assert_true(row.finished);
    assert_false(row.completed);
    rlx_listen_rec_clear(&row);
    /* a store that cannot be opened is reported before playback */
    char *bad = rlx_test_write(f->dir, "bad.db", "not a database at all, really not", 33);
    assert_int_equal(rlx_listen_hooks_open(bad, "fay", &h, why, sizeof why), RLX_ERR_STORE_CORRUPT);
    assert_null(h.user);
    free(bad);
}

/* ---- kill -9 ----------------------------------------------------------- */

/* Shared with the writer child: the simulated playback position it has
 * reached. Published before the update that may write it. */
typedef struct {
    _Atomic int64_t pos_ms;
    _Atomic int started;
} shared_pos;

static int64_t sim_clock(void *user)
{
    return atomic_load((_Atomic int64_t *)user);
}

/* Plays a 1-hour session at about 1000x real time through the same
 * rlx_listen_update path the player uses (an update every 100 ms of
 * playback); the simulated clock is the playback position. */
static void writer(const char *path, shared_pos *sh)
{
    rlx_store *st;
    char why[512];
    if (rlx_store_open(path, &st, why, sizeof why) != RLX_OK)
        _exit(20);
    rlx_session s = fake_session("week-06", 6);
    rlx_listen *l;
    _Atomic int64_t clock_ms = 1;
    if (rlx_listen_begin(st, "kim", &s, 60 * MIN, 0, sim_clock, (void *)&clock_ms, &l, why, sizeof why))
        _exit(21);
    atomic_store(&sh->started, 1);
    struct timespec tick = {0, 100000};
    for (int64_t pos = 100; pos < 60 * MIN; pos += 100) {
        atomic_store(&clock_ms, pos + 1);
        atomic_store(&sh->pos_ms, pos);
        if (rlx_listen_update(l, pos, pos, false, why, sizeof why))
            _exit(22);
        nanosleep(&tick, NULL);
    }
    _exit(23);   /* should have been killed long before */
}

static void kill9_at_random_moments(void **state)
{
    fixture *f = *state;
    shared_pos *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(sh != MAP_FAILED);
    srand((unsigned)time(NULL));
    int64_t worst = 0, furthest = 0;
    for (int round = 0; round < 50; round++) {
        atomic_store(&sh->pos_ms, 0);
        atomic_store(&sh->started, 0);
        pid_t kid = fork();
        assert_true(kid >= 0);
        if (kid == 0)
            writer(f->path, sh);
        /* a random moment 0..400 ms of real time after playback began */
        while (!atomic_load(&sh->started)) {
            int status;
            if (waitpid(kid, &status, WNOHANG) == kid)
                fail_msg("writer exited early with %d", WEXITSTATUS(status));
            sched_yield();
        }
        struct timespec d = {0, (long)(rand() % 400) * 1000000L};
        nanosleep(&d, NULL);
        assert_int_equal(kill(kid, SIGKILL), 0);
        int status;
        assert_int_equal(waitpid(kid, &status, 0), kid);
        assert_true(WIFSIGNALED(status));
        int64_t at_kill = atomic_load(&sh->pos_ms);

        /* the store opens, is intact, and kept the position within 6 s */
        rlx_store *st;
        char why[512];
        assert_int_equal(rlx_store_open(f->path, &st, why, sizeof why), RLX_OK);
        rlx_listen_rec r = last_row(st, "kim", "week-06");
        int64_t lag = at_kill - r.position_ms;
        assert_true(lag >= 0);
        if (lag > 6000)
            fail_msg("round %d: saved %lld ms, playback was at %lld ms", round,
                     (long long)r.position_ms, (long long)at_kill);
        if (lag > worst)
            worst = lag;
        if (at_kill > furthest)
            furthest = at_kill;
        assert_false(r.finished);
        rlx_listen_rec_clear(&r);
        rlx_store_close(st);
        if (rlx_test_pg_uri())
            continue;   /* the server's own integrity is not ours to check */
        sqlite3 *db;
        assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        sqlite3_stmt *q;
        assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(q, 0), "ok");
        sqlite3_finalize(q);
        sqlite3_close(db);
    }
    print_message("kill -9: 50 rounds, worst lag %lld ms, furthest kill at %lld ms\n",
                  (long long)worst, (long long)furthest);
    munmap(sh, sizeof *sh);
}

int main(void)
{
    /* one list, run on both backends */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(writes_every_five_seconds, setup, teardown),
        cmocka_unit_test_setup_teardown(completion_needs_end_and_ninety_percent, setup, teardown),
        cmocka_unit_test_setup_teardown(resume_carries_time_heard, setup, teardown),
        cmocka_unit_test_setup_teardown(recorder_follows_hooks, setup, teardown),
        cmocka_unit_test_setup_teardown(hooks_record_a_listen, setup, teardown),
        cmocka_unit_test_setup_teardown(kill9_at_random_moments, setup, teardown),
    };
    int failed = cmocka_run_group_tests_name("sqlite", tests, NULL, NULL);
    char *pgdir;
    char *uri = rlx_test_pg_start(&pgdir);
    rlx_test_pg_use(uri);
    failed += cmocka_run_group_tests_name("postgresql", tests, NULL, NULL);
    rlx_test_pg_use(NULL);
    rlx_test_pg_stop(pgdir);
    free(uri);
    return failed;
}
