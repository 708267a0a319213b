/* clip.c - preparing clips (decode/speak, map, resample, measure, cache) and
 * streaming them back from the cache. */
#include "audio/clip.h"

#include <ebur128.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <samplerate.h>
#include <stdatomic.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "audio/cache.h"
#include "audio/decode.h"
#include "audio/voice.h"

#define CHUNK 8192          /* frames per step of the conversion */
#define READER_CHUNK 2048   /* frames of the reader's mono scratch buffer */
#define SILENCE_LUFS -70.0

static void set_why(char *why, size_t whylen, const char *fmt, const char *a)
    __attribute__((format(printf, 3, 0)));
static void set_why(char *why, size_t whylen, const char *fmt, const char *a)
{
    if (why && whylen)
        snprintf(why, whylen, fmt, a);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

/* ---- the conversion pipeline ------------------------------------------- */

/* A source of float frames at its own rate, 1 or 2 channels. read returns
 * *got == 0 at the end. */
typedef struct {
    int rate, channels;
    rlx_err (*read)(void *ctx, float *buf, size_t n, size_t *got, char *why, size_t whylen);
    void *ctx;
} source;

typedef struct {
    SNDFILE *sf;
    ebur128_state *meter;
    rlx_hash sum;
    int channels;
    int64_t frames;
    bool write_failed;
} sink;

static bool sink_put(sink *k, const float *buf, size_t n)
{
    if (!n)
        return true;
    if (sf_writef_float(k->sf, buf, (sf_count_t)n) != (sf_count_t)n) {
        k->write_failed = true;
        return false;
    }
    ebur128_add_frames_float(k->meter, buf, n);
    rlx_hash_update(&k->sum, buf, n * (size_t)k->channels * sizeof(float));
    k->frames += (int64_t)n;
    return true;
}

/* Reads all of s, resamples it to rate (or passes it through untouched when
 * the rates match) and feeds the sink. */
static rlx_err pump(const rlx_cache *c, source *s, int rate, sink *k, char *why, size_t whylen)
{
    /* The header may not tell the length (or may lie): bound the output. */
    const int64_t max_frames = (int64_t)RLX_CLIP_MAX_SECONDS * rate;
    int ch = s->channels;
    float *in = malloc(sizeof(float) * CHUNK * (size_t)ch);
    float *out = malloc(sizeof(float) * CHUNK * (size_t)ch);
    SRC_STATE *src = NULL;
    rlx_err err = RLX_OK;
    if (!in || !out) {
        err = RLX_ERR_NOMEM;
        goto done;
    }
    double ratio = (double)rate / (double)s->rate;
    if (s->rate != rate) {
        int e = 0;
        src = src_new(SRC_SINC_MEDIUM_QUALITY, ch, &e);
        if (!src) {
            set_why(why, whylen, "resampler: %s", src_strerror(e));
            err = RLX_ERR_INTERNAL;
            goto done;
        }
        if (!src_is_valid_ratio(ratio)) {
            set_why(why, whylen, "cannot resample to %s", "this rate");
            err = RLX_ERR_AUDIO_FORMAT;
            goto done;
        }
    }
    for (;;) {
        size_t got = 0;
        if (rlx_cache_cancelled(c)) {
            set_why(why, whylen, "%s", "interrupted");
            err = RLX_ERR_INTERRUPTED;
            goto done;
        }
        /* a cache entry is a WAV: its sizes are 32-bit */
        if ((double)(k->frames + CHUNK * 4) * ch * sizeof(float) > 4294967295.0 - 4096) {
            if (why && whylen)
                snprintf(why, whylen, "contains too much audio to cache at %d Hz (a cache entry holds at most "
                         "4 GiB, %.1f hours of %s audio at this rate)", rate,
                         (4294967295.0 - 4096) / ch / sizeof(float) / rate / 3600, ch == 1 ? "mono" : "stereo");
            err = RLX_ERR_AUDIO_FILE;
            goto done;
        }
        if (k->frames > max_frames) {
            set_why(why, whylen, "contains more than %s of audio (the longest a session may be)",
                    "24 hours");
            err = RLX_ERR_AUDIO_FILE;
            goto done;
        }
        err = s->read(s->ctx, in, CHUNK, &got, why, whylen);
        if (err)
            goto done;
        if (!src) {
            if (!got)
                break;
            if (!sink_put(k, in, got))
                goto write_error;
            continue;
        }
        SRC_DATA d = {
            .data_in = in,
            .input_frames = (long)got,
            .data_out = out,
            .output_frames = CHUNK,
            .end_of_input = got == 0,
            .src_ratio = ratio,
        };
        /* Feed this block until consumed; at the end, drain until the
         * resampler gives nothing more. */
        for (;;) {
            int e = src_process(src, &d);
            if (e) {
                set_why(why, whylen, "resampler: %s", src_strerror(e));
                err = RLX_ERR_INTERNAL;
                goto done;
            }
            if (!sink_put(k, out, (size_t)d.output_frames_gen))
                goto write_error;
            if (!d.end_of_input && d.input_frames_used == 0 && d.output_frames_gen == 0) {
                set_why(why, whylen, "resampler: %s", "made no progress");
                err = RLX_ERR_INTERNAL;  /* cannot happen with libsamplerate; never hang */
                goto done;
            }
            d.data_in += d.input_frames_used * ch;
            d.input_frames -= d.input_frames_used;
            if (d.end_of_input ? d.output_frames_gen == 0 : d.input_frames == 0)
                break;
        }
        if (got == 0)
            break;
    }
    goto done;
write_error:
    set_why(why, whylen, "cannot write to the cache: %s", strerror(errno ? errno : EIO));
    err = errno == ENOSPC ? RLX_ERR_DISK_FULL : RLX_ERR_IO;
done:
    if (src)
        src_delete(src);
    free(in);
    free(out);
    return err;
}

static atomic_ulong full_checks;

unsigned long rlx_cache_full_checks(void)
{
    return atomic_load(&full_checks);
}

static bool wav_stamp(const char *path, rlx_wav_stamp *w)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return false;
    *w = (rlx_wav_stamp){
        .size = (int64_t)st.st_size,
        .mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec,
        .ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec,
        .ino = (uint64_t)st.st_ino,
    };
    return true;
}

