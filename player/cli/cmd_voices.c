/* cmd_voices.c - `relax voices`: the voice engines and voices on this
 * machine, and `relax voices --say TEXT [-o FILE]` to hear or keep a sample. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sndfile.h>

#include "audio/voice.h"
#include "core/outfile.h"
#include "play.h"
#include "sink/sink_device.h"

static void voices_usage(FILE *f)
{
    fprintf(f,
            "Usage: relax voices\n"
            "       relax voices --say TEXT [-o FILE] [--voice VOICE] [--pace P] [--device D]\n"
            "\n"
            "Lists the voice engines and their voices, marking the default and\n"
            "saying what to install for those that are missing. With --say, speaks\n"
            "TEXT on the audio device, or writes it to FILE (.wav or .flac).\n"
            "\n"
            "Options:\n"
            "  --say TEXT          the text to speak\n"
            "  -o, --output FILE   write the sample to FILE (.wav or .flac) instead of playing it\n"
            "  --device D          the output device to play it on (as for 'relax play')\n"
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

/* Writes samples to path (.wav or .flac, 16-bit, or .ogg) through core/outfile, so a
 * failure never leaves half a file. */
static int write_sample(const char *path, const float *x, size_t n, int rate)
{
    const char *dot = strrchr(path, '.');
    int fmt;
    if (dot && !strcasecmp(dot, ".wav"))
        fmt = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
    else if (dot && !strcasecmp(dot, ".flac"))
        fmt = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
    else if (dot && !strcasecmp(dot, ".ogg"))
        fmt = SF_FORMAT_OGG | SF_FORMAT_VORBIS;
    else {
        rlx_cli_error("voices: a sample is written as .wav, .flac or .ogg, not '%s'", path);
        return RLX_EXIT_USAGE;
    }
    char why[512];
    rlx_outfile *o;
    int fd;
    rlx_err err = rlx_outfile_open(path, &o, &fd, why, sizeof why);
    if (err) {
        rlx_cli_error("voices: %s", why);
        return rlx_cli_exit_code(err);
    }
    SF_INFO info = {.samplerate = rate, .channels = 1, .format = fmt};
    SNDFILE *sf = sf_open_fd(fd, SFM_WRITE, &info, SF_FALSE);
    if (!sf) {
        rlx_cli_error("voices: cannot write %s: %s", path, sf_strerror(NULL));
        rlx_outfile_abandon(o);
        return RLX_EXIT_OUTPUT;
    }
    sf_command(sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
    sf_count_t put = sf_writef_float(sf, x, (sf_count_t)n);
    int cerr = sf_close(sf);
    int e = 0;
    if (put != (sf_count_t)n || cerr != 0) {
        rlx_outfile_abandon(o);
        err = RLX_ERR_DISK_FULL;
    } else {
        err = rlx_outfile_commit(o, &e);
    }
    if (err) {
        rlx_cli_error("voices: cannot write %s: %s", path, e ? strerror(e) : "write failed (disk full?)");
        return rlx_cli_exit_code(err);
    }
    return RLX_EXIT_OK;
}

/* Hearing a sample: the line becomes a one-line session (voice only, no
 * tone or bed) in a private temporary folder, played as `relax play` plays
 * any session, so the sample sounds exactly as it would in a session. */
static int play_sample(const char *say, const char *voice, double pace, const char *device)
{
    rlx_device_info *devs = NULL;
    size_t ndevs = 0;
    bool none = rlx_device_list(&devs, &ndevs) == RLX_OK && ndevs == 0;
    free(devs);
    if (none) {
        rlx_cli_error("voices: no audio output device to play the sample on; add -o FILE.wav to keep it instead");
        return RLX_EXIT_NO_DEVICE;
    }
    char dir[] = "/tmp/relax-voice-XXXXXX";
    const char *tmp = getenv("TMPDIR");
    char dbuf[512];
    if (tmp && *tmp == '/' && snprintf(dbuf, sizeof dbuf, "%s/relax-voice-XXXXXX", tmp) < (int)sizeof dbuf) {
        if (!mkdtemp(dbuf)) {
            rlx_cli_error("voices: cannot make a temporary folder in %s: %s", tmp, strerror(errno));
            return RLX_EXIT_OUTPUT;
        }
    } else if (!mkdtemp(dir)) {
        rlx_cli_error("voices: cannot make a temporary folder in /tmp: %s", strerror(errno));
        return RLX_EXIT_OUTPUT;
    } else {
        snprintf(dbuf, sizeof dbuf, "%s", dir);
    }
    char path[600];
    snprintf(path, sizeof path, "%s/sample.session", dbuf);
    FILE *f = fopen(path, "w");
    if (!f) {
        rlx_cli_error("voices: cannot write %s: %s", path, strerror(errno));
        rmdir(dbuf);
        return RLX_EXIT_OUTPUT;
    }
    fprintf(f, "[session]\nid = voice-sample\ntitle = \"Voice sample\"\n\n[voice]\n");
    fprintf(f, "tts-voice = %s\npace = %.3f\n\n[breath]\nlevel = off\n\n[timeline]\n0:00  say \"",
            voice && *voice ? voice : RLX_VOICE_DEFAULT, pace);
    for (const char *c = say; *c; c++) {
        if (*c == '"' || *c == '\\')
            fputc('\\', f);
        fputc(*c == '\n' || *c == '\r' || *c == '\t' ? ' ' : *c, f);
    }
    fprintf(f, "\"\n+0.5 s  end\n");
    int rc = fclose(f) == 0 ? RLX_EXIT_OK : RLX_EXIT_OUTPUT;
    if (rc == RLX_EXIT_OK) {
        rlx_play_opts po = rlx_play_opts_init();
        po.device = device;
        rc = rlx_cli_play(path, &po);
    } else {
        rlx_cli_error("voices: cannot write %s: %s", path, strerror(errno));
    }
    unlink(path);
    rmdir(dbuf);
    return rc;
}

int rlx_cmd_voices(int argc, char **argv)
{
    const char *say = NULL, *out = NULL, *voice = NULL, *pace_s = NULL, *device = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = !strcmp(a, "--say")                          ? &say
                            : !strcmp(a, "-o") || !strcmp(a, "--output") ? &out
                            : !strcmp(a, "--voice")                      ? &voice
                            : !strcmp(a, "--pace")                       ? &pace_s
                            : !strcmp(a, "--device")                     ? &device
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
        if (out || voice || pace_s || device) {
            rlx_cli_error("voices: -o, --voice, --pace and --device go with --say TEXT");
            return RLX_EXIT_USAGE;
        }
        int rc = rlx_cli_parsed(argv[0]);
        return rc ? rc : list_voices();
    }
    if (!*say) {
        rlx_cli_error("voices: --say needs some text to speak, like --say \"Breathing in.\"");
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
    int rc = rlx_cli_parsed(argv[0]);
    if (rc)
        return rc;
    if (!out)
        return play_sample(say, voice, pace, device);
    float *x;
    size_t n;
    int rate;
    char why[512] = "";
    rlx_err err = rlx_voice_speak(voice, say, pace, &x, &n, &rate, why, sizeof why);
    if (err) {
        rlx_cli_error("voices: cannot speak \"%s\": %s", say, why);
        return err == RLX_ERR_USAGE ? RLX_EXIT_USAGE : rlx_cli_exit_code(err);
    }
    rc = write_sample(out, x, n, rate);
    free(x);
    if (rc == RLX_EXIT_OK)
        printf("wrote %s (%.1f s at %d Hz)\n", out, (double)n / rate, rate);
    return rc;
}
