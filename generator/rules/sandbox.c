#include "rules/sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lauxlib.h>
#include <lualib.h>

#include "core/strbuf.h"
#include "core/xalloc.h"
#include "rules/arena.h"

/* The count hook charges instructions in steps of this many. */
#define HOOK_PERIOD 1000
/* No return hook: with one, Lua 5.4.4 crashed in a date's __concat
 * metamethod inside a longer concatenation; line events give the line. */
#define TRACKING_MASK (LUA_MASKCOUNT | LUA_MASKLINE)

/* The sandbox inside sandbox_pcall, for sandbox_mirror_running_line. */
static sandbox *volatile running;
/* The message lauxlib raises (as an ordinary error) when a buffer cannot grow. */
#define LAUXLIB_MEMORY_MESSAGE "not enough memory"

static sandbox *sandbox_of(lua_State *L)
{
    return *(sandbox **)lua_getextraspace(L);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sandbox_error_free(sandbox_error *err)
{
    free(err->message);
    free(err->detail);
    err->message = err->detail = NULL;
}

static void set_error(sandbox_error *err, sandbox_failure kind, int line, char *message,
                      char *detail)
{
    err->kind = kind;
    err->line = line;
    err->message = message;
    err->detail = detail;
}

/* ---- lines ----
 * While the plugin loads and its chunk runs, the hook follows every line (a
 * chunk that returns something else is placed at the last line it ran).
 * check runs without line events, which made the rules that walk the plan's
 * text three times slower: the line is read from the stack where it is
 * needed instead, at every count event (for the watcher), where an
 * allocation is refused or an error raised (for the diagnostic), before host
 * code builds a lazy part, and when the watcher asks. */

static void set_current_line(sandbox *sb, int line)
{
    sb->current_line = line;
    if (sb->line_mirror)
        *sb->line_mirror = line;
}

/* The line of the innermost Lua function running (all of them are the
 * chunk's); 0 when none is. Only reads the state. */
static int innermost_line(lua_State *L)
{
    lua_Debug ar;
    for (int level = 0; lua_getstack(L, level, &ar); level++)
        if (lua_getinfo(L, "l", &ar) && ar.currentline > 0)
            return ar.currentline;
    return 0;
}

static void read_line(sandbox *sb)
{
    if (sb->lines_on_demand && sb->L)
        set_current_line(sb, innermost_line(sb->L));
}

void sandbox_lines_on_demand(sandbox *sb)
{
    sb->lines_on_demand = true;
}

void sandbox_note_line(lua_State *L)
{
    read_line(sandbox_of(L));
}

void sandbox_mirror_running_line(void)
{
    sandbox *sb = running;
    if (sb)
        read_line(sb);
}

/* ---- limits ---- */

/* Counts every byte and refuses growth past the limit; Lua turns the NULL into
 * an ordinary "not enough memory" error (STYLE lesson 5). */
static void *limited_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    sandbox *sb = ud;
    size_t old = ptr ? osize : 0; /* without ptr, osize encodes the object's type */
    if (nsize == 0) {
        arena_realloc(sb->arena, ptr, osize, 0);
        sb->bytes -= old;
        return NULL;
    }
    if (nsize > old && nsize - old > sb->limits.max_memory - sb->bytes) {
        sb->refused = true;
        read_line(sb); /* Lua raises the error without a message handler */
        return NULL;
    }
    void *grown = arena_realloc(sb->arena, ptr, osize, nsize);
    if (!grown) {
        sb->refused = true;
        read_line(sb);
        return NULL;
    }
    sb->bytes = sb->bytes - old + nsize;
    return grown;
}

static const char *stop_message(const sandbox *sb)
{
    switch (sb->stop) {
    case SANDBOX_OUT_OF_INSTRUCTIONS: return "instruction limit exceeded";
    case SANDBOX_OUT_OF_TIME: return "time limit exceeded";
    case SANDBOX_RUNNING: break;
    }
    return "stopped";
}

