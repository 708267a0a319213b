/* cli.h - shared pieces of the command-line front end. Only this layer
 * prints, reads the environment for paths, and chooses exit codes. */
#ifndef RLX_CLI_H
#define RLX_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "core/err.h"
#include "session/program.h"
#include "session/session.h"

/* Exit codes (documented in README.md, "Exit codes"). */
enum {
    RLX_EXIT_OK = 0,
    RLX_EXIT_INTERNAL = 1,     /* unexpected internal error */
    RLX_EXIT_USAGE = 2,        /* bad command line */
    RLX_EXIT_SESSION = 3,      /* invalid or unknown session/program file */
    RLX_EXIT_AUDIO = 4,        /* audio input missing, corrupt, unsupported; TTS failed */
    RLX_EXIT_OUTPUT = 5,       /* cannot write the output (permissions, disk full) */
    RLX_EXIT_NO_DEVICE = 6,    /* no usable audio output device */
    RLX_EXIT_DEVICE_LOST = 7,  /* audio device stopped during playback */
    RLX_EXIT_STORE = 8,        /* progress store unusable (corrupt, read-only, locked) */
    RLX_EXIT_INTERRUPTED = 130 /* stopped by Ctrl-C / SIGTERM (progress saved) */
};

int rlx_cli_exit_code(rlx_err err);

/* Prints "relax: message" to stderr (one line). */
void rlx_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints diagnostics compiler-style: path:line:col: error: message,
 * then the source line and a caret under the column. */
void rlx_cli_print_diags(FILE *f, const rlx_diags *d);

/* Where the built-in sessions and assets live: $RELAX_SESSIONS /
 * $RELAX_ASSETS (searched first), else sessions/ and assets/ of the data
 * folder (cli_paths.h: <prefix>/share/relax, or the source tree for a
 * build-tree binary). Sessions given by id are also looked up in the user's
 * folders (cli_paths.h). */
const char *rlx_cli_sessions_dir(void);
const char *const *rlx_cli_asset_dirs(void);   /* NULL-terminated */
/* How the CLI parses sessions: its asset folders and the voices there are. */
rlx_parse_config rlx_cli_parse_config(bool check_files);
/* The program file: $RELAX_PROGRAM, else <sessions>/ten-weeks.program. */
const char *rlx_cli_program_path(void);
/* Parses that program file, printing its problems on stderr (or one line when
 * it gives none). Returns 0 or the exit code. */
int rlx_cli_load_program(rlx_program **out);

/* SESSION argument: a path to a .session file, or a session id from the
 * sessions folders (e.g. "week-03"; rlx_cli_session_dirs, first wins). rlx_cli_session_path returns the file
 * (malloc'd) or NULL when no session has that id; rlx_cli_load_session
 * parses it. Diagnostics go to d (caller prints). */
char *rlx_cli_session_path(const char *arg);
rlx_err rlx_cli_load_session(const char *arg, rlx_session **out, rlx_diags *d);
/* rlx_cli_load_session for a command: prints the problems (and warnings)
 * found; returns 0 or the exit code. */
int rlx_cli_open_session(const char *arg, rlx_session **out);

/* The seam between a command's parsing and its work: every command calls
 * rlx_cli_parsed(argv[0]) once its words are parsed and checked, before it
 * touches a file, a device or the store, and returns the value when it is
 * not 0. relax sets no hook (0: go on); the command-line fuzzer
 * (tests/fuzz/fuzz_cli.c) sets one that stops every command there. */
typedef int (*rlx_cli_parsed_hook)(const char *command);
void rlx_cli_set_parsed_hook(rlx_cli_parsed_hook hook);
int rlx_cli_parsed(const char *command);

/* Is stdout/stderr a terminal (and TERM not "dumb")? */
bool rlx_cli_is_tty(int fd);

/* Formats ms as m:ss (or h:mm:ss) into buf. */
const char *rlx_cli_fmt_time(long long ms, char *buf, size_t len);
/* An argument as a shell reads it back: as it is when that is safe, else
 * in single quotes (into buf). For commands a message suggests. */
const char *rlx_cli_shell_word(const char *w, char *buf, size_t len);
/* A session's lengths in whole seconds as shown to a listener: the ends of
 * its range rounded inwards (both play as typed), the natural length cut
 * to the second (as everywhere) within them. Each buffer holds 32 bytes. */
void rlx_cli_fmt_lengths(int64_t shortest, int64_t natural, int64_t longest, char *lo, char *nat, char *hi);

/* Subcommands: argv[0] is the subcommand name. Return an exit code. */
int rlx_cmd_check(int argc, char **argv);
int rlx_cmd_render(int argc, char **argv);
/* rlx_cmd_render with --length a profile's remembered length: brought into
 * the session's range, with a one-line note, instead of refused. */
int rlx_cli_render_remembered(int argc, char **argv, int64_t *rendered_ms);
int rlx_cmd_play(int argc, char **argv);
int rlx_cmd_devices(int argc, char **argv);
int rlx_cmd_list(int argc, char **argv);
int rlx_cmd_timeline(int argc, char **argv);
int rlx_cmd_captions(int argc, char **argv);
int rlx_cmd_new(int argc, char **argv);
int rlx_cmd_next(int argc, char **argv);
int rlx_cmd_progress(int argc, char **argv);
int rlx_cmd_profiles(int argc, char **argv);
int rlx_cmd_history(int argc, char **argv);
int rlx_cmd_calendar(int argc, char **argv);
int rlx_cmd_voices(int argc, char **argv);
int rlx_cmd_store(int argc, char **argv);
int rlx_cmd_script(int argc, char **argv);
int rlx_cmd_record(int argc, char **argv);
int rlx_cmd_serve(int argc, char **argv);

#endif
