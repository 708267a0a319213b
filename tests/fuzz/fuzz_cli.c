/* fuzz_cli.c - libFuzzer target: the whole command line as relax parses it.
 * The first byte picks the command, the rest are its words split at NUL
 * bytes. main.c is compiled with main renamed rlx_cli_main (see fuzz.cmake),
 * so the words go through the same dispatch and duration joining as relax,
 * then through the command's own option parsing; the seam rlx_cli_parsed()
 * stops each command when its options are parsed and checked, before it
 * touches a session, a device or the store.
 *
 * Checked: the exit code is a documented one (or the seam's); a usage error
 * says something on stderr starting "relax: " or "Usage:"; nothing before
 * the seam creates a file (the run folder, HOME and XDG folders stay
 * unchanged). Each parse must be fast (libFuzzer -timeout). */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"

#define CHECK(c) do { if (!(c)) { fprintf(saved_err, "invariant failed: %s\n", #c); abort(); } } while (0)

int rlx_cli_main(int argc, char **argv);

#define PARSED 250   /* the seam's exit code: not one relax uses */
#define MAX_WORDS 40

static FILE *saved_err, *saved_out;
static char folder[256];
static struct stat folder_st;
static const char *reached;

static const char *const commands[] = {
    "next", "play", "render", "list", "progress", "profiles", "history", "store", "devices", "check",
    "timeline", "captions", "record", "script", "new", "calendar", "help", "voices",
    "--help", "--version", "unknown", "serve",
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

static int stop_here(const char *command)
{
    reached = command;
    return PARSED;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    saved_err = stderr;
    saved_out = stdout;
    snprintf(folder, sizeof folder, "%s/relax-fuzz-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(folder) || chdir(folder) != 0)
        abort();
    /* everything relax could create lands in this folder, which must stay empty */
    setenv("HOME", folder, 1);
    setenv("XDG_DATA_HOME", folder, 1);
    setenv("XDG_CACHE_HOME", folder, 1);
    setenv("XDG_CONFIG_HOME", folder, 1);
    unsetenv("RELAX_STORE");
    unsetenv("RELAX_PROFILE");
    unsetenv("RELAX_ROOM");
    unsetenv("RELAX_REMOTE_KEY");
    if (stat(folder, &folder_st) != 0)
        abort();
    rlx_cli_set_parsed_hook(stop_here);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    char *copy = malloc(size);   /* words, NUL-terminated: the last one by the end */
    CHECK(copy);
    memcpy(copy, data + 1, size - 1);
    copy[size - 1] = 0;
    char *argv[MAX_WORDS + 3];
    int argc = 0;
    argv[argc++] = "relax";
    argv[argc++] = (char *)commands[data[0] % NCOMMANDS];
    for (size_t at = 0; size > 1 && at < size - 1 && argc < MAX_WORDS + 2;) {
        argv[argc++] = copy + at;
        at += strlen(copy + at) + 1;
    }
    argv[argc] = NULL;
    char *given[MAX_WORDS + 3];
    memcpy(given, argv, sizeof argv);
    int given_argc = argc;

    char *out = NULL, *err = NULL;
    size_t outlen = 0, errlen = 0;
    FILE *o = open_memstream(&out, &outlen), *e = open_memstream(&err, &errlen);
    CHECK(o && e);
    stdout = o;
    stderr = e;
    reached = NULL;
    int rc = rlx_cli_main(argc, argv);
    stdout = saved_out;
    stderr = saved_err;
    fclose(o);
    fclose(e);

    CHECK(rc == RLX_EXIT_OK || rc == RLX_EXIT_USAGE || rc == PARSED);
    CHECK((rc == PARSED) == (reached != NULL));
    if (rc == PARSED)
        CHECK(!strcmp(reached, argv[1]));
    if (rc == RLX_EXIT_USAGE)
        CHECK(errlen > 0 && (!strncmp(err, "relax: ", 7) || !strncmp(err, "Usage:", 6)));
    if (rc == RLX_EXIT_OK && !reached)
        CHECK(outlen > 0);   /* help or version */
    struct stat now;
    CHECK(stat(folder, &now) == 0);
    CHECK(now.st_mtim.tv_sec == folder_st.st_mtim.tv_sec && now.st_mtim.tv_nsec == folder_st.st_mtim.tv_nsec);
    /* main.c joins "--length 30 min" into one malloc'd word that lives as
     * long as argv (once per process in relax); free those here, once each
     * (the commands may have moved argv's pointers around). */
    for (int i = 2; i < given_argc; i++) {
        char *w = argv[i];
        bool ours = w >= copy && w < copy + size;
        for (int k = 0; k < given_argc && !ours; k++)
            ours = w == given[k];
        for (int k = 2; k < i && !ours; k++)
            ours = w == argv[k];   /* already freed */
        if (!ours)
            free(w);
    }
    free(out);
    free(err);
    free(copy);
    return 0;
}
