/* test_voice_festival.c - Festival's servers: a line spoken by a server has
 * the samples text2wave gives for it, whatever the server spoke before; one
 * server speaks many lines; a forked process starts its own and leaves the
 * parent's alone; an idle server is stopped; a server that dies, answers
 * nothing or hangs costs a line nothing but time (text2wave speaks it, or the
 * timeout says so), and never a SIGPIPE; a server's start sweeps the line
 * files of a process killed mid-line. Needs festival and festvox-us-slt-hts
 * (.ci/install-deps). */
#include "rlx_test.h"

#include <dirent.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audio/voice.h"

#define SPEC "festival:slt-hts"

static const char *const LINES[] = {
    "Welcome. Settle into a position that feels comfortable, 1 2 3.",
    "Breathing in, as the tone rises.",
    "There is no need to match it exactly. The tone is an invitation, not an instruction.",
    "And when you are ready, let your eyes open.",
};
#define NLINES (sizeof LINES / sizeof LINES[0])
/* each line its own pace: a server takes the pace of each request */
static const double PACES[NLINES] = {1.25, 1.0, 0.8, 1.6};

static double pace_of(const char *text)
{
    for (size_t i = 0; i < NLINES; i++)
        if (!strcmp(text, LINES[i]))
            return PACES[i];
    return 1.0;
}

typedef struct {
    float *x;
    size_t n;
    int rate;
} clip;

static bool speak_ok(const char *text, clip *c, char *why, size_t whylen)
{
    *c = (clip){0};
    return rlx_voice_speak(SPEC, text, pace_of(text), &c->x, &c->n, &c->rate, why, whylen) == RLX_OK &&
           c->n > 0;
}

static clip speak(const char *text)
{
    clip c;
    char why[512] = "";
    if (!speak_ok(text, &c, why, sizeof why))
        fail_msg("could not speak \"%s\": %s", text, why);
    return c;
}

static bool same(const clip *a, const clip *b)
{
    return a->n == b->n && a->rate == b->rate && !memcmp(a->x, b->x, a->n * sizeof(float));
}

/* text2wave from PATH: with it as the stand-in and no festival named, each
 * line is one text2wave process (the reference path). */
static char text2wave[1024];
static clip ref[NLINES];

static void find_text2wave(void)
{
    const char *path = getenv("PATH");
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", path ? path : "/usr/bin:/bin");
    for (char *save = NULL, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(text2wave, sizeof text2wave, "%s/text2wave", d);
        if (access(text2wave, X_OK) == 0)
            return;
    }
    fail_msg("text2wave not found in PATH: install festival (.ci/install-deps)");
}

static clip reference(const char *text)
{
    setenv("RELAX_TEXT2WAVE", text2wave, 1);
    unsetenv("RELAX_FESTIVAL");
    clip c = speak(text);
    unsetenv("RELAX_TEXT2WAVE");
    return c;
}

/* The festival processes whose parent is pid (zombies not counted); their
 * pids in out[0..max). */
static size_t festivals_of(pid_t pid, pid_t *out, size_t max)
{
    size_t n = 0;
    DIR *d = opendir("/proc");
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        char p[300], buf[512];
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(p, sizeof p, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(p, "r");
        if (!f)
            continue;
        size_t k = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[k] = 0;
        char *close = strrchr(buf, ')');
        char state = 0;
        int ppid = 0;
        if (!close || sscanf(close + 1, " %c %d", &state, &ppid) != 2)
            continue;
        if (ppid == pid && state != 'Z' && strstr(buf, "(festival)")) {
            if (n < max)
                out[n] = (pid_t)atoi(e->d_name);
            n++;
        }
    }
    closedir(d);
    return n;
}

