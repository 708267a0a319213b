/* cmd_devices.c - `relax devices [--input] [--names]`: the audio outputs (or,
 * with --input, the inputs for relax record) PortAudio can see. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sink/capture_device.h"
#include "sink/sink_device.h"

int rlx_cmd_devices(int argc, char **argv)
{
    bool names = false, input = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("Usage: relax devices [--input] [--names]\n"
                   "Lists audio output devices; give the index or part of the name to\n"
                   "'relax play --device'. With --input, the input devices, for\n"
                   "'relax record --device'. '*' marks the default.\n"
                   "  --names   only the names, one a line\n");
            return RLX_EXIT_OK;
        }
        if (!strcmp(argv[i], "--names")) {
            names = true;
            continue;
        }
        if (!strcmp(argv[i], "--input")) {
            input = true;
            continue;
        }
        rlx_cli_error("devices takes only --input and --names (got '%s')", argv[i]);
        return RLX_EXIT_USAGE;
    }
    int rc = rlx_cli_parsed(argv[0]);
    if (rc)
        return rc;
    rlx_device_info *v = NULL;
    size_t n = 0;
    rlx_err err = input ? rlx_capture_list(&v, &n) : rlx_device_list(&v, &n);
    if (err != RLX_OK) {
        rlx_cli_error("cannot list audio devices: %s", rlx_strerror(err));
        return rlx_cli_exit_code(err);
    }
    if (names) {   /* for shell completion: nothing else on stdout */
        for (size_t i = 0; i < n; i++)
            puts(v[i].name);
        free(v);
        return RLX_EXIT_OK;
    }
    if (!n) {
        printf("no audio %s devices found\n", input ? "input" : "output");
        free(v);
        return RLX_EXIT_OK;
    }
    printf("  %5s  %-32s %-28s %8s  %s\n", "index", "name", "host API", "rate", "latency low/high");
    for (size_t i = 0; i < n; i++)
        printf("%c %5d  %-32s %-28s %8.0f  %.1f / %.1f ms\n", v[i].is_default ? '*' : ' ', v[i].index,
               v[i].name, v[i].host_api, v[i].default_rate, v[i].low_latency * 1000,
               v[i].high_latency * 1000);
    free(v);
    return RLX_EXIT_OK;
}
