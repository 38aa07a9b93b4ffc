/* A Lua state for one plugin: chosen libraries only, text chunks only, and
 * limits on memory, instructions and time.
 *
 * Memory: the state's allocator counts bytes and returns NULL past the limit
 * (it never aborts). Instructions and time: a count hook charges every 1000
 * instructions; when the budget or the deadline runs out it raises an error and
 * re-arms itself on every instruction and line, so the script's own pcall
 * cannot swallow the stop. The current line is kept too, so an
 * out-of-memory error, which Lua raises without calling any message handler,
 * can still be placed at its line: the hook follows line events while the
 * chunk loads and runs, and after sandbox_lines_on_demand the line is read
 * from the stack where it is needed.
 *
 * Every call into Lua goes through sandbox_pcall, which adds a traceback and
 * turns a failure into a sandbox_error. */
#ifndef POLICYGEN_RULES_SANDBOX_H
#define POLICYGEN_RULES_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include <lua.h>

#include "rules/rules.h"

typedef enum sandbox_failure {
    SANDBOX_ERROR,   /* a Lua error, a syntax error, a refused file */
    SANDBOX_TIMEOUT, /* the instruction or time limit */
    SANDBOX_MEMORY,  /* the memory limit */
} sandbox_failure;

typedef enum sandbox_stop {
    SANDBOX_RUNNING,
    SANDBOX_OUT_OF_INSTRUCTIONS,
    SANDBOX_OUT_OF_TIME,
} sandbox_stop;

/* A failure, placed in the chunk. The strings are owned: sandbox_error_free. */
typedef struct sandbox_error {
    sandbox_failure kind;
    int line;      /* in the plugin file; 0 when unknown */
    char *message; /* one line, without the "path:line:" prefix */
    char *detail;  /* the full message with its traceback, or NULL */
} sandbox_error;

void sandbox_error_free(sandbox_error *err);

struct arena;

typedef struct sandbox {
    lua_State *L;
    struct arena *arena; /* all of L's memory (rules/arena.h) */
    const char *path;           /* borrowed; the chunk is named "@path" */
    char short_src[LUA_IDSIZE]; /* how Lua abbreviates the chunk name in messages */
    rules_limits limits;
    size_t bytes; /* allocated now */
    bool refused; /* the allocator said no during the current call */
    long long instructions_left;
    long long deadline_ms; /* on the monotonic clock */
    sandbox_stop stop;
    int stop_line;             /* where the stop tripped */
    int current_line;          /* the innermost running line of the chunk */
    volatile int *line_mirror; /* NULL, or where current_line is copied for a watcher */
    bool lines_on_demand;      /* sandbox_lines_on_demand was called */
    bool following_lines;      /* the hook has line events */
} sandbox;

/* A new state with base (without load, loadfile, dofile, collectgarbage, print,
 * warn, and with a setmetatable that refuses __gc), string (without dump),
 * table, math (without random, randomseed) and utf8. The limits' clock starts
 * now. line_mirror may be NULL. On failure returns NULL and fills err. */
sandbox *sandbox_new(const char *path, const rules_limits *limits, volatile int *line_mirror,
                     sandbox_error *err);
void sandbox_free(sandbox *sb);

/* Loads text as the plugin's chunk and pushes it. Precompiled chunks are
 * refused with their own message. */
bool sandbox_load(sandbox *sb, const char *text, size_t len, sandbox_error *err);

/* Like lua_pcall(L, nargs, nresults, handler): on success the results are on
 * the stack; on failure nothing is left and err is filled. */
bool sandbox_pcall(sandbox *sb, int nargs, int nresults, sandbox_error *err);

/* Runs fn protected as fn(ud, ...), with the nargs values on top of the stack
 * as its further arguments (ud arrives as a light userdata). */
bool sandbox_ccall(sandbox *sb, lua_CFunction fn, void *ud, int nargs, int nresults,
                   sandbox_error *err);

/* From now on (the plugin's check) the current line is read from the stack
 * when it is needed instead of followed line by line, which slows Lua down
 * threefold; the line events stop at the next count event. */
void sandbox_lines_on_demand(sandbox *sb);
/* Brings the current line up to date: host code called from Lua does so
 * before work that could crash or hang, so the rule is placed right. */
void sandbox_note_line(lua_State *L);
/* For a signal handler of a process running rules: mirrors the line of the
 * sandbox running now, if any. Only reads the Lua state. */
void sandbox_mirror_running_line(void);

#endif
