/* cmd_profiles.c - `relax profiles`. (placeholder until implemented) */
#include "cli.h"

int rlx_cmd_profiles(int argc, char **argv)
{
    (void)argc;
    rlx_cli_error("'%s' is not implemented yet", argv[0]);
    return RLX_EXIT_INTERNAL;
}
