/* bench_prepare.c - how long preparing a session's audio takes with a cold
 * and a warm cache: 20 spoken lines and an ambient bed, at 48 kHz.
 * Usage: rlx_bench_prepare [AMBIENT_FILE] (default: assets/ambient/shore.ogg
 * under $RLX_SOURCE_DIR or the current folder). Uses a fresh temporary cache;
 * never the user's. Prints one line per pass. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audio/cache.h"
#include "audio/clip.h"

static const char *const lines[20] = {
    "Welcome. Find a comfortable position, sitting or lying down.",
    "Close your eyes, if that feels right for you.",
    "Breathe in slowly through your nose.",
    "And let the breath go, without any effort.",
    "Notice the weight of your body, held by the floor.",
    "Let your shoulders soften and drop.",
    "Bring your attention to your feet.",
    "Feel the contact of your heels with the ground.",
    "Now the calves, and the knees.",
    "Let the thighs become heavy and warm.",
    "Notice your belly, rising and falling.",
    "Your chest, gently moving with each breath.",
    "Let your hands rest, palms open.",
    "Your arms are heavy and relaxed.",
    "Relax your jaw, and let your tongue rest.",
    "Soften the small muscles around your eyes.",
    "Your forehead is smooth and calm.",
    "Rest here for a few breaths.",
    "When you are ready, begin to move your fingers and toes.",
    "Open your eyes slowly. Welcome back.",
};

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int pass(rlx_cache *c, const char *ambient, const char *label)
{
    char why[512];
    rlx_clip_info info;
    double t0 = now_ms();
    for (int i = 0; i < 20; i++) {
        rlx_err err = rlx_clip_prepare_tts(c, lines[i], "slt", 1.0, 48000, &info, why, sizeof why);
        if (err) {
            fprintf(stderr, "line %d: %s: %s\n", i + 1, rlx_strerror(err), why);
            return 1;
        }
        rlx_clip_info_free(&info);
    }
    double t1 = now_ms();
    rlx_err err = rlx_clip_prepare_file(c, ambient, 48000, &info, why, sizeof why);
    if (err) {
        fprintf(stderr, "%s: %s: %s\n", ambient, rlx_strerror(err), why);
        return 1;
    }
    double t2 = now_ms();
    printf("%-28s 20 lines %8.1f ms   ambient (%.0f s) %8.1f ms   total %8.1f ms   full checks so far %lu\n",
           label, t1 - t0, (double)info.frames / 48000.0, t2 - t1, t2 - t0,
           rlx_cache_full_checks());
    rlx_clip_info_free(&info);
    return 0;
}

int main(int argc, char **argv)
{
    char amb[4096];
    if (argc > 1) {
        snprintf(amb, sizeof amb, "%s", argv[1]);
    } else {
        const char *src = getenv("RLX_SOURCE_DIR");
        snprintf(amb, sizeof amb, "%s/assets/ambient/shore.ogg", src ? src : ".");
    }
    char dir[] = "/tmp/relax-bench-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    rlx_cache *c;
    if (rlx_cache_open(dir, &c, NULL, 0) != RLX_OK) {
        fprintf(stderr, "cannot open a cache in %s\n", dir);
        return 1;
    }
    int rc = pass(c, amb, "cold (empty cache)");
    if (!rc)
        rc = pass(c, amb, "warm, entries just written");
    /* Entries are checked in full until their files are a little older. */
    struct timespec pause = {.tv_nsec = 200000000};
    nanosleep(&pause, NULL);
    if (!rc)
        rc = pass(c, amb, "warm, first check");
    for (int i = 0; i < 3 && !rc; i++)
        rc = pass(c, amb, "warm");
    rlx_cache_close(c);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return rc;
}
