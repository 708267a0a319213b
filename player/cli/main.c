/* main.c - `relax`: dispatches to one function per subcommand. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "audio/voice.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *args;
    const char *help;
} rlx_command;

static const rlx_command commands[] = {
    {.name = "next", .run = rlx_cmd_next, .args = "[--profile NAME] [--room NAME]",
     .help = "resume or start your next weekly session"},
    {.name = "play", .run = rlx_cmd_play, .args = "SESSION [--device D] [--from T] [--length D]",
     .help = "play a session live"},
    {.name = "serve", .run = rlx_cmd_serve, .args = "[--room NAME] [--remote-listen ADDR[:PORT]]",
     .help = "keep the phone remote up: start any client's next week from it"},
    {.name = "render", .run = rlx_cmd_render, .args = "SESSION -o OUT [--length D] [--rate HZ]",
     .help = "render a session to a .wav, .flac or .ogg file"},
    {.name = "list", .run = rlx_cmd_list, .args = "",
     .help = "show the ten-week program"},
    {.name = "progress", .run = rlx_cmd_progress, .args = "[--profile NAME] [--json]",
     .help = "show how far you are in the program"},
    {.name = "profiles", .run = rlx_cmd_profiles, .args = "",
     .help = "list profiles and their progress"},
    {.name = "history", .run = rlx_cmd_history, .args = "[--profile NAME | --all] [--csv]",
     .help = "export every listen"},
    {.name = "store", .run = rlx_cmd_store, .args = "copy FROM TO",
     .help = "copy every profile and listen between two stores"},
    {.name = "devices", .run = rlx_cmd_devices, .args = "",
     .help = "list audio output devices"},
    {.name = "check", .run = rlx_cmd_check, .args = "FILE|DIR|ID...",
     .help = "validate session and program files"},
    {.name = "timeline", .run = rlx_cmd_timeline, .args = "SESSION -o FILE.svg",
     .help = "draw a session's timeline"},
    {.name = "captions", .run = rlx_cmd_captions, .args = "SESSION -o FILE.vtt",
     .help = "write the voice cues as WebVTT captions"},
    {.name = "record", .run = rlx_cmd_record, .args = "SESSION [--device D] [--line N] [--missing]",
     .help = "record the spoken lines in your own voice"},
    {.name = "script", .run = rlx_cmd_script, .args = "SESSION -o FILE.txt|FILE.html",
     .help = "write a recording script for narrating a session"},
    {.name = "new", .run = rlx_cmd_new, .args = "NAME [-o FILE]",
     .help = "write a commented template session"},
    {.name = "calendar", .run = rlx_cmd_calendar, .args = "[--profile NAME] -o FILE.ics",
     .help = "write the coming weeks as a calendar with reminders"},
    {.name = "help", .run = NULL, .args = "[COMMAND|TOPIC]",
     .help = "a command's options, or where a topic is explained"},
    {.name = "voices", .run = rlx_cmd_voices, .args = "[--say TEXT [-o FILE]] [--voice V]",
     .help = "list the voices; hear or keep a sample of one"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* "--length 30 min" arrives as three words; the commands' option parsers
 * take one word per value, so a number followed by a unit is joined here,
 * once for every command, into "30 min". */
static bool is_duration_option(const char *a)
{
    static const char *const opts[] = {"--length", "--from", "--to", "--tail", "--start-in", "--stop-after"};
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (!strcmp(a, opts[i]))
            return true;
    return false;
}

static bool is_unit(const char *u)
{
    static const char *const units[] = {"ms", "s", "sec", "secs", "second", "seconds", "m", "min",
                                        "mins", "minute", "minutes", "h", "hour", "hours"};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (!strcmp(u, units[i]))
            return true;
    return false;
}

static bool is_number(const char *s)
{
    char *end;
    errno = 0;
    (void)strtod(s, &end);
    return *s && !*end && !errno;
}

