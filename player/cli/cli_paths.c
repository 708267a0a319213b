/* cli_paths.c - built-in data found from the binary's own location, the
 * user's XDG folders, and session lookup by id across them. */
#include "audio/voice.h"
#include "cli.h"
#include "cli_paths.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Set by CMake: the data folder relative to the binary's folder once
 * installed ("../share/relax"), and the name of the marker file a build
 * tree holds (its first line is the source folder). */
#ifndef RLX_DATA_FROM_BIN
#define RLX_DATA_FROM_BIN "../share/relax"
#endif
#ifndef RLX_BUILD_MARKER
#define RLX_BUILD_MARKER "relax-source-dir"
#endif

#define RLX_MAX_SESSION_DIRS 16

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* The source folder named by the build tree's marker beside the binary, or false. */
static bool build_tree_source(const char *bindir, char *out, size_t len)
{
    char marker[PATH_MAX + 32];
    snprintf(marker, sizeof marker, "%s/%s", bindir, RLX_BUILD_MARKER);
    FILE *f = fopen(marker, "r");
    if (!f)
        return false;
    bool ok = fgets(out, (int)len, f) != NULL;
    fclose(f);
    if (!ok)
        return false;
    out[strcspn(out, "\r\n")] = 0;
    return out[0] == '/' && is_dir(out);
}

const char *rlx_cli_data_dir(void)
{
    static char dir[PATH_MAX];
    if (dir[0])
        return dir;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        /* no /proc: the usual install location is the best guess */
        snprintf(dir, sizeof dir, "/usr/share/relax");
        return dir;
    }
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = 0;
    if (build_tree_source(exe, dir, sizeof dir))
        return dir;
    char joined[PATH_MAX + 64], real[PATH_MAX];
    snprintf(joined, sizeof joined, "%s/%s", exe, RLX_DATA_FROM_BIN);
    /* tidy "bin/../share/relax" for messages when it exists */
    snprintf(dir, sizeof dir, "%.*s", (int)sizeof dir - 1, realpath(joined, real) ? real : joined);
    return dir;
}

bool rlx_cli_note_missing_data(void)
{
    const char *s = getenv("RELAX_SESSIONS"), *p = getenv("RELAX_PROGRAM");
    if ((s && *s) || (p && *p) || is_dir(rlx_cli_data_dir()))
        return false;
    rlx_cli_error("note: the built-in sessions belong in %s, which is missing: install relax "
                  "(cmake --install, or the .deb) rather than copying the binary alone, or set RELAX_SESSIONS",
                  rlx_cli_data_dir());
    return true;
}

const char *rlx_cli_user_sessions_dir(void)
{
    static char dir[PATH_MAX];
    const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
    if (xdg && xdg[0] == '/')   /* the spec: a relative value is ignored */
        snprintf(dir, sizeof dir, "%s/relax/sessions", xdg);
    else if (home && *home)
        snprintf(dir, sizeof dir, "%s/.local/share/relax/sessions", home);
    else
        return NULL;
    return dir;
}

static void add_dir(const char **dirs, char (*store)[PATH_MAX], char (*real)[PATH_MAX], size_t *n,
                    const char *dir, bool must_exist)
{
    if (*n >= RLX_MAX_SESSION_DIRS || !dir || !*dir)
        return;
    char r[PATH_MAX];
    if (!realpath(dir, r)) {
        if (must_exist)
            return;
        snprintf(r, sizeof r, "%s", dir);
    } else if (!is_dir(r)) {
        return;
    }
    for (size_t i = 0; i < *n; i++)
        if (!strcmp(real[i], r))
            return;
    snprintf(store[*n], PATH_MAX, "%s", dir);
    snprintf(real[*n], PATH_MAX, "%s", r);
    dirs[*n] = store[*n];
    (*n)++;
}

