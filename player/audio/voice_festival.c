/* voice_festival.c - the Festival voice engine: slt-hts (festvox-us-slt-hts,
 * the same speaker as flite's slt, 32 kHz, HTS).
 *
 * Festival runs as child processes (posix_spawn, no shell); its chatter on
 * stderr is kept for the error message, never shown, a line that takes too
 * long is stopped, and a Festival crash cannot take the player down.
 * Linking libFestival instead (C++, one Scheme interpreter per process, not
 * thread-safe) would lose the parallelism.
 *
 * Starting Festival and loading the voice costs ~0.2 s of CPU, about as much
 * as speaking a typical line, so a line goes to a *server*: a festival
 * process that has loaded the voice once and then speaks one line per
 * request, doing exactly what text2wave does for one input (same init, same
 * hooks, same text mode; the text in a file, the WAV into another). Festival
 * keeps no state from one line to the next that reaches the samples: the
 * front end builds a new utterance per line and hts_engine is loaded afresh
 * for each utterance. Checked on every line of the ten weeks, spoken in
 * order, reversed and shuffled: the same samples as text2wave's, byte for
 * byte. Each calling thread takes its own server (several lines can be
 * spoken at once); a forked process starts its own; a server idle for 20 s
 * is stopped (it holds ~330 MB). If a server fails in any way short
 * of a timeout, the line is spoken again the old way, one `text2wave`
 * process for the line (text on stdin, WAV on stdout), whose result and
 * error message are the reference. RELAX_TEXT2WAVE (a stand-in text2wave,
 * tests) turns the servers off unless RELAX_FESTIVAL names a festival too.
 *
 * HTS voices ignore Duration_Stretch; the pace goes to hts_engine itself as
 * its speed ("-r" = 1 / pace, appended to the voice's hts_engine_params for
 * each line): the model's state durations are scaled before the vocoder
 * runs, so the pitch stays and nothing is stretched afterwards. */
#define _GNU_SOURCE /* pipe2, F_SETPIPE_SZ */
#include "audio/voice.h"
#include "core/clock.h"
#include "core/outfile.h"
#include "core/sigmask.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static const char *const voice_names[] = {"slt-hts", NULL};
static const struct {
    const char *dir;   /* folder under .../festival/voices/us/ */
    const char *eval;  /* the Scheme call that selects it */
} voice_info[] = {
    {"cmu_us_slt_arctic_hts", "(voice_cmu_us_slt_arctic_hts)"},
};

static const char *const voice_roots[] = {
    "/usr/share/festival/voices/us",
    "/usr/local/share/festival/voices/us",
    NULL,
};

#define OUT_MAX ((size_t)256 << 20)   /* 256 MB of WAV: ~70 min at 32 kHz */
#define ERR_KEEP 1024

/* The program named by the environment variable env (tests point it
 * elsewhere), else `name` looked up in PATH. */
static bool find_program(const char *env_name, const char *name, char *out, size_t len)
{
    const char *env = getenv(env_name);
    if (env && *env) {
        snprintf(out, len, "%s", env);
        return access(out, X_OK) == 0;
    }
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *end = strchr(path, ':');
        size_t n = end ? (size_t)(end - path) : strlen(path);
        if (n && (size_t)snprintf(out, len, "%.*s/%s", (int)n, path, name) < len &&
            access(out, X_OK) == 0)
            return true;
        path += n + (end ? 1 : 0);
    }
    return false;
}

/* RELAX_TEXT2WAVE names the program (tests point it elsewhere); otherwise
 * text2wave is looked up in PATH. */
static bool find_text2wave(char *out, size_t len)
{
    return find_program("RELAX_TEXT2WAVE", "text2wave", out, len);
}

static bool voice_installed(size_t vi)
{
    if (getenv("RELAX_TEXT2WAVE"))
        return true;   /* a stand-in program brings its own voice */
    for (size_t r = 0; voice_roots[r]; r++) {
        char d[512];
        struct stat st;
        snprintf(d, sizeof d, "%s/%s", voice_roots[r], voice_info[vi].dir);
        if (stat(d, &st) == 0 && S_ISDIR(st.st_mode))
            return true;
    }
    return false;
}

