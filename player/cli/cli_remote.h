/* cli_remote.h - the phone remote as `relax play` and `relax next` offer it:
 * the options, opening the server and announcing it (URL and QR code). */
#ifndef RLX_CLI_REMOTE_H
#define RLX_CLI_REMOTE_H

#include <stdbool.h>

#include "remote/remote.h"

typedef struct {
    bool on;              /* --remote or --remote-listen given */
    const char *listen;   /* --remote-listen ADDR[:PORT]; NULL = all interfaces */
    const char *key;      /* --remote-key, else $RELAX_REMOTE_KEY, else NULL (random) */
    const char *room;     /* shown on the page (--room); NULL = none */
    bool serve;           /* `relax serve`: the lobby of profiles */
    void (*wake)(void *user);   /* rlx_remote_config's wake (NULL = none) */
    void *wake_user;
} rlx_cli_remote_opts;

/* Takes --remote, --remote-listen V and --remote-key V out of argv (argv
 * is compacted, *argc lowered; argv[0] stays). Returns 0, or an exit code
 * after printing one line (a value missing). */
int rlx_cli_remote_args(int *argc, char **argv, rlx_cli_remote_opts *o);

/* Opens the remote when asked (*out = NULL when not) and prints
 * "remote: URL" and its QR code on stderr. Returns 0 or an exit code
 * after printing why (2: bad address or key, or it cannot be bound). */
int rlx_cli_remote_open(const rlx_cli_remote_opts *o, rlx_remote **out);

#endif