static bool same_stamp(const rlx_wav_stamp *a, const rlx_wav_stamp *b)
{
    return a->ino != 0 && a->size == b->size && a->mtime_ns == b->mtime_ns &&
           a->ctime_ns == b->ctime_ns && a->ino == b->ino;
}

/* A stamp proves "unchanged since" only if any later write must get a later
 * ctime: file times come from a coarse clock (a few ms per tick) and some
 * file systems keep whole seconds. So a stamp is recorded only once the
 * file's ctime lies safely in the past. */
static bool settled(const rlx_wav_stamp *w)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
    int64_t margin = w->ctime_ns % 1000000000 == 0 ? 2000000000 : 100000000;
    return w->ctime_ns <= now - margin;
}

static void fill_info(rlx_clip_info *out, char *wav, const rlx_cache_meta *m)
{
    out->cached_path = wav;
    out->rate = m->rate;
    out->channels = m->channels;
    out->frames = m->frames;
    out->loudness_lufs = m->loudness_lufs;
    out->peak = m->peak;
}

/* Converts s into the cache entry key: a float WAV through a temporary file,
 * fsync and rename, then the sidecar (whose presence commits the entry). */
static rlx_err build_entry(rlx_cache *c, uint64_t key, source *s, int rate,
                           rlx_clip_info *out, char *why, size_t whylen)
{
    char *wav = rlx_cache_entry_path(c, key, "wav");
    char *meta = rlx_cache_entry_path(c, key, "meta");
    char *tmp = NULL;
    int fd = -1;
    sink k = {.channels = s->channels};
    rlx_err err = RLX_OK;
    if (!wav || !meta) {
        err = RLX_ERR_NOMEM;
        goto fail;
    }
    unlink(meta);  /* a damaged entry stops being one before we rebuild it */
    err = rlx_tmp_create(wav, &tmp, &fd);
    if (err) {
        set_why(why, whylen, "cannot write to the cache folder %s", rlx_cache_dir(c));
        goto fail;
    }
    SF_INFO info = {.samplerate = rate, .channels = s->channels,
                    .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
    k.sf = sf_open_fd(fd, SFM_WRITE, &info, 0);
    if (!k.sf) {
        set_why(why, whylen, "cannot write a cache entry: %s", sf_strerror(NULL));
        err = RLX_ERR_IO;
        goto fail;
    }
    k.meter = ebur128_init((unsigned)s->channels, (unsigned long)rate,
                           EBUR128_MODE_I | EBUR128_MODE_SAMPLE_PEAK);
    if (!k.meter) {
        err = RLX_ERR_NOMEM;
        goto fail;
    }
    /* A mono clip is played on both speakers: measure it that way. */
    if (s->channels == 1)
        ebur128_set_channel(k.meter, 0, EBUR128_DUAL_MONO);
    rlx_hash_init(&k.sum, 0);
    err = pump(c, s, rate, &k, why, whylen);
    if (err)
        goto fail;
    if (k.frames == 0) {
        set_why(why, whylen, "%s", "contains no audio");
        err = RLX_ERR_AUDIO_FILE;
        goto fail;
    }
    rlx_cache_meta m = {.frames = k.frames, .rate = rate, .channels = s->channels,
                        .checksum = rlx_hash_final(&k.sum)};
    double l = SILENCE_LUFS;
    if (ebur128_loudness_global(k.meter, &l) != EBUR128_SUCCESS || !isfinite(l) || l < SILENCE_LUFS)
        l = SILENCE_LUFS;
    m.loudness_lufs = l;
    m.peak = 0;
    for (int i = 0; i < s->channels; i++) {
        double p = 0;
        if (ebur128_sample_peak(k.meter, (unsigned)i, &p) == EBUR128_SUCCESS && p > m.peak)
            m.peak = p;
    }
    int serr = sf_close(k.sf);
    k.sf = NULL;
    bool deferred = rlx_cache_sync_deferred(c);
    if (serr != 0 || (!deferred && fsync(fd) != 0)) {
        err = errno == ENOSPC ? RLX_ERR_DISK_FULL : RLX_ERR_IO;
        set_why(why, whylen, "cannot write to the cache: %s", strerror(errno ? errno : EIO));
        goto fail;
    }
    close(fd);
    fd = -1;
    if (rename(tmp, wav) != 0) {
        err = RLX_ERR_IO;
        set_why(why, whylen, "cannot write to the cache: %s", strerror(errno));
        goto fail;
    }
    free(tmp);
    tmp = NULL;
    /* No stamp yet (m.wav is zero): see verify_entry. */
    err = rlx_cache_meta_write(meta, &m, !deferred);
    if (err) {
        set_why(why, whylen, "cannot write to the cache folder %s", rlx_cache_dir(c));
        goto fail;
    }
    ebur128_destroy(&k.meter);
    free(meta);
    fill_info(out, wav, &m);
    return RLX_OK;
fail:
    if (k.sf)
        sf_close(k.sf);
    if (k.meter)
        ebur128_destroy(&k.meter);
    if (fd >= 0)
        close(fd);
    if (tmp) {
        unlink(tmp);
        free(tmp);
    }
    free(wav);
    free(meta);
    return err;
}

/* Checks a cache entry against its sidecar. Anything amiss (no sidecar,
 * short or altered WAV) is RLX_ERR_CACHE: the caller rebuilds. If the WAV
 * is exactly as it was when last checked (same stat stamp, see cache.h), the
 * sidecar suffices; otherwise every sample is read and checksummed, and a
 * WAV that passes (say, a cache folder copied elsewhere) gets its new stamp
 * recorded. */
static rlx_err verify_entry(const rlx_cache *c, const char *wav, const char *meta, int rate, rlx_cache_meta *m)
{
    if (rlx_cache_meta_read(meta, m) != RLX_OK || m->rate != rate)
        return RLX_ERR_CACHE;
    rlx_wav_stamp now;
    if (!wav_stamp(wav, &now))
        return RLX_ERR_CACHE;
    if (same_stamp(&now, &m->wav))
        return RLX_OK;
    atomic_fetch_add(&full_checks, 1);
    SF_INFO info = {0};
    SNDFILE *sf = sf_open(wav, SFM_READ, &info);
    if (!sf)
        return RLX_ERR_CACHE;
    rlx_err err = RLX_OK;
    float *buf = NULL;
    if (info.frames != m->frames || info.channels != m->channels || info.samplerate != rate ||
        info.format != (SF_FORMAT_WAV | SF_FORMAT_FLOAT)) {
        err = RLX_ERR_CACHE;
        goto done;
    }
    buf = malloc(sizeof(float) * CHUNK * (size_t)info.channels);
    if (!buf) {
        err = RLX_ERR_NOMEM;
        goto done;
    }
    rlx_hash h;
    rlx_hash_init(&h, 0);
    int64_t total = 0;
    for (unsigned n = 0;; n++) {
        if ((n & 255) == 0 && rlx_cache_cancelled(c)) {
            err = RLX_ERR_INTERRUPTED;
            goto done;
        }
        sf_count_t r = sf_readf_float(sf, buf, CHUNK);
        if (r <= 0)
            break;
        rlx_hash_update(&h, buf, (size_t)r * (size_t)info.channels * sizeof(float));
        total += r;
    }
    if (sf_error(sf) || total != m->frames || rlx_hash_final(&h) != m->checksum)
        err = RLX_ERR_CACHE;
done:
    free(buf);
    sf_close(sf);
    if (err == RLX_OK && settled(&now)) {
        m->wav = now;
        (void)rlx_cache_meta_write(meta, m, false);  /* best effort: next start is quick again */
    }
    return err;
}

/* Looks the entry up; RLX_OK fills out, RLX_ERR_CACHE means (re)build it. */
static rlx_err lookup(rlx_cache *c, uint64_t key, int rate, rlx_clip_info *out)
{
    char *wav = rlx_cache_entry_path(c, key, "wav");
    char *meta = rlx_cache_entry_path(c, key, "meta");
    rlx_err err = RLX_ERR_NOMEM;
    if (wav && meta) {
        rlx_cache_meta m;
        err = verify_entry(c, wav, meta, rate, &m);
        if (err == RLX_OK) {
            fill_info(out, wav, &m);
            wav = NULL;
        }
    }
    free(wav);
    free(meta);
    return err;
}

static bool rate_ok(int rate)
{
    return rate >= 8000 && rate <= 384000;
}

/* ---- files ---------------------------------------------------------------- */

static rlx_err decoder_source_read(void *ctx, float *buf, size_t n, size_t *got,
                                   char *why, size_t whylen)
{
    return rlx_decoder_read(ctx, buf, n, got, why, whylen);
}

/* Hashes the bytes of an open file. */
static rlx_err hash_fd(const rlx_cache *c, int fd, uint64_t *out)
{
    enum { BUF = 1 << 16 };
    uint8_t *buf = malloc(BUF);
    if (!buf)
        return RLX_ERR_NOMEM;
    rlx_hash h;
    rlx_hash_init(&h, 0x66696c65);
    rlx_err err = RLX_OK;
    for (unsigned n = 0;; n++) {
        if ((n & 255) == 0 && rlx_cache_cancelled(c)) {  /* every 16 MB */
            err = RLX_ERR_INTERRUPTED;
            break;
        }
        ssize_t r = read(fd, buf, BUF);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            err = RLX_ERR_AUDIO_FILE;
            break;
        }
        if (r == 0)
            break;
        rlx_hash_update(&h, buf, (size_t)r);
    }
    free(buf);
    *out = rlx_hash_final(&h);
    return err;
}