const char *const *rlx_cli_session_dirs(void)
{
    static const char *dirs[RLX_MAX_SESSION_DIRS + 1];
    static char store[RLX_MAX_SESSION_DIRS][PATH_MAX], real[RLX_MAX_SESSION_DIRS][PATH_MAX];
    static bool done;
    if (done)
        return dirs;
    done = true;
    size_t n = 0;
    const char *env = getenv("RELAX_SESSIONS");
    if (env && *env) {
        dirs[0] = env;
        return dirs;
    }
    add_dir(dirs, store, real, &n, rlx_cli_user_sessions_dir(), true);
    const char *xdd = getenv("XDG_DATA_DIRS");
    if (!xdd || !*xdd)
        xdd = "/usr/local/share:/usr/share";
    for (const char *p = xdd; *p;) {
        size_t len = strcspn(p, ":");
        char d[PATH_MAX];
        if (len > 0 && p[0] == '/' && len < sizeof d - 16) {
            snprintf(d, sizeof d, "%.*s/relax/sessions", (int)len, p);
            add_dir(dirs, store, real, &n, d, true);
        }
        p += len + (p[len] == ':');
    }
    /* the built-in folder last; kept even when missing so errors name it */
    char builtin[PATH_MAX + 16];
    snprintf(builtin, sizeof builtin, "%s/sessions", rlx_cli_data_dir());
    if (n == RLX_MAX_SESSION_DIRS)
        n--;
    add_dir(dirs, store, real, &n, builtin, false);
    dirs[n] = NULL;
    return dirs;
}

const char *rlx_cli_sessions_dir(void)
{
    const char *env = getenv("RELAX_SESSIONS");
    if (env && *env)
        return env;
    static char dir[PATH_MAX + 16];
    snprintf(dir, sizeof dir, "%s/sessions", rlx_cli_data_dir());
    return dir;
}

const char *const *rlx_cli_asset_dirs(void)
{
    static const char *dirs[3];
    static char builtin[PATH_MAX + 16];
    size_t n = 0;
    const char *env = getenv("RELAX_ASSETS");
    if (env && *env)
        dirs[n++] = env;
    snprintf(builtin, sizeof builtin, "%s/assets", rlx_cli_data_dir());
    dirs[n++] = builtin;
    dirs[n] = NULL;
    return dirs;
}

rlx_parse_config rlx_cli_parse_config(bool check_files)
{
    return (rlx_parse_config){.asset_dirs = rlx_cli_asset_dirs(), .check_files = check_files,
                              .voices = rlx_voice_specs()};
}

const char *rlx_cli_program_path(void)
{
    static char path[PATH_MAX + 64];
    const char *env = getenv("RELAX_PROGRAM");
    if (env && *env)
        return env;
    snprintf(path, sizeof path, "%s/ten-weeks.program", rlx_cli_sessions_dir());
    return path;
}

/* The session whose [session] id is `id` among the *.session files of dir. */
static char *scan_dir_for_id(const char *dir, const char *id)
{
    DIR *dh = opendir(dir);
    if (!dh)
        return NULL;
    char *found = NULL;
    char path[PATH_MAX + 256];
    struct dirent *e;
    rlx_parse_config cfg = rlx_cli_parse_config(false);
    while (!found && (e = readdir(dh))) {
        if (!ends_with(e->d_name, ".session"))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        rlx_session *s = NULL;
        rlx_diags d = {0};
        if (rlx_session_parse(path, &cfg, &s, &d) == RLX_OK && s->id && !strcmp(s->id, id))
            found = strdup(path);
        rlx_session_free(s);
        rlx_diags_free(&d);
    }
    closedir(dh);
    return found;
}

/* The sessions `id` in the folders of the search, in order (at most one
 * per folder: the file named <id>.session, else one whose [session] id is
 * `id`). The first is the one that is used. */
static size_t find_all(const char *id, char **found, size_t max)
{
    const char *const *dirs = rlx_cli_session_dirs();
    size_t n = 0;
    for (size_t i = 0; dirs[i] && n < max; i++) {
        char path[PATH_MAX + 256];
        snprintf(path, sizeof path, "%s/%s.session", dirs[i], id);
        char *hit = is_file(path) ? strdup(path) : scan_dir_for_id(dirs[i], id);
        if (hit)
            found[n++] = hit;
    }
    return n;
}

static char *find_session_by_id(const char *id)
{
    char *found = NULL;
    return find_all(id, &found, 1) ? found : NULL;
}

char *rlx_cli_session_path(const char *arg)
{
    if (strchr(arg, '/') || ends_with(arg, ".session") || is_file(arg))
        return strdup(arg);
    return find_session_by_id(arg);
}

