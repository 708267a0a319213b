/* fuzz_writers.c - libFuzzer target: any bytes as a session file; when they
 * parse, the timeline is drawn as SVG and written as WebVTT (with made-up
 * voice lengths), and whatever diagnostics came back are printed the way the
 * CLI prints them (source line and caret). Checks the outputs' framing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/voice.h"
#include "cli/cli.h"
#include "export/captions_vtt.h"
#include "session/session.h"
#include "session/timeline.h"
#include "export/timeline_svg.h"

/* The voice names the parser accepts, without linking the speech engines. */
const char *const *rlx_voice_specs(void)
{
    static const char *const v[] = {"slt", "rms", "awb", "kal16", "flite:slt", "flite:rms", NULL};
    return v;
}

#define CHECK(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s\n", #c); abort(); } } while (0)

static rlx_parse_config cfg = {.asset_dirs = NULL, .check_files = false};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    rlx_session *s = NULL;
    rlx_diags d = {0};
    rlx_session_parse_buffer("fuzz.session", (const char *)data, size, &cfg, &s, &d);
    /* the caret rendering of every diagnostic */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    CHECK(f);
    rlx_cli_print_diags(f, &d);
    fclose(f);
    CHECK(d.count == 0 || len > 0);
    free(buf);
    rlx_diags_free(&d);
    if (!s)
        return 0;
    int64_t *v = malloc((s->ncues + 1) * sizeof *v);
    for (size_t i = 0; i < s->ncues; i++)
        v[i] = rlx_cue_is_voice(&s->cues[i]) ? (int64_t)((i * 7919 + size) % 20000) : -1;
    rlx_timeline *t = NULL;
    rlx_diags d2 = {0};
    if (rlx_timeline_build(s, v, 0, 8000, &t, &d2) == RLX_OK) {
        f = open_memstream(&buf, &len);
        CHECK(f);
        rlx_err e = rlx_vtt_write(f, t);
        fclose(f);
        CHECK(e == RLX_OK && len >= 6 && !memcmp(buf, "WEBVTT", 6));
        CHECK(strlen(buf) == len); /* no NUL bytes in the text */
        free(buf);
        rlx_svg_config sc = {.px_per_min = 5 + (double)(size % 200)};
        f = open_memstream(&buf, &len);
        CHECK(f);
        e = rlx_timeline_svg_write(f, s, t, &sc);
        fclose(f);
        CHECK(e == RLX_OK);
        CHECK(strlen(buf) == len);
        CHECK(strstr(buf, "<svg") && len > 7 && strstr(buf + len - 8, "</svg>"));
        /* every '<' in text is escaped: the number of '<' and '>' agree */
        size_t lt = 0, gt = 0;
        for (size_t k = 0; k < len; k++)
            lt += buf[k] == '<', gt += buf[k] == '>';
        CHECK(lt == gt);
        free(buf);
        rlx_timeline_free(t);
    }
    rlx_diags_free(&d2);
    free(v);
    rlx_session_free(s);
    return 0;
}