static rlx_err festival_available(char *why, size_t whylen)
{
    char prog[1024];
    if (!find_text2wave(prog, sizeof prog)) {
        snprintf(why, whylen, "Festival is not installed (install the Debian packages 'festival' "
                              "and 'festvox-us-slt-hts')");
        return RLX_ERR_TTS;
    }
    if (!voice_installed(0)) {
        snprintf(why, whylen, "Festival's voice slt-hts is not installed (install the Debian "
                              "package 'festvox-us-slt-hts')");
        return RLX_ERR_TTS;
    }
    return RLX_OK;
}

/* The installed text2wave's size and time stand for Festival's version (a
 * new package may speak differently); plus how the pace is given. */
static char version_buf[160];
static pthread_once_t version_once = PTHREAD_ONCE_INIT;

static void make_version(void)
{
    char prog[1024];
    struct stat st;
    long long size = 0, mtime = 0;
    if (find_text2wave(prog, sizeof prog) && stat(prog, &st) == 0) {
        size = (long long)st.st_size;
        mtime = (long long)st.st_mtime;
    }
    snprintf(version_buf, sizeof version_buf, "festival-text2wave-%lld-%lld+hts-speed", size, mtime);
}

static const char *festival_version(void)
{
    pthread_once(&version_once, make_version);
    return version_buf;
}

static double now_s(void)
{
    return (double)rlx_now_ns() / 1e9;
}

/* Seconds a line may take: generous for a loaded machine, still bounded.
 * RELAX_TTS_TIMEOUT (seconds) overrides it (tests). */
static double timeout_for(const char *text)
{
    const char *env = getenv("RELAX_TTS_TIMEOUT");
    if (env && *env) {
        double t = atof(env);
        if (t > 0)
            return t;
    }
    return 60.0 + 0.1 * (double)strlen(text);
}