static void join_duration_units(int *argc, char **argv)
{
    for (int i = 1; i + 2 < *argc; i++) {
        if (!is_duration_option(argv[i]) || !is_number(argv[i + 1]) || !is_unit(argv[i + 2]))
            continue;
        size_t n = strlen(argv[i + 1]) + strlen(argv[i + 2]) + 2;
        char *joined = malloc(n);  /* lives as long as argv */
        if (!joined)
            return;
        snprintf(joined, n, "%s %s", argv[i + 1], argv[i + 2]);
        argv[i + 1] = joined;
        memmove(&argv[i + 2], &argv[i + 3], (size_t)(*argc - i - 2) * sizeof *argv);  /* keeps argv[argc] == NULL */
        (*argc)--;
    }
}

/* A voice engine that is not installed speaks through its fallback: said
 * once, never a silent switch. */
static void voice_notice(const char *line)
{
    rlx_cli_error("note: %s", line);
}

/* `relax help TOPIC`: the long story is in the man pages, made from the
 * same README sections, so this only says where to look. */
typedef struct {
    const char *topic, *page, *section;
} rlx_help_topic;

static const rlx_help_topic topics[] = {
    {"session", "relax-session(5)", "The session language"},
    {"program", "relax-session(5)", "Program files"},
    {"durations", "relax-session(5)", "Durations on the command line"},
    {"listening", "relax(1)", "Listening"},
    {"exit-codes", "relax(1)", "Exit codes"},
    {"files", "relax(1)", "Where things live"},
    {"cache", "relax(1)", "The cache"},
};
#define NTOPICS (sizeof topics / sizeof topics[0])

static int help(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        printf("Usage: relax help [COMMAND|TOPIC]\n"
               "relax help COMMAND is relax COMMAND --help. Topics:");
        for (size_t i = 0; i < NTOPICS; i++)
            printf(" %s", topics[i].topic);
        printf("\nThe full manual: man relax, man 5 relax-session (or README.md).\n");
        return RLX_EXIT_OK;
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (commands[i].run && !strcmp(argv[1], commands[i].name)) {
            char *args[] = {argv[1], "--help", NULL};
            return commands[i].run(2, args);
        }
    for (size_t i = 0; i < NTOPICS; i++)
        if (!strcmp(argv[1], topics[i].topic)) {
            char page[64];
            snprintf(page, sizeof page, "%s", topics[i].page);
            *strchr(page, '(') = 0;
            printf("%s: see the section \"%s\" of %s ('man %s%s'), or of README.md.\n",
                   topics[i].topic, topics[i].section, topics[i].page,
                   strchr(topics[i].page, '5') ? "5 " : "", page);
            return RLX_EXIT_OK;
        }
    rlx_cli_error("help: no command or topic '%s' (try 'relax help')", argv[1]);
    return RLX_EXIT_USAGE;
}

static void usage(FILE *f)
{
    fprintf(f, "Usage: relax COMMAND [ARGS]\n\nCommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-9s %-44s %s\n", commands[i].name, commands[i].args, commands[i].help);
    fprintf(f, "\nrelax COMMAND --help shows a command's options.\n"
               "relax help TOPIC says where a topic is explained:");
    for (size_t i = 0; i < NTOPICS; i++)
        fprintf(f, " %s%s", topics[i].topic, i + 1 < NTOPICS ? "," : ".\n");
    fprintf(f, "The manual: man relax, man 5 relax-session.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return RLX_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
        usage(stdout);
        return RLX_EXIT_OK;
    }
    if (!strcmp(cmd, "help"))
        return argc < 3 ? (usage(stdout), RLX_EXIT_OK) : help(argc - 1, argv + 1);
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("relax %s\n", RLX_VERSION);
        return RLX_EXIT_OK;
    }
    join_duration_units(&argc, argv);
    rlx_voice_set_notice(voice_notice);
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (commands[i].run && !strcmp(cmd, commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    rlx_cli_error("unknown command '%s' (try 'relax --help')", cmd);
    return RLX_EXIT_USAGE;
}
