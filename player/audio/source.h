/* source.h - what the renderer mixes, behind two small ops tables.
 *
 * Cue audio: how a cue's sound is prepared (a spoken line through a voice
 * engine, or an audio file). The first kind in rlx_cue_audio_kinds that
 * claims a cue prepares it: source_speech.c, source_file.c.
 *
 * Sources: what adds sound to the mix at timeline frames, one file each:
 * clips placed on the timeline (voice lines, chimes: source_clips.c), the
 * breath tone (source_tone.c), the ambient bed (source_bed.c). A source
 * reads through its own readers and buffers, allocated at open; mix and
 * seek never allocate. One thread at a time. */
#ifndef RLX_SOURCE_H
#define RLX_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio/clip.h"
#include "audio/tone.h"
#include "session/session.h"
#include "session/timeline.h"

/* ---- cue audio ----------------------------------------------------------- */
typedef struct {
    const char *name;  /* "speech", "file" */
    bool (*claims)(const rlx_session *s, const rlx_cue *c);
    /* Prepares the cue's audio at rate into *out (see clip.h). On failure a
     * one-line message for the cue's diagnostic in why. */
    rlx_err (*prepare)(const rlx_session *s, const rlx_cue *c, rlx_cache *cache, int rate,
                       rlx_clip_info *out, char *why, size_t whylen);
    /* The same preparation as a job for rlx_clip_prepare_batch (clip.h), so
     * that missing audio is prepared in parallel first; false when there is
     * nothing to prepare ahead (prepare then reports why). May be NULL. */
    bool (*job)(const rlx_session *s, const rlx_cue *c, rlx_clip_job *out);
    /* An upper bound of the cue's length (ms) before its audio exists, so
     * live playback on a cold cache can lay the timeline out and start
     * while the rest is prepared (render.h, stream); 0 = no bound: prepare
     * it first. May be NULL. */
    int64_t (*estimate_ms)(const rlx_session *s, const rlx_cue *c);
} rlx_cue_audio_ops;

extern const rlx_cue_audio_ops rlx_cue_audio_speech, rlx_cue_audio_file;

/* "FILE: reason", unless the reason already names the file. */
void rlx_file_reason(const char *path, const char *reason, rlx_err err, char *why, size_t whylen);

/* The kind that prepares c (voice and chime cues); NULL for cues without audio. */
const rlx_cue_audio_ops *rlx_cue_audio_for(const rlx_session *s, const rlx_cue *c);

/* ---- sources --------------------------------------------------------------- */
typedef struct rlx_source rlx_source;

typedef struct {
    const char *name;
    /* Adds timeline frames [a, a+n) (n <= the block given at open) into mix
     * (interleaved stereo), scaled per frame by gain[0..n). Returns
     * RLX_ERR_AUDIO_FILE if a cached clip became unreadable. */
    rlx_err (*mix)(rlx_source *s, int64_t a, size_t n, const float *gain, float *mix);
    /* The next mix may start anywhere (after a seek). */
    void (*seek)(rlx_source *s, int64_t frame);
    void (*close)(rlx_source *s);
} rlx_source_ops;

struct rlx_source {
    const rlx_source_ops *ops;
};

/* A clip on the timeline; info is borrowed and must outlive the source. */
typedef struct {
    const rlx_clip_info *info;
    int64_t start, frames;
    float gain;        /* constant gain of this placement (times the per-frame gain) */
} rlx_clip_place;

/* Clips that share a prepared file and never overlap share one reader. */
rlx_err rlx_source_clips_open(const rlx_clip_place *p, size_t n, size_t block, rlx_source **out);
/* The breath tone on tl (borrowed). */
rlx_err rlx_source_tone_open(const rlx_tone_config *cfg, const rlx_timeline *tl, size_t block,
                             rlx_source **out);
/* The ambient bed: two layers of segments cut from info at seeded
 * pseudo-random places, crossfaded (equal power) over up to xfade_ms, so a
 * long session has no audible loop (source_bed.c). info is borrowed. */
rlx_err rlx_source_bed_open(const rlx_clip_info *info, int rate, int xfade_ms, size_t block,
                            rlx_source **out);

/* A voice line placed on the timeline before it is spoken (live playback
 * on a cold cache, render.h). Its preparer fills in rd, frames and gain and
 * then publishes state READY (release); from then on the source reads it.
 * While it is WAITING its slot mixes as silence and `muted` is set (the
 * renderer then renders that stretch again); FAILED stays silent. A clip
 * longer than its slot is cut at the slot's end with a short fade. */
enum { RLX_LATE_WAITING, RLX_LATE_READY, RLX_LATE_FAILED };
typedef struct {
    int64_t start, slot;     /* timeline frames (the renderer's, before the source opens) */
    _Atomic int state;
    rlx_clip_reader *rd;     /* preparer, before READY; its owner closes it */
    int64_t frames;          /* the clip's */
    float gain;
    /* reader thread only */
    int64_t rpos;            /* where rd stands; -1 unknown */
    bool muted;              /* mixed as silence while WAITING */
} rlx_late_clip;

/* Late lines (borrowed: the array must outlive the source and never move);
 * fade_frames: the cut of a clip longer than its slot. */
rlx_err rlx_source_late_open(rlx_late_clip *clips, size_t n, size_t block, int64_t fade_frames,
                             rlx_source **out);

static inline void rlx_source_close(rlx_source *s)
{
    if (s)
        s->ops->close(s);
}

#endif