/* The last non-empty line of Festival's stderr, flattened, for a message. */
static void last_line(const char *err, size_t n, char *out, size_t len)
{
    while (n && (err[n - 1] == '\n' || err[n - 1] == '\r' || err[n - 1] == ' '))
        n--;
    size_t s = n;
    while (s && err[s - 1] != '\n')
        s--;
    size_t k = 0;
    for (size_t i = s; i < n && k + 1 < len; i++)
        out[k++] = (err[i] >= 32 && err[i] < 127) ? err[i] : ' ';
    out[k] = 0;
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Festival's WAV: RIFF, 16-bit PCM, mono. */
static rlx_err parse_wav(const unsigned char *b, size_t n, float **samples, size_t *frames,
                         int *rate, char *why, size_t whylen)
{
    if (n < 12 || memcmp(b, "RIFF", 4) || memcmp(b + 8, "WAVE", 4)) {
        snprintf(why, whylen, "Festival returned no WAV audio for this line");
        return RLX_ERR_TTS;
    }
    int fmt_ok = 0;
    uint32_t sr = 0;
    for (size_t at = 12; at + 8 <= n;) {
        uint32_t len = le32(b + at + 4);
        const unsigned char *d = b + at + 8;
        size_t avail = n - at - 8;
        if (!memcmp(b + at, "fmt ", 4) && len >= 16 && avail >= 16) {
            unsigned tag = d[0] | d[1] << 8, ch = d[2] | d[3] << 8, bits = d[14] | d[15] << 8;
            sr = le32(d + 4);
            fmt_ok = tag == 1 && ch == 1 && bits == 16 && sr >= 8000 && sr <= 192000;
        } else if (!memcmp(b + at, "data", 4) && fmt_ok) {
            if (len == 0 || len == 0xffffffffu) {
                /* Written to a pipe, Festival cannot go back to fill in the
                 * size: the header says 0, and the finished header follows
                 * the samples. Take the size from there when it is there. */
                len = (uint32_t)(avail > UINT32_MAX ? UINT32_MAX : avail);
                if (n >= 44 + 44 && !memcmp(b + n - 44, "RIFF", 4) &&
                    !memcmp(b + n - 8, "data", 4) && le32(b + n - 4) <= avail)
                    len = le32(b + n - 4);
            }
            size_t m = (len < avail ? len : avail) / 2;
            if (m == 0)
                break;
            float *o = malloc(m * sizeof *o);
            if (!o)
                return RLX_ERR_NOMEM;
            for (size_t i = 0; i < m; i++)
                o[i] = (float)(int16_t)(d[2 * i] | d[2 * i + 1] << 8) / 32768.0f;
            *samples = o;
            *frames = m;
            *rate = (int)sr;
            return RLX_OK;
        }
        if (len > avail)
            break;
        at += 8 + len + (len & 1);
    }
    snprintf(why, whylen, "Festival produced no audio for this line");
    return RLX_ERR_TTS;
}

typedef struct {
    unsigned char *out;
    size_t nout, capout;
    char err[ERR_KEEP];
    size_t nerr;
} child_io;

/* Reads what is ready on fd; false at end of file or on error. */
static bool drain(int fd, child_io *io, bool is_out, bool *oom)
{
    unsigned char buf[65536];
    ssize_t k = read(fd, buf, sizeof buf);
    if (k < 0)
        return errno == EINTR || errno == EAGAIN;
    if (k == 0)
        return false;
    if (is_out) {
        if (io->nout + (size_t)k > io->capout) {
            size_t nc = io->capout ? io->capout * 2 : 1 << 20;
            while (nc < io->nout + (size_t)k)
                nc *= 2;
            unsigned char *no = nc <= OUT_MAX ? realloc(io->out, nc) : NULL;
            if (!no) {
                *oom = true;
                return false;
            }
            io->out = no;
            io->capout = nc;
        }
        memcpy(io->out + io->nout, buf, (size_t)k);
        io->nout += (size_t)k;
    } else {
        /* keep the tail: the reason is at the end */
        for (ssize_t i = 0; i < k; i++) {
            if (io->nerr == sizeof io->err) {
                memmove(io->err, io->err + sizeof io->err / 2, sizeof io->err / 2);
                io->nerr = sizeof io->err / 2;
            }
            io->err[io->nerr++] = (char)buf[i];
        }
    }
    return true;
}

/* Starts prog with argv, in/out/err as its fds 0/1/2, default signal
 * actions and no signal blocked. posix_spawn's result (0 = started). */
static int spawn_child(const char *prog, char *const argv[], int in, int out, int err, pid_t *pid)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in, 0);
    posix_spawn_file_actions_adddup2(&fa, out, 1);
    posix_spawn_file_actions_adddup2(&fa, err, 2);
    posix_spawnattr_init(&at);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    int rc = posix_spawn(pid, prog, &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    return rc;
}

/* Closes whatever ends of a child's three pipes are still open (-1: closed). */
static void close_pipes(const int in[2], const int out[2], const int er[2])
{
    for (int k = 0; k < 2; k++) {
        if (in[k] >= 0)
            close(in[k]);
        if (out[k] >= 0)
            close(out[k]);
        if (er[k] >= 0)
            close(er[k]);
    }
}

/* hts_engine's speed for a pace, as Scheme reads it (the same text for a
 * server and for text2wave, so both speak the same samples). */
static void speed_text(double pace, char *buf, size_t len)
{
    snprintf(buf, len, "%.6f", 1.0 / pace);
}

/* The Scheme that sets the pace after the voice is chosen (text2wave). */
static void pace_eval(double pace, char *buf, size_t len)
{
    char sp[32];
    speed_text(pace, sp, sizeof sp);
    snprintf(buf, len, "(set! hts_engine_params (append hts_engine_params (list (list \"-r\" %s))))", sp);
}

