/* cmd_progress.c - `relax progress`: the program as a table or JSON. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_store.h"

#define RLX_PROGRESS_JSON_FORMAT 1   /* bump only on incompatible changes */

static void usage(FILE *f)
{
    fprintf(f, "Usage: relax progress [--profile NAME] [--store PATH|URI] [--json]\n"
               "Shows each week of the program: done, in progress, open, opening soon or locked;\n"
               "the time listened and the current run of weeks kept on schedule.\n");
}

static void print_json(const rlx_cli_progress *p, const char *profile)
{
    char t[64];
    printf("{\n  \"format\": %d,\n  \"profile\": ", RLX_PROGRESS_JSON_FORMAT);
    rlx_cli_json_str(stdout, profile);
    printf(",\n  \"program\": ");
    rlx_cli_json_str(stdout, p->program->id);
    printf(",\n  \"now\": \"%s\",\n  \"weeks\": [\n", rlx_cli_fmt_iso(p->now_ms, t, sizeof t));
    for (size_t i = 0; i < p->n; i++) {
        const rlx_week_status *w = &p->status[i];
        printf("    {\"week\": %zu, \"session\": ", i + 1);
        rlx_cli_json_str(stdout, p->weeks[i].id);
        printf(", \"title\": ");
        rlx_cli_json_str(stdout, p->weeks[i].title);
        printf(", \"status\": \"%s\"", rlx_week_state_name(w->state));
        if (w->state == RLX_WEEK_DONE)
            printf(", \"completed\": \"%s\", \"on_schedule\": %s", rlx_cli_fmt_iso(w->completed_ms, t, sizeof t),
                   w->on_schedule ? "true" : "false");
        else
            printf(", \"completed\": null, \"on_schedule\": null");
        if (w->state == RLX_WEEK_IN_PROGRESS)
            printf(", \"position_ms\": %lld, \"length_ms\": %lld", (long long)w->resume_ms,
                   (long long)w->length_ms);
        else
            printf(", \"position_ms\": null, \"length_ms\": null");
        if (w->opens_ms > 0)
            printf(", \"opens\": \"%s\"", rlx_cli_fmt_iso(w->opens_ms, t, sizeof t));
        else
            printf(", \"opens\": null");
        if (p->rendered_ms[i])
            printf(", \"rendered\": \"%s\"", rlx_cli_fmt_iso(p->rendered_ms[i], t, sizeof t));
        else
            printf(", \"rendered\": null");
        printf("}%s\n", i + 1 < p->n ? "," : "");
    }
    printf("  ],\n  \"weeks_done\": %zu,\n  \"weeks_total\": %zu,\n  \"listens\": %zu,\n"
           "  \"listened_ms\": %lld,\n  \"current_run\": %d,\n  \"next\": ",
           p->sum.done, p->n, p->listens, (long long)p->listened_ms, p->sum.run);
    if (p->sum.next >= 0)
    {
        printf("{\"week\": %d, \"session\": ", p->sum.next + 1);
        rlx_cli_json_str(stdout, p->weeks[p->sum.next].id);
        printf(", \"resume\": %s}", p->sum.resume ? "true" : "false");
    }
    else
        printf("null");
    printf(",\n  \"waiting\": ");
    if (p->sum.waiting >= 0)
    {
        printf("{\"week\": %d, \"session\": ", p->sum.waiting + 1);
        rlx_cli_json_str(stdout, p->weeks[p->sum.waiting].id);
        printf(", \"opens\": \"%s\"}", rlx_cli_fmt_iso(p->sum.waiting_opens_ms, t, sizeof t));
    }
    else
        printf("null");
    printf(",\n  \"all_done\": %s", p->sum.all_done ? "true" : "false");
    printf(",\n  \"last_room\": ");   /* added keys go last */
    rlx_cli_json_str(stdout, p->last_room);
    printf("\n}\n");
}

static void print_table(const rlx_cli_progress *p, const char *profile)
{
    char a[64], b[64];
    printf("Profile %s: %s\n\n", profile, p->program->title ? p->program->title : p->program->id);
    for (size_t i = 0; i < p->n; i++) {
        const rlx_week_status *w = &p->status[i];
        char status[160];
        switch (w->state) {
        case RLX_WEEK_DONE:
            snprintf(status, sizeof status, "done on %s", rlx_cli_fmt_date(w->completed_ms, a, sizeof a));
            break;
        case RLX_WEEK_IN_PROGRESS:
            snprintf(status, sizeof status, "in progress at %s of %s", rlx_cli_fmt_time(w->resume_ms, a, sizeof a),
                     rlx_cli_fmt_time(w->length_ms, b, sizeof b));
            break;
        case RLX_WEEK_OPEN:
            if (p->rendered_ms[i])
                snprintf(status, sizeof status, "rendered, not yet heard");
            else
                snprintf(status, sizeof status, "open");
            break;
        case RLX_WEEK_OPENS_LATER:
            snprintf(status, sizeof status, "opens on %s", rlx_cli_fmt_date(w->opens_ms, a, sizeof a));
            break;
        default:
            snprintf(status, sizeof status, "locked");
        }
        const char *title = p->weeks[i].title ? p->weeks[i].title : p->weeks[i].id;
        int tw = (int)strlen(title) > 40 ? 40 : (int)strlen(title);
        printf("  Week %2zu  %-40.*s  %s\n", i + 1, tw, title, status);
    }
    printf("\nWeeks done: %zu of %zu\n", p->sum.done, p->n);
    printf("Time listened: %s in %zu listen%s\n", rlx_cli_fmt_time(p->listened_ms, a, sizeof a), p->listens,
           p->listens == 1 ? "" : "s");
    printf("Current run: %d week%s on schedule\n", p->sum.run, p->sum.run == 1 ? "" : "s");
}

int rlx_cmd_progress(int argc, char **argv)
{
    rlx_cli_store_opts o;
    int rc = rlx_cli_store_args(argc, argv, "profile store json", &o);
    if (rc)
        return rc;
    if (o.help) {
        usage(stdout);
        return RLX_EXIT_OK;
    }
    if ((rc = rlx_cli_parsed(argv[0])))
        return rc;
    const char *profile = rlx_store_resolve_profile(o.profile);
    rlx_store *st;
    if ((rc = rlx_cli_store_open_existing(&o, &st)))
        return rc;
    rlx_cli_note_unknown_profile(st, profile);
    rlx_cli_progress p;
    rc = rlx_cli_progress_load(st, profile, false, &p);
    rlx_store_close(st);
    if (rc)
        return rc;
    if (o.json)
        print_json(&p, profile);
    else
        print_table(&p, profile);
    rlx_cli_progress_free(&p);
    return fflush(stdout) == 0 ? RLX_EXIT_OK : RLX_EXIT_OUTPUT;
}
