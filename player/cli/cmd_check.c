/* cmd_check.c - `relax check`. (placeholder until implemented) */
#include "cli.h"

int rlx_cmd_check(int argc, char **argv)
{
    (void)argc;
    rlx_cli_error("'%s' is not implemented yet", argv[0]);
    return RLX_EXIT_INTERNAL;
}