/* Runs text2wave on text; on success io->out holds its stdout. */
static rlx_err run_text2wave(const char *prog, size_t vi, const char *text, double pace,
                             child_io *io, char *why, size_t whylen)
{
    int in[2] = {-1, -1}, out[2] = {-1, -1}, er[2] = {-1, -1};
    rlx_err err = RLX_ERR_TTS;
    pid_t pid = -1;
    if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(er, O_CLOEXEC)) {
        snprintf(why, whylen, "cannot start Festival: %s", strerror(errno));
        goto done;
    }
    /* The whole text goes into the pipe before Festival starts, so writing
     * can neither block nor raise SIGPIPE. */
    size_t tl = strlen(text);
    if (tl + 1 > 60000)
        fcntl(in[1], F_SETPIPE_SZ, (int)(tl + 4096 < (1 << 20) ? tl + 4096 : (1 << 20)));
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    size_t put = 0;
    while (put < tl) {
        ssize_t k = write(in[1], text + put, tl - put);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            snprintf(why, whylen, "this line is too long for Festival (%zu bytes)", tl);
            goto done;
        }
        put += (size_t)k;
    }
    if (write(in[1], "\n", 1) != 1) {
        snprintf(why, whylen, "this line is too long for Festival (%zu bytes)", tl);
        goto done;
    }
    close(in[1]);
    in[1] = -1;

    char pe[160];
    pace_eval(pace, pe, sizeof pe);
    char *const argv[] = {(char *)prog, (char *)"-eval", (char *)voice_info[vi].eval, (char *)"-eval", pe, NULL};
    int rc = spawn_child(prog, argv, in[0], out[1], er[1], &pid);
    if (rc != 0) {
        pid = -1;
        snprintf(why, whylen, "cannot start Festival (%s): %s", prog, strerror(rc));
        goto done;
    }
    close(in[0]);
    close(out[1]);
    close(er[1]);
    in[0] = out[1] = er[1] = -1;

    double deadline = now_s() + timeout_for(text);
    bool out_open = true, err_open = true, oom = false, late = false;
    while (out_open || err_open) {
        struct pollfd pf[2];
        nfds_t np = 0;
        if (out_open)
            pf[np++] = (struct pollfd){.fd = out[0], .events = POLLIN};
        if (err_open)
            pf[np++] = (struct pollfd){.fd = er[0], .events = POLLIN};
        double left = deadline - now_s();
        if (left <= 0) {
            late = true;
            break;
        }
        int pr = poll(pf, np, (int)(left * 1000) + 1);
        if (pr < 0 && errno != EINTR)
            break;
        for (nfds_t i = 0; pr > 0 && i < np; i++) {
            if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            bool is_out = pf[i].fd == out[0];
            if (!drain(pf[i].fd, io, is_out, &oom)) {
                if (is_out)
                    out_open = false;
                else
                    err_open = false;
            }
        }
        if (oom)
            break;
    }
    if (late || oom)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    pid = -1;
    char tail[200];
    last_line(io->err, io->nerr, tail, sizeof tail);
    if (late) {
        snprintf(why, whylen, "Festival took longer than %.0f s for this line and was stopped",
                 timeout_for(text));
    } else if (oom) {
        err = RLX_ERR_NOMEM;
        snprintf(why, whylen, "Festival's output for this line is too large");
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (WIFSIGNALED(status))
            snprintf(why, whylen, "Festival (text2wave) was killed by signal %d%s%s",
                     WTERMSIG(status), tail[0] ? ": " : "", tail);
        else
            snprintf(why, whylen, "Festival (text2wave) failed with exit status %d%s%s",
                     WEXITSTATUS(status), tail[0] ? ": " : "", tail);
    } else {
        err = RLX_OK;
    }
done:
    close_pipes(in, out, er);
    return err;
}

/* ---- servers ---------------------------------------------------------------- */

/* text2wave's steps for one input, as one Scheme function of the input and
 * output file names: the same init file, hooks that gather every utterance
 * of the text into one RIFF WAV, the text mode text2wave finds for its
 * stdin ("-"). Sent on the server's stdin, then one (rlx_say IN OUT SPEED) per
 * line (SPEED: hts_engine's -r, as text2wave gets it by -eval); each answers "rlx:ok" on stdout once the WAV is complete. Under
 * --script any Scheme error ends the process. %s is the voice's call. */
