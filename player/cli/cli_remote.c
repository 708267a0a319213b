/* cli_remote.c - options, opening and announcing the phone remote. */
#include "cli_remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "remote/remote_qr.h"
#include "tui.h"

int rlx_cli_remote_args(int *argc, char **argv, rlx_cli_remote_opts *o)
{
    *o = (rlx_cli_remote_opts){0};
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--remote")) {
            o->on = true;
        } else if (!strcmp(a, "--remote-listen") || !strcmp(a, "--remote-key")) {
            if (i + 1 >= *argc) {
                rlx_cli_error("%s needs a value (%s)", a,
                              a[9] == 'l' ? "an address like 127.0.0.1:0 or 0.0.0.0:8787"
                                          : "22 to 128 characters from A-Z a-z 0-9 - _");
                return RLX_EXIT_USAGE;
            }
            if (a[9] == 'l') {
                o->listen = argv[++i];
                o->on = true;
            } else {
                o->key = argv[++i];
            }
        } else {
            argv[out++] = argv[i];
        }
    }
    argv[out] = NULL;
    *argc = out;
    if (o->key && !o->on) {
        rlx_cli_error("--remote-key goes with --remote or --remote-listen");
        return RLX_EXIT_USAGE;
    }
    if (!o->key) {
        const char *env = getenv("RELAX_REMOTE_KEY");
        if (env && *env)
            o->key = env;
    }
    return 0;
}

int rlx_cli_remote_open(const rlx_cli_remote_opts *o, rlx_remote **out)
{
    *out = NULL;
    if (!o || !o->on)
        return 0;
    rlx_remote_config cfg = rlx_remote_config_init();
    cfg.listen = o->listen;
    cfg.key = o->key;
    cfg.room = o->room;
    cfg.serve = o->serve;
    cfg.wake = o->wake;
    cfg.wake_user = o->wake_user;
    char why[256] = "";
    rlx_err err = rlx_remote_open(&cfg, out, why, sizeof why);
    if (err != RLX_OK) {
        rlx_cli_error("%s", why[0] ? why : rlx_strerror(err));
        /* an address or port that cannot be used is a command-line matter */
        return err == RLX_ERR_IO ? RLX_EXIT_USAGE : rlx_cli_exit_code(err);
    }
    char url[512];
    rlx_remote_url(*out, url, sizeof url);
    fprintf(stderr, "remote: %s\n", url);
    char *qr = NULL;
    if (rlx_remote_qr_text(url, rlx_tui_utf8(), &qr) == RLX_OK) {
        fputs(qr, stderr);
        free(qr);
    }
    fflush(stderr);
    return 0;
}
