/* pty_drive.c - test helper: runs a command on a pseudo-terminal and types.
 *
 *   pty_drive [-t TIMEOUT_S] [-l LOG] STEP... -- COMMAND [ARG...]
 *
 * Steps run in order:
 *   wait:TEXT   wait until the command has printed TEXT (bounded by the timeout;
 *               escapes as with key:)
 *   after:MS    let MS milliseconds pass (the pace of a person typing)
 *   file:PATH:TEXT  wait until the file PATH holds TEXT (another helper's
 *               output, such as a feeder's "played"), bounded by the timeout
 *   key:KEYS    type KEYS; \e is ESC, \n newline, \\ a backslash
 *   sig:NAME    send INT, TERM, HUP, TSTP or CONT to the command
 *   stopped     wait until the command has stopped (SIGTSTP), as a job-control
 *               shell does before it sends SIGCONT: a CONT sent while the
 *               stop is still on its way is discarded by the kernel when
 *               the stop signal is generated, and the command stays stopped
 *   mark        forget what was printed so far (a later wait: looks only
 *               at what comes after)
 *   size:CxR    resize the terminal to C columns, R rows (the kernel sends
 *               the command SIGWINCH)
 * Each key/sig step prints "key NS KEYS" (CLOCK_MONOTONIC ns) on stdout.
 * The command runs the way an interactive shell runs a job: a small "shell"
 * process leads the terminal's session and starts the command in a process
 * group of its own, in the foreground. So SIGTSTP really stops it (a
 * session leader's own group, or any group without a parent in the
 * session, is orphaned, and the kernel discards stop signals sent to it; a
 * SIGCONT sent before such a discarded stop is dropped with it).
 * The command's terminal output goes to LOG (default /dev/null). Exits with
 * the command's exit code, 128+N if it died of signal N, 124 on timeout
 * (the command is killed), 125 on a driver error. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static char seen[1 << 16];
static size_t nseen;
static FILE *logf;

/* Reads what the child printed for up to ms milliseconds. Returns -1 at EOF. */
static int pump(int master, int ms)
{
    struct pollfd pf = {.fd = master, .events = POLLIN};
    int r = poll(&pf, 1, ms);
    if (r <= 0)
        return 0;
    char buf[4096];
    ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0)
        return -1;
    if (logf)
        fwrite(buf, 1, (size_t)n, logf);
    for (ssize_t i = 0; i < n; i++) {
        if (nseen == sizeof seen - 1) {  /* keep the most recent half */
            memmove(seen, seen + sizeof seen / 2, sizeof seen / 2);
            nseen -= sizeof seen / 2;
        }
        seen[nseen++] = buf[i] ? buf[i] : ' ';
    }
    seen[nseen] = 0;
    return 1;
}

