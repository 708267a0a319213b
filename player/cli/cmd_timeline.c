/* cmd_timeline.c - `relax timeline SESSION -o FILE.svg`: draws a session. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "authoring.h"
#include "session/timeline_svg.h"

static void usage(FILE *f)
{
    fputs("Usage: relax timeline SESSION -o FILE.svg [--length D] [--scale PX]\n"
          "Draws the session for its author: voice cues with captions, silences,\n"
          "the breath wave and levels with ducking, the ambient bed, fades and chimes.\n"
          "  -o, --output FILE   the SVG file to write ('-' for standard output)\n"
          "  --length D          draw the session stretched to D (e.g. '20 min')\n"
          "  --scale PX          pixels per minute (default 80, wider for short sessions)\n",
          f);
}

typedef struct {
    const rlx_session *s;
    const rlx_timeline *t;
    rlx_svg_config cfg;
} svg_job;

static rlx_err write_svg(FILE *f, void *ctx)
{
    svg_job *j = ctx;
    return rlx_timeline_svg_write(f, j->s, j->t, &j->cfg);
}

int rlx_cmd_timeline(int argc, char **argv)
{
    const char *session = NULL, *out = NULL;
    int64_t length_ms = 0;
    double scale = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_val = i + 1 < argc;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return RLX_EXIT_OK;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (!has_val)
                goto missing;
            out = argv[++i];
        } else if (!strcmp(a, "--length")) {
            if (!has_val)
                goto missing;
            if (!rlx_parse_duration_ms(argv[++i], &length_ms) || length_ms <= 0) {
                rlx_cli_error("timeline: bad --length '%s' (try '20 min')", argv[i]);
                return RLX_EXIT_USAGE;
            }
        } else if (!strcmp(a, "--scale")) {
            if (!has_val)
                goto missing;
            char *end;
            scale = strtod(argv[++i], &end);
            if (*end || !(scale >= 5 && scale <= 5000)) {
                rlx_cli_error("timeline: bad --scale '%s' (pixels per minute, 5 to 5000)", argv[i]);
                return RLX_EXIT_USAGE;
            }
        } else if (a[0] == '-' && a[1]) {
            rlx_cli_error("timeline: unknown option '%s'", a);
            usage(stderr);
            return RLX_EXIT_USAGE;
        } else if (!session) {
            session = a;
        } else {
            rlx_cli_error("timeline: one session at a time ('%s' is extra)", a);
            return RLX_EXIT_USAGE;
        }
        continue;
    missing:
        rlx_cli_error("timeline: %s needs a value", a);
        return RLX_EXIT_USAGE;
    }
    if (!session || !out) {
        rlx_cli_error("timeline: %s", !session ? "name a session" : "name the output with -o FILE.svg");
        usage(stderr);
        return RLX_EXIT_USAGE;
    }
    rlx_diags d = {0};
    rlx_session *s = NULL;
    rlx_timeline *t = NULL;
    rlx_err err = rlx_auth_load_timeline(session, length_ms, &s, &t, &d);
    rlx_auth_fill_sources(&d);
    rlx_cli_print_diags(stderr, &d);
    rlx_diags_free(&d);
    if (err)
        return rlx_cli_exit_code(err);
    svg_job job = {.s = s, .t = t, .cfg = {.px_per_min = scale}};
    int rc = rlx_auth_write_output(out, write_svg, &job);
    rlx_timeline_free(t);
    rlx_session_free(s);
    return rc;
}
