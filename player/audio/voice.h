/* voice.h - voice engines: text in, mono speech out.
 * Each engine is one file, player/audio/voice_<name>.c, defining one
 * `const rlx_voice_engine rlx_voice_<name>`, plus one line in the registry
 * in voice.c. A voice is named "engine:voice" ("flite:slt") or by its bare
 * name ("slt": the first engine in the registry that has it). */
#ifndef RLX_VOICE_H
#define RLX_VOICE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

typedef struct rlx_voice_engine {
    const char *name;                 /* "flite", "festival" */
    const char *const *voices;        /* NULL-terminated; voices[0] is the engine's default */
    /* RLX_OK when usable here, else a one-line reason in why (what to install) */
    rlx_err (*available)(char *why, size_t whylen);
    /* text -> malloc'ed mono float samples at *rate. pace: 1 = the engine's natural pace,
     * larger = slower. Deterministic: same (voice,text,pace) -> same samples whatever was
     * spoken before in the process. Thread-safe (an engine that is not serialises itself). */
    rlx_err (*speak)(const char *voice, const char *text, double pace, float **samples,
                     size_t *frames, int *rate, char *why, size_t whylen);
    /* changes whenever the engine's output may change; part of the cache key */
    const char *(*version)(void);
} rlx_voice_engine;

/* "engine:voice" or a bare "voice" (first engine that has it). RLX_ERR_USAGE if unknown. */
rlx_err rlx_voice_lookup(const char *spec, const rlx_voice_engine **engine, const char **voice);
size_t rlx_voice_engine_count(void);
const rlx_voice_engine *rlx_voice_engine_at(size_t i);

/* The default voice spec when a session names none. */
#define RLX_VOICE_DEFAULT "slt"

/* Every accepted spec, NULL-terminated: first the bare names (each once, in
 * registry order), then every "engine:voice". Static; for the session
 * parser's rlx_parse_config.voices (did-you-mean, "expected ..."). */
const char *const *rlx_voice_specs(void);

/* Looks up spec (NULL or "" = RLX_VOICE_DEFAULT) and speaks through its
 * engine, counting the calls (tests: a cached line is not spoken again).
 * RLX_ERR_USAGE with "unknown voice 'x' (...)" in why when spec is unknown. */
rlx_err rlx_voice_speak(const char *spec, const char *text, double pace, float **samples,
                        size_t *frames, int *rate, char *why, size_t whylen);
unsigned long rlx_voice_speak_count(void);

#endif
