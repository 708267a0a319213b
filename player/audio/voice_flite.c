/* voice_flite.c - the flite voice engine (flite1-dev): slt (default), rms,
 * awb, kal16, all at 16 kHz. flite is not thread-safe, so speaking runs
 * under one lock; its own diagnostics are captured, never printed. */
#include "audio/voice.h"

#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flite/flite.h>
#include <flite/flite_version.h>


/* The voices flite1-dev compiles in; no header declares their registration. */
cst_voice *register_cmu_us_slt(const char *voxdir);
cst_voice *register_cmu_us_rms(const char *voxdir);
cst_voice *register_cmu_us_awb(const char *voxdir);
cst_voice *register_cmu_us_kal16(const char *voxdir);

static const char *const voice_names[] = {"slt", "rms", "awb", "kal16", NULL};
static cst_voice *(*const voice_reg[])(const char *) = {
    register_cmu_us_slt, register_cmu_us_rms, register_cmu_us_awb, register_cmu_us_kal16,
};
#define NVOICES (sizeof voice_reg / sizeof *voice_reg)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static cst_voice *loaded[NVOICES];

/* flite reports problems through cst_errmsg(), which would print them on
 * stderr. Defining it here replaces flite's own (libflite.so resolves it
 * through the PLT), so the library stays silent; the last message is kept
 * for the error reason. Only called under `lock` or from init. */
static char last_msg[256];

int cst_errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cst_errmsg(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_msg, sizeof last_msg, fmt, ap);
    va_end(ap);
    for (char *q = last_msg; *q; q++)
        if (*q == '\n' || *q == '\r' || *q == '\t')
            *q = ' ';
    size_t n = strlen(last_msg);
    while (n && (last_msg[n - 1] == '\n' || last_msg[n - 1] == ' '))
        last_msg[--n] = 0;
    return 0;
}

/* Sources are prepared by forked worker processes (clip.c): a fork waits
 * until no thread is inside flite, so no worker inherits the lock taken. */
static void fork_prepare(void) { pthread_mutex_lock(&lock); }
static void fork_done(void) { pthread_mutex_unlock(&lock); }

static void init_flite(void)
{
    flite_init();
    for (size_t i = 0; i < NVOICES; i++)
        loaded[i] = voice_reg[i](NULL);
    (void)pthread_atfork(fork_prepare, fork_done, fork_done);
}

/* The part under the lock; kept apart so that nothing with automatic storage
 * that changes after setjmp is read after a longjmp. */
static cst_wave *synth_locked(const char *text, cst_voice *v, float pace, bool *failed)
{
    jmp_buf jb;
    jmp_buf *volatile saved = cst_errjmp;
    *failed = false;
    last_msg[0] = 0;
    /* flite's fatal errors call exit() unless cst_errjmp is set. */
    cst_errjmp = &jb;
    if (setjmp(jb)) {
        cst_errjmp = saved;
        *failed = true;
        return NULL;  /* flite's partial allocations leak; this is very rare */
    }
    flite_feat_set_float(v->features, "duration_stretch", pace);
    /* flite draws noise from rand(): seeding it for every line makes the
     * samples depend on the line alone, not on what this process spoke
     * before (so any worker process may speak any line; see the cache). */
    srand(1);
    cst_wave *w = flite_text_to_wave(text, v);
    cst_errjmp = saved;
    return w;
}

static rlx_err flite_speak(const char *voice, const char *text, double pace,
                           float **samples, size_t *frames, int *rate,
                           char *why, size_t whylen)
{
    *samples = NULL;
    *frames = 0;
    *rate = 0;
    if (!voice || !*voice)
        voice = "slt";
    size_t vi = NVOICES;
    for (size_t i = 0; i < NVOICES; i++)
        if (strcmp(voice, voice_names[i]) == 0)
            vi = i;
    if (vi == NVOICES) {
        snprintf(why, whylen, "unknown voice '%s' (slt, rms, awb, kal16 are available)", voice);
        return RLX_ERR_USAGE;
    }
    pthread_once(&once, init_flite);
    if (!loaded[vi]) {
        snprintf(why, whylen, "flite voice '%s' failed to load", voice);
        return RLX_ERR_TTS;
    }
    pthread_mutex_lock(&lock);
    bool failed;
    cst_wave *w = synth_locked(text, loaded[vi], (float)pace, &failed);
    rlx_err err = RLX_OK;
    if (!w || failed) {
        snprintf(why, whylen, "flite failed%s%s", last_msg[0] ? ": " : "", last_msg);
        err = RLX_ERR_TTS;
    }
    pthread_mutex_unlock(&lock);
    if (err)
        return err;
    if (w->num_samples <= 0 || w->num_channels != 1 || w->sample_rate <= 0) {
        snprintf(why, whylen, "flite produced no audio for this text");
        delete_wave(w);
        return RLX_ERR_TTS;
    }
    float *out = malloc(sizeof(float) * (size_t)w->num_samples);
    if (!out) {
        delete_wave(w);
        return RLX_ERR_NOMEM;
    }
    for (int i = 0; i < w->num_samples; i++)
        out[i] = (float)w->samples[i] / 32768.0f;
    *samples = out;
    *frames = (size_t)w->num_samples;
    *rate = w->sample_rate;
    delete_wave(w);
    return RLX_OK;
}

static rlx_err flite_available(char *why, size_t whylen)
{
    (void)why, (void)whylen;
    return RLX_OK;  /* linked in: always there */
}

static const char *flite_version(void)
{
    /* "seeded": the noise source is reseeded for every line (see synth) */
    return "flite-" FLITE_PROJECT_VERSION "-seeded";
}

const rlx_voice_engine rlx_voice_flite = {
    .name = "flite",
    .voices = voice_names,
    .available = flite_available,
    .speak = flite_speak,
    .version = flite_version,
};