static void served_lines_are_text2wave_s(void **state)
{
    (void)state;
    for (size_t i = 0; i < NLINES; i++)
        ref[i] = reference(LINES[i]);
    assert_int_equal(festivals_of(getpid(), NULL, 0), 0);
    /* in order, then backwards: each line after different others */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t k = 0; k < NLINES; k++) {
            size_t i = pass ? NLINES - 1 - k : k;
            clip c = speak(LINES[i]);
            if (!same(&c, &ref[i]))
                fail_msg("pass %d: \"%s\" differs from text2wave's (%zu frames, want %zu)", pass,
                         LINES[i], c.n, ref[i].n);
            free(c.x);
        }
    }
    /* one server spoke them all, and waits for more */
    assert_int_equal(festivals_of(getpid(), NULL, 0), 1);
}

/* Line files (TMPDIR/.relax-festival.PID.XXXXXX) left by a process killed
 * mid-line, and others main() put there before the first server started. */
static char *line_dir;
static pid_t dead_pid;

static void plant_line_files(void)
{
    line_dir = rlx_test_tmpdir();
    setenv("TMPDIR", line_dir, 1);
    dead_pid = fork();   /* a PID that has surely ended */
    if (dead_pid == 0)
        _exit(0);
    assert_true(dead_pid > 0);
    assert_int_equal(waitpid(dead_pid, NULL, 0), dead_pid);
    char name[128];
    snprintf(name, sizeof name, ".relax-festival.%ld.aB3xYz", (long)dead_pid);
    free(rlx_test_write(line_dir, name, "text", 4));
    snprintf(name, sizeof name, ".relax-festival.%ld.q9Wq9W", (long)getpid());   /* in use */
    free(rlx_test_write(line_dir, name, "text", 4));
    free(rlx_test_write(line_dir, "relax-festival-notes.txt", "mine", 4));   /* not our naming */
}

static bool in_line_dir(const char *fmt, long pid)
{
    char name[128], path[4200];
    snprintf(name, sizeof name, fmt, pid);
    snprintf(path, sizeof path, "%s/%s", line_dir, name);
    return access(path, F_OK) == 0;
}

