/* decode.c - libsndfile streaming decode with channel mapping. */
#define _GNU_SOURCE 1  /* RTLD_NEXT */
#include "audio/decode.h"

#include <dlfcn.h>

#include <errno.h>
#include <math.h>
#include <sndfile.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Frames per libsndfile call: 8192 frames keep the buffer small (64 KB for
 * two channels) and the call overhead negligible. */
#define CHUNK 8192
#define MAX_CHANNELS 64

struct rlx_decoder {
    SNDFILE *sf;
    SF_INFO info;
    int out_channels;
    int64_t slack;       /* how many frames short of the declared length is
                            still complete (-1: the length is only a guess) */
    int64_t done;        /* source frames read so far */
    float *buf;          /* CHUNK * source channels, only when mixing */
    float gains[2 * MAX_CHANNELS];
    const char *name;    /* base name inside path, for messages */
    char *path;
};

static atomic_ulong open_count;

/* libsndfile decodes MP3 with libmpg123 but leaves mpg123's notes on ("Note:
 * Illegal Audio-MPEG-Header ... Trying to resync") going to stderr, and
 * offers no way to turn them off; library code must not print. So we stand
 * in for mpg123_new (libsndfile.so calls it through its PLT, so this
 * definition wins), call the real one and set MPG123_QUIET on the handle.
 * The values are libmpg123's stable ABI (no mpg123.h is installed). */
typedef struct mpg123_handle_struct mpg123_handle;
mpg123_handle *mpg123_new(const char *decoder, int *error);

enum { RLX_MPG123_ADD_FLAGS = 2, RLX_MPG123_QUIET = 0x20, RLX_MPG123_ERR = -1 };

mpg123_handle *mpg123_new(const char *decoder, int *error)
{
    typedef mpg123_handle *(*new_fn)(const char *, int *);
    typedef int (*param_fn)(mpg123_handle *, int, long, double);
    /* dlsym returns an object pointer; POSIX guarantees the conversion. */
    new_fn real_new;
    param_fn param;
    void *sym = dlsym(RTLD_NEXT, "mpg123_new");
    memcpy(&real_new, &sym, sizeof real_new);
    sym = dlsym(RTLD_NEXT, "mpg123_param2");
    if (!sym)
        sym = dlsym(RTLD_NEXT, "mpg123_param");
    memcpy(&param, &sym, sizeof param);
    if (!real_new) {
        if (error)
            *error = RLX_MPG123_ERR;
        return NULL;
    }
    mpg123_handle *h = real_new(decoder, error);
    if (h && param)
        param(h, RLX_MPG123_ADD_FLAGS, RLX_MPG123_QUIET, 0.0);
    return h;
}

unsigned long rlx_decoder_open_count(void)
{
    return atomic_load(&open_count);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s && s[1] ? s + 1 : path;
}

static const char *extension(const char *path)
{
    const char *b = base_name(path);
    const char *dot = strrchr(b, '.');
    return dot ? dot + 1 : "";
}

static bool known_extension(const char *ext)
{
    static const char *const known[] = {"wav", "wave", "flac", "ogg", "oga", "opus", "mp3",
                                        "aif", "aiff", "au"};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcasecmp(ext, known[i]) == 0)
            return true;
    return false;
}

#define SUPPORTED "WAV, FLAC, Ogg Vorbis, Opus, MP3 are supported"

/* Strips the trailing full stop and newline from libsndfile's messages. */
static void trim_msg(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '.' || s[n - 1] == ' '))
        s[--n] = 0;
}

static void set_why(char *why, size_t whylen, const char *fmt, const char *name, const char *detail)
    __attribute__((format(printf, 3, 0)));
static void set_why(char *why, size_t whylen, const char *fmt, const char *name, const char *detail)
{
    if (why && whylen)
        snprintf(why, whylen, fmt, name, detail);
}

/* Gains of one channel position in the stereo down-mix (ITU-R BS.775 style:
 * centre and surrounds at -3 dB, LFE dropped). */