static void limit_hook(lua_State *L, lua_Debug *ar)
{
    sandbox *sb = sandbox_of(L);
    switch (ar->event) {
    case LUA_HOOKLINE: set_current_line(sb, ar->currentline); break;
    case LUA_HOOKCOUNT:
        if (sb->stop != SANDBOX_RUNNING)
            break;
        sb->instructions_left -= HOOK_PERIOD;
        if (sb->instructions_left <= 0)
            sb->stop = SANDBOX_OUT_OF_INSTRUCTIONS;
        else if (now_ms() >= sb->deadline_ms)
            sb->stop = SANDBOX_OUT_OF_TIME;
        if (sb->stop == SANDBOX_RUNNING && sb->lines_on_demand) {
            /* Dropping line events here, at a count event, keeps the count's
             * phase: the instruction limit trips where it always did. */
            if (sb->following_lines)
                lua_sethook(L, limit_hook, LUA_MASKCOUNT, HOOK_PERIOD);
            sb->following_lines = false;
            lua_getinfo(L, "l", ar);
            set_current_line(sb, ar->currentline);
        }
        if (sb->stop == SANDBOX_RUNNING)
            return;
        lua_getinfo(L, "l", ar);
        sb->stop_line = ar->currentline > 0 ? ar->currentline : sb->current_line;
        /* From now on every instruction raises again (STYLE lesson 6). */
        lua_sethook(L, limit_hook, TRACKING_MASK, 1);
        break;
    default: return;
    }
    if (sb->stop != SANDBOX_RUNNING) {
        lua_pushstring(L, stop_message(sb));
        lua_error(L);
    }
}

/* ---- failures ---- */

