/* cli_paths.h - where the built-in data, the user's sessions and the music
 * folder are. Decided at run time from the binary's own location, so an
 * installed prefix can be moved (relocatable); only a binary in its build
 * tree (which holds a marker naming the source folder) uses the source tree. */
#ifndef RLX_CLI_PATHS_H
#define RLX_CLI_PATHS_H

#include <stdbool.h>
#include <stddef.h>

#include "session/session.h"

/* The folder holding sessions/ and assets/: <prefix>/share/relax when
 * installed, the source tree for a build-tree binary. Never NULL (when the
 * binary cannot be located it is the expected install folder, which may be
 * missing; commands then name it). */
const char *rlx_cli_data_dir(void);

/* When the built-in data folder is missing (a binary copied out of its
 * prefix) and nothing overrides it: prints one line saying so and what to
 * do, and returns true. */
bool rlx_cli_note_missing_data(void);

/* Where sessions are looked up by id, first match wins: $RELAX_SESSIONS
 * alone when set; else $XDG_DATA_HOME/relax/sessions (~/.local/share/...),
 * each $XDG_DATA_DIRS entry's relax/sessions, then the built-in folder.
 * Folders that do not exist are left out (the built-in one never is);
 * the same folder reached twice appears once. NULL-terminated. */
const char *const *rlx_cli_session_dirs(void);

/* The user's own sessions folder ($XDG_DATA_HOME/relax/sessions, else
 * ~/.local/share/relax/sessions); NULL without HOME or XDG_DATA_HOME. */
const char *rlx_cli_user_sessions_dir(void);

/* The built-in session that the session file `path` (whose id is `id`)
 * hides, when path is the one `relax play ID` would pick and another folder
 * of the search also has that id. malloc'd, or NULL. */
char *rlx_cli_session_hides(const char *path, const char *id);

/* The session file `relax play ID` uses for id when that is another file
 * than path (a user's own session with a program week's id): malloc'd, or
 * NULL when path is the one used. */
char *rlx_cli_session_override(const char *path, const char *id);

/* Beds to choose with --bed: every audio file in ambient/ of the asset
 * folders ($RELAX_ASSETS, then the built-in one), by its name without the
 * extension ("rain" for ambient/rain.ogg); "off" (no bed) and "session"
 * (the session's own) besides. On success fills path (empty for off and
 * session) and returns 0; else prints one line naming the choices and
 * returns RLX_EXIT_USAGE. */
int rlx_cli_find_bed(const char *name, char *path, size_t len);
/* The same without a message: whether `name` is one of the choices. */
bool rlx_cli_bed_known(const char *name);

/* Puts the bed `name` (checked by rlx_cli_find_bed; NULL or "session":
 * nothing to do) under session s instead of its own [ambient] file, at
 * the session's ambient level. Returns an exit code. */
int rlx_cli_apply_bed(rlx_session *s, const char *name);

/* The user's music folder: XDG_MUSIC_DIR from $XDG_CONFIG_HOME/user-dirs.dirs
 * (else ~/.config/...), else ~/Music when it exists, else ".". Into buf. */
const char *rlx_cli_music_dir(char *buf, size_t len);

#endif
