/* next_render.c - the first run without a sound card: a week rendered to
 * the music folder as Ogg Vorbis, and remembered. */
#include "next_render.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_paths.h"

/* Ogg Vorbis, not WAV: a week is about 13 MB instead of 240 MB, and every
 * phone, browser and desktop player plays it. (libsndfile 1.2 writes Opus
 * too, but `relax render` already writes Vorbis and players take it more
 * widely.) */
#define RLX_NEXT_RENDER_EXT "ogg"

/* dir/relax-week-03.ogg, or dir/relax-week-03-N.ogg; a bare name when dir is "." */
static void default_name(char *buf, size_t len, const char *dir, int week, int n)
{
    bool here = !strcmp(dir, ".");
    char num[16] = "";
    if (n >= 2)
        snprintf(num, sizeof num, "-%d", n);
    snprintf(buf, len, "%s%srelax-week-%02d%s.%s", here ? "" : dir, here ? "" : "/", week + 1, num,
             RLX_NEXT_RENDER_EXT);
}

int rlx_cli_next_render(const rlx_cli_store_opts *o, const char *profile, const rlx_cli_progress *p,
                        int week, const char *out, const char *length_arg, const char *tail_arg,
                        const char *bed_arg, bool length_remembered, bool no_device)
{
    char music[PATH_MAX], path[PATH_MAX + 64], day[64];
    if (!out) {
        rlx_cli_music_dir(music, sizeof music);
        /* rendered before and not heard since: that file is still the one to
         * play (unless another --length asks for a new one) */
        int64_t when = p->rendered_ms[week];
        if (when && no_device && (!length_arg || length_remembered)) {
            int last = 0;
            for (int n = 1; n < 1000; n++) {
                default_name(path, sizeof path, music, week, n);
                if (access(path, F_OK) != 0)
                    break;
                last = n;
            }
            if (last) {
                default_name(path, sizeof path, music, week, last);
                printf("No audio device found. Week %d is waiting for you in %s (rendered on %s, not heard yet): "
                       "play it whenever you are ready. 'relax next -o FILE' renders it again.\n",
                       week + 1, path, rlx_cli_fmt_day(when, day, sizeof day));
                return RLX_EXIT_OK;
            }
        }
        /* never replace a file the listener already has */
        int n = 1;
        default_name(path, sizeof path, music, week, n);
        while (access(path, F_OK) == 0 && n < 1000)
            default_name(path, sizeof path, music, week, ++n);
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