static int traceback_handler(lua_State *L)
{
    read_line(sandbox_of(L)); /* the error's line, for a message without one */
    const char *msg;
    if (lua_type(L, 1) == LUA_TSTRING || lua_type(L, 1) == LUA_TNUMBER) {
        msg = lua_tostring(L, 1);
    } else if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) {
        msg = lua_tostring(L, -1);
    } else {
        msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

/* Reads "short_src:LINE: rest"; returns LINE and points *rest past the prefix,
 * or returns 0 when msg does not start with this chunk's position. */
static int split_position(const char *short_src, const char *msg, const char **rest)
{
    size_t n = strlen(short_src);
    if (strncmp(msg, short_src, n) != 0 || msg[n] != ':')
        return 0;
    const char *p = msg + n + 1;
    int line = 0;
    if (*p < '0' || *p > '9')
        return 0;
    while (*p >= '0' && *p <= '9') {
        if (line < 100000000)
            line = line * 10 + (*p - '0');
        p++;
    }
    if (*p != ':')
        return 0;
    p++;
    if (*p == ' ')
        p++;
    *rest = p;
    return line;
}

/* The message without its traceback, on one line. */
static char *one_line(const char *msg)
{
    const char *end = strstr(msg, "\nstack traceback:");
    size_t len = end ? (size_t)(end - msg) : strlen(msg);
    char *out = xstrndup(msg, len);
    for (char *c = out; *c; c++) {
        if (*c == '\n' || *c == '\r' || *c == '\t')
            *c = ' ';
    }
    while (len > 0 && out[len - 1] == ' ')
        out[--len] = '\0';
    return out;
}

static char *size_text(size_t bytes)
{
    const size_t mib = 1024 * 1024;
    if (bytes >= mib && bytes % mib == 0)
        return xasprintf("%zu MiB", bytes / mib);
    return xasprintf("%zu bytes", bytes);
}

/* Turns the error object on top of the stack (left there) into err. */
static void describe_failure(sandbox *sb, int status, sandbox_error *err)
{
    const char *msg = lua_type(sb->L, -1) == LUA_TSTRING ? lua_tostring(sb->L, -1) : NULL;
    char *detail = msg ? xstrdup(msg) : NULL;
    bool lauxlib_memory =
        msg && strncmp(msg, LAUXLIB_MEMORY_MESSAGE "\n", sizeof LAUXLIB_MEMORY_MESSAGE) == 0;

    if (sb->stop == SANDBOX_OUT_OF_INSTRUCTIONS) {
        set_error(err, SANDBOX_TIMEOUT, sb->stop_line,
                  xasprintf("exceeded the instruction limit of %lld", sb->limits.max_instructions),
                  detail);
    } else if (sb->stop == SANDBOX_OUT_OF_TIME) {
        set_error(err, SANDBOX_TIMEOUT, sb->stop_line,
                  xasprintf("exceeded the time limit of %ld ms", sb->limits.max_millis), detail);
    } else if (status == LUA_ERRMEM || (sb->refused && (status == LUA_ERRERR || lauxlib_memory))) {
        char *limit = size_text(sb->limits.max_memory);
        set_error(err, SANDBOX_MEMORY, sb->current_line,
                  xasprintf("exceeded the memory limit of %s", limit), detail);
        free(limit);
    } else {
        const char *rest = msg ? msg : "(no error message)";
        int line = msg ? split_position(sb->short_src, msg, &rest) : 0;
        set_error(err, SANDBOX_ERROR, line ? line : sb->current_line, one_line(rest), detail);
    }
}

/* ---- calls ---- */

static bool fail_for_stack(sandbox *sb, sandbox_error *err)
{
    char *limit = size_text(sb->limits.max_memory);
    set_error(err, SANDBOX_MEMORY, 0, xasprintf("exceeded the memory limit of %s", limit), NULL);
    free(limit);
    return false;
}

bool sandbox_pcall(sandbox *sb, int nargs, int nresults, sandbox_error *err)
{
    lua_State *L = sb->L;
    int handler = lua_gettop(L) - nargs;
    if (!lua_checkstack(L, 1)) {
        lua_pop(L, nargs + 1);
        return fail_for_stack(sb, err);
    }
    lua_pushcfunction(L, traceback_handler);
    lua_insert(L, handler);
    sb->refused = false;
    set_current_line(sb, 0);
    sandbox *outer = running;
    running = sb;
    int status = lua_pcall(L, nargs, nresults, handler);
    running = outer;
    lua_remove(L, handler);
    if (status == LUA_OK)
        return true;
    describe_failure(sb, status, err);
    lua_pop(L, 1);
    return false;
}

bool sandbox_ccall(sandbox *sb, lua_CFunction fn, void *ud, int nargs, int nresults,
                   sandbox_error *err)
{
    if (!lua_checkstack(sb->L, 3)) {
        lua_pop(sb->L, nargs);
        return fail_for_stack(sb, err);
    }
    lua_pushcfunction(sb->L, fn);
    lua_insert(sb->L, -(nargs + 1));
    lua_pushlightuserdata(sb->L, ud);
    lua_insert(sb->L, -(nargs + 1));
    return sandbox_pcall(sb, nargs + 1, nresults, err);
}

bool sandbox_load(sandbox *sb, const char *text, size_t len, sandbox_error *err)
{
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) { /* a UTF-8 byte-order mark */
        text += 3;
        len -= 3;
    }
    if (len > 0 && text[0] == LUA_SIGNATURE[0]) {
        set_error(err, SANDBOX_ERROR, 0,
                  xstrdup("precompiled Lua (bytecode) is not accepted; a rule must be Lua "
                          "source text"),
                  NULL);
        return false;
    }
    char *chunkname = xasprintf("@%s", sb->path);
    sb->refused = false;
    int status = luaL_loadbufferx(sb->L, text, len, chunkname, "t");
    free(chunkname);
    if (status == LUA_OK)
        return true;
    describe_failure(sb, status, err);
    lua_pop(sb->L, 1);
    return false;
}

/* ---- the state ---- */

/* setmetatable without finalizers: Lua runs __gc metamethods with hooks
 * turned off, so a looping finalizer could never be stopped. Lua marks an
 * object for finalization only when its metatable has __gc (raw) at the time
 * setmetatable is called, so checking here is enough. */