static const char server_prelude[] =
    "(load (path-append datadir \"init.scm\"))\n"
    "(gc-status nil)\n"
    "(defvar rlx_fp nil)\n"
    "(defvar rlx_total 0)\n"
    "(defvar rlx_utt nil)\n"
    "(define (rlx_keep utt)\n"
    "  (if (eq? rlx_total 0)\n"
    "      (wave.save.header rlx_fp (utt.wave utt) 'riff nil (list (list \"numsamples\" 0))))\n"
    "  (set! rlx_total (+ rlx_total (get_param 'num_samples (wave.info (utt.wave utt)) 0)))\n"
    "  (wave.save.data.fp (utt.wave utt) rlx_fp 'riff nil)\n"
    "  (set! rlx_utt utt))\n"
    "(set! tts_hooks (list utt.synth rlx_keep))\n"
    "%s\n"
    "(defvar rlx_hts_params hts_engine_params)\n"
    "(define (rlx_say in out speed)\n"
    "  (set! hts_engine_params (append rlx_hts_params (list (list \"-r\" speed))))\n"
    "  (set! rlx_total 0)\n"
    "  (set! rlx_utt nil)\n"
    "  (set! rlx_fp (fopen out \"wb\"))\n"
    "  (tts_file in (tts_find_text_mode \"-\" auto-text-mode-alist))\n"
    "  (fseek rlx_fp 0 0)\n"
    "  (wave.save.header rlx_fp (utt.wave rlx_utt) 'riff nil\n"
    "                    (list (list \"numsamples\" rlx_total)))\n"
    "  (fclose rlx_fp)\n"
    "  (format t \"rlx:ok\\n\")\n"
    "  (fflush nil))\n";

/* Lines this long go to text2wave, whose limit (and message) they meet. */
#define SERVER_TEXT_MAX 60000
/* Long enough to outlast the work between two lines of a batch (resampling,
 * the cache) on a loaded machine: at 3 s, a load of 18 stopped the server
 * between most lines and every line paid for a new one. */
#define IDLE_S_DEFAULT 20.0

typedef struct fest_server {
    pid_t pid;
    int in, out, err;           /* its stdin (requests), stdout (answers), stderr */
    size_t vi;                  /* the voice it has loaded */
    char *prog;                 /* the festival it runs */
    double idle_since;          /* while in the pool */
    struct fest_server *next;   /* in the pool */
} fest_server;

/* Idle servers of this process, guarded by pool_lock; a thread takes one
 * out for a line (or starts one) and puts it back after. */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static fest_server *pool;
static bool reaper_on;   /* the reaper thread runs; pool_lock */
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

static void server_close_fds(fest_server *s)
{
    if (s->in >= 0)
        close(s->in);
    if (s->out >= 0)
        close(s->out);
    if (s->err >= 0)
        close(s->err);
    s->in = s->out = s->err = -1;
}