/* The content key of a file: its bytes' hash, through the stat index. */
static bool stamp_of(const struct stat *st, rlx_file_stamp *out)
{
    *out = (rlx_file_stamp){
        .size = (int64_t)st->st_size,
        .mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec,
        .ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec,
        .ino = (uint64_t)st->st_ino,
        .dev = (uint64_t)st->st_dev,
    };
    return true;
}

/* Refuses from the header, before hashing or decoding, what could only fill
 * the cache in vain. A file the decoder cannot open is left to the decoding
 * step, which says why. */
static int pcm_bytes(int format)
{
    switch (format & SF_FORMAT_SUBMASK) {
    case SF_FORMAT_PCM_S8: case SF_FORMAT_PCM_U8: return 1;
    case SF_FORMAT_PCM_16: return 2;
    case SF_FORMAT_PCM_24: return 3;
    case SF_FORMAT_PCM_32: case SF_FORMAT_FLOAT: return 4;
    case SF_FORMAT_DOUBLE: return 8;
    default: return 0;  /* compressed: the header's length is only an estimate */
    }
}

static rlx_err check_length(const char *path, int64_t file_size, int rate, char *why, size_t whylen)
{
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf)
        return RLX_OK;
    sf_close(sf);
    /* Trust the header only where the file holds the samples it declares
     * (uncompressed PCM); anything else is bounded while it is decoded. */
    int bps = pcm_bytes(info.format);
    if (info.samplerate <= 0 || info.frames <= 0 || info.channels <= 0 || !bps ||
        (double)info.frames * info.channels * bps > (double)file_size)
        return RLX_OK;
    int64_t seconds = (int64_t)info.frames / info.samplerate;
    int ch = info.channels > 2 ? 2 : info.channels;
    double entry = (double)info.frames * rate / info.samplerate * ch * sizeof(float);
    if (seconds <= RLX_CLIP_MAX_SECONDS && entry > 4294967295.0 - 4096) {
        if (why && whylen)
            snprintf(why, whylen, "%s: too long to cache at %d Hz (a cache entry holds at most 4 GiB, "
                     "%.1f hours of %s audio at this rate)", base_name(path), rate,
                     (4294967295.0 - 4096) / ch / sizeof(float) / rate / 3600, ch == 1 ? "mono" : "stereo");
        return RLX_ERR_AUDIO_FILE;
    }
    if (seconds <= RLX_CLIP_MAX_SECONDS)
        return RLX_OK;
    if (why && whylen)
        snprintf(why, whylen, "%s: too long (%" PRId64 " hours; an audio file may be at most 24 hours)",
                 base_name(path), seconds / 3600);
    return RLX_ERR_AUDIO_FILE;
}

