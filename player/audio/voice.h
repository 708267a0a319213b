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
     * spoken before in the process. Thread-safe (an engine that is not serialises itself).
     * Called through rlx_voice_speak, which has already checked pace (0.25..4) and that
     * the text is not blank. */
    rlx_err (*speak)(const char *voice, const char *text, double pace, float **samples,
                     size_t *frames, int *rate, char *why, size_t whylen);
    /* changes whenever the engine's output may change; part of the cache key */
    const char *(*version)(void);
    /* spec spoken instead when this engine is not available here ("flite:slt"),
     * announced once through the notice hook; NULL = none (an error) */
    const char *fallback;
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

/* The engine and voice that will really speak spec: the named one, or its
 * fallback when the named engine is not available here. In that case the
 * notice hook (if set) gets one line, once per engine and process, saying
 * why and what speaks instead. RLX_ERR_USAGE if spec is unknown;
 * RLX_ERR_TTS (reason in why) if neither is available. */
rlx_err rlx_voice_resolve(const char *spec, const rlx_voice_engine **engine, const char **voice,
                          char *why, size_t whylen);

/* Where fallback notices go (the CLI prints them on stderr); NULL = nowhere.
 * Set once at start-up, before any speaking. */
void rlx_voice_set_notice(void (*fn)(const char *line));

#endif
