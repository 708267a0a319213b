/* cmd_profiles.c - `relax profiles`: who uses this store, and how far they are. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "authoring.h"
#include "cli_store.h"
#include "remote/remote.h"

/* --names: for shell completion, so quick and silent: a store that does not
 * exist yet is not created, and a store that cannot be read lists nothing. */
static int list_names(const rlx_cli_store_opts *o)
{
    char path[4096], why[1024];
    if (rlx_store_resolve_path(o->store, path, sizeof path) != RLX_OK || access(path, R_OK) != 0)
        return RLX_EXIT_OK;
    rlx_store *st;
    if (rlx_store_open(path, &st, why, sizeof why) != RLX_OK)
        return RLX_EXIT_OK;
    rlx_profile *profiles;
    size_t n;
    if (rlx_store_profiles(st, &profiles, &n, why, sizeof why) == RLX_OK) {
        for (size_t i = 0; i < n; i++)
            puts(profiles[i].name);
        rlx_store_profiles_free(profiles, n);
    }
    rlx_store_close(st);
    return RLX_EXIT_OK;
}

/* --keep-remote-key / --forget-remote-key: the phone remote's key the
 * profile keeps, so `relax next --remote` gives the same URL every time. */
static int remote_key(const rlx_cli_store_opts *o, bool keep)
{
    const char *profile = rlx_store_resolve_profile(o->profile);
    char key[RLX_REMOTE_KEY_MAX + 1] = "", why[1024];
    rlx_err err = RLX_OK;
    if (keep)
        err = rlx_remote_new_key(key, sizeof key, why, sizeof why);
    rlx_store *st = NULL;
    int rc = err ? rlx_cli_exit_code(err) : rlx_cli_store_open(o, &st);
    if (err)
        rlx_cli_error("%s", why);
    if (rc)
        return rc;
    rlx_profile p = {0};
    if (!keep && (err = rlx_store_profile_get(st, profile, false, &p, why, sizeof why))) {
        /* forgetting makes no profile */
        rlx_cli_error("%s", why);
        rlx_store_close(st);
        return err == RLX_ERR_NOT_FOUND ? RLX_EXIT_USAGE : rlx_cli_exit_code(err);
    }
    rlx_profile_clear(&p);
    err = rlx_store_profile_set_remote_key(st, profile, keep ? key : NULL, why, sizeof why);
    rlx_store_close(st);
    if (err) {
        rlx_cli_error("%s", why);
        return rlx_cli_exit_code(err);
    }
    char q[300];
    if (keep)
        printf("%s keeps the remote key %s from now on.\n"
               "'relax next --profile %s --remote' shows the same address every time\n"
               "(bookmark it on the phone). --keep-remote-key again makes a new one (the old\n"
               "address stops working); --forget-remote-key goes back to a new key for every\n"
               "session.\n", profile, key, rlx_cli_shell_word(profile, q, sizeof q));
    else
        printf("%s keeps no remote key: every session with --remote has a new one.\n", profile);
    return fflush(stdout) == 0 ? RLX_EXIT_OK : RLX_EXIT_OUTPUT;
}

