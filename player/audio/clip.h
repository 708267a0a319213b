/* clip.h - audio prepared for the renderer.
 * A source (an audio file, or a line of text for a voice engine) is decoded in
 * chunks, resampled with libsamplerate to the output rate and measured with
 * libebur128, once; the result is kept in the cache as a float WAV keyed by
 * content, and then streamed from there. Nothing holds a whole clip in memory.
 * A reader is not thread-safe; different readers may be used from different
 * threads. A cache may be shared by threads (it does not change after open),
 * and several threads or processes may prepare the same clip at once.
 * Internals: cache.h (layout, hash, sidecar), decode.h, voice.h. */
#ifndef RLX_CLIP_H
#define RLX_CLIP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct rlx_cache rlx_cache;

/* dir NULL or "": $XDG_CACHE_HOME/relax (fallback ~/.cache/relax), created
 * 0700 with its parents. RLX_ERR_OUTPUT if it cannot be created or written,
 * with a message naming the folder in why (may be NULL). */
rlx_err rlx_cache_open(const char *dir, rlx_cache **out, char *why, size_t whylen);
/* From now on a long preparation with this cache stops with
 * RLX_ERR_INTERRUPTED soon after *cancel becomes non-zero (a signal
 * handler's flag). NULL: never. */
void rlx_cache_set_cancel(rlx_cache *c, const volatile sig_atomic_t *cancel);
/* The cache folder (or its clips/ or index/) when group or others may write
 * it, else NULL: callers warn, naming it. */
const char *rlx_cache_loose_folder(const rlx_cache *c);
/* The longest audio file prepared (the longest session): longer files are
 * refused from their header, or as soon as decoding passes it. */
#define RLX_CLIP_MAX_SECONDS (24 * 3600)
void rlx_cache_close(rlx_cache *c);  /* accepts NULL */
const char *rlx_cache_dir(const rlx_cache *c);

typedef struct {
    char *cached_path;     /* float WAV at `rate`, `channels` (1 or 2) */
    int rate, channels;
    int64_t frames;
    double loudness_lufs;  /* integrated (EBU R128); -70 for silence */
    double peak;           /* sample peak, linear */
} rlx_clip_info;

/* Probes an audio file without converting it: can libsndfile open and
 * decode it? Fills frames/rate/channels of the original. On failure returns
 * RLX_ERR_AUDIO_FILE / RLX_ERR_AUDIO_FORMAT and a one-line reason in why. */
rlx_err rlx_audio_probe(const char *path, int64_t *frames, int *rate, int *channels,
                        char *why, size_t whylen);

/* How long an audio file is by its header, in ms, where the header can be
 * trusted without decoding: uncompressed PCM whose samples are all in the
 * file. -1 otherwise (compressed, damaged, unreadable: decoding tells).
 * Opens the file, reads no samples. */
int64_t rlx_audio_header_ms(const char *path);

/* Prepares an audio file (decodes it fully once on a cache miss, so a
 * truncated or corrupt file fails here, with the reason in why, which starts
 * with the file's base name). Warm cache: no decoding, well under 1 ms once
 * the entry has been checked in full. On success out->cached_path is
 * malloc'ed: free with rlx_clip_info_free. Errors: RLX_ERR_AUDIO_FILE,
 * RLX_ERR_AUDIO_FORMAT, RLX_ERR_IO / RLX_ERR_DISK_FULL (cache not writable),
 * RLX_ERR_USAGE (bad arguments), RLX_ERR_NOMEM. */
rlx_err rlx_clip_prepare_file(rlx_cache *c, const char *path, int rate,
                              rlx_clip_info *out, char *why, size_t whylen);

/* Speaks text through a voice engine (voice spec "engine:voice" or a bare
 * "voice", NULL = the default, see voice.h; pace = 1 natural, larger =
 * slower). The result is mono at `rate`. Cached by (text, engine, voice,
 * engine version, pace, rate). Errors: RLX_ERR_USAGE (unknown voice, bad
 * pace), RLX_ERR_TTS (empty text, the engine failed), cache errors as above. */
rlx_err rlx_clip_prepare_tts(rlx_cache *c, const char *text, const char *voice,
                             double pace, int rate, rlx_clip_info *out,
                             char *why, size_t whylen);

/* One source for rlx_clip_prepare_batch: an audio file (path), or else a
 * line of text to speak (text, voice, pace as for rlx_clip_prepare_tts). */
typedef struct {
    const char *path;
    const char *text;
    const char *voice;
    double pace;
} rlx_clip_job;

typedef struct {
    int workers;    /* processes at most (this one included); 0 = one per online CPU */
    const volatile sig_atomic_t *cancel;   /* may be NULL: stop early when non-zero */
    /* may be NULL; called in this process after each job it finished:
     * sources ready (warm ones included) out of n */
    void (*progress)(void *user, size_t done, size_t total);
    void *user;
    /* may be NULL; with it the calling thread only watches (every worker is
     * a child process) and calls ready(user, i) on its thread once for each
     * job i, as soon as it is through: at once for jobs already cached, else
     * within ~5 ms of a worker finishing it (prepared, or failed: look it up
     * to know), or when the batch ends without it (a stop, a worker lost).
     * Jobs are taken in their order: put the most urgent first. */
    void (*ready)(void *user, size_t job);
} rlx_clip_batch_config;

/* Prepares the jobs that are not in the cache yet, several at a time: each
 * worker is a process of its own (forked; voice engines need not be
 * thread-safe, and CPU-bound decoding, speaking and resampling run on every
 * core), taking the next job as it becomes free. The new entries are synced
 * to disk once at the end, not one by one. Best effort and silent: a job
 * that fails here is simply left out, and the rlx_clip_prepare_* call that
 * follows for it prepares it again and reports the error. Returns when
 * every worker has ended. Costs a few stat calls when everything is warm. */
void rlx_clip_prepare_batch(rlx_cache *c, const rlx_clip_job *jobs, size_t n, int rate,
                            const rlx_clip_batch_config *cfg);

/* Looks a job's entry up without preparing anything: RLX_OK fills out (free
 * with rlx_clip_info_free); RLX_ERR_CACHE when it is not in the cache (yet);
 * other errors as the rlx_clip_prepare_* call would give them. */
rlx_err rlx_clip_lookup(rlx_cache *c, const rlx_clip_job *job, int rate, rlx_clip_info *out);

void rlx_clip_info_free(rlx_clip_info *info);  /* frees members; accepts NULL */

/* Streaming reader of a prepared clip. Frames are returned as stereo
 * (mono is duplicated to both channels), interleaved. */
typedef struct rlx_clip_reader rlx_clip_reader;
rlx_err rlx_clip_reader_open(const rlx_clip_info *info, rlx_clip_reader **out);
rlx_err rlx_clip_reader_seek(rlx_clip_reader *r, int64_t frame);
/* Reads up to n frames; *got < n only at the end of the clip. No allocation. */
rlx_err rlx_clip_reader_read(rlx_clip_reader *r, float *stereo, size_t n, size_t *got);
/* Reads n frames from clip frame `at`, seeking only when *pos (where the
 * reader stands; -1 = unknown) is elsewhere; zero-fills what the clip does
 * not deliver; updates *pos (-1 after an error). No allocation. */
rlx_err rlx_clip_reader_read_at(rlx_clip_reader *r, int64_t *pos, int64_t at, float *stereo, size_t n);
void rlx_clip_reader_close(rlx_clip_reader *r);  /* accepts NULL */

#endif