int64_t rlx_audio_header_ms(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    SF_INFO info;
    memset(&info, 0, sizeof info);
    SNDFILE *sf = sf_open(path, SFM_READ, &info);
    if (!sf)
        return -1;
    sf_close(sf);
    int bps = pcm_bytes(info.format);
    if (info.samplerate <= 0 || info.frames <= 0 || info.channels <= 0 || !bps ||
        (double)info.frames * info.channels * bps > (double)st.st_size)
        return -1;
    return (int64_t)((double)info.frames * 1000 / info.samplerate);
}

static rlx_err file_content(rlx_cache *c, const char *path, int rate, uint64_t *content,
                            rlx_file_stamp *stamp_out, char *why, size_t whylen)
{
    const char *name = base_name(path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            set_why(why, whylen, "%s: not found", name);
        else if (why && whylen)
            snprintf(why, whylen, "%s: %s", name, strerror(errno));
        return RLX_ERR_AUDIO_FILE;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        set_why(why, whylen, "%s: not a regular file", name);
        return RLX_ERR_AUDIO_FILE;
    }
    rlx_file_stamp stamp;
    stamp_of(&st, &stamp);
    *stamp_out = stamp;
    char real[PATH_MAX];
    bool have_real = realpath(path, real) != NULL;
    rlx_err err = RLX_OK;
    if (!have_real || !rlx_cache_index_get(c, real, &stamp, content)) {
        err = check_length(path, (int64_t)st.st_size, rate, why, whylen);
        if (!err)
            err = hash_fd(c, fd, content);
        else
            goto out;
        if (err == RLX_ERR_INTERRUPTED)
            set_why(why, whylen, "%s", "interrupted");
        else if (err)
            set_why(why, whylen, "%s: cannot read the file", name);
        else if (have_real)
            rlx_cache_index_put(c, real, &stamp, *content);
    }
out:
    close(fd);
    return err;
}

static uint64_t file_key(uint64_t content, int rate)
{
    char buf[96];
    int n = snprintf(buf, sizeof buf, "file v%d %016" PRIx64 " %d", RLX_CLIP_CONVERTER_VERSION,
                     content, rate);
    return rlx_hash_bytes(buf, (size_t)n, 0x6b6579);
}

static rlx_err prepare_file(rlx_cache *c, const char *path, int rate, rlx_clip_info *out,
                            char *why, size_t whylen, bool probe)
{
    memset(out, 0, sizeof *out);
    if (why && whylen)
        why[0] = 0;
    if (!c || !path || !*path || !rate_ok(rate)) {
        set_why(why, whylen, "%s", "invalid arguments");
        return RLX_ERR_USAGE;
    }
    /* The key comes from the bytes hashed before decoding: if the file is
     * replaced in between, the entry would hold other audio than its key
     * says. So check the file did not change meanwhile, and if it did, drop
     * the entry and start over (twice at most). */
    for (int attempt = 0;; attempt++) {
        uint64_t content;
        rlx_file_stamp before;
        rlx_err err = file_content(c, path, rate, &content, &before, why, whylen);
        if (err)
            return err;
        uint64_t key = file_key(content, rate);
        err = lookup(c, key, rate, out);
        if (err != RLX_ERR_CACHE || probe)
            return err;
        rlx_decoder *d;
        err = rlx_decoder_open(path, &d, why, whylen);
        if (err)
            return err;
        source s = {.rate = rlx_decoder_rate(d), .channels = rlx_decoder_channels(d),
                    .read = decoder_source_read, .ctx = d};
        err = build_entry(c, key, &s, rate, out, why, whylen);
        rlx_decoder_close(d);
        if (err == RLX_ERR_AUDIO_FILE && why && strncmp(why, "contains", 8) == 0) {
            char tmp[256];
            snprintf(tmp, sizeof tmp, "%s: %s", base_name(path), why);
            snprintf(why, whylen, "%s", tmp);
        }
        if (err)
            return err;
        struct stat st;
        rlx_file_stamp after;
        if (stat(path, &st) == 0 && stamp_of(&st, &after) && after.size == before.size &&
            after.mtime_ns == before.mtime_ns && after.ctime_ns == before.ctime_ns && after.ino == before.ino &&
            after.dev == before.dev)
            return RLX_OK;
        /* Changed under us: this entry cannot be trusted. */
        char *meta = rlx_cache_entry_path(c, key, "meta");
        if (meta)
            unlink(meta);
        free(meta);
        rlx_clip_info_free(out);
        memset(out, 0, sizeof *out);
        if (attempt == 2) {
            set_why(why, whylen, "%s: the file keeps changing while it is read", base_name(path));
            return RLX_ERR_AUDIO_FILE;
        }
    }
}

rlx_err rlx_clip_prepare_file(rlx_cache *c, const char *path, int rate,
                              rlx_clip_info *out, char *why, size_t whylen)
{
    return prepare_file(c, path, rate, out, why, whylen, false);
}