/* Stops a server that is out of the pool (idle, failed or late). */
static void server_stop(fest_server *s)
{
    if (!s)
        return;
    server_close_fds(s);
    if (s->pid > 0) {
        kill(s->pid, SIGKILL);
        while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    free(s->prog);
    free(s);
}

/* A fork (the batch workers) must not share the parent's servers: the
 * child forgets them (its copies of their pipes closed, the processes left
 * to the parent) and starts its own. The reaper thread is the parent's. */
static void pool_prepare(void) { pthread_mutex_lock(&pool_lock); }
static void pool_parent(void) { pthread_mutex_unlock(&pool_lock); }
static void pool_child(void)
{
    for (fest_server *s = pool, *next; s; s = next) {
        next = s->next;
        server_close_fds(s);
        free(s->prog);
        free(s);
    }
    pool = NULL;
    reaper_on = false;
    pthread_mutex_unlock(&pool_lock);
}
/* At exit the idle servers are stopped and waited for (they would end on
 * their own, seeing their stdin close, but unwaited and uncounted). */
static void pool_exit(void)
{
    pthread_mutex_lock(&pool_lock);
    fest_server *s = pool;
    pool = NULL;
    pthread_mutex_unlock(&pool_lock);
    while (s) {
        fest_server *next = s->next;
        server_stop(s);
        s = next;
    }
}

static void pool_init(void)
{
    (void)pthread_atfork(pool_prepare, pool_parent, pool_child);
    (void)atexit(pool_exit);
}

/* Seconds an idle server is kept; RELAX_FESTIVAL_IDLE overrides (tests). */
static double idle_s(void)
{
    const char *env = getenv("RELAX_FESTIVAL_IDLE");
    double t = env && *env ? atof(env) : 0;
    return t > 0 ? t : IDLE_S_DEFAULT;
}

/* Stops the servers that have been idle too long; ends when none is left
 * (the next server put back starts it again). */
static void *reaper(void *arg)
{
    (void)arg;
    double keep = idle_s();
    pthread_mutex_lock(&pool_lock);
    for (;;) {
        fest_server **oldest = NULL;
        for (fest_server **p = &pool; *p; p = &(*p)->next)
            if (!oldest || (*p)->idle_since < (*oldest)->idle_since)
                oldest = p;
        if (!oldest)
            break;
        double wait = (*oldest)->idle_since + keep - now_s();
        if (wait <= 0) {
            fest_server *s = *oldest;
            *oldest = s->next;
            pthread_mutex_unlock(&pool_lock);
            server_stop(s);
            pthread_mutex_lock(&pool_lock);
            continue;
        }
        pthread_mutex_unlock(&pool_lock);
        struct timespec ts = {.tv_sec = (time_t)wait,
                              .tv_nsec = (long)((wait - (double)(time_t)wait) * 1e9)};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&pool_lock);
    }
    reaper_on = false;
    pthread_mutex_unlock(&pool_lock);
    return NULL;
}

static fest_server *server_take(const char *prog, size_t vi)
{
    pthread_once(&pool_once, pool_init);
    pthread_mutex_lock(&pool_lock);
    fest_server *s = NULL;
    for (fest_server **p = &pool; *p; p = &(*p)->next) {
        if ((*p)->vi == vi && !strcmp((*p)->prog, prog)) {
            s = *p;
            *p = s->next;
            break;
        }
    }
    pthread_mutex_unlock(&pool_lock);
    return s;
}

static void server_give_back(fest_server *s)
{
    s->idle_since = now_s();
    pthread_mutex_lock(&pool_lock);
    bool kept = true;
    if (!reaper_on) {
        pthread_attr_t at;
        pthread_t t;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        reaper_on = rlx_thread_start(&t, &at, reaper, NULL) == 0;
        pthread_attr_destroy(&at);
        kept = reaper_on;   /* nobody would stop it: not kept */
    }
    if (kept) {
        s->next = pool;
        pool = s;
    }
    pthread_mutex_unlock(&pool_lock);
    if (!kept)
        server_stop(s);
}

/* Writes all of buf to a server's stdin; false if it has gone. That must
 * not raise SIGPIPE (batch workers keep its default action): it is blocked
 * in this thread meanwhile, and one raised here is taken back. */