static void position_gains(int pos, float *l, float *r)
{
    const float h = (float)M_SQRT1_2;
    *l = *r = 0.0f;
    switch (pos) {
    case SF_CHANNEL_MAP_LEFT:
    case SF_CHANNEL_MAP_FRONT_LEFT:
        *l = 1.0f;
        break;
    case SF_CHANNEL_MAP_RIGHT:
    case SF_CHANNEL_MAP_FRONT_RIGHT:
        *r = 1.0f;
        break;
    case SF_CHANNEL_MAP_MONO:
    case SF_CHANNEL_MAP_CENTER:
    case SF_CHANNEL_MAP_FRONT_CENTER:
    case SF_CHANNEL_MAP_REAR_CENTER:
    case SF_CHANNEL_MAP_TOP_CENTER:
    case SF_CHANNEL_MAP_TOP_FRONT_CENTER:
    case SF_CHANNEL_MAP_TOP_REAR_CENTER:
    case SF_CHANNEL_MAP_AMBISONIC_B_W:
        *l = *r = h;
        break;
    case SF_CHANNEL_MAP_FRONT_LEFT_OF_CENTER:
    case SF_CHANNEL_MAP_REAR_LEFT:
    case SF_CHANNEL_MAP_SIDE_LEFT:
    case SF_CHANNEL_MAP_TOP_FRONT_LEFT:
    case SF_CHANNEL_MAP_TOP_REAR_LEFT:
        *l = h;
        break;
    case SF_CHANNEL_MAP_FRONT_RIGHT_OF_CENTER:
    case SF_CHANNEL_MAP_REAR_RIGHT:
    case SF_CHANNEL_MAP_SIDE_RIGHT:
    case SF_CHANNEL_MAP_TOP_FRONT_RIGHT:
    case SF_CHANNEL_MAP_TOP_REAR_RIGHT:
        *r = h;
        break;
    default: /* LFE, ambisonic X/Y/Z, unknown: left out */
        break;
    }
}

/* The usual order when the file carries no channel map: WAVEFORMATEXTENSIBLE
 * / SMPTE order, or Vorbis order for Ogg. */
static void default_map(int n, bool vorbis, int *map)
{
    enum { L = SF_CHANNEL_MAP_LEFT, R = SF_CHANNEL_MAP_RIGHT, C = SF_CHANNEL_MAP_CENTER,
           LFE = SF_CHANNEL_MAP_LFE, BL = SF_CHANNEL_MAP_REAR_LEFT,
           BR = SF_CHANNEL_MAP_REAR_RIGHT, BC = SF_CHANNEL_MAP_REAR_CENTER,
           SL = SF_CHANNEL_MAP_SIDE_LEFT, SR = SF_CHANNEL_MAP_SIDE_RIGHT };
    static const int smpte[9][8] = {
        [3] = {L, R, C},          [4] = {L, R, BL, BR},          [5] = {L, R, C, BL, BR},
        [6] = {L, R, C, LFE, BL, BR}, [7] = {L, R, C, LFE, BC, SL, SR},
        [8] = {L, R, C, LFE, BL, BR, SL, SR},
    };
    static const int xiph[9][8] = {
        [3] = {L, C, R},          [4] = {L, R, BL, BR},          [5] = {L, C, R, BL, BR},
        [6] = {L, C, R, BL, BR, LFE}, [7] = {L, C, R, SL, SR, BC, LFE},
        [8] = {L, C, R, SL, SR, BL, BR, LFE},
    };
    for (int i = 0; i < n; i++) {
        if (n <= 8)
            map[i] = vorbis ? xiph[n][i] : smpte[n][i];
        else  /* beyond 7.1 nobody agrees: alternate left and right */
            map[i] = i % 2 ? SF_CHANNEL_MAP_SIDE_RIGHT : SF_CHANNEL_MAP_SIDE_LEFT;
    }
}

