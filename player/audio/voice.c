/* voice.c - the registry of voice engines. Adding an engine: one file
 * voice_<name>.c and one line in `engines` below. */
#include "audio/voice.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const rlx_voice_engine rlx_voice_flite;
extern const rlx_voice_engine rlx_voice_festival;

static const rlx_voice_engine *const engines[] = {
    &rlx_voice_flite,
    &rlx_voice_festival,
};
#define NENGINES (sizeof engines / sizeof *engines)

static atomic_ulong speak_count;

size_t rlx_voice_engine_count(void) { return NENGINES; }

const rlx_voice_engine *rlx_voice_engine_at(size_t i)
{
    return i < NENGINES ? engines[i] : NULL;
}

static const char *find_voice(const rlx_voice_engine *e, const char *name, size_t n)
{
    for (size_t k = 0; e->voices[k]; k++)
        if (strlen(e->voices[k]) == n && !strncmp(e->voices[k], name, n))
            return e->voices[k];
    return NULL;
}

rlx_err rlx_voice_lookup(const char *spec, const rlx_voice_engine **engine, const char **voice)
{
    *engine = NULL;
    *voice = NULL;
    if (!spec || !*spec)
        return RLX_ERR_USAGE;
    const char *colon = strchr(spec, ':');
    for (size_t i = 0; i < NENGINES; i++) {
        const rlx_voice_engine *e = engines[i];
        const char *v;
        if (colon) {
            size_t en = (size_t)(colon - spec);
            if (strlen(e->name) != en || strncmp(e->name, spec, en))
                continue;
            v = find_voice(e, colon + 1, strlen(colon + 1));
        } else {
            v = find_voice(e, spec, strlen(spec));
        }
        if (v) {
            *engine = e;
            *voice = v;
            return RLX_OK;
        }
    }
    return RLX_ERR_USAGE;
}

static const char **specs;
static pthread_once_t specs_once = PTHREAD_ONCE_INIT;
static const char *const no_specs[] = {NULL};

static bool listed(const char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return true;
    return false;
}

/* Built once, kept for the life of the process. */
static void build_specs(void)
{
    size_t total = 0, chars = 0;
    for (size_t i = 0; i < NENGINES; i++)
        for (size_t k = 0; engines[i]->voices[k]; k++) {
            total += 2;
            chars += strlen(engines[i]->name) + strlen(engines[i]->voices[k]) + 2;
        }
    const char **v = malloc((total + 1) * sizeof *v);
    char *text = malloc(chars ? chars : 1);
    if (!v || !text) {
        free(v);
        free(text);
        return;
    }
    size_t n = 0;
    for (size_t i = 0; i < NENGINES; i++)
        for (size_t k = 0; engines[i]->voices[k]; k++)
            if (!listed(v, n, engines[i]->voices[k]))
                v[n++] = engines[i]->voices[k];
    char *p = text;
    for (size_t i = 0; i < NENGINES; i++)
        for (size_t k = 0; engines[i]->voices[k]; k++) {
            int w = sprintf(p, "%s:%s", engines[i]->name, engines[i]->voices[k]);
            v[n++] = p;
            p += w + 1;
        }
    v[n] = NULL;
    specs = v;
}

const char *const *rlx_voice_specs(void)
{
    pthread_once(&specs_once, build_specs);
    return specs ? (const char *const *)specs : no_specs;
}

/* "slt, rms, awb or kal16": the bare names, for messages. */
static void bare_list(char *buf, size_t len)
{
    const char *const *v = rlx_voice_specs();
    size_t n = 0;
    while (v[n] && !strchr(v[n], ':'))
        n++;
    buf[0] = 0;
    size_t at = 0;
    for (size_t i = 0; i < n && at < len; i++) {
        int w = snprintf(buf + at, len - at, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", v[i]);
        if (w < 0)
            break;
        at += (size_t)w;
    }
}

static void (*notice_fn)(const char *line);
static pthread_mutex_t notice_lock = PTHREAD_MUTEX_INITIALIZER;
static bool noticed[8];   /* per engine index: the fallback was announced */

void rlx_voice_set_notice(void (*fn)(const char *line))
{
    notice_fn = fn;
}

rlx_err rlx_voice_resolve(const char *spec, const rlx_voice_engine **engine, const char **voice,
                          char *why, size_t whylen)
{
    if (!spec || !*spec)
        spec = RLX_VOICE_DEFAULT;
    if (rlx_voice_lookup(spec, engine, voice) != RLX_OK) {
        char names[256];
        bare_list(names, sizeof names);
        snprintf(why, whylen, "unknown voice '%s' (expected %s)", spec, names);
        return RLX_ERR_USAGE;
    }
    const rlx_voice_engine *e = *engine;
    char reason[256] = "";
    if (!e->available || e->available(reason, sizeof reason) == RLX_OK)
        return RLX_OK;
    const rlx_voice_engine *fe;
    const char *fv;
    char freason[256] = "";
    if (!e->fallback || rlx_voice_lookup(e->fallback, &fe, &fv) != RLX_OK ||
        (fe->available && fe->available(freason, sizeof freason) != RLX_OK)) {
        snprintf(why, whylen, "%s", reason);
        return RLX_ERR_TTS;
    }
    size_t idx = 0;
    while (idx < NENGINES && engines[idx] != e)
        idx++;
    pthread_mutex_lock(&notice_lock);
    bool first = idx < sizeof noticed / sizeof *noticed ? !noticed[idx] : true;
    if (idx < sizeof noticed / sizeof *noticed)
        noticed[idx] = true;
    if (first && notice_fn) {
        char line[512];
        snprintf(line, sizeof line, "%s; speaking with %s:%s instead of %s", reason, fe->name, fv,
                 spec);
        notice_fn(line);
    }
    pthread_mutex_unlock(&notice_lock);
    *engine = fe;
    *voice = fv;
    return RLX_OK;
}

rlx_err rlx_voice_speak(const char *spec, const char *text, double pace, float **samples,
                        size_t *frames, int *rate, char *why, size_t whylen)
{
    *samples = NULL;
    *frames = 0;
    *rate = 0;
    if (!spec || !*spec)
        spec = RLX_VOICE_DEFAULT;
    const rlx_voice_engine *e;
    const char *voice;
    rlx_err err = rlx_voice_resolve(spec, &e, &voice, why, whylen);
    if (err)
        return err;
    /* the contract's bounds, checked once for every engine */
    if (!isfinite(pace) || pace < 0.25 || pace > 4.0) {
        snprintf(why, whylen, "pace %g out of range (0.25 to 4)", pace);
        return RLX_ERR_USAGE;
    }
    if (!text || !text[strspn(text, " \t\r\n")]) {
        snprintf(why, whylen, "nothing to say: the text is empty");
        return RLX_ERR_TTS;
    }
    atomic_fetch_add(&speak_count, 1);
    return e->speak(voice, text, pace, samples, frames, rate, why, whylen);
}

unsigned long rlx_voice_speak_count(void)
{
    return atomic_load(&speak_count);
}