int rlx_cmd_profiles(int argc, char **argv)
{
    rlx_cli_store_opts o;
    /* the key options are taken out first; the rest are the store's */
    int keep = -1, n0 = 1;
    for (int i = 1; i < argc; i++) {
        bool k = !strcmp(argv[i], "--keep-remote-key"), f = !strcmp(argv[i], "--forget-remote-key");
        if ((k || f) && keep >= 0 && keep != k) {
            rlx_cli_error("profiles: --keep-remote-key and --forget-remote-key cannot go together");
            return RLX_EXIT_USAGE;
        }
        if (k || f)
            keep = k;
        else
            argv[n0++] = argv[i];
    }
    argc = n0;
    int rc = rlx_cli_store_args(argc, argv, keep >= 0 ? "store profile" : "store names", &o);
    if (rc)
        return rc;
    if (o.help) {
        printf("Usage: relax profiles [--store PATH|URI] [--names]\n"
               "       relax profiles [--profile NAME] [--store PATH|URI] --keep-remote-key|--forget-remote-key\n"
               "Lists the profiles in the progress store with their weeks done, last listen\n"
               "and the room it was in (when rooms are used).\n"
               "  --names               only the names, one a line (no store is created for it)\n"
               "  --keep-remote-key     the profile keeps one phone-remote key (made now, printed,\n"
               "                        kept in the store): 'relax next/play --remote' use it\n"
               "  --forget-remote-key   back to a new key for every session\n");
        return RLX_EXIT_OK;
    }
    if ((rc = rlx_cli_parsed(argv[0])))
        return rc;
    if (keep >= 0)
        return remote_key(&o, keep);
    if (o.names)
        return list_names(&o);
    rlx_store *st;
    if ((rc = rlx_cli_store_open_existing(&o, &st)))
        return rc;
    rlx_profile *profiles;
    size_t n;
    char why[1024];
    rlx_err err = rlx_store_profiles(st, &profiles, &n, why, sizeof why);
    if (err) {
        rlx_cli_error("%s", why);
        rlx_store_close(st);
        return rlx_cli_exit_code(err);
    }
    /* load everything first: the ROOM column shows only where rooms are used */
    rlx_cli_progress *ps = calloc(n ? n : 1, sizeof *ps);
    bool rooms = false;
    size_t loaded = 0;
    if (!ps)
        rc = RLX_EXIT_INTERNAL;
    for (; ps && loaded < n && !rc; loaded++) {
        if ((rc = rlx_cli_progress_load(st, profiles[loaded].name, false, &ps[loaded])))
            break;
        rooms |= ps[loaded].last_room != NULL;
    }
    /* LENGTH and BED only where a profile remembers one (--length, --bed) */
    bool prefs = false;
    for (size_t i = 0; i < n; i++)
        prefs |= profiles[i].length_ms > 0 || profiles[i].bed != NULL;
    if (n == 0)
        printf("No profiles yet: 'relax next' starts one (named '%s').\n", rlx_store_resolve_profile(NULL));
    else if (!rc && !prefs)
        printf("%-24s  %-12s  %s%s\n", "PROFILE", "WEEKS DONE", "LAST LISTEN", rooms ? "            LAST ROOM" : "");
    else if (!rc)
        printf("%-24s  %-12s  %-21s  %s%-8s  %s\n", "PROFILE", "WEEKS DONE", "LAST LISTEN",
               rooms ? "LAST ROOM         " : "", "LENGTH", "BED");
    for (size_t i = 0; i < loaded && !rc; i++) {
        rlx_cli_progress p = ps[i];
        memset(&ps[i], 0, sizeof ps[i]);
        char done[32], last[64], t[16];
        snprintf(done, sizeof done, "%zu of %zu", p.sum.done, p.n);
        if (p.last_listen_ms > 0) {
            rlx_cli_fmt_date(p.last_listen_ms, last, sizeof last);
            time_t secs = (time_t)(p.last_listen_ms / 1000);
            struct tm tm;
            localtime_r(&secs, &tm);
            strftime(t, sizeof t, " %H:%M", &tm);
            strncat(last, t, sizeof last - strlen(last) - 1);
        } else {
            snprintf(last, sizeof last, "never");
        }
        rlx_auth_put_fit(stdout, profiles[i].name, 24, true);   /* by characters, not bytes */
        if (prefs) {
            char len[32] = "natural";
            if (profiles[i].length_ms > 0)
                rlx_cli_fmt_time(profiles[i].length_ms, len, sizeof len);
            printf("  %-12s  %-21s  ", done, last);
            if (rooms) {
                rlx_auth_put_fit(stdout, p.last_room ? p.last_room : "", 16, true);
                fputs("  ", stdout);
            }
            printf("%-8s  ", len);
            rlx_auth_put_fit(stdout, profiles[i].bed ? profiles[i].bed : "the week's", 16, false);
            fputc('\n', stdout);
        } else if (rooms && p.last_room) {
            printf("  %-12s  %-21s  ", done, last);
            rlx_auth_put_fit(stdout, p.last_room, 16, false);
            fputc('\n', stdout);
        } else {
            printf("  %-12s  %s\n", done, last);
        }
        rlx_cli_progress_free(&p);
    }
    for (size_t i = 0; ps && i < loaded; i++)
        if (ps[i].program)
            rlx_cli_progress_free(&ps[i]);
    free(ps);
    rlx_store_profiles_free(profiles, n);
    rlx_store_close(st);
    if (rc)
        return rc;
    return fflush(stdout) == 0 ? RLX_EXIT_OK : RLX_EXIT_OUTPUT;
}