/* The state letter of /proc/PID/stat ('T': stopped), 0 if it is gone. */
static char proc_state(pid_t pid)
{
    char p[64], buf[512];
    snprintf(p, sizeof p, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(p, "r");
    if (!f)
        return 0;
    size_t k = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[k] = 0;
    char *close = strrchr(buf, ')');
    return close && close[1] == ' ' ? close[2] : 0;
}

/* The "shell" (the session leader on the terminal): runs cmd as a
 * foreground job, tells the driver its pid on fd report, and ends with the
 * job's exit code (128+N if a signal N ended it). */
static void shell(char **cmd, int report)
{
    signal(SIGTTOU, SIG_IGN);   /* tcsetpgrp from here */
    pid_t job = fork();
    if (job < 0)
        _exit(125);
    if (job == 0) {
        setpgid(0, 0);
        tcsetpgrp(STDIN_FILENO, getpid());
        signal(SIGTTOU, SIG_DFL);
        execvp(cmd[0], cmd);
        perror("pty_drive: exec");
        _exit(127);
    }
    setpgid(job, job);
    tcsetpgrp(STDIN_FILENO, job);
    if (write(report, &job, sizeof job) != (ssize_t)sizeof job)
        _exit(125);
    close(report);
    int status;
    for (;;) {
        pid_t w = waitpid(job, &status, 0);   /* a stop is not an end */
        if (w == job)
            break;
        if (w < 0 && errno != EINTR)
            _exit(125);
    }
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static size_t unescape(const char *s, char *out)
{
    size_t n = 0;
    for (; *s; s++) {
        if (*s == '\\' && s[1]) {
            s++;
            out[n++] = *s == 'e' ? 27 : *s == 'n' ? '\n' : *s;
        } else {
            out[n++] = *s;
        }
    }
    return n;
}

int main(int argc, char **argv)
{
    double timeout_s = 60;
    const char *logp = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--"); i += 2) {
        if (i + 1 >= argc)
            return 125;
        if (!strcmp(argv[i], "-t"))
            timeout_s = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "-l"))
            logp = argv[i + 1];
        else
            return 125;
    }
    int first_step = i;
    while (i < argc && strcmp(argv[i], "--"))
        i++;
    if (i + 1 >= argc) {
        fprintf(stderr, "usage: pty_drive [-t S] [-l LOG] STEP... -- COMMAND [ARG...]\n");
        return 125;
    }
    int nsteps = i - first_step;
    char **cmd = argv + i + 1;
    logf = fopen(logp ? logp : "/dev/null", "w");

    struct winsize ws = {.ws_row = 24, .ws_col = 100};
    int master, rep[2];
    if (pipe(rep) != 0) {
        perror("pty_drive: pipe");
        return 125;
    }
    pid_t sh = forkpty(&master, NULL, NULL, &ws);
    if (sh < 0) {
        perror("pty_drive: forkpty");
        return 125;
    }
    if (sh == 0) {
        close(rep[0]);
        shell(cmd, rep[1]);
    }
    close(rep[1]);
    pid_t pid = -1;   /* the job: signals go to it */
    ssize_t got;
    while ((got = read(rep[0], &pid, sizeof pid)) < 0 && errno == EINTR)
        ;
    close(rep[0]);
    if (got != (ssize_t)sizeof pid) {
        fprintf(stderr, "pty_drive: the command did not start\n");
        kill(sh, SIGKILL);
        waitpid(sh, NULL, 0);
        return 125;
    }
    int64_t deadline = now_ns() + (int64_t)(timeout_s * 1e9);
    int eof = 0;
    for (int s = 0; s < nsteps && !eof; s++) {
        const char *st = argv[first_step + s];
        if (!strncmp(st, "wait:", 5)) {
            char want[256];
            size_t wn = strlen(st + 5) < sizeof want ? unescape(st + 5, want) : 0;
            want[wn] = 0;
            while (!strstr(seen, want)) {
                if (now_ns() > deadline || pump(master, 20) < 0) {
                    fprintf(stderr, "pty_drive: '%s' never appeared\n", st + 5);
                    eof = 1;
                    break;
                }
            }
        } else if (!strncmp(st, "file:", 5)) {
            char path[512];
            const char *colon = strchr(st + 5, ':');
            size_t pl = colon ? (size_t)(colon - (st + 5)) : 0;
            if (!colon || !pl || pl >= sizeof path) {
                fprintf(stderr, "pty_drive: bad step '%s' (want file:PATH:TEXT)\n", st);
                kill(pid, SIGKILL);
                return 125;
            }
            memcpy(path, st + 5, pl);
            path[pl] = 0;
            for (;;) {
                char buf[4096] = "";
                FILE *f = fopen(path, "r");
                if (f) {
                    size_t k = fread(buf, 1, sizeof buf - 1, f);
                    buf[k] = 0;
                    fclose(f);
                }
                if (strstr(buf, colon + 1))
                    break;
                if (now_ns() > deadline || pump(master, 20) < 0) {
                    fprintf(stderr, "pty_drive: '%s' never appeared in %s\n", colon + 1, path);
                    eof = 1;
                    break;
                }
            }
        } else if (!strncmp(st, "after:", 6)) {
            int64_t until = now_ns() + (int64_t)(atof(st + 6) * 1e6);
            while (now_ns() < until && !eof)
                eof = pump(master, (int)((until - now_ns()) / 1000000 + 1)) < 0;
        } else if (!strncmp(st, "key:", 4)) {
            char keys[256];
            size_t n = unescape(st + 4, keys);
            printf("key %lld %s\n", (long long)now_ns(), st + 4);
            fflush(stdout);
            if (write(master, keys, n) != (ssize_t)n)
                eof = 1;
        } else if (!strncmp(st, "size:", 5)) {
            unsigned c, r;
            if (sscanf(st + 5, "%ux%u", &c, &r) != 2 || !c || !r || c > 999 || r > 999) {
                fprintf(stderr, "pty_drive: bad size '%s' (want like 60x20)\n", st + 5);
                kill(pid, SIGKILL);
                return 125;
            }
            struct winsize nw = {.ws_row = (unsigned short)r, .ws_col = (unsigned short)c};
            printf("key %lld %s\n", (long long)now_ns(), st);
            fflush(stdout);
            if (ioctl(master, TIOCSWINSZ, &nw) != 0)
                eof = 1;
        } else if (!strcmp(st, "stopped")) {
            char state;
            while ((state = proc_state(pid)) != 'T') {
                if (!state || now_ns() > deadline) {
                    fprintf(stderr, "pty_drive: the command %s\n", state ? "never stopped" : "ended instead of stopping");
                    eof = 1;
                    break;
                }
                pump(master, 20);
            }
        } else if (!strcmp(st, "mark")) {
            while (pump(master, 0) > 0)   /* what is already there */
                ;
            nseen = 0;
            seen[0] = 0;
        } else if (!strncmp(st, "sig:", 4)) {
            printf("key %lld %s\n", (long long)now_ns(), st);
            fflush(stdout);
            static const struct { const char *name; int sig; } sigs[] = {
                {"INT", SIGINT}, {"TERM", SIGTERM}, {"HUP", SIGHUP}, {"TSTP", SIGTSTP}, {"CONT", SIGCONT},
            };
            int sig = SIGINT;
            for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++)
                if (!strcmp(st + 4, sigs[k].name))
                    sig = sigs[k].sig;
            kill(pid, sig);
        } else {
            fprintf(stderr, "pty_drive: unknown step '%s'\n", st);
            kill(pid, SIGKILL);
            return 125;
        }
    }
    /* let it finish */
    int status = 0;
    for (;;) {
        pid_t w = waitpid(sh, &status, WNOHANG);
        if (w == sh)
            break;
        if (now_ns() > deadline) {
            fprintf(stderr, "pty_drive: timeout, killing the command\n");
            kill(pid, SIGKILL);
            kill(pid, SIGCONT);
            waitpid(sh, &status, 0);
            return 124;
        }
        if (pump(master, 20) < 0) {
            struct timespec t = {0, 5000000};
            nanosleep(&t, NULL);
        }
    }
    while (pump(master, 0) > 0)
        ;
    if (logf)
        fclose(logf);
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}