static void build_mix(rlx_decoder *d)
{
    int n = d->info.channels;
    int map[MAX_CHANNELS];
    bool vorbis = (d->info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG;
    if (!sf_command(d->sf, SFC_GET_CHANNEL_MAP_INFO, map, (int)(sizeof(int) * (size_t)n)))
        default_map(n, vorbis, map);
    float suml = 0, sumr = 0;
    for (int i = 0; i < n; i++) {
        position_gains(map[i], &d->gains[2 * i], &d->gains[2 * i + 1]);
        suml += d->gains[2 * i];
        sumr += d->gains[2 * i + 1];
    }
    if (suml <= 0.0f || sumr <= 0.0f) {  /* a map we could not use: plain average */
        for (int i = 0; i < n; i++) {
            d->gains[2 * i] = i % 2 ? 0.0f : 1.0f;
            d->gains[2 * i + 1] = i % 2 ? 1.0f : 0.0f;
        }
        suml = (float)((n + 1) / 2);
        sumr = (float)(n / 2);
    }
    /* Normalise so that a full-scale signal in every channel cannot exceed
     * full scale after the mix (as ffmpeg does by default). */
    float norm = suml > sumr ? suml : sumr;
    if (norm > 1.0f)
        for (int i = 0; i < 2 * n; i++)
            d->gains[i] /= norm;
}

static uint32_t u32(const unsigned char *p, bool big)
{
    return big ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
               : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* libsndfile quietly shortens a WAV or AIFF whose sample chunk runs past the
 * end of the file (it only notes it in its log), so a cut-off download would
 * play as a shorter clip. Walk the chunks and compare the declared size of
 * the sample data with what is there. (RF64 and "unknown length" headers are
 * left alone.) */
static bool data_cut_short(const char *path)
{
    FILE *f = fopen(path, "rbe");
    if (!f)
        return false;
    bool cut = false;
    unsigned char h[12];
    bool big = false;
    const char *data_id = NULL;
    if (fread(h, 1, 12, f) == 12) {
        if ((!memcmp(h, "RIFF", 4) || !memcmp(h, "RIFX", 4)) && !memcmp(h + 8, "WAVE", 4)) {
            big = h[3] == 'X';
            data_id = "data";
        } else if (!memcmp(h, "FORM", 4) && (!memcmp(h + 8, "AIFF", 4) || !memcmp(h + 8, "AIFC", 4))) {
            big = true;
            data_id = "SSND";
        }
    }
    if (data_id && fseeko(f, 0, SEEK_END) == 0) {
        off_t len = ftello(f);
        off_t pos = 12;
        for (int guard = 0; guard < 1000 && pos + 8 <= len; guard++) {
            unsigned char c[8];
            if (fseeko(f, pos, SEEK_SET) != 0 || fread(c, 1, 8, f) != 8)
                break;
            uint32_t size = u32(c + 4, big);
            if (!memcmp(c, data_id, 4)) {
                bool unknown = size == 0 || size == 0xffffffffu;
                cut = !unknown && (off_t)size > len - pos - 8;
                break;
            }
            pos += 8 + (off_t)size + (size & 1);
        }
    }
    fclose(f);
    return cut;
}

rlx_err rlx_decoder_open(const char *path, rlx_decoder **out, char *why, size_t whylen)
{
    *out = NULL;
    const char *name = base_name(path);
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            set_why(why, whylen, "%s: not found%s", name, "");
        else
            set_why(why, whylen, "%s: %s", name, strerror(errno));
        return RLX_ERR_AUDIO_FILE;
    }
    if (S_ISDIR(st.st_mode)) {
        set_why(why, whylen, "%s: is a folder, not an audio file%s", name, "");
        return RLX_ERR_AUDIO_FILE;
    }
    rlx_decoder *d = calloc(1, sizeof *d);
    if (!d)
        return RLX_ERR_NOMEM;
    d->path = strdup(path);
    if (!d->path) {
        free(d);
        return RLX_ERR_NOMEM;
    }
    d->name = base_name(d->path);
    d->sf = sf_open(path, SFM_READ, &d->info);
    if (!d->sf) {
        int code = sf_error(NULL);
        char msg[256];
        snprintf(msg, sizeof msg, "%s", sf_strerror(NULL));
        trim_msg(msg);
        rlx_err err = RLX_ERR_AUDIO_FILE;
        if (code == SF_ERR_UNRECOGNISED_FORMAT && !known_extension(extension(path))) {
            set_why(why, whylen, "%s: unsupported format (%s)", name, SUPPORTED);
            err = RLX_ERR_AUDIO_FORMAT;
        } else if (code == SF_ERR_UNRECOGNISED_FORMAT) {
            set_why(why, whylen, "%s: not a valid audio file, corrupt? (libsndfile: %s)", name, msg);
        } else if (code == SF_ERR_UNSUPPORTED_ENCODING) {
            set_why(why, whylen, "%s: unsupported encoding (libsndfile: %s)", name, msg);
            err = RLX_ERR_AUDIO_FORMAT;
        } else if (code == SF_ERR_SYSTEM) {
            set_why(why, whylen, "%s: %s", name, msg);
        } else {
            set_why(why, whylen, "%s: truncated or corrupt (libsndfile: %s)", name, msg);
        }
        rlx_decoder_close(d);
        return err;
    }
    int ch = d->info.channels;
    if (ch <= 0 || ch > MAX_CHANNELS || d->info.samplerate <= 0 || d->info.samplerate > 768000) {
        set_why(why, whylen, "%s: truncated or corrupt (%s)", name,
                ch > MAX_CHANNELS ? "too many channels" : "bad header");
        rlx_decoder_close(d);
        return RLX_ERR_AUDIO_FILE;
    }
    if (d->info.frames <= 0) {
        set_why(why, whylen, "%s: contains no audio%s", name, "");
        rlx_decoder_close(d);
        return RLX_ERR_AUDIO_FILE;
    }
    int type = d->info.format & SF_FORMAT_TYPEMASK;
    if ((type == SF_FORMAT_WAV || type == SF_FORMAT_WAVEX || type == SF_FORMAT_AIFF) &&
        data_cut_short(path)) {
        set_why(why, whylen, "%s: truncated or corrupt (%s)", name,
                "the audio ends before its declared length");
        rlx_decoder_close(d);
        return RLX_ERR_AUDIO_FILE;
    }
    /* libsndfile only estimates the length of an MP3 without a Xing header;
     * an Ogg length comes from the last page's granule position, which some
     * encoders set loosely: allow 100 ms there. */
    d->slack = type == SF_FORMAT_MPEG ? -1 : type == SF_FORMAT_OGG ? d->info.samplerate / 10 : 0;
    d->out_channels = ch <= 2 ? ch : 2;
    if (ch > 2) {
        d->buf = malloc(sizeof(float) * CHUNK * (size_t)ch);
        if (!d->buf) {
            rlx_decoder_close(d);
            return RLX_ERR_NOMEM;
        }
        build_mix(d);
    }
    atomic_fetch_add(&open_count, 1);
    *out = d;
    return RLX_OK;
}

void rlx_decoder_close(rlx_decoder *d)
{
    if (!d)
        return;
    if (d->sf)
        sf_close(d->sf);
    free(d->buf);
    free(d->path);
    free(d);
}

int rlx_decoder_rate(const rlx_decoder *d) { return d->info.samplerate; }
int rlx_decoder_source_channels(const rlx_decoder *d) { return d->info.channels; }
int rlx_decoder_channels(const rlx_decoder *d) { return d->out_channels; }
int64_t rlx_decoder_frames(const rlx_decoder *d) { return d->info.frames; }

void rlx_decoder_mix_gains(const rlx_decoder *d, const float **gains)
{
    *gains = d->gains;
}

rlx_err rlx_decoder_read(rlx_decoder *d, float *out, size_t n, size_t *got,
                         char *why, size_t whylen)
{
    *got = 0;
    int ch = d->info.channels;
    while (*got < n) {
        size_t want = n - *got;
        if (want > CHUNK)
            want = CHUNK;
        float *dst = out + *got * (size_t)d->out_channels;
        sf_count_t r = sf_readf_float(d->sf, ch > 2 ? d->buf : dst, (sf_count_t)want);
        int e = sf_error(d->sf);
        if (r < 0 || e != SF_ERR_NO_ERROR) {
            char msg[256];
            snprintf(msg, sizeof msg, "%s", sf_strerror(d->sf));
            trim_msg(msg);
            set_why(why, whylen, "%s: truncated or corrupt (libsndfile: %s)", d->name, msg);
            return RLX_ERR_AUDIO_FILE;
        }
        if (ch > 2) {
            for (sf_count_t i = 0; i < r; i++) {
                const float *in = d->buf + i * ch;
                float l = 0, rr = 0;
                for (int c = 0; c < ch; c++) {
                    l += d->gains[2 * c] * in[c];
                    rr += d->gains[2 * c + 1] * in[c];
                }
                dst[2 * i] = l;
                dst[2 * i + 1] = rr;
            }
        }
        /* A NaN or infinity in a float file would poison the resampler and the
         * loudness measurement: treat it as corruption. */
        size_t ns = (size_t)r * (size_t)d->out_channels;
        for (size_t i = 0; i < ns; i++) {
            if (!isfinite(dst[i])) {
                set_why(why, whylen, "%s: truncated or corrupt (%s)", d->name,
                        "non-finite sample values");
                return RLX_ERR_AUDIO_FILE;
            }
        }
        d->done += r;
        *got += (size_t)r;
        if ((size_t)r < want) {
            if (d->slack >= 0 && d->done < d->info.frames - d->slack) {
                set_why(why, whylen, "%s: truncated or corrupt (%s)", d->name,
                        "the audio ends before its declared length");
                return RLX_ERR_AUDIO_FILE;
            }
            break;
        }
    }
    return RLX_OK;
}