static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

char *rlx_cli_session_hides(const char *path, const char *id)
{
    if (!id || !*id || strchr(id, '/'))
        return NULL;
    char *found[RLX_MAX_SESSION_DIRS];
    size_t n = find_all(id, found, RLX_MAX_SESSION_DIRS);
    char *hidden = NULL;
    if (n >= 2 && same_file(found[0], path))
        hidden = strdup(found[1]);
    for (size_t i = 0; i < n; i++)
        free(found[i]);
    return hidden;
}

char *rlx_cli_session_override(const char *path, const char *id)
{
    if (!id || !*id || strchr(id, '/'))
        return NULL;
    char *used = find_session_by_id(id);
    if (used && same_file(used, path)) {
        free(used);
        return NULL;
    }
    return used;
}

/* One value of user-dirs.dirs: XDG_MUSIC_DIR="$HOME/Music" (only $HOME is expanded). */
static bool music_from_user_dirs(char *buf, size_t len)
{
    const char *cfg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    char path[PATH_MAX];
    if (cfg && cfg[0] == '/')
        snprintf(path, sizeof path, "%s/user-dirs.dirs", cfg);
    else if (home && *home)
        snprintf(path, sizeof path, "%s/.config/user-dirs.dirs", home);
    else
        return false;
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char line[PATH_MAX + 64];
    bool ok = false;
    while (!ok && fgets(line, sizeof line, f)) {
        const char *p = line + strspn(line, " \t");
        if (strncmp(p, "XDG_MUSIC_DIR=\"", 15))
            continue;
        p += 15;
        char *end = strchr(p, '"');
        if (!end)
            continue;
        *end = 0;
        if (!strncmp(p, "$HOME", 5) && (p[5] == '/' || !p[5]) && home && *home)
            snprintf(buf, len, "%s%s", home, p + 5);
        else if (p[0] == '/')
            snprintf(buf, len, "%s", p);
        else
            continue;
        /* "$HOME/" alone means the feature is switched off */
        ok = is_dir(buf) && !(home && !strcmp(buf, home)) && strcmp(p, "$HOME/");
    }
    fclose(f);
    return ok;
}

const char *rlx_cli_music_dir(char *buf, size_t len)
{
    const char *env = getenv("XDG_MUSIC_DIR"), *home = getenv("HOME");
    if (env && env[0] == '/' && is_dir(env)) {
        snprintf(buf, len, "%s", env);
        return buf;
    }
    if (music_from_user_dirs(buf, len))
        return buf;
    if (home && *home) {
        snprintf(buf, len, "%s/Music", home);
        if (is_dir(buf))
            return buf;
    }
    snprintf(buf, len, ".");
    return buf;
}

/* Loading by path or id lives here, beside the search it uses. */
int rlx_cli_load_program(rlx_program **out)
{
    const char *path = rlx_cli_program_path();
    rlx_diags d = {0};
    rlx_err err = rlx_program_parse(path, out, &d);
    rlx_cli_print_diags(stderr, &d);
    if (err && d.count == 0)
        rlx_cli_error("cannot read the program file %s: %s", path, rlx_strerror(err));
    if (err)
        rlx_cli_note_missing_data();
    rlx_diags_free(&d);
    return err ? rlx_cli_exit_code(err) : 0;
}

rlx_err rlx_cli_load_session(const char *arg, rlx_session **out, rlx_diags *d)
{
    *out = NULL;
    char *path = rlx_cli_session_path(arg);
    if (!path) {
        rlx_diags_add(d, RLX_DIAG_ERROR, NULL, 0, 0, NULL,
                      "no session '%s': give a .session file or an id from 'relax list'", arg);
        return RLX_ERR_NOT_FOUND;
    }
    rlx_parse_config cfg = rlx_cli_parse_config(true);
    rlx_err err = rlx_session_parse(path, &cfg, out, d);
    free(path);
    return err;
}

int rlx_cli_open_session(const char *arg, rlx_session **out)
{
    rlx_diags d = {0};
    rlx_err err = rlx_cli_load_session(arg, out, &d);
    rlx_cli_print_diags(stderr, &d);
    if (err && !d.count)
        rlx_cli_error("%s: %s", arg, rlx_strerror(err));
    rlx_diags_free(&d);
    return err ? rlx_cli_exit_code(err) : RLX_EXIT_OK;
}

