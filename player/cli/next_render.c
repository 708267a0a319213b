/* next_render.c - the first run without a sound card: a week rendered to
 * the music folder as Ogg Vorbis, and remembered. */
#include "next_render.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_paths.h"

/* Ogg Vorbis, not WAV: a week is about 16 MB instead of 260 MB, and every
 * phone, browser and desktop player plays it. (libsndfile 1.2 writes Opus
 * too, but `relax render` already writes Vorbis and players take it more
 * widely.) */
#define RLX_NEXT_RENDER_EXT "ogg"

/* The program that ships (sessions/ten-weeks.program): its weeks' files
 * need no program id in their names. */
#define RLX_DEFAULT_PROGRAM_ID "ten-weeks"

/* The start of a week's file name: "relax-" for the default profile and
 * program, else with the program's id and the profile's name in it, so
 * that a profile's or a program's week is never taken for another's:
 * "relax-anna-", "relax-evening-anna-". */
static void name_prefix(char *buf, size_t len, const rlx_cli_progress *p, const char *profile)
{
    const char *prog = p->program && p->program->id ? p->program->id : RLX_DEFAULT_PROGRAM_ID;
    size_t o = (size_t)snprintf(buf, len, "relax-");
    if (strcmp(prog, RLX_DEFAULT_PROGRAM_ID) && o + strlen(prog) + 2 < len)
        o += (size_t)snprintf(buf + o, len - o, "%s-", prog);   /* an id is a-z, 0-9 and '-' */
    if (profile && strcmp(profile, "default")) {
        /* a profile's name may hold anything printable: what a file name
         * would not take (or a shell would trip on) becomes '-' */
        for (const unsigned char *c = (const unsigned char *)profile; *c && o + 3 < len; c++)
            buf[o++] = (isalnum(*c) || *c == '.' || *c == '_' || *c == '-' || *c >= 0x80) ? (char)*c : '-';
        buf[o++] = '-';
        buf[o] = 0;
    }
}

/* dir/PREFIXweek-03.ogg, or dir/PREFIXweek-03-N.ogg; a bare name when dir is "." */
static void default_name(char *buf, size_t len, const char *dir, const char *prefix, int week, int n)
{
    bool here = !strcmp(dir, ".");
    char num[16] = "";
    if (n >= 2)
        snprintf(num, sizeof num, "-%d", n);
    int k = snprintf(buf, len, "%s%s%sweek-%02d%s.%s", here ? "" : dir, here ? "" : "/", prefix, week + 1, num,
                     RLX_NEXT_RENDER_EXT);
    if (k < 0 || (size_t)k >= len)
        buf[0] = 0;   /* too long a path: nothing there, and render says so */
}

int rlx_cli_next_render(const rlx_cli_store_opts *o, const char *profile, const rlx_cli_progress *p,
                        int week, const char *out, const char *length_arg, const char *tail_arg,
                        const char *bed_arg, bool length_remembered, bool no_device)
{
    char music[PATH_MAX], path[PATH_MAX + 64], day[64];
    if (!out) {
        char prefix[160];
        name_prefix(prefix, sizeof prefix, p, profile);
        rlx_cli_music_dir(music, sizeof music);
        /* rendered before and not heard since: that file is still the one to
         * play (unless another --length asks for a new one) */
        int64_t when = p->rendered_ms[week];
        if (when && no_device && (!length_arg || length_remembered)) {
            int last = 0;
            for (int n = 1; n < 1000; n++) {
                default_name(path, sizeof path, music, prefix, week, n);
                if (access(path, F_OK) != 0)
                    break;
                last = n;
            }
            if (last) {
                default_name(path, sizeof path, music, prefix, week, last);
                printf("No audio device found. Week %d is waiting for you in %s (rendered on %s, not heard yet): "
                       "play it whenever you are ready. 'relax next -o FILE' renders it again.\n",
                       week + 1, path, rlx_cli_fmt_day(when, day, sizeof day));
                return RLX_EXIT_OK;
            }
        }
        /* never replace a file the listener already has */
        int n = 1;
        default_name(path, sizeof path, music, prefix, week, n);
        while (access(path, F_OK) == 0 && n < 1000)
            default_name(path, sizeof path, music, prefix, week, ++n);
        out = path;
    }
    char *argv[10] = {"render", p->weeks[week].path, "-o", (char *)out};
    int argc = 4;
    if (length_arg) {
        argv[argc++] = "--length";
        argv[argc++] = (char *)length_arg;
    }
    if (tail_arg) {
        argv[argc++] = "--tail";
        argv[argc++] = (char *)tail_arg;
    }
    if (bed_arg) {
        argv[argc++] = "--bed";
        argv[argc++] = (char *)bed_arg;
    }
    argv[argc] = NULL;
    /* a remembered length may have been brought into the week's range: the
     * listen records the length rendered */
    int64_t rendered_ms = 0;
    int rc = length_remembered ? rlx_cli_render_remembered(argc, argv, &rendered_ms) : rlx_cmd_render(argc, argv);
    if (rc != RLX_EXIT_OK)
        return rc;
    if (no_device)
        printf("No audio device found: rendered week %d to %s instead.\n", week + 1, out);
    else
        printf("Rendered week %d to %s.\n", week + 1, out);
    /* an offline listen: progress shows "rendered, not yet heard" */
    int64_t length = 0;
    if (length_arg && !rlx_parse_duration_ms(length_arg, &length))
        length = 0;
    if (length_remembered && rendered_ms > 0)
        length = rendered_ms;
    rc = rlx_cli_record_render(o, profile, p->weeks[week].path, length);
    if (rc == RLX_EXIT_OK)
        printf("Play it whenever you are ready; 'relax progress' shows week %d as rendered, not yet heard.\n",
               week + 1);
    return rc;
}