rlx_err rlx_audio_probe(const char *path, int64_t *frames, int *rate, int *channels,
                        char *why, size_t whylen)
{
    rlx_decoder *d;
    rlx_err err = rlx_decoder_open(path, &d, why, whylen);
    if (err)
        return err;
    *frames = rlx_decoder_frames(d);
    *rate = rlx_decoder_rate(d);
    *channels = rlx_decoder_source_channels(d);
    /* Decode the start, so a file whose header is fine but whose data is
     * not fails here already. */
    float *buf = malloc(sizeof(float) * 2 * 1024);
    if (!buf) {
        rlx_decoder_close(d);
        return RLX_ERR_NOMEM;
    }
    size_t got;
    err = rlx_decoder_read(d, buf, 1024, &got, why, whylen);
    free(buf);
    rlx_decoder_close(d);
    return err;
}

/* ---- text to speech --------------------------------------------------------- */

typedef struct {
    const float *samples;
    size_t frames, pos;
} mem_source;

static rlx_err mem_source_read(void *ctx, float *buf, size_t n, size_t *got,
                               char *why, size_t whylen)
{
    (void)why, (void)whylen;
    mem_source *m = ctx;
    size_t left = m->frames - m->pos;
    *got = n < left ? n : left;
    memcpy(buf, m->samples + m->pos, *got * sizeof(float));
    m->pos += *got;
    return RLX_OK;
}

/* probe: only look the entry up (RLX_ERR_CACHE: not there yet) */
static rlx_err prepare_tts(rlx_cache *c, const char *text, const char *voice, double pace,
                           int rate, rlx_clip_info *out, char *why, size_t whylen, bool probe)
{
    char scratch[1];
    if (!why || !whylen) {
        why = scratch;
        whylen = sizeof scratch;
    }
    memset(out, 0, sizeof *out);
    why[0] = 0;
    if (!voice || !*voice)
        voice = RLX_VOICE_DEFAULT;
    if (!c || !text || !rate_ok(rate)) {
        set_why(why, whylen, "%s", "invalid arguments");
        return RLX_ERR_USAGE;
    }
    const rlx_voice_engine *eng;
    const char *vname;
    /* the engine that really speaks (a fallback when the named one is not
     * installed): the cache must not serve one engine's speech for another */
    rlx_err rerr = rlx_voice_resolve(voice, &eng, &vname, why, whylen);
    if (rerr != RLX_OK)
        return rerr;
    /* keyed by the engine and its version too: a new engine build may speak differently */
    rlx_hash h;
    rlx_hash_init(&h, 0x747473);
    char head[192];
    int n = snprintf(head, sizeof head, "tts v%d %s:%s@%s %.6f %d", RLX_CLIP_CONVERTER_VERSION,
                     eng->name, vname, eng->version ? eng->version() : "", pace, rate);
    rlx_hash_update(&h, head, (size_t)n + 1);
    rlx_hash_update(&h, text, strlen(text));
    uint64_t key = rlx_hash_final(&h);
    rlx_err err = lookup(c, key, rate, out);
    if (err != RLX_ERR_CACHE || probe)
        return err;
    float *samples;
    size_t frames;
    int trate;
    char spec[128];
    snprintf(spec, sizeof spec, "%s:%s", eng->name, vname);
    err = rlx_voice_speak(spec, text, pace, &samples, &frames, &trate, why, whylen);
    if (err)
        return err;
    mem_source m = {.samples = samples, .frames = frames};
    source s = {.rate = trate, .channels = 1, .read = mem_source_read, .ctx = &m};
    err = build_entry(c, key, &s, rate, out, why, whylen);
    free(samples);
    return err;
}

rlx_err rlx_clip_prepare_tts(rlx_cache *c, const char *text, const char *voice,
                             double pace, int rate, rlx_clip_info *out,
                             char *why, size_t whylen)
{
    return prepare_tts(c, text, voice, pace, rate, out, why, whylen, false);
}

void rlx_clip_info_free(rlx_clip_info *info)
{
    if (!info)
        return;
    free(info->cached_path);
    info->cached_path = NULL;
}

/* ---- batches ------------------------------------------------------------------ */

static rlx_err job_entry(rlx_cache *c, const rlx_clip_job *j, int rate, bool probe, rlx_clip_info *info)
{
    char why[256];
    return j->path ? prepare_file(c, j->path, rate, info, why, sizeof why, probe)
                   : prepare_tts(c, j->text ? j->text : "", j->voice, j->pace, rate, info,
                                 why, sizeof why, probe);
}

static rlx_err prepare_job(rlx_cache *c, const rlx_clip_job *j, int rate, bool probe)
{
    rlx_clip_info info;
    rlx_err err = job_entry(c, j, rate, probe, &info);
    if (err == RLX_OK)
        rlx_clip_info_free(&info);
    return err;
}

rlx_err rlx_clip_lookup(rlx_cache *c, const rlx_clip_job *j, int rate, rlx_clip_info *out)
{
    memset(out, 0, sizeof *out);
    if (!c || !j || !rate_ok(rate))
        return RLX_ERR_USAGE;
    return job_entry(c, j, rate, true, out);
}

static bool same_job(const rlx_clip_job *a, const rlx_clip_job *b)
{
    if (a->path || b->path)
        return a->path && b->path && !strcmp(a->path, b->path);
    return a->pace == b->pace && !strcmp(a->text ? a->text : "", b->text ? b->text : "") &&
           !strcmp(a->voice ? a->voice : "", b->voice ? b->voice : "");
}

/* Shared by the workers (an anonymous shared mapping): the next job to take,
 * how many are done and, when the caller watches (cfg->ready), which. */
typedef struct {
    atomic_size_t next, done;
    atomic_uchar finished[];    /* per todo entry; 1 once a worker is through with it */
} batch_shared;

