/* sink_file.c - writes rendered frames to a .wav, .flac or .ogg file.
 * The frames go to a temporary file beside OUT (core/outfile.h), which is
 * flushed, synced and renamed over OUT only on commit; on abandon or failure
 * it is removed, so OUT is either the old file or the new one. */
#include "sink/sink_file.h"
#include "sink/pcm24.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sndfile.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/outfile.h"

/* WAV: the samples are converted here and handed to libsndfile (which
 * keeps the container: header, sizes) in large raw blocks. RAW_FRAMES is a
 * multiple of 2048 frames, so every block after the first is a whole number
 * of 4 KiB pages; the first one is cut so that the blocks after it start on
 * a page boundary of the file. */
#define RAW_FRAMES (2048 * 64)
#define RAW_FRAME_BYTES 6   /* stereo, 24 bit */

typedef struct {
    rlx_sink base;
    int rate;
    _Atomic int64_t written;  /* frames taken: "heard", for a file (pump writes, control reads) */
    SNDFILE *sf;
    rlx_outfile *of;
    rlx_err failed;     /* sticky: the first write error */
    int failed_errno;
    uint8_t *raw;       /* WAV only: RAW_FRAMES frames of 24-bit PCM */
    size_t raw_len;     /* frames in raw */
    size_t raw_limit;   /* flush when raw_len reaches this */
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
    return rlx_outfile_classify(e);
}

static void fail_with(rlx_file_sink *s, int e)
{
    s->failed_errno = e ? e : EIO;
    s->failed = classify(s->failed_errno);
}

static rlx_err raw_flush(rlx_file_sink *s)
{
    if (s->failed != RLX_OK || s->raw_len == 0)
        return s->failed;
    sf_count_t bytes = (sf_count_t)(s->raw_len * RAW_FRAME_BYTES);
    errno = 0;
    if (sf_write_raw(s->sf, s->raw, bytes) != bytes)
        fail_with(s, errno);
    s->raw_len = 0;
    s->raw_limit = RAW_FRAMES;
    return s->failed;
}

static rlx_err file_write(rlx_sink *base, const float *frames, size_t n)
{
    rlx_file_sink *s = (rlx_file_sink *)base;
    if (s->failed != RLX_OK)
        return s->failed;
    if (s->raw) {
        s->written += (int64_t)n;   /* taken (a failure sticks and is reported) */
        while (n > 0) {
            size_t m = s->raw_limit - s->raw_len;
            if (m > n)
                m = n;
            rlx_pcm24_from_float(s->raw + s->raw_len * RAW_FRAME_BYTES, frames, 2 * m);
            s->raw_len += m;
            frames += 2 * m;
            n -= m;
            if (s->raw_len == s->raw_limit && raw_flush(s) != RLX_OK)
                return s->failed;
        }
        return RLX_OK;
    }
    errno = 0;
    sf_count_t w = sf_writef_float(s->sf, frames, (sf_count_t)n);
    if (w != (sf_count_t)n) {
        fail_with(s, errno);
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
    free(s->raw);
    free(s);
}

static rlx_err file_close(rlx_sink *base, bool commit)
{
    rlx_file_sink *s = (rlx_file_sink *)base;
    if (!s)
        return RLX_OK;
    rlx_err err = commit && s->raw ? raw_flush(s) : s->failed;
    errno = 0;
    int sferr = sf_close(s->sf);  /* writes the header / flushes the encoder */
    if (commit && err == RLX_OK && sferr != 0)
        err = classify(errno ? errno : EIO);
    if (commit && err == RLX_OK)
        err = rlx_outfile_commit(s->of, NULL);
    else
        rlx_outfile_abandon(s->of);
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
    rlx_file_sink *s = calloc(1, sizeof *s);
    if (!s)
        return RLX_ERR_NOMEM;
    s->base.ops = &rlx_sink_file_ops;
    s->rate = rate;
    int fd;
    rlx_err err = rlx_outfile_open(out_path, &s->of, &fd, why, whylen);
    if (err != RLX_OK) {
        free(s);
        return err;
    }
    SF_INFO info = {.samplerate = rate, .channels = 2, .format = format};
    s->sf = sf_open_fd(fd, SFM_WRITE, &info, 0);
    if (!s->sf) {
        snprintf(why, whylen, "cannot write %s: %s", out_path, sf_strerror(NULL));
        rlx_outfile_abandon(s->of);
        free(s);
        return RLX_ERR_OUTPUT;
    }
    /* the limiter keeps samples below -1 dBFS; clip rather than wrap if not */
    sf_command(s->sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
    if ((format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAV) {
        s->raw = malloc((size_t)RAW_FRAMES * RAW_FRAME_BYTES);
        if (!s->raw) {
            sf_close(s->sf);
            rlx_outfile_abandon(s->of);
            free_sink(s);
            return RLX_ERR_NOMEM;
        }
        /* the first block ends on a page boundary (6 k = -header mod 4096
         * has a solution below 2048 when the header size is even) */
        off_t at = lseek(fd, 0, SEEK_CUR);
        s->raw_limit = RAW_FRAMES;
        for (size_t k = 1; at > 0 && k < 2048; k++)
            if (((size_t)at + k * RAW_FRAME_BYTES) % 4096 == 0) {
                s->raw_limit = k;
                break;
            }
    }
    if ((format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG) {
        double q = 0.6;
        sf_command(s->sf, SFC_SET_VBR_ENCODING_QUALITY, &q, sizeof q);
    }
    *out = &s->base;
    return RLX_OK;
}