static void a_dead_process_s_line_files_are_swept(void **state)
{
    (void)state;
    /* the first test started a server: that swept */
    assert_int_equal(festivals_of(getpid(), NULL, 0), 1);
    assert_false(in_line_dir(".relax-festival.%ld.aB3xYz", (long)dead_pid));
    assert_true(in_line_dir(".relax-festival.%ld.q9Wq9W", (long)getpid()));
    assert_true(in_line_dir("relax-festival-notes.txt", 0));
    /* and every line since has taken its files away with it */
    DIR *d = opendir(line_dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    assert_int_equal(n, 2);
}

static void a_fork_has_its_own_server(void **state)
{
    (void)state;
    pid_t mine[4];
    assert_int_equal(festivals_of(getpid(), mine, 4), 1);
    pid_t kid = fork();
    assert_true(kid >= 0);
    if (kid == 0) {
        /* the child: its own server, stopped once idle for 0.3 s */
        setenv("RELAX_FESTIVAL_IDLE", "0.3", 1);
        clip c;
        char why[512];
        if (!speak_ok(LINES[1], &c, why, sizeof why))
            _exit(2);
        if (!same(&c, &ref[1]))
            _exit(3);
        if (festivals_of(getpid(), NULL, 0) != 1)
            _exit(4);
        for (int i = 0; i < 400 && festivals_of(getpid(), NULL, 0) > 0; i++) {
            struct timespec ts = {0, 50 * 1000000L};   /* bounded poll, ~20 s */
            nanosleep(&ts, NULL);
        }
        _exit(festivals_of(getpid(), NULL, 0) == 0 ? 0 : 5);
    }
    int st = 0;
    assert_int_equal(waitpid(kid, &st, 0), kid);
    assert_true(WIFEXITED(st));
    if (WEXITSTATUS(st) != 0)
        fail_msg("child exited %d (2: could not speak, 3: other samples, 4: no server of its own, "
                 "5: its idle server kept)", WEXITSTATUS(st));
    /* the parent's server is untouched and still speaks */
    clip c = speak(LINES[2]);
    assert_true(same(&c, &ref[2]));
    free(c.x);
    pid_t now[4];
    assert_int_equal(festivals_of(getpid(), now, 4), 1);
    assert_int_equal(now[0], mine[0]);
}

static void a_killed_server_is_replaced(void **state)
{
    (void)state;
    pid_t was[4];
    assert_int_equal(festivals_of(getpid(), was, 4), 1);
    assert_int_equal(kill(was[0], SIGKILL), 0);
    /* the dead server cannot answer: text2wave speaks the line (no SIGPIPE
     * reaches this process, whose SIGPIPE is fatal) */
    clip c = speak(LINES[3]);
    assert_true(same(&c, &ref[3]));
    free(c.x);
    assert_int_equal(festivals_of(getpid(), NULL, 0), 0);
    /* the next line starts a new one */
    c = speak(LINES[0]);
    assert_true(same(&c, &ref[0]));
    free(c.x);
    pid_t now[4];
    assert_int_equal(festivals_of(getpid(), now, 4), 1);
    assert_true(now[0] != was[0]);
}

static char *script(const char *dir, const char *name, const char *body)
{
    char *p = rlx_test_write(dir, name, body, strlen(body));
    assert_int_equal(chmod(p, 0755), 0);
    return p;
}

static void a_broken_festival_costs_only_time(void **state)
{
    (void)state;
    char *dir = rlx_test_tmpdir();
    const char *const bodies[] = {
        "#!/bin/sh\necho 'SIOD ERROR: no voice' >&2\nexit 1\n",   /* ends at once */
        /* claims every line, writes no WAV */
        "#!/bin/sh\nwhile read -r l; do case \"$l\" in '(rlx_say'*) echo rlx:ok;; esac; done\n",
    };
    for (size_t k = 0; k < 2; k++) {
        char name[16];
        snprintf(name, sizeof name, "festival%zu", k);
        char *p = script(dir, name, bodies[k]);
        setenv("RELAX_FESTIVAL", p, 1);
        clip c = speak(LINES[1]);
        if (!same(&c, &ref[1]))
            fail_msg("stand-in %zu: not text2wave's samples", k);
        free(c.x);
        free(p);
    }
    /* one that hangs is stopped at the timeout, as text2wave would be */
    char *hang = script(dir, "hang", "#!/bin/sh\nexec sleep 60\n");
    setenv("RELAX_FESTIVAL", hang, 1);
    setenv("RELAX_TTS_TIMEOUT", "1", 1);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clip c;
    char why[512] = "";
    assert_false(speak_ok(LINES[1], &c, why, sizeof why));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("hanging: %s\n", why);
    assert_non_null(strstr(why, "longer than 1 s"));
    assert_true(t1.tv_sec - t0.tv_sec < 30);
    unsetenv("RELAX_TTS_TIMEOUT");
    unsetenv("RELAX_FESTIVAL");
    free(hang);
    rlx_test_rmtree(dir);
    free(dir);
}

int main(void)
{
    find_text2wave();
    /* no server stopped for idling between the steps of a test on a busy
     * machine (the fork test sets its own) */
    setenv("RELAX_FESTIVAL_IDLE", "600", 1);
    unsetenv("RELAX_TEXT2WAVE");
    unsetenv("RELAX_FESTIVAL");
    plant_line_files();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(served_lines_are_text2wave_s),
        cmocka_unit_test(a_dead_process_s_line_files_are_swept),
        cmocka_unit_test(a_fork_has_its_own_server),
        cmocka_unit_test(a_killed_server_is_replaced),
        cmocka_unit_test(a_broken_festival_costs_only_time),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    for (size_t i = 0; i < NLINES; i++)
        free(ref[i].x);
    rlx_test_rmtree(line_dir);
    free(line_dir);
    return rc;
}
