/* cmd_script.c - `relax script SESSION -o FILE`: the narrator's recording
 * script, numbered lines with where they fall and the pauses after them, as
 * plain text (.txt, or '-' for standard output) or a printable HTML page
 * (.html). Written whole to a temp file and renamed into place. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "script_lines.h"
#include "session/recording.h"
#include "store/take_file.h"

static void usage(FILE *f)
{
    fputs("Usage: relax script SESSION -o FILE\n"
          "Writes a recording script for SESSION: every spoken line numbered, with\n"
          "where it falls, the pause after it and whether it is recorded yet.\n"
          "  -o, --output FILE   FILE.txt for plain text, FILE.html for a printable\n"
          "                      page, '-' for text on standard output\n"
          "Each line shows the file its take belongs in (recordings/ID/say-*.flac next\n"
          "to the session); relax record puts it there, or save one there yourself.\n"
          "Exit status: 0 written, 2 usage, 3 invalid session, 5 cannot write.\n",
          f);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcasecmp(s + n - m, suffix);
}

static void html_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* recordings/<id>/say-<hash>.flac: where a take made with any other tool
 * goes so render picks it up. */
static const char *rel_name(const rlx_session *s, const rlx_script_line *l)
{
    static char buf[512];
    const char *slash = strrchr(l->rec_path, '/');
    snprintf(buf, sizeof buf, "%s/%s/%s", RLX_RECORDINGS_DIR, s->id, slash ? slash + 1 : l->rec_path);
    return buf;
}

static void write_text(FILE *f, const rlx_session *s, const rlx_script_line *v, size_t n,
                       const char *pace)
{
    fprintf(f, "Recording script: %s (%s)\n", s->title ? s->title : "", s->id ? s->id : "");
    fprintf(f, "Pace: %s. Level: %g LUFS (relax record sets it for you).\n", pace, s->voice_lufs);
    fprintf(f, "Record each line on its own; leave a second of quiet before and after.\n\n");
    for (size_t i = 0; i < n; i++) {
        const rlx_script_line *l = &v[i];
        fprintf(f, "%3d. [%s]%s\n     %s\n", l->number, l->where, l->recorded ? " (recorded)" : "",
                l->cue->text);
        if (l->pause[0])
            fprintf(f, "     (%s)\n", l->pause);
        if (l->rec_path && !l->own_file)
            fprintf(f, "     file: %s\n", rel_name(s, l));
        fputc('\n', f);
    }
}

static void write_html(FILE *f, const rlx_session *s, const rlx_script_line *v, size_t n,
                       const char *pace)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Recording script: ", f);
    html_text(f, s->title ? s->title : "");
    fputs("</title>\n<style>\n"
          "body{font-family:Georgia,serif;max-width:40em;margin:2em auto;line-height:1.5;color:#222}\n"
          "ol{padding-left:2.5em} li{margin:0 0 1.4em;page-break-inside:avoid}\n"
          ".line{font-size:1.35em} .where,.pause{color:#666;font-size:.9em;font-style:italic}\n"
          ".done{color:#2a7a2a;font-size:.9em}\n"
          "@media print{body{margin:0} a{color:inherit}}\n"
          "</style></head><body>\n<h1>", f);
    html_text(f, s->title ? s->title : "");
    fputs("</h1>\n<p>Session <code>", f);
    html_text(f, s->id ? s->id : "");
    fputs("</code>. Pace: ", f);
    html_text(f, pace);
    fprintf(f, ". Level: %g LUFS (relax record sets it for you). Record each line on its own; "
               "leave a second of quiet before and after.</p>\n<ol>\n", s->voice_lufs);
    for (size_t i = 0; i < n; i++) {
        const rlx_script_line *l = &v[i];
        fprintf(f, "<li value=\"%d\"><div class=\"where\">", l->number);
        html_text(f, l->where);
        fputs("</div><div class=\"line\">", f);
        html_text(f, l->cue->text);
        fputs("</div>", f);
        if (l->pause[0]) {
            fputs("<div class=\"pause\">(", f);
            html_text(f, l->pause);
            fputs(")</div>", f);
        }
        if (l->recorded)
            fputs("<div class=\"done\">recorded</div>", f);
        if (l->rec_path && !l->own_file) {
            fputs("<div class=\"where\">file: <code>", f);
            html_text(f, rel_name(s, l));
            fputs("</code></div>", f);
        }
        fputs("</li>\n", f);
    }
    fputs("</ol>\n</body></html>\n", f);
}

int rlx_cmd_script(int argc, char **argv)
{
    const char *session = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return RLX_EXIT_OK;
        } else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
            if (++i >= argc) {
                rlx_cli_error("%s needs a file name", argv[i - 1]);
                return RLX_EXIT_USAGE;
            }
            out = argv[i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            rlx_cli_error("unknown option '%s' (relax script --help)", argv[i]);
            return RLX_EXIT_USAGE;
        } else if (!session) {
            session = argv[i];
        } else {
            rlx_cli_error("one session at a time ('%s' is extra)", argv[i]);
            return RLX_EXIT_USAGE;
        }
    }
    if (!session || !out) {
        rlx_cli_error(!session ? "script: name a SESSION, like: relax script week-03 -o week-03.txt"
                               : "script: name the output with -o FILE.txt or FILE.html (or - for standard output)");
        return RLX_EXIT_USAGE;
    }
    bool html = ends_with(out, ".html") || ends_with(out, ".htm");
    if (strcmp(out, "-") && !html && !ends_with(out, ".txt")) {
        rlx_cli_error("'%s': name the script FILE.txt or FILE.html", out);
        return RLX_EXIT_USAGE;
    }
    int orc = rlx_cli_parsed(argv[0]);
    if (orc)
        return orc;
    rlx_session *s = NULL;
    orc = rlx_cli_open_session(session, &s);
    if (orc)
        return orc;
    rlx_script_line *v = NULL;
    size_t n = 0;
    char pace[96];
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = NULL;
    int code = RLX_EXIT_INTERNAL;
    if (rlx_script_lines(s, &v, &n) != RLX_OK || !(mem = open_memstream(&buf, &len))) {
        rlx_cli_error("out of memory");
        goto done;
    }
    rlx_script_pace_hint(s, pace, sizeof pace);
    if (html)
        write_html(mem, s, v, n, pace);
    else
        write_text(mem, s, v, n, pace);
    if (fclose(mem)) {
        mem = NULL;
        rlx_cli_error("out of memory");
        goto done;
    }
    mem = NULL;
    if (!strcmp(out, "-")) {
        fwrite(buf, 1, len, stdout);
        code = fflush(stdout) ? RLX_EXIT_OUTPUT : RLX_EXIT_OK;
        goto done;
    }
    char why[512];
    rlx_err err = rlx_file_write_atomic(out, buf, len, why, sizeof why);
    if (err) {
        rlx_cli_error("%s", why);
        code = RLX_EXIT_OUTPUT;
        goto done;
    }
    fprintf(stderr, "relax: wrote %s (%zu line%s)\n", out, n, n == 1 ? "" : "s");
    code = RLX_EXIT_OK;
done:
    if (mem)
        fclose(mem);
    free(buf);
    rlx_script_lines_free(v, n);
    rlx_session_free(s);
    return code;
}