static int setmetatable_without_gc(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "setmetatable: __gc metamethods are not available to rules");
        lua_pop(L, 1);
    }
    int nargs = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, nargs, LUA_MULTRET);
    return lua_gettop(L);
}

static int open_libraries(lua_State *L)
{
    static const luaL_Reg libraries[] = {
        {LUA_GNAME, luaopen_base},       {LUA_STRLIBNAME, luaopen_string},
        {LUA_TABLIBNAME, luaopen_table}, {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8},
    };
    for (size_t i = 0; i < sizeof libraries / sizeof *libraries; i++) {
        luaL_requiref(L, libraries[i].name, libraries[i].func, 1);
        lua_pop(L, 1);
    }
    /* Loading code, reaching the collector and printing are not for rules;
     * random numbers would make builds differ. */
    static const char *const removed_globals[] = {"load",           "loadfile", "dofile",
                                                  "collectgarbage", "print",    "warn"};
    for (size_t i = 0; i < sizeof removed_globals / sizeof *removed_globals; i++) {
        lua_pushnil(L);
        lua_setglobal(L, removed_globals[i]);
    }
    lua_getglobal(L, "setmetatable");
    lua_pushcclosure(L, setmetatable_without_gc, 1);
    lua_setglobal(L, "setmetatable");
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_getglobal(L, LUA_MATHLIBNAME);
    lua_pushnil(L);
    lua_setfield(L, -2, "random");
    lua_pushnil(L);
    lua_setfield(L, -2, "randomseed");
    lua_pop(L, 2);
    return 0;
}

static int on_panic(lua_State *L)
{
    const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "?";
    fprintf(stderr, "policygen: unprotected Lua error: %s\n", msg);
    abort();
}

sandbox *sandbox_new(const char *path, const rules_limits *limits, volatile int *line_mirror,
                     sandbox_error *err)
{
    sandbox *sb = xcalloc(1, sizeof *sb);
    sb->path = path;
    sb->line_mirror = line_mirror;
    sb->limits = limits ? *limits : rules_default_limits();
    sb->instructions_left = sb->limits.max_instructions;
    sb->deadline_ms = now_ms() + sb->limits.max_millis;
    snprintf(sb->short_src, sizeof sb->short_src, "%s", path);

    sb->arena = arena_new();
    sb->L = lua_newstate(limited_alloc, sb);
    if (!sb->L) {
        char *limit = size_text(sb->limits.max_memory);
        set_error(err, SANDBOX_MEMORY, 0,
                  xasprintf("exceeded the memory limit of %s creating its Lua state", limit), NULL);
        free(limit);
        arena_free(sb->arena);
        free(sb);
        return NULL;
    }
    *(sandbox **)lua_getextraspace(sb->L) = sb;
    lua_atpanic(sb->L, on_panic);
    lua_sethook(sb->L, limit_hook, TRACKING_MASK, HOOK_PERIOD);
    sb->following_lines = true;
    if (!sandbox_ccall(sb, open_libraries, NULL, 0, 0, err)) {
        sandbox_free(sb);
        return NULL;
    }
    /* Learn how Lua abbreviates this chunk's name, to recognise its positions
     * in messages (long paths become "...tail"). */
    char *chunkname = xasprintf("@%s", path);
    if (luaL_loadbufferx(sb->L, "", 0, chunkname, "t") == LUA_OK) {
        lua_Debug ar;
        lua_getinfo(sb->L, ">S", &ar);
        snprintf(sb->short_src, sizeof sb->short_src, "%s", ar.short_src);
    } else {
        lua_pop(sb->L, 1);
    }
    free(chunkname);
    return sb;
}

/* Every byte of the state is in its arena, and closing it would run no rule
 * code (there are no finalizers, and no to-be-closed variable outlives the
 * call that declared it): dropping the arena is closing the state. */
void sandbox_free(sandbox *sb)
{
    if (!sb)
        return;
    arena_free(sb->arena);
    free(sb);
}
