/* cmd_captions.c - `relax captions SESSION -o FILE.vtt`: WebVTT captions. */
#include "cli.h"

#include <string.h>

#include "authoring.h"
#include "session/captions_vtt.h"

static void usage(FILE *f)
{
    fputs("Usage: relax captions SESSION -o FILE.vtt [--length D]\n"
          "Writes the spoken text (and the captions of recordings) as WebVTT, timed\n"
          "like a rendering of the session.\n"
          "  -o, --output FILE   the .vtt file to write ('-' for standard output)\n"
          "  --length D          time the captions for the session stretched to D\n",
          f);
}

static rlx_err write_vtt(FILE *f, void *ctx)
{
    return rlx_vtt_write(f, ctx);
}

int rlx_cmd_captions(int argc, char **argv)
{
    const char *session = NULL, *out = NULL;
    int64_t length_ms = 0;
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
                rlx_cli_error("captions: bad --length '%s' (try '20 min')", argv[i]);
                return RLX_EXIT_USAGE;
            }
        } else if (a[0] == '-' && a[1]) {
            rlx_cli_error("captions: unknown option '%s'", a);
            usage(stderr);
            return RLX_EXIT_USAGE;
        } else if (!session) {
            session = a;
        } else {
            rlx_cli_error("captions: one session at a time ('%s' is extra)", a);
            return RLX_EXIT_USAGE;
        }
        continue;
    missing:
        rlx_cli_error("captions: %s needs a value", a);
        return RLX_EXIT_USAGE;
    }
    if (!session || !out) {
        rlx_cli_error("captions: %s", !session ? "name a session" : "name the output with -o FILE.vtt");
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
    int rc = rlx_auth_write_output(out, write_vtt, t);
    rlx_timeline_free(t);
    rlx_session_free(s);
    return rc;
}
