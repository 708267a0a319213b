/* rlx_pg.c - see rlx_pg.h. */
#include "rlx_test.h"
#include "rlx_pg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *in_use;

static char *script(void)
{
    char *s = rlx_test_source_path("tests/pg/pg_server.sh");
    assert_non_null(s);
    return s;
}

static void run_script(const char *verb, const char *dir, char *out, size_t outlen)
{
    char *sh = script();
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "bash '%s' %s '%s'", sh, verb, dir);
    free(sh);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = out ? fread(out, 1, outlen - 1, p) : 0;
    if (out) {
        out[n] = 0;
        out[strcspn(out, "\n")] = 0;
    }
    int rc = pclose(p);
    if (rc != 0)
        fail_msg("pg_server.sh %s %s failed (%d)", verb, dir, rc);
}

char *rlx_test_pg_start(char **dir)
{
    char *base = rlx_test_tmpdir();
    assert_int_equal(chmod(base, 0711), 0);   /* the postgres user must reach pg/ inside */
    *dir = malloc(strlen(base) + 8);
    assert_non_null(*dir);
    sprintf(*dir, "%s/pg", base);
    free(base);
    char uri[4096];
    run_script("start", *dir, uri, sizeof uri);
    assert_true(!strncmp(uri, "postgresql://", 13));
    return strdup(uri);
}

void rlx_test_pg_stop(char *dir)
{
    if (!dir)
        return;
    run_script("stop", dir, NULL, 0);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = 0;
        rlx_test_rmtree(dir);   /* the temporary folder around it */
    }
    free(dir);
}

void rlx_test_pg_halt(const char *dir)
{
    run_script("halt", dir, NULL, 0);
}

void rlx_test_pg_restart(const char *dir)
{
    run_script("restart", dir, NULL, 0);
}

void rlx_test_pg_use(const char *uri)
{
    in_use = uri;
}

const char *rlx_test_pg_uri(void)
{
    return in_use;
}

char *rlx_test_store_where(const char *dir)
{
    char *w = malloc(strlen(dir) + (in_use ? strlen(in_use) : 0) + 32);
    assert_non_null(w);
    if (!in_use) {
        sprintf(w, "%s/progress.db", dir);
        return w;
    }
    static int n;
    char schema[64], state[4096];
    snprintf(schema, sizeof schema, "t%d_%d", (int)getpid(), ++n);
    setenv("RELAX_PG_SCHEMA", schema, 1);
    snprintf(state, sizeof state, "%s/state", dir);
    setenv("XDG_STATE_HOME", state, 1);
    strcpy(w, in_use);
    return w;
}
