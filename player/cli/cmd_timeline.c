/* cmd_timeline.c - `relax timeline SESSION -o FILE.svg`: draws a session. */
#include "cli.h"

#include <stdlib.h>

#include "authoring.h"
#include "export/timeline_svg.h"

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

static bool scale_option(void *ctx, const char *opt, const char *val)
{
    rlx_svg_config *cfg = ctx;
    char *end;
    double scale = strtod(val, &end);
    if (*end || !(scale >= 5 && scale <= 5000)) {
        rlx_cli_error("timeline: bad %s '%s' (pixels per minute, 5 to 5000)", opt, val);
        return false;
    }
    cfg->px_per_min = scale;
    return true;
}

static rlx_err write_svg(FILE *f, const rlx_session *s, const rlx_timeline *t, void *ctx)
{
    return rlx_timeline_svg_write(f, s, t, ctx);
}

int rlx_cmd_timeline(int argc, char **argv)
{
    static const char *const options[] = {"--scale", NULL};
    rlx_svg_config cfg = {0};
    const rlx_auth_export e = {.name = "timeline", .output = "FILE.svg", .usage = usage,
                               .options = options, .option = scale_option, .write = write_svg,
                               .ctx = &cfg};
    return rlx_auth_export_run(&e, argc, argv);
}
