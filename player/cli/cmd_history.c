/* cmd_history.c - `relax history`: every listen, as a table or RFC 4180 CSV. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "authoring.h"
#include "cli_store.h"

/* RFC 4180: quote a field holding a comma, quote, CR or LF; double the quotes. */
static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void print_csv(const rlx_listen_rec *r, size_t n)
{
    char a[64], b[64];
    fputs("profile,session,week,session_hash,length_ms,started,ended,from_ms,position_ms,"
          "furthest_ms,played_ms,completed,finished,room,rendered\r\n", stdout);   /* new columns go last */
    for (size_t i = 0; i < n; i++) {
        csv_field(stdout, r[i].profile);
        fputc(',', stdout);
        csv_field(stdout, r[i].session_id);
        printf(",%d,", r[i].week);
        csv_field(stdout, r[i].session_hash);
        printf(",%lld,%s,%s,%lld,%lld,%lld,%lld,%d,%d,", (long long)r[i].length_ms,
               rlx_cli_fmt_iso(r[i].started_ms, a, sizeof a), rlx_cli_fmt_iso(r[i].ended_ms, b, sizeof b),
               (long long)r[i].from_ms, (long long)r[i].position_ms, (long long)r[i].furthest_ms,
               (long long)r[i].played_ms, r[i].completed, r[i].finished);
        csv_field(stdout, r[i].room ? r[i].room : "");
        printf(",%d\r\n", r[i].rendered);
    }
}

static void print_table(const rlx_listen_rec *r, size_t n, bool all)
{
    char d[64], pos[32], len[32], played[32];
    if (n == 0) {
        printf("No listens yet.\n");
        return;
    }
    bool rooms = false;   /* a ROOM column only where rooms are used */
    for (size_t i = 0; i < n; i++)
        rooms |= r[i].room != NULL;
    if (all)
        printf("%-16s  ", "PROFILE");
    printf("%-22s  %-12s  %-17s  %s%s\n", "STARTED", "SESSION", "REACHED", "HEARD",
           rooms ? "                  ROOM" : "");
    for (size_t i = 0; i < n; i++) {
        time_t secs = (time_t)(r[i].started_ms / 1000);
        struct tm tm;
        char hm[16];
        localtime_r(&secs, &tm);
        strftime(hm, sizeof hm, " %H:%M", &tm);
        rlx_cli_fmt_date(r[i].started_ms, d, sizeof d);
        strncat(d, hm, sizeof d - strlen(d) - 1);
        char reached[64];
        snprintf(reached, sizeof reached, "%s of %s", rlx_cli_fmt_time(r[i].position_ms, pos, sizeof pos),
                 rlx_cli_fmt_time(r[i].length_ms, len, sizeof len));
        if (all) {   /* by characters, not bytes: "Zoë" lines up */
            rlx_auth_put_fit(stdout, r[i].profile, 16, true);
            fputs("  ", stdout);
        }
        const char *how = r[i].rendered ? "rendered to a file, not heard"
                        : r[i].completed ? "completed" : r[i].finished ? "stopped" : "interrupted";
        printf("%-22s  %-12s  %-17s  %-8s  ", d, r[i].session_id, reached,
               rlx_cli_fmt_time(r[i].played_ms, played, sizeof played));
        if (rooms && r[i].room) {
            printf("%-11s  ", how);
            rlx_auth_put_fit(stdout, r[i].room, 16, false);
            fputc('\n', stdout);
        } else {
            printf("%s\n", how);
        }
    }
}

int rlx_cmd_history(int argc, char **argv)
{
    rlx_cli_store_opts o;
    int rc = rlx_cli_store_args(argc, argv, "profile store csv all", &o);
    if (rc)
        return rc;
    if (o.help) {
        printf("Usage: relax history [--profile NAME | --all] [--store PATH|URI] [--csv]\n"
               "Every listen of a profile (--all: of every profile), oldest first, with the room\n"
               "it was played in when rooms are used (--room, RELAX_ROOM).\n"
               "--csv writes RFC 4180 CSV with a header line.\n");
        return RLX_EXIT_OK;
    }
    if (o.all && o.profile) {
        rlx_cli_error("history: give --profile or --all, not both");
        return RLX_EXIT_USAGE;
    }
    if ((rc = rlx_cli_parsed(argv[0])))
        return rc;
    rlx_store *st;
    if ((rc = rlx_cli_store_open_existing(&o, &st)))
        return rc;
    if (!o.all)
        rlx_cli_note_unknown_profile(st, rlx_store_resolve_profile(o.profile));
    rlx_listen_rec *recs;
    size_t n;
    char why[1024];
    rlx_err err = rlx_store_listens(st, o.all ? NULL : rlx_store_resolve_profile(o.profile), NULL, &recs, &n,
                                    why, sizeof why);
    rlx_store_close(st);
    if (err) {
        rlx_cli_error("%s", why);
        return rlx_cli_exit_code(err);
    }
    if (o.csv)
        print_csv(recs, n);
    else
        print_table(recs, n, o.all);
    rlx_store_listens_free(recs, n);
    return fflush(stdout) == 0 ? RLX_EXIT_OK : RLX_EXIT_OUTPUT;
}
