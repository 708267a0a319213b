/* sink_file.c - writes rendered frames to a .wav, .flac or .ogg file.
 * The frames go to a temporary file beside OUT ("." + name + ".XXXXXX"),
 * which is flushed, synced and renamed over OUT only on commit; on abandon
 * or failure it is removed, so OUT is either the old file or the new one. */
#include "sink/sink_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sndfile.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    rlx_sink base;
    int rate;
    _Atomic int64_t written;  /* frames taken: "heard", for a file (pump writes, control reads) */
    SNDFILE *sf;
    int fd;
    char *tmp_path;
    char *out_path;
    rlx_err failed;     /* sticky: the first write error */
    int failed_errno;
} rlx_file_sink;

static const char *ext_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    return dot && dot != base ? dot + 1 : "";
}

static int format_for(const char *path)
{
    const char *e = ext_of(path);
    if (!strcasecmp(e, "wav"))
        return SF_FORMAT_WAV | SF_FORMAT_PCM_24;
    if (!strcasecmp(e, "flac"))
        return SF_FORMAT_FLAC | SF_FORMAT_PCM_24;
    if (!strcasecmp(e, "ogg"))
        return SF_FORMAT_OGG | SF_FORMAT_VORBIS;
    return 0;
}

/* Short writes: libsndfile keeps no errno, but the syscall set it. */
static rlx_err classify(int e)
{
    return e == ENOSPC || e == EDQUOT || e == EFBIG ? RLX_ERR_DISK_FULL : RLX_ERR_OUTPUT;
}

static rlx_err file_write(rlx_sink *base, const float *frames, size_t n)
{
    rlx_file_sink *s = (rlx_file_sink *)base;
    if (s->failed != RLX_OK)
        return s->failed;
    errno = 0;
    sf_count_t w = sf_writef_float(s->sf, frames, (sf_count_t)n);
    if (w != (sf_count_t)n) {
        s->failed_errno = errno ? errno : EIO;
        s->failed = classify(s->failed_errno);
        return s->failed;
    }
    s->written += (int64_t)n;
    return RLX_OK;
}

static void file_status(rlx_sink *base, rlx_sink_status *st)
{
    rlx_file_sink *s = (rlx_file_sink *)base;
    memset(st, 0, sizeof *st);
    st->rate = s->rate;
    st->played = s->written;
}

static int64_t file_played(rlx_sink *base)
{
    return ((rlx_file_sink *)base)->written;
}

static int64_t file_latency(rlx_sink *base)
{
    (void)base;
    return 0;  /* written is as good as heard */
}

static rlx_err file_open_op(const rlx_sink_config *cfg, rlx_sink **out, char *why, size_t whylen)
{
    return rlx_sink_file_open(cfg->target ? cfg->target : "", cfg->rate > 0 ? cfg->rate : 48000,
                              out, why, whylen);
}

static void free_sink(rlx_file_sink *s)
{
    free(s->tmp_path);
    free(s->out_path);
    free(s);
}

static rlx_err file_close(rlx_sink *base, bool commit)
{
    rlx_file_sink *s = (rlx_file_sink *)base;
    if (!s)
        return RLX_OK;
    rlx_err err = s->failed;
    errno = 0;
    int sferr = sf_close(s->sf);  /* writes the header / flushes the encoder */
    if (commit && err == RLX_OK && sferr != 0)
        err = classify(errno ? errno : EIO);
    if (commit && err == RLX_OK && fsync(s->fd) != 0)
        err = classify(errno);
    if (close(s->fd) != 0 && commit && err == RLX_OK)
        err = classify(errno);
    if (commit && err == RLX_OK && rename(s->tmp_path, s->out_path) != 0)
        err = RLX_ERR_OUTPUT;
    if (!commit || err != RLX_OK)
        unlink(s->tmp_path);
    free_sink(s);
    return commit ? err : RLX_OK;
}

const rlx_sink_ops rlx_sink_file_ops = {
    .name = "file",
    .open = file_open_op,
    .write = file_write,
    .latency = file_latency,
    .played = file_played,
    .status = file_status,
    .close = file_close,
};

rlx_err rlx_sink_file_open(const char *out_path, int rate, rlx_sink **out,
                           char *why, size_t whylen)
{
    *out = NULL;
    if (why && whylen)
        why[0] = 0;
    int format = format_for(out_path);
    if (!format) {
        snprintf(why, whylen, "%s: unknown output format '.%s' (use .wav, .flac or .ogg)",
                 out_path, ext_of(out_path));
        return RLX_ERR_USAGE;
    }
    if (rate < 1 || rate > 655350) {
        snprintf(why, whylen, "%s: invalid sample rate %d", out_path, rate);
        return RLX_ERR_USAGE;
    }
    struct stat st;
    if (stat(out_path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(why, whylen, "%s is a folder", out_path);
        return RLX_ERR_OUTPUT;
    }
    rlx_file_sink *s = calloc(1, sizeof *s);
    if (!s)
        return RLX_ERR_NOMEM;
    s->base.ops = &rlx_sink_file_ops;
    s->rate = rate;
    s->fd = -1;
    s->out_path = strdup(out_path);
    const char *slash = strrchr(out_path, '/');
    size_t dirlen = slash ? (size_t)(slash - out_path) + 1 : 0;
    const char *base = out_path + dirlen;
    s->tmp_path = malloc(dirlen + strlen(base) + 16);
    if (!s->out_path || !s->tmp_path) {
        free_sink(s);
        return RLX_ERR_NOMEM;
    }
    memcpy(s->tmp_path, out_path, dirlen);
    sprintf(s->tmp_path + dirlen, ".%s.XXXXXX", base);
    s->fd = mkstemp(s->tmp_path);
    if (s->fd < 0) {
        int e = errno;
        char dir[PATH_MAX];
        /* the folder without its trailing slash ("/" stays "/") */
        snprintf(dir, sizeof dir, "%.*s", dirlen > 1 ? (int)dirlen - 1 : 1, dirlen ? out_path : ".");
        snprintf(why, whylen, "cannot write %s: folder %s: %s", out_path, dir, strerror(e));
        free_sink(s);
        return e == ENOSPC || e == EDQUOT ? RLX_ERR_DISK_FULL : RLX_ERR_OUTPUT;
    }
    /* mkstemp makes 0600; give the result the usual permissions */
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(s->fd, 0666 & ~mask);

    SF_INFO info = {.samplerate = rate, .channels = 2, .format = format};
    s->sf = sf_open_fd(s->fd, SFM_WRITE, &info, 0);
    if (!s->sf) {
        snprintf(why, whylen, "cannot write %s: %s", out_path, sf_strerror(NULL));
        close(s->fd);
        unlink(s->tmp_path);
        free_sink(s);
        return RLX_ERR_OUTPUT;
    }
    /* the limiter keeps samples below -1 dBFS; clip rather than wrap if not */
    sf_command(s->sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
    if ((format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG) {
        double q = 0.6;
        sf_command(s->sf, SFC_SET_VBR_ENCODING_QUALITY, &q, sizeof q);
    }
    *out = &s->base;
    return RLX_OK;
}