static void run_jobs(rlx_cache *c, const rlx_clip_job *jobs, const size_t *todo, size_t ntodo,
                     int rate, batch_shared *sh, const rlx_clip_batch_config *cfg,
                     size_t already, size_t total)
{
    for (;;) {
        if (cfg && cfg->cancel && *cfg->cancel) {
            atomic_store(&sh->next, ntodo);   /* the other workers stop too */
            break;
        }
        size_t i = atomic_fetch_add(&sh->next, 1);
        if (i >= ntodo)
            break;
        (void)prepare_job(c, &jobs[todo[i]], rate, false);
        if (cfg && cfg->ready)
            atomic_store(&sh->finished[i], 1);
        size_t done = atomic_fetch_add(&sh->done, 1) + 1;
        if (cfg && cfg->progress)
            cfg->progress(cfg->user, already + done, total);
    }
}

#define BATCH_MAX_WORKERS 16

/* A worker's own stop flag: the parent's flag is not shared after fork, so
 * the parent passes a stop on as SIGTERM, and Ctrl-C reaches the worker
 * directly; either way it finishes its chunk, removes its temporary and
 * exits. */
static volatile sig_atomic_t worker_stop;

static void on_worker_stop(int sig)
{
    (void)sig;
    worker_stop = 1;
}

typedef struct {
    const rlx_clip_batch_config *cfg;   /* the caller's */
    size_t (*dup)[2];
    size_t ndup;
    const size_t *todo;
} batch_ready;

/* Tells the caller a job is through, and every later job that repeats it. */
static void ready_with_repeats(void *user, size_t job)
{
    batch_ready *rd = user;
    rd->cfg->ready(rd->cfg->user, job);
    for (size_t k = 0; k < rd->ndup; k++)
        if (rd->todo[rd->dup[k][1]] == job)
            rd->cfg->ready(rd->cfg->user, rd->dup[k][0]);
}

