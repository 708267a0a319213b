/* cmd_list.c - `relax list`: the program's sessions, week by week. */
#include "cli.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authoring.h"
#include "cli_paths.h"
#include "export/captions_vtt.h"

static void usage(FILE *f)
{
    fputs("Usage: relax list\n"
          "Shows the program (" "$RELAX_PROGRAM, else sessions/ten-weeks.program): each week's\n"
          "session id, title, natural length, the range of lengths it plays at and summary.\n"
          "  --ids   only the ids of every session that can be played by id, one a line\n",
          f);
}

typedef struct {
    char *id, *title, *summary;
    char length[32];
    char range[72];
} row;

static void fill_row(row *r, const rlx_program_entry *e)
{
    strcpy(r->length, "?");
    strcpy(r->range, "?");
    rlx_session *s = NULL;
    rlx_diags d = {0};
    rlx_parse_config cfg = rlx_cli_parse_config(true);
    if (!e->path || rlx_session_parse(e->path, &cfg, &s, &d) != RLX_OK) {
        const char *base = strrchr(e->file ? e->file : "?", '/');
        r->id = strdup(base ? base + 1 : e->file ? e->file : "?");
        char *dot = r->id ? strrchr(r->id, '.') : NULL;
        if (dot)
            *dot = 0;
        r->title = strdup("(invalid: see relax check)");
        rlx_diags_free(&d);
        return;
    }
    /* a session of the user's own with this week's id is the one played */
    char *own = s->id ? rlx_cli_session_override(e->path, s->id) : NULL;
    rlx_session *mine = NULL;
    if (own && rlx_session_parse(own, &cfg, &mine, &d) == RLX_OK) {
        rlx_session_free(s);
        s = mine;
    }
    free(own);
    rlx_diags_free(&d);
    r->id = strdup(s->id ? s->id : "");
    r->title = strdup(s->title ? s->title : "");
    r->summary = s->summary ? strdup(s->summary) : NULL;
    int64_t *ms = NULL, shortest, natural, longest;
    if (rlx_auth_durations(s, &ms, &d) == RLX_OK &&
        rlx_timeline_range(s, ms, 0, &shortest, &natural, &longest, &d) == RLX_OK) {
        char a[32], n[32], b[32];
        rlx_cli_fmt_lengths(shortest, natural, longest, a, n, b);
        snprintf(r->length, sizeof r->length, "%s", n);
        snprintf(r->range, sizeof r->range, "%s-%s", a, b);
    }
    free(ms);
    rlx_diags_free(&d);
    rlx_session_free(s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* --ids: every session id `relax play ID` takes, one a line, for shell
 * completion. The file names are the ids the lookup tries first; no file is
 * parsed, so it stays quick. */
static int list_ids(void)
{
    const char *const *dirs = rlx_cli_session_dirs();
    char **ids = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; dirs[i]; i++) {
        DIR *dh = opendir(dirs[i]);
        struct dirent *e;
        while (dh && (e = readdir(dh))) {
            size_t len = strlen(e->d_name);
            if (e->d_name[0] == '.' || len <= 8 || strcmp(e->d_name + len - 8, ".session"))
                continue;
            if (n == cap) {
                char **more = realloc(ids, (cap = cap ? cap * 2 : 32) * sizeof *ids);
                if (!more)
                    break;
                ids = more;
            }
            if ((ids[n] = strndup(e->d_name, len - 8)))
                n++;
        }
        if (dh)
            closedir(dh);
    }
    if (n)
        qsort(ids, n, sizeof *ids, cmp_str);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(ids[i], ids[i - 1]))   /* the same id in two folders: once */
            puts(ids[i]);
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    return RLX_EXIT_OK;
}

