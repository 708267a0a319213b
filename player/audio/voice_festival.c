/* voice_festival.c - the Festival voice engine: slt-hts (festvox-us-slt-hts,
 * the same speaker as flite's slt, 32 kHz, HTS).
 *
 * Each line runs Festival's own `text2wave` as a child process (posix_spawn,
 * no shell): the text goes in on stdin, the WAV comes back on stdout, and its
 * chatter on stderr is kept for the error message, never shown. A line that
 * takes too long is stopped. One process per line means a fresh synthesis
 * state per line (deterministic), lines can be spoken in parallel (each
 * call is independent), and a Festival crash cannot take the player down.
 * Measured against linking libFestival (C++, one Scheme interpreter per
 * process, not thread-safe): the start of a process costs ~0.2 s of CPU
 * per line, less than the synthesis itself, and buys the parallelism back.
 *
 * HTS voices ignore Duration_Stretch, so the pace is applied afterwards with
 * a pitch-keeping time-stretch (stretch.c). */
#define _GNU_SOURCE /* pipe2, F_SETPIPE_SZ */
#include "audio/voice.h"

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

#include "audio/stretch.h"

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

/* RELAX_TEXT2WAVE names the program (tests point it elsewhere); otherwise
 * text2wave is looked up in PATH. */
static bool find_text2wave(char *out, size_t len)
{
    const char *env = getenv("RELAX_TEXT2WAVE");
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
        if (n && (size_t)snprintf(out, len, "%.*s/text2wave", (int)n, path) < len &&
            access(out, X_OK) == 0)
            return true;
        path += n + (end ? 1 : 0);
    }
    return false;
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
 * new package may speak differently); plus the stretcher's. */
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
    snprintf(version_buf, sizeof version_buf, "festival-text2wave-%lld-%lld+%s", size, mtime,
             rlx_stretch_version());
}

static const char *festival_version(void)
{
    pthread_once(&version_once, make_version);
    return version_buf;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
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

/* Runs text2wave on text; on success io->out holds its stdout. */
static rlx_err run_text2wave(const char *prog, size_t vi, const char *text, child_io *io,
                             char *why, size_t whylen)
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

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, er[1], 2);
    posix_spawnattr_init(&at);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    char *const argv[] = {(char *)prog, (char *)"-eval", (char *)voice_info[vi].eval, NULL};
    int rc = posix_spawn(&pid, prog, &fa, &at, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
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
    for (int k = 0; k < 2; k++) {
        if (in[k] >= 0)
            close(in[k]);
        if (out[k] >= 0)
            close(out[k]);
        if (er[k] >= 0)
            close(er[k]);
    }
    return err;
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
    char prog[1024];
    find_text2wave(prog, sizeof prog);
    child_io io = {0};
    err = run_text2wave(prog, vi, text, &io, why, whylen);
    float *raw = NULL;
    size_t n = 0;
    int r = 0;
    if (!err)
        err = parse_wav(io.out, io.nout, &raw, &n, &r, why, whylen);
    free(io.out);
    if (err)
        return err;
    float *st;
    size_t sn;
    err = rlx_stretch(raw, n, r, pace, &st, &sn, why, whylen);
    free(raw);
    if (err)
        return err;
    *samples = st;
    *frames = sn;
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
