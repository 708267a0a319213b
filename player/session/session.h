/* session.h - a parsed session file: plain data.
 * Produced by rlx_session_parse (session_parse.c), freed by rlx_session_free.
 * Times are integer milliseconds as written; the timeline turns them into
 * frames once voice durations and the requested length are known. */
#ifndef RLX_SESSION_H
#define RLX_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Breathing pattern, milliseconds per phase. inhale + exhale > 0. */
typedef struct {
    int32_t inhale_ms, hold_in_ms, exhale_ms, hold_out_ms;
} rlx_breath_pattern;

typedef enum { RLX_BUS_VOICE, RLX_BUS_BREATH, RLX_BUS_AMBIENT, RLX_BUS_COUNT } rlx_bus;

typedef enum {
    RLX_CUE_SAY,         /* text: spoken by TTS (or `file` if a recording overrides it) */
    RLX_CUE_PLAY,        /* file: voice clip; text: caption (may be NULL) */
    RLX_CUE_SILENCE,     /* dur_ms .. dur_max_ms of voice-free time (stretchable if max > min) */
    RLX_CUE_BREATH,      /* pattern: new breathing pattern from the next cycle boundary */
    RLX_CUE_BREATH_SYNC, /* a fresh inhale starts exactly here */
    RLX_CUE_CHIME,       /* file: NULL = the session's default chime */
    RLX_CUE_FADE_IN,     /* dur_ms: master fade from silence */
    RLX_CUE_FADE_OUT,    /* dur_ms: master fade to silence */
    RLX_CUE_LEVEL,       /* bus, value (LUFS for voice, dB otherwise), dur_ms ramp (0 = 50 ms) */
    RLX_CUE_END,         /* end of the session */
    RLX_CUE_KIND_COUNT
} rlx_cue_kind;

typedef struct {
    rlx_cue_kind kind;
    int line, col;          /* where the cue starts in `src_file` */
    int file_col;           /* where its audio file is named on that line (0: none) */
    const char *src_file;   /* file the cue was written in (session or include); borrowed from rlx_session.files */
    bool relative;          /* time_ms is an offset from the end of the previous voice cue or silence */
    int64_t time_ms;        /* absolute start, or offset when relative (>= 0) */
    char *text;             /* say: spoken text; play: caption; NULL otherwise */
    char *file;             /* play/chime (and say with a recording): path as written, NULL if none */
    char *path;             /* `file` resolved to an existing path (NULL if not found) */
    int64_t dur_ms;         /* silence min / fade / level ramp */
    int64_t dur_max_ms;     /* silence max (== dur_ms when fixed) */
    rlx_breath_pattern pattern; /* breath */
    rlx_bus bus;            /* level */
    double value;           /* level: target (LUFS for voice, dB for breath/ambient) */
    double gain_db;         /* say/play/chime: per-cue gain, default 0 */
    double breath_duck_db;  /* say/play: the tone's dip under this line (dB) ... */
    bool breath_duck_set;   /* ... when set; else the [breath] duck */
    int optional;           /* say/play/silence/chime: 0 = in every version; 1..9 = a
                             * shorter version may leave it out, level 1 first */
    int64_t from_ms;        /* say/play/silence/chime: > 0 = only in versions at least this long */
} rlx_cue;

