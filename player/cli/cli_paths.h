/* cli_paths.h - where the built-in data, the user's sessions and the music
 * folder are. Decided at run time from the binary's own location, so an
 * installed prefix can be moved (relocatable); only a binary in its build
 * tree (which holds a marker naming the source folder) uses the source tree. */
#ifndef RLX_CLI_PATHS_H
#define RLX_CLI_PATHS_H

#include <stdbool.h>
#include <stddef.h>

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

/* The user's music folder: XDG_MUSIC_DIR from $XDG_CONFIG_HOME/user-dirs.dirs
 * (else ~/.config/...), else ~/Music when it exists, else ".". Into buf. */
const char *rlx_cli_music_dir(char *buf, size_t len);

#endif
