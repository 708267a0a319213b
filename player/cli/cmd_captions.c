/* cmd_captions.c - `relax captions SESSION -o FILE.vtt`: WebVTT captions. */
#include "cli.h"

#include "authoring.h"
#include "export/captions_vtt.h"

static void usage(FILE *f)
{
    fputs("Usage: relax captions SESSION -o FILE.vtt [--length D]\n"
          "Writes the spoken text (and the captions of recordings) as WebVTT, timed\n"
          "like a rendering of the session.\n"
          "  -o, --output FILE   the .vtt file to write ('-' for standard output)\n"
          "  --length D          time the captions for the session stretched to D\n",
          f);
}

static rlx_err write_vtt(FILE *f, const rlx_session *s, const rlx_timeline *t, void *ctx)
{
    (void)s, (void)ctx;
    return rlx_vtt_write(f, t);
}

int rlx_cmd_captions(int argc, char **argv)
{
    const rlx_auth_export e = {.name = "captions", .output = "FILE.vtt", .usage = usage, .write = write_vtt};
    return rlx_auth_export_run(&e, argc, argv);
}