/* ---- beds ------------------------------------------------------------------ */

static bool bed_ext(const char *name, size_t *stem)
{
    static const char *const exts[] = {".ogg", ".opus", ".flac", ".wav", ".mp3"};
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof exts / sizeof *exts; i++) {
        size_t e = strlen(exts[i]);
        if (n > e && !strcasecmp(name + n - e, exts[i])) {
            *stem = n - e;
            return true;
        }
    }
    return false;
}

/* Calls fn for every bed file, asset folders in order; stops when it returns true. */
static bool each_bed(bool (*fn)(void *, const char *dir, const char *file, size_t stem), void *user)
{
    for (const char *const *d = rlx_cli_asset_dirs(); *d; d++) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s/ambient", *d);
        struct dirent **names = NULL;
        int n = scandir(dir, &names, NULL, alphasort);
        bool stop = false;
        for (int i = 0; i < n; i++) {
            size_t stem;
            if (!stop && names[i]->d_name[0] != '.' && bed_ext(names[i]->d_name, &stem))
                stop = fn(user, dir, names[i]->d_name, stem);
            free(names[i]);
        }
        free(names);
        if (stop)
            return true;
    }
    return false;
}

typedef struct {
    const char *name;
    char *path;
    size_t len;
    char list[512];
} bed_search;

static bool bed_match(void *user, const char *dir, const char *file, size_t stem)
{
    bed_search *b = user;
    if (strlen(b->name) == stem && !strncmp(file, b->name, stem)) {
        snprintf(b->path, b->len, "%s/%s", dir, file);
        return true;
    }
    size_t at = strlen(b->list);
    char one[128];
    snprintf(one, sizeof one, "%.*s", (int)(stem < 100 ? stem : 100), file);
    /* the same name in two folders is one choice (the first wins) */
    char key[132];
    snprintf(key, sizeof key, " %s,", one);
    char hay[520];
    snprintf(hay, sizeof hay, " %s,", b->list);
    if (!strstr(hay, key) && at + strlen(one) + 3 < sizeof b->list)
        snprintf(b->list + at, sizeof b->list - at, "%s%s", at ? ", " : "", one);
    return false;
}

int rlx_cli_find_bed(const char *name, char *path, size_t len)
{
    path[0] = 0;
    if (!strcmp(name, "off") || !strcmp(name, "session"))
        return 0;
    bed_search b = {.name = name, .path = path, .len = len};
    /* the whole scan even for a name that cannot match: it lists the choices */
    if (each_bed(bed_match, &b) && *name && !strchr(name, '/'))
        return 0;
    bool file_like = strchr(name, '/') || strchr(name, '.');
    rlx_cli_error("--bed: no bed named '%s'%s; choose one of: %s%soff, session", name,
                  file_like ? " (a bed is named without its folder and extension)" : "", b.list,
                  b.list[0] ? ", " : "");
    return RLX_EXIT_USAGE;
}

bool rlx_cli_bed_known(const char *name)
{
    char path[PATH_MAX];
    bed_search b = {.name = name, .path = path, .len = sizeof path};
    return !strcmp(name, "off") || !strcmp(name, "session") ||
           (*name && !strchr(name, '/') && each_bed(bed_match, &b));
}

int rlx_cli_apply_bed(rlx_session *s, const char *name)
{
    if (!name || !strcmp(name, "session"))
        return 0;
    char path[PATH_MAX];
    int rc = rlx_cli_find_bed(name, path, sizeof path);
    if (rc)
        return rc;
    char *file = NULL, *full = NULL;
    if (path[0]) {
        const char *base = strrchr(path, '/');
        size_t n = strlen(base + 1) + 9;
        file = malloc(n);
        full = strdup(path);
        if (!file || !full) {
            free(file);
            free(full);
            return RLX_EXIT_INTERNAL;
        }
        snprintf(file, n, "ambient/%s", base + 1);
    }
    free(s->ambient_file);
    free(s->ambient_path);
    s->ambient_file = file;   /* NULL for off: no bed */
    s->ambient_path = full;
    return 0;
}