int rlx_cmd_list(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return RLX_EXIT_OK;
        }
        if (!strcmp(argv[i], "--ids") && argc == 2) {
            int rc = rlx_cli_parsed(argv[0]);
            return rc ? rc : list_ids();
        }
        rlx_cli_error("list: unexpected argument '%s' (it takes none)", argv[i]);
        return RLX_EXIT_USAGE;
    }
    int rc = rlx_cli_parsed(argv[0]);
    if (rc)
        return rc;
    rlx_program *p = NULL;
    rc = rlx_cli_load_program(&p);
    if (rc)
        return rc;
    row *rows = calloc(p->nentries ? p->nentries : 1, sizeof *rows);
    if (!rows) {
        rlx_program_free(p);
        return RLX_EXIT_INTERNAL;
    }
    size_t wid = 2, wtitle = 5;
    for (size_t i = 0; i < p->nentries; i++) {
        fill_row(&rows[i], &p->entries[i]);
        size_t a = rlx_auth_width(rows[i].id), b = rlx_auth_width(rows[i].title);
        wid = a > wid ? a : wid;
        wtitle = b > wtitle ? b : wtitle;
    }
    int term = rlx_auth_term_width(STDOUT_FILENO);
    bool tty = term > 0;
    if (tty && wtitle > 40)
        wtitle = 40;
    if (p->title) {
        rlx_auth_put_fit(stdout, p->title, tty ? (size_t)term : 500, false);
        printf(" (%zu week%s)\n\n", p->nentries, p->nentries == 1 ? "" : "s");
    }
    /* week  id  title  length  summary */
    size_t summary_col = 4 + 2 + wid + 2 + wtitle + 2 + 6 + 2 + 15 + 2;
    size_t room = tty && (size_t)term > summary_col + 12 ? (size_t)term - summary_col : 0;
    if (tty)
        fputs("\033[1m", stdout);
    printf("%-4s  ", "week");
    rlx_auth_put_fit(stdout, "id", wid, true);
    fputs("  ", stdout);
    rlx_auth_put_fit(stdout, "title", wtitle, true);
    printf("  %6s  %-15s  summary", "length", "range");
    if (tty)
        fputs("\033[0m", stdout);
    putchar('\n');
    for (size_t i = 0; i < p->nentries; i++) {
        row *r = &rows[i];
        printf("%4zu  ", i + 1);
        rlx_auth_put_fit(stdout, r->id, wid, true);
        fputs("  ", stdout);
        rlx_auth_put_fit(stdout, r->title, wtitle, true);
        printf("  %6s  %-15s  ", r->length, r->range);
        const char *sum = r->summary ? r->summary : "";
        if (!tty || room == 0) {
            rlx_auth_put_fit(stdout, sum, tty ? 12 : strlen(sum) + 1, false);
            putchar('\n');
            continue;
        }
        /* on a terminal the summary wraps in its own column, at most 3 lines */
        size_t n = strlen(sum);
        size_t *st = malloc((n + 1) * sizeof *st), *ln = malloc((n + 1) * sizeof *ln);
        size_t lines = st && ln ? rlx_wrap_text(sum, room, st, ln, n + 1) : 0;
        for (size_t l = 0; l < lines && l < 3; l++) {
            if (l > 0)
                printf("%*s", (int)summary_col, "");
            char *piece = strndup(sum + st[l], ln[l]);
            if (l == 2 && lines > 3) {   /* more than fits: cut with an ellipsis */
                char *more = malloc(ln[l] + 8);
                if (more && piece) {
                    snprintf(more, ln[l] + 8, "%s \xE2\x80\xA6", piece);
                    free(piece);
                    piece = more;
                } else {
                    free(more);
                }
            }
            rlx_auth_put_fit(stdout, piece ? piece : "", room, false);
            free(piece);
            putchar('\n');
        }
        if (lines == 0)
            putchar('\n');
        free(st);
        free(ln);
    }
    for (size_t i = 0; i < p->nentries; i++) {
        free(rows[i].id);
        free(rows[i].title);
        free(rows[i].summary);
    }
    free(rows);
    rlx_program_free(p);
    return RLX_EXIT_OK;
}