static bool put_all(int fd, const char *buf, size_t n)
{
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    sigpending(&pending);
    bool was_pending = sigismember(&pending, SIGPIPE);
    bool ok = true;
    int e = 0;
    while (n) {
        ssize_t k = write(fd, buf, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            e = errno;
            ok = false;
            break;
        }
        buf += k;
        n -= (size_t)k;
    }
    if (!ok && e == EPIPE && !was_pending) {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return ok;
}

/* The folder for a line's two files: TMPDIR when the name can go into a
 * Scheme string as it is, else /tmp. */
static const char *tmp_folder(void)
{
    const char *t = getenv("TMPDIR");
    if (!t || t[0] != '/' || strlen(t) > 512)
        return "/tmp";
    for (const char *c = t; *c; c++)
        if (!(*c == '/' || *c == '.' || *c == '_' || *c == '-' || *c == '+' ||
              (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
            return "/tmp";
    return t;
}

/* A line's text and WAV are TMPDIR/.relax-festival.PID.XXXXXX while a server
 * speaks it; a process killed meanwhile leaves them behind. */
#define LINE_FILES "relax-festival"

static void sweep_line_files(void)
{
    char base[600];
    snprintf(base, sizeof base, "%s/" LINE_FILES, tmp_folder());
    (void)rlx_outfile_sweep(base);
}

static fest_server *server_start(const char *prog, size_t vi)
{
    sweep_line_files();
    int in[2] = {-1, -1}, out[2] = {-1, -1}, er[2] = {-1, -1};
    fest_server *s = calloc(1, sizeof *s);
    if (!s || !(s->prog = strdup(prog)) || pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) ||
        pipe2(er, O_CLOEXEC))
        goto fail;
    char *const argv[] = {(char *)prog, (char *)"--script", (char *)"/dev/stdin", NULL};
    if (spawn_child(prog, argv, in[0], out[1], er[1], &s->pid) != 0) {
        s->pid = 0;
        goto fail;
    }
    close(in[0]);
    close(out[1]);
    close(er[1]);
    s->in = in[1];
    s->out = out[0];
    s->err = er[0];
    s->vi = vi;
    char prelude[sizeof server_prelude + 128];
    int n = snprintf(prelude, sizeof prelude, server_prelude, voice_info[vi].eval);
    if (n < 0 || (size_t)n >= sizeof prelude || !put_all(s->in, prelude, (size_t)n)) {
        server_stop(s);
        return NULL;
    }
    return s;
fail:
    close_pipes(in, out, er);
    if (s)
        free(s->prog);
    free(s);
    return NULL;
}

/* Reads all of path into io->out (at most OUT_MAX bytes). */
static bool slurp(const char *path, child_io *io)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    bool ok = fstat(fd, &st) == 0 && st.st_size > 0 && (size_t)st.st_size <= OUT_MAX &&
              (io->out = malloc((size_t)st.st_size)) != NULL;
    if (ok) {
        io->capout = (size_t)st.st_size;
        while (io->nout < io->capout) {
            ssize_t k = read(fd, io->out + io->nout, io->capout - io->nout);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                break;
            io->nout += (size_t)k;
        }
        ok = io->nout == io->capout;
    }
    close(fd);
    return ok;
}

typedef enum { SERVED, SERVER_FAILED, SERVER_LATE } serve_result;

/* One line through server s; SERVED: io->out holds the WAV. After
 * anything else the server is not to be used again. */
static serve_result server_speak(fest_server *s, const char *text, double pace, child_io *io)
{
    const char *dir = tmp_folder();
    char inp[600], outp[600];
    /* named as render's temporaries are, so that a server's start can sweep
     * those of a process killed mid-line (sweep_line_files) */
    snprintf(inp, sizeof inp, "%s/." LINE_FILES ".%ld.XXXXXX", dir, (long)getpid());
    snprintf(outp, sizeof outp, "%s/." LINE_FILES ".%ld.XXXXXX", dir, (long)getpid());
    int fi = mkostemp(inp, O_CLOEXEC);
    if (fi < 0)
        return SERVER_FAILED;
    int fo = mkostemp(outp, O_CLOEXEC);
    if (fo < 0) {
        close(fi);
        unlink(inp);
        return SERVER_FAILED;
    }
    close(fo);
    serve_result r = SERVER_FAILED;
    /* the bytes text2wave reads on its stdin */
    size_t tl = strlen(text);
    bool written = true;
    for (size_t put = 0; written && put < tl;) {
        ssize_t k = write(fi, text + put, tl - put);
        if (k < 0 && errno == EINTR)
            continue;
        written = k > 0;
        put += written ? (size_t)k : 0;
    }
    written = written && write(fi, "\n", 1) == 1;
    if (close(fi) != 0 || !written)
        goto done;

    char req[1400], sp[32];
    speed_text(pace, sp, sizeof sp);
    int n = snprintf(req, sizeof req, "(rlx_say \"%s\" \"%s\" %s)\n", inp, outp, sp);
    if (n < 0 || (size_t)n >= sizeof req || !put_all(s->in, req, (size_t)n))
        goto done;

    /* Wait for the answer line, keeping the tail of stderr. */
    double deadline = now_s() + timeout_for(text);
    char line[256];
    size_t nl = 0;
    bool answered = false, err_open = true;
    while (!answered) {
        double left = deadline - now_s();
        if (left <= 0) {
            r = SERVER_LATE;
            goto done;
        }
        struct pollfd pf[2] = {{.fd = s->out, .events = POLLIN}, {.fd = s->err, .events = POLLIN}};
        int pr = poll(pf, err_open ? 2 : 1, (int)(left * 1000) + 1);
        if (pr < 0 && errno != EINTR)
            goto done;
        if (pr <= 0)
            continue;
        if (err_open && (pf[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            bool oom = false;
            err_open = drain(s->err, io, false, &oom);
        }
        if (!(pf[0].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        char buf[512];
        ssize_t k = read(s->out, buf, sizeof buf);
        if (k < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (k <= 0)
            goto done;   /* it ended: a Scheme error, a crash */
        for (ssize_t i = 0; i < k && !answered; i++) {
            if (buf[i] != '\n') {
                if (nl + 1 < sizeof line)
                    line[nl++] = buf[i];
                continue;
            }
            line[nl] = 0;
            answered = !strcmp(line, "rlx:ok");
            nl = 0;
        }
    }
    if (slurp(outp, io))
        r = SERVED;
done:
    unlink(inp);
    unlink(outp);
    return r;
}

/* Servers unless a stand-in text2wave (tests) is set without a festival. */
static bool servers_wanted(void)
{
    const char *t2w = getenv("RELAX_TEXT2WAVE"), *fest = getenv("RELAX_FESTIVAL");
    return !(t2w && *t2w) || (fest && *fest);
}

static rlx_err festival_speak(const char *voice, const char *text, double pace, float **samples,
                              size_t *frames, int *rate, char *why, size_t whylen)
{
    *samples = NULL;
    *frames = 0;
    *rate = 0;
    if (!voice || !*voice)
        voice = voice_names[0];
    size_t vi = 0;
    while (voice_names[vi] && strcmp(voice, voice_names[vi]))
        vi++;
    if (!voice_names[vi]) {
        snprintf(why, whylen, "unknown Festival voice '%s' (slt-hts is available)", voice);
        return RLX_ERR_USAGE;
    }
    rlx_err err = festival_available(why, whylen);
    if (err)
        return err;
    float *raw = NULL;
    size_t n = 0;
    int r = 0;
    bool served = false;
    char prog[1024];
    if (servers_wanted() && strlen(text) < SERVER_TEXT_MAX &&
        find_program("RELAX_FESTIVAL", "festival", prog, sizeof prog)) {
        fest_server *s = server_take(prog, vi);
        if (!s)
            s = server_start(prog, vi);
        if (s) {
            child_io io = {0};
            serve_result sr = server_speak(s, text, pace, &io);
            served = sr == SERVED && parse_wav(io.out, io.nout, &raw, &n, &r, why, whylen) == RLX_OK;
            free(io.out);
            if (served) {
                server_give_back(s);
            } else {
                server_stop(s);
                if (sr == SERVER_LATE) {
                    snprintf(why, whylen,
                             "Festival took longer than %.0f s for this line and was stopped",
                             timeout_for(text));
                    return RLX_ERR_TTS;
                }
            }
        }
    }
    if (!served) {
        /* no server here, or it failed: text2wave for this line says what is wrong */
        find_text2wave(prog, sizeof prog);
        child_io io = {0};
        err = run_text2wave(prog, vi, text, pace, &io, why, whylen);
        if (!err)
            err = parse_wav(io.out, io.nout, &raw, &n, &r, why, whylen);
        free(io.out);
        if (err)
            return err;
    }
    *samples = raw;
    *frames = n;
    *rate = r;
    return RLX_OK;
}

const rlx_voice_engine rlx_voice_festival = {
    .name = "festival",
    .voices = voice_names,
    .available = festival_available,
    .speak = festival_speak,
    .version = festival_version,
    .fallback = "flite:slt",
};
