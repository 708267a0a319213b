/* cmd_store.c - `relax store copy FROM TO`: moves a clinic's data between
 * any two stores (SQLite file, PostgreSQL), idempotently, checked by counts. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_store.h"

static void usage(FILE *f)
{
    fprintf(f, "Usage: relax store copy FROM TO\n"
               "Copies every profile (with its remembered mix) and every listen from the store FROM\n"
               "to the store TO: each a file path (SQLite) or a PostgreSQL connection string\n"
               "(postgresql://user@host/db, service=NAME). Listens already in TO are not copied\n"
               "twice, so running it again is safe. TO is created when it does not exist.\n"
               "Passwords belong in ~/.pgpass (or PGPASSFILE, or a service file), not here.\n");
}

static int open_one(const char *where, bool must_exist, rlx_store **out)
{
    char why[1024];
    if (must_exist && !rlx_store_is_pg(where) && access(where, F_OK) != 0) {
        rlx_cli_error("store copy: no progress store at %s; name an existing file or a postgresql:// URI", where);
        return RLX_EXIT_STORE;
    }
    rlx_cli_warn_password(where);
    rlx_err err = rlx_store_open(where, out, why, sizeof why);
    if (err) {
        rlx_cli_error("%s", err == RLX_ERR_NOMEM ? rlx_strerror(err) : why);
        return rlx_cli_exit_code(err);
    }
    return 0;
}

int rlx_cmd_store(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        usage(stdout);
        return RLX_EXIT_OK;
    }
    if (argc < 2 || strcmp(argv[1], "copy")) {
        rlx_cli_error("store: %s (try 'relax store --help')",
                      argc < 2 ? "name what to do: relax store copy FROM TO" : "unknown action; only 'copy' exists");
        return RLX_EXIT_USAGE;
    }
    if (argc >= 3 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"))) {
        usage(stdout);
        return RLX_EXIT_OK;
    }
    if (argc != 4 || !*argv[2] || !*argv[3]) {
        rlx_cli_error("store copy takes two stores, FROM and TO (try 'relax store --help')");
        return RLX_EXIT_USAGE;
    }
    int rc = rlx_cli_parsed(argv[0]);
    if (rc)
        return rc;
    rlx_store *from = NULL, *to = NULL;
    rc = open_one(argv[2], true, &from);
    if (!rc)
        rc = open_one(argv[3], false, &to);
    if (rc) {
        rlx_store_close(from);
        return rc;
    }
    rlx_store_copy_counts c;
    char why[1024];
    rlx_err err = rlx_store_copy(from, to, &c, why, sizeof why);
    if (err) {
        rlx_cli_error("store copy: %s", err == RLX_ERR_NOMEM ? rlx_strerror(err) : why);
        rc = rlx_cli_exit_code(err);
    } else {
        printf("Copied %zu profile%s and %zu listen%s from %s to %s; checked: %s holds all of them.\n",
               c.profiles, c.profiles == 1 ? "" : "s", c.listens, c.listens == 1 ? "" : "s",
               rlx_store_path(from), rlx_store_path(to), rlx_store_path(to));
    }
    rlx_store_close(from);
    rlx_store_close(to);
    if (!rc && fflush(stdout) != 0)
        rc = RLX_EXIT_OUTPUT;
    return rc;
}
