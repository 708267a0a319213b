/* cmd_voices.c - `relax voices`: the voice engines and voices on this
 * machine, and `relax voices --say TEXT -o FILE` to render a sample. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sndfile.h>

#include "audio/voice.h"

static void voices_usage(FILE *f)
{
    fprintf(f,
            "Usage: relax voices\n"
            "       relax voices --say TEXT -o FILE [--voice VOICE] [--pace P]\n"
            "\n"
            "Lists the voice engines and their voices, marking the default and\n"
            "saying what to install for those that are missing. With --say, speaks\n"
            "TEXT and writes it to FILE (.wav or .flac) to hear how a voice sounds.\n"
            "\n"
            "Options:\n"
            "  --say TEXT          the text to speak\n"
            "  -o, --output FILE   where to write the sample (.wav or .flac)\n"
            "  --voice VOICE       'engine:voice' or a bare voice name (default %s)\n"
            "  --pace P            0.5 (fast) to 2 (slow); default 1\n"
            "  -h, --help          show this help\n",
            RLX_VOICE_DEFAULT);
}

static int list_voices(void)
{
    const rlx_voice_engine *def_e;
    const char *def_v;
    bool have_def = rlx_voice_lookup(RLX_VOICE_DEFAULT, &def_e, &def_v) == RLX_OK;
    printf("%-20s %-10s %s\n", "VOICE", "DEFAULT", "STATUS");
    for (size_t i = 0; i < rlx_voice_engine_count(); i++) {
        const rlx_voice_engine *e = rlx_voice_engine_at(i);
        char why[256] = "";
        bool ok = !e->available || e->available(why, sizeof why) == RLX_OK;
        for (size_t k = 0; e->voices[k]; k++) {
            char spec[128];
            snprintf(spec, sizeof spec, "%s:%s", e->name, e->voices[k]);
            bool is_def = have_def && def_e == e && !strcmp(def_v, e->voices[k]);
            if (ok)
                printf("%-20s %-10s installed\n", spec, is_def ? "*" : "");
            else if (e->fallback)
                printf("%-20s %-10s %s; %s speaks instead\n", spec, is_def ? "*" : "", why,
                       e->fallback);
            else
                printf("%-20s %-10s %s\n", spec, is_def ? "*" : "", why);
        }
    }
    printf("\n* = spoken when a session names no voice. The ten-week program names its\n"
           "voice in sessions/shared.inc.\n");
    return RLX_EXIT_OK;
}

/* Writes samples to path (.wav or .flac, 16-bit) through a temporary file,
 * so a failure never leaves half a file. */
static int write_sample(const char *path, const float *x, size_t n, int rate)
{
    const char *dot = strrchr(path, '.');
    int fmt;
    if (dot && !strcasecmp(dot, ".wav"))
        fmt = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    else if (dot && !strcasecmp(dot, ".flac"))
        fmt = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    else {
        rlx_cli_error("voices: cannot tell the format of '%s': name it .wav or .flac", path);
        return RLX_EXIT_USAGE;
    }
    size_t tl = strlen(path) + 16;
    char *tmp = malloc(tl);
    if (!tmp)
        return RLX_EXIT_INTERNAL;
    snprintf(tmp, tl, "%s.part%d", path, (int)getpid());
    SF_INFO info = {.samplerate = rate, .channels = 1, .format = fmt};
    SNDFILE *sf = sf_open(tmp, SFM_WRITE, &info);
    if (!sf) {
        rlx_cli_error("voices: cannot write %s: %s", path, sf_strerror(NULL));
        free(tmp);
        return RLX_EXIT_OUTPUT;
    }
    sf_command(sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
    sf_count_t put = sf_writef_float(sf, x, (sf_count_t)n);
    int cerr = sf_close(sf);
    if (put != (sf_count_t)n || cerr != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        rlx_cli_error("voices: cannot write %s: %s", path,
                      put != (sf_count_t)n || cerr ? "write failed (disk full?)" : strerror(e));
        free(tmp);
        return RLX_EXIT_OUTPUT;
    }
    free(tmp);
    return RLX_EXIT_OK;
}

int rlx_cmd_voices(int argc, char **argv)
{
    const char *say = NULL, *out = NULL, *voice = NULL, *pace_s = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = !strcmp(a, "--say")                          ? &say
                            : !strcmp(a, "-o") || !strcmp(a, "--output") ? &out
                            : !strcmp(a, "--voice")                      ? &voice
                            : !strcmp(a, "--pace")                       ? &pace_s
                                                                         : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            voices_usage(stdout);
            return RLX_EXIT_OK;
        } else if (slot) {
            if (i + 1 >= argc) {
                rlx_cli_error("voices: %s needs a value (try 'relax voices --help')", a);
                return RLX_EXIT_USAGE;
            }
            if (*slot) {
                rlx_cli_error("voices: %s given twice", a);
                return RLX_EXIT_USAGE;
            }
            *slot = argv[++i];
        } else {
            rlx_cli_error("voices: unexpected '%s' (try 'relax voices --help')", a);
            return RLX_EXIT_USAGE;
        }
    }
    if (!say) {
        if (out || voice || pace_s) {
            rlx_cli_error("voices: -o, --voice and --pace go with --say TEXT");
            return RLX_EXIT_USAGE;
        }
        return list_voices();
    }
    if (!out) {
        rlx_cli_error("voices: --say needs -o FILE.wav (where to write the sample)");
        return RLX_EXIT_USAGE;
    }
    double pace = 1.0;
    if (pace_s) {
        char *end;
        pace = strtod(pace_s, &end);
        if (end == pace_s || *end || !(pace >= 0.5 && pace <= 2.0)) {
            rlx_cli_error("voices: --pace must be a number from 0.5 to 2, like 1.2");
            return RLX_EXIT_USAGE;
        }
    }
    const rlx_voice_engine *e;
    const char *v;
    if (voice && rlx_voice_lookup(voice, &e, &v) != RLX_OK) {
        char list[512] = "";
        const char *const *specs = rlx_voice_specs();
        for (size_t k = 0; specs[k]; k++)
            if (strchr(specs[k], ':')) {
                strncat(list, list[0] ? ", " : "", sizeof list - strlen(list) - 1);
                strncat(list, specs[k], sizeof list - strlen(list) - 1);
            }
        rlx_cli_error("voices: unknown voice '%s' (expected %s)", voice, list);
        return RLX_EXIT_USAGE;
    }
    float *x;
    size_t n;
    int rate;
    char why[512] = "";
    rlx_err err = rlx_voice_speak(voice, say, pace, &x, &n, &rate, why, sizeof why);
    if (err) {
        rlx_cli_error("voices: cannot speak \"%s\": %s", say, why);
        return err == RLX_ERR_USAGE ? RLX_EXIT_USAGE : rlx_cli_exit_code(err);
    }
    int rc = write_sample(out, x, n, rate);
    free(x);
    if (rc == RLX_EXIT_OK)
        printf("wrote %s (%.1f s at %d Hz)\n", out, (double)n / rate, rate);
    return rc;
}