/* Waits for the workers; a stop asked for on cfg->cancel is passed on to them. */
static void reap(pid_t *pids, size_t nkids, const rlx_clip_batch_config *cfg)
{
    bool told = false;
    for (size_t k = 0; k < nkids; k++) {
        for (;;) {
            pid_t r = waitpid(pids[k], NULL, WNOHANG);
            if (r == pids[k] || (r < 0 && errno != EINTR))
                break;
            if (!told && cfg && cfg->cancel && *cfg->cancel) {
                for (size_t j = k; j < nkids; j++)
                    kill(pids[j], SIGTERM);
                told = true;
            }
            struct timespec ts = {.tv_sec = 0, .tv_nsec = 10 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
}

#define WATCH_STOP_MS 200

/* The caller's side of a watched batch: reports each job a worker finished
 * soon after, until every job is through or every worker has ended. */
static void watch(const size_t *todo, size_t ntodo, batch_shared *sh, pid_t *pids, size_t nkids,
                  const rlx_clip_batch_config *cfg)
{
    unsigned char *told = calloc(ntodo ? ntodo : 1, 1);
    size_t reported = 0, alive = nkids;
    bool stopping = false;
    int stop_polls = 0;
    while (told && reported < ntodo && alive > 0) {
        for (size_t i = 0; i < ntodo; i++)
            if (!told[i] && atomic_load(&sh->finished[i])) {
                told[i] = 1;
                reported++;
                cfg->ready(cfg->user, todo[i]);
            }
        for (size_t k = 0; k < nkids; k++)
            if (pids[k] > 0 && waitpid(pids[k], NULL, WNOHANG) == pids[k]) {
                pids[k] = -1;
                alive--;
            }
        if (!stopping && cfg->cancel && *cfg->cancel) {
            for (size_t k = 0; k < nkids; k++)
                if (pids[k] > 0)
                    kill(pids[k], SIGTERM);
            stopping = true;
        }
        /* a player that quits does not wait for a line's synthesis to end:
         * a worker still busy after WATCH_STOP_MS is killed (its temporary
         * entry is cleared later, as a killed run's is; the voice's own
         * process then dies writing to the pipe nobody reads) */
        if (stopping && ++stop_polls == WATCH_STOP_MS / 5)
            for (size_t k = 0; k < nkids; k++)
                if (pids[k] > 0)
                    kill(pids[k], SIGKILL);
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 5 * 1000000L};
        nanosleep(&ts, NULL);
    }
    size_t left = 0;
    for (size_t k = 0; k < nkids; k++)
        if (pids[k] > 0)
            pids[left++] = pids[k];
    reap(pids, left, cfg);
    /* what no worker finished (one died, or a stop): said too, so nobody waits for it */
    for (size_t i = 0; i < ntodo; i++)
        if (!told || !told[i])
            cfg->ready(cfg->user, todo[i]);
    free(told);
}

void rlx_clip_prepare_batch(rlx_cache *c, const rlx_clip_job *jobs, size_t n, int rate,
                            const rlx_clip_batch_config *cfg)
{
    if (!c || !jobs || n == 0 || !rate_ok(rate))
        return;
    bool watching = cfg && cfg->ready;
    size_t *todo = malloc(n * sizeof *todo);
    if (!todo)
        return;
    size_t ntodo = 0, ndup = 0;
    /* watching: the jobs that repeat one to do, said when it is (dup[k] = {job, its todo}) */
    size_t (*dup)[2] = watching ? malloc(n * sizeof *dup) : NULL;
    if (watching && !dup) {
        free(todo);
        for (size_t i = 0; i < n; i++)
            cfg->ready(cfg->user, i);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        size_t same = SIZE_MAX;
        for (size_t k = 0; k < ntodo && same == SIZE_MAX; k++)
            if (same_job(&jobs[todo[k]], &jobs[i]))
                same = k;
        if (same != SIZE_MAX) {
            if (watching) {
                dup[ndup][0] = i;
                dup[ndup++][1] = same;
            }
        } else if (prepare_job(c, &jobs[i], rate, true) == RLX_ERR_CACHE) {
            todo[ntodo++] = i;
        } else if (watching) {
            cfg->ready(cfg->user, i);   /* there already */
        }
    }
    if (ntodo == 0) {
        free(todo);
        free(dup);
        return;
    }
    rlx_clip_batch_config wcfg;   /* watching: ready also says the repeats */
    batch_ready rd = {.cfg = cfg, .dup = dup, .ndup = ndup, .todo = todo};
    if (watching) {
        wcfg = *cfg;
        wcfg.ready = ready_with_repeats;
        wcfg.user = &rd;
        cfg = &wcfg;
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t workers = cfg && cfg->workers > 0 ? (size_t)cfg->workers : cpus > 0 ? (size_t)cpus : 1;
    if (workers > ntodo)
        workers = ntodo;
    if (workers > BATCH_MAX_WORKERS)
        workers = BATCH_MAX_WORKERS;
    size_t shsize = sizeof(batch_shared) + (watching ? ntodo : 0) * sizeof(atomic_uchar);
    batch_shared *sh = NULL;
    bool mapped = false;
    if (workers > 1 || watching) {
        void *m = mmap(NULL, shsize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (m != MAP_FAILED) {
            sh = m;
            mapped = true;
        }
    }
    if (!sh) {   /* no shared memory: one process does it all */
        workers = 1;
        shsize = sizeof *sh + ntodo * sizeof(atomic_uchar);
        sh = malloc(shsize);
        if (!sh) {
            for (size_t i = 0; watching && i < ntodo; i++)
                cfg->ready(cfg->user, todo[i]);
            free(todo);
            return;
        }
    }
    atomic_init(&sh->next, 0);
    atomic_init(&sh->done, 0);
    for (size_t i = 0; watching && i < ntodo; i++)
        atomic_init(&sh->finished[i], 0);
    bool was_deferred = rlx_cache_sync_deferred(c);
    rlx_cache_defer_sync(c, true);
    pid_t pids[BATCH_MAX_WORKERS];
    size_t nkids = 0;
    pid_t parent = getpid();
    /* watching, this process only watches: every worker is a child */
    for (size_t k = watching && mapped ? 0 : 1; k < workers; k++) {
        pid_t pid = fork();
        if (pid < 0)
            break;
        if (pid == 0) {
            /* A worker: Ctrl-C ends it with the rest of the process group;
             * it also ends when the parent dies, and never returns. */
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = on_worker_stop;
            sigaction(SIGINT, &sa, NULL);
            sigaction(SIGTERM, &sa, NULL);
            signal(SIGPIPE, SIG_DFL);
            rlx_cache_set_cancel(c, &worker_stop);
#ifdef __linux__
            prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
            if (getppid() != parent)
                _exit(1);
            rlx_clip_batch_config quiet = cfg ? *cfg : (rlx_clip_batch_config){0};
            quiet.progress = NULL;
            quiet.cancel = &worker_stop;
            /* a voice's fallback note is said by the parent alone, once */
            rlx_voice_set_notice(NULL);
            run_jobs(c, jobs, todo, ntodo, rate, sh, &quiet, 0, 0);
            rlx_cache_sync(c);
            _exit(0);
        }
        pids[nkids++] = pid;
    }
    if (watching && nkids > 0) {
        watch(todo, ntodo, sh, pids, nkids, cfg);
    } else {
        if (watching) {   /* no worker could start: do it here, then say so */
            rlx_clip_batch_config plain = *cfg;
            plain.ready = NULL;
            if (cfg->cancel)
                rlx_cache_set_cancel(c, cfg->cancel);
            run_jobs(c, jobs, todo, ntodo, rate, sh, &plain, n - ntodo, n);
            for (size_t i = 0; i < ntodo; i++)
                cfg->ready(cfg->user, todo[i]);
        } else {
            /* the parent's own job stops inside a long decode too */
            if (cfg && cfg->cancel)
                rlx_cache_set_cancel(c, cfg->cancel);
            run_jobs(c, jobs, todo, ntodo, rate, sh, cfg, n - ntodo, n);
        }
        reap(pids, nkids, cfg);
    }
    rlx_cache_defer_sync(c, was_deferred);
    /* a watched batch that was stopped is a player quitting: it does not
     * wait for the disk (an entry torn by a crash fails its full check) */
    if (!(watching && cfg->cancel && *cfg->cancel))
        rlx_cache_sync(c);
    if (mapped)
        munmap(sh, shsize);
    else
        free(sh);
    free(todo);
    free(dup);
}

/* ---- reader -------------------------------------------------------------------- */

/* A cache entry is float WAV in the machine's byte order, written by us:
 * libsndfile checks its header once, then its samples are read raw, in
 * READER_AHEAD frames at a time with pread, and handed out from that
 * buffer. The renderer asks for a block (1024 frames) at a time: through
 * libsndfile that was one 8 KB read() each, and the bed's four readers
 * made about half a million calls in a warm hour-long render. Anything
 * else (an entry from another machine, a future format) is read through
 * libsndfile. */
#define READER_AHEAD 16384   /* frames */
struct rlx_clip_reader {
    SNDFILE *sf;
    int fd;          /* >= 0: direct reads of raw floats from data_at */
    off_t data_at;
    float *ahead;    /* READER_AHEAD frames read from frame ahead_at */
    int64_t ahead_at, ahead_n;
    int channels;
    int64_t frames, pos;
    float *scratch;  /* READER_CHUNK mono frames */
};

static bool host_little_endian(void)
{
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

/* Reads exactly len bytes at off; false at a short read (the entry shrank). */
static bool pread_all(int fd, void *buf, size_t len, off_t off)
{
    char *p = buf;
    while (len) {
        ssize_t k = pread(fd, p, len, off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        p += k;
        len -= (size_t)k;
        off += k;
    }
    return true;
}

/* Sets r->fd and r->data_at when the entry's samples can be read raw. */
static void reader_go_direct(rlx_clip_reader *r, int fd, const SF_INFO *si)
{
    if ((si->format & SF_FORMAT_TYPEMASK) != SF_FORMAT_WAV ||
        (si->format & SF_FORMAT_SUBMASK) != SF_FORMAT_FLOAT || !host_little_endian() ||
        ((si->format & SF_FORMAT_ENDMASK) != SF_ENDIAN_FILE && (si->format & SF_FORMAT_ENDMASK) != SF_ENDIAN_LITTLE))
        return;
    if (sf_seek(r->sf, 0, SEEK_SET) != 0)
        return;
    off_t at = lseek(fd, 0, SEEK_CUR);   /* libsndfile left the file at its first sample */
    struct stat st;
    if (at <= 0 || fstat(fd, &st) != 0 ||
        (int64_t)st.st_size - (int64_t)at < r->frames * r->channels * (int64_t)sizeof(float))
        return;
    r->ahead = malloc((size_t)READER_AHEAD * (size_t)r->channels * sizeof(float));
    if (!r->ahead)
        return;   /* libsndfile it is */
    r->fd = fd;
    r->data_at = at;
}

/* step frames from r->pos into dst, through the read-ahead buffer; false
 * when the entry is shorter than its header said (it shrank) */
static bool reader_direct(rlx_clip_reader *r, float *dst, size_t step)
{
    size_t ch = (size_t)r->channels;
    while (step) {
        if (r->pos < r->ahead_at || r->pos >= r->ahead_at + r->ahead_n) {
            int64_t n = r->frames - r->pos < READER_AHEAD ? r->frames - r->pos : READER_AHEAD;
            off_t at = r->data_at + (off_t)r->pos * (off_t)(ch * sizeof(float));
            if (n <= 0 || !pread_all(r->fd, r->ahead, (size_t)n * ch * sizeof(float), at)) {
                r->ahead_n = 0;
                return false;
            }
            r->ahead_at = r->pos;
            r->ahead_n = n;
        }
        size_t have = (size_t)(r->ahead_at + r->ahead_n - r->pos), k = step < have ? step : have;
        memcpy(dst, r->ahead + (size_t)(r->pos - r->ahead_at) * ch, k * ch * sizeof(float));
        dst += k * ch;
        r->pos += (int64_t)k;
        step -= k;
    }
    return true;
}

rlx_err rlx_clip_reader_open(const rlx_clip_info *info, rlx_clip_reader **out)
{
    *out = NULL;
    if (!info || !info->cached_path)
        return RLX_ERR_USAGE;
    rlx_clip_reader *r = calloc(1, sizeof *r);
    if (!r)
        return RLX_ERR_NOMEM;
    r->fd = -1;
    int fd = open(info->cached_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rlx_clip_reader_close(r);
        return RLX_ERR_AUDIO_FILE;
    }
    SF_INFO si = {0};
    r->sf = sf_open_fd(fd, SFM_READ, &si, SF_TRUE);   /* closes fd with the SNDFILE */
    if (!r->sf || si.channels != info->channels || si.frames != info->frames ||
        (si.channels != 1 && si.channels != 2)) {
        if (!r->sf)
            close(fd);
        rlx_clip_reader_close(r);
        return RLX_ERR_AUDIO_FILE;
    }
    r->channels = si.channels;
    r->frames = si.frames;
    reader_go_direct(r, fd, &si);
    if (r->channels == 1) {
        r->scratch = malloc(sizeof(float) * READER_CHUNK);
        if (!r->scratch) {
            rlx_clip_reader_close(r);
            return RLX_ERR_NOMEM;
        }
    }
    *out = r;
    return RLX_OK;
}

rlx_err rlx_clip_reader_seek(rlx_clip_reader *r, int64_t frame)
{
    if (frame < 0)
        return RLX_ERR_USAGE;
    if (frame > r->frames)
        frame = r->frames;
    if (r->fd < 0 && sf_seek(r->sf, (sf_count_t)frame, SEEK_SET) != (sf_count_t)frame)
        return RLX_ERR_AUDIO_FILE;
    r->pos = frame;
    return RLX_OK;
}

rlx_err rlx_clip_reader_read(rlx_clip_reader *r, float *stereo, size_t n, size_t *got)
{
    *got = 0;
    int64_t left64 = r->frames - r->pos;
    size_t want = left64 < (int64_t)n ? (size_t)left64 : n;
    while (*got < want) {
        size_t step = want - *got;
        sf_count_t rd;
        if (r->channels == 1 && step > READER_CHUNK)
            step = READER_CHUNK;
        float *dst = r->channels == 2 ? stereo + 2 * *got : r->scratch;
        if (r->fd >= 0) {
            int64_t was = r->pos;
            rd = reader_direct(r, dst, step) ? (sf_count_t)step : 0;
            r->pos = was;   /* moved on below */
        } else {
            rd = sf_readf_float(r->sf, dst, (sf_count_t)step);
        }
        if (r->channels == 1) {
            float *o = stereo + 2 * *got;
            for (sf_count_t i = 0; i < rd; i++)
                o[2 * i] = o[2 * i + 1] = r->scratch[i];
        }
        if (rd <= 0)
            return RLX_ERR_AUDIO_FILE;  /* the cache file shrank under us */
        *got += (size_t)rd;
        r->pos += rd;
    }
    return RLX_OK;
}

rlx_err rlx_clip_reader_read_at(rlx_clip_reader *r, int64_t *pos, int64_t at, float *stereo, size_t n)
{
    rlx_err err;
    if (*pos != at) {
        err = rlx_clip_reader_seek(r, at);
        if (err != RLX_OK) {
            *pos = -1;
            return err;
        }
        *pos = at;
    }
    size_t got = 0;
    err = rlx_clip_reader_read(r, stereo, n, &got);
    if (err != RLX_OK) {
        *pos = -1;
        return err;
    }
    if (got < n)
        memset(stereo + got * 2, 0, (n - got) * 2 * sizeof(float));
    *pos = at + (int64_t)got;
    return RLX_OK;
}

void rlx_clip_reader_close(rlx_clip_reader *r)
{
    if (!r)
        return;
    if (r->sf)
        sf_close(r->sf);
    free(r->ahead);
    free(r->scratch);
    free(r);
}