typedef struct {
    char *path;           /* the session file as given */
    char *dir;            /* its folder (for relative file lookup) */
    char **files;         /* path + every included file, for diagnostics and hashing */
    size_t nfiles;

    /* [session] */
    char *id, *title, *summary;
    int week;             /* 0 when not part of a program */

    /* [voice] */
    double voice_lufs;    /* default -18 */
    char *tts_voice;      /* voice spec as written: "voice" or "engine:voice"; default "slt" */
    double tts_pace;      /* 1.0 = the engine's natural pace, larger = slower; default 1.15 (calm) */
    bool voice_normalize; /* default true; `level = off` plays clips at their own loudness */

    /* [breath] */
    rlx_breath_pattern breath;  /* default 4 0 6 0 */
    double breath_pitch_hz;     /* default 174 */
    double breath_glide_st;     /* default 3 */
    double breath_level_db;     /* default -28 */
    double breath_duck_db;      /* default 10 */
    double breath_rest_db;      /* default 12: lower in long pauses, so the bed carries them */
    bool breath_enabled;        /* false if level = off */

    /* [ambient] */
    char *ambient_file;   /* as written, NULL = no ambient bed */
    char *ambient_path;   /* resolved */
    double ambient_level_db, ambient_duck_db;  /* defaults -32, 6 */

    /* [chime] */
    char *chime_file;     /* default "chime.flac" */
    char *chime_path;     /* resolved */
    double chime_level_db;/* default -20 */

    rlx_cue *cues;
    size_t ncues;
    uint64_t hash;        /* FNV-1a 64 of the bytes of every file in `files` */
} rlx_session;

/* Limits on what one session may ask for (README, "Limits"). Each is an
 * error at the line and column that crosses it, found while parsing. */
#define RLX_SESSION_MAX_SAY_CHARS 2000      /* characters in one `say` line */
#define RLX_SESSION_MAX_SPEECH_CHARS 100000 /* characters of `say` text in all */
#define RLX_SESSION_MAX_CUES 100000         /* cues in the [timeline] */
#define RLX_SESSION_MAX_INCLUDES 64         /* include lines read, nested ones too */
#define RLX_SESSION_MAX_INCLUDE_BYTES ((size_t)16 * 1024 * 1024) /* bytes of included files in all */
/* A file that is clearly not a session file (no known section, only errors)
 * is abandoned after this many error lines. */
#define RLX_SESSION_MAX_FOREIGN_ERRORS 5

/* Search path for audio files named in a session: the session file's folder,
 * then each dir in `asset_dirs` (NULL-terminated, may be NULL). */
typedef struct {
    const char *const *asset_dirs;
    bool check_files;   /* report referenced audio files that do not exist */
    /* the voice specs `tts-voice` accepts, NULL-terminated, bare names first
     * (the voice layer's rlx_voice_specs()); NULL accepts any well-formed spec */
    const char *const *voices;
} rlx_parse_config;

/* Parses and validates (syntax, ranges, ordering of absolute times, nothing
 * after `end`, files exist). Every problem is appended to `diags`.
 * Returns RLX_OK with *out set, RLX_ERR_SESSION if diags has errors
 * (*out NULL), RLX_ERR_IO if the file cannot be read, RLX_ERR_NOMEM. */
rlx_err rlx_session_parse(const char *path, const rlx_parse_config *cfg,
                          rlx_session **out, rlx_diags *diags);

/* Same, from memory (for tests and the fuzzer). `name` is used in diagnostics. */
rlx_err rlx_session_parse_buffer(const char *name, const char *data, size_t len,
                                 const rlx_parse_config *cfg, rlx_session **out,
                                 rlx_diags *diags);

void rlx_session_free(rlx_session *s);  /* accepts NULL */

/* Parses a duration as users type it on the command line: "90", "90 s",
 * "15 min", "1500 ms", "1:30", "1:02:03.5". Returns false if invalid or absurd. */
bool rlx_parse_duration_ms(const char *text, int64_t *ms);
/* The text is a well-formed duration, only longer than 24 hours (so a
 * caller can say "too long" rather than "not a duration"). */
bool rlx_duration_too_long(const char *text);
/* The longest duration or time anywhere, for messages. */
#define RLX_DURATION_MAX_TEXT "24 hours"

const char *rlx_cue_kind_name(rlx_cue_kind k);  /* "say", "play", ... */
bool rlx_cue_is_voice(const rlx_cue *c);        /* say or play */
#define RLX_OPTIONAL_LEVELS 9

#endif
