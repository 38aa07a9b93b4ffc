/* policygen: the command line. Everything else lives in the library the
 * tests link; this file only reads options and maps results to exit codes. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "announce/announce.h"
#include "build/build.h"
#include "cache/cache.h"
#include "content/site.h"
#include "core/fs.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "hosting/hosting.h"
#include "release/bundle.h"
#include "release/release.h"
#include "serve/serve.h"
#include "starter/starter.h"

enum exit_code {
    EXIT_OK = 0,
    EXIT_CHECKS = 1,
    EXIT_USAGE = 2,
    EXIT_CONTENT = 3,
};

static const char USAGE[] =
    "usage: policygen build [-C DIR] [-o OUT] [--edition E] [-j N] [--today YYYY-MM-DD] [--strict] [--no-pdf]\n"
    "                      [--no-cache]\n"
    "       policygen check [-C DIR] [--today YYYY-MM-DD] [--format text|json]\n"
    "       policygen rules [-C DIR] [--today YYYY-MM-DD] [--format text|json]\n"
    "       policygen release [-C DIR] [--force] [--today YYYY-MM-DD]\n"
    "       policygen bundle [-C DIR] [-o OUT] [--edition E] [--today YYYY-MM-DD] [--no-build]\n"
    "       policygen verify BUNDLE.zip\n"
    "       policygen serve [-C DIR] [--port N] [--bind ADDR] [--edition E] [--today YYYY-MM-DD] [--pdf]\n"
    "       policygen new DIR --org NAME [--short-name S] [--parent AUTHORITY] [--level D]\n"
    "       policygen hosting nginx|apache|iis [-C DIR] [--edition E] [--root PATH] [--listen ADDR:PORT]\n"
    "                         [--allow-open]\n"
    "       policygen announce [-C DIR] [--edition E] [--base-url URL] [--today YYYY-MM-DD] -o FILE.eml\n"
    "\n"
    "  build    render the content folder into the output folder\n"
    "  check    run the rules and reference checks only; exit 1 on error-level flags\n"
    "  rules    list every rule: its source, what it needs (met or not), parameters, outcome\n"
    "  release  freeze the current approved version into DIR/releases/<version>.zip\n"
    "  bundle   build, then zip each edition into OUT/dist/<id>-<version>-<edition>.zip\n"
    "  verify   check a bundle's files against its MANIFEST.sha256; exit 1 on any difference\n"
    "  serve    build, serve on http://127.0.0.1:8000/, rebuild and reload on every change\n"
    "  new      start a content folder for a new school from the national template\n"
    "  hosting  print a web server's configuration for one edition\n"
    "  announce write the e-mail that tells staff about the current version\n"
    "\n"
    "options:\n"
    "  -C DIR             the content folder (default: content)\n"
    "  -o OUT             the output folder (default: output)\n"
    "  --edition E        build only edition E (public, staff or internal) of site.yaml's\n"
    "  -j N               render on N threads (default: one per processor)\n"
    "  --today DATE       the date rules measure against (default: SOURCE_DATE_EPOCH or today)\n"
    "  --strict           error-level flags fail the build\n"
    "  --no-pdf           build: HTML only, no PDFs (the plan, annex forms, register printouts)\n"
    "  --no-cache         build: from nothing, without reading or writing the build cache\n"
    "  --format FORMAT    check: text (diagnostics) or json (status/flags.json)\n"
    "  -h, --help         this text\n"
    "\n"
    "exit codes: 0 success, 1 checks found errors, 2 usage, 3 the content could not be built\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "policygen: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(run 'policygen --help' for usage)\n");
    return EXIT_USAGE;
}

/* The options several commands share; each is false after its usage error. */
static bool option_today(const char *arg, date *today, bool *today_set)
{
    if (!date_parse(arg, today)) {
        usage_error("--today takes a date as YYYY-MM-DD, not '%s'", arg);
        return false;
    }
    *today_set = true;
    return true;
}

static bool option_jobs(const char *arg, int *jobs)
{
    char *end;
    long n = strtol(arg, &end, 10);
    if (*end || n < 1 || n > 256) {
        usage_error("-j takes a number of threads from 1 to 256, not '%s'", arg);
        return false;
    }
    *jobs = (int)n;
    return true;
}

/* The shipped themes, rules and starter plan: beside the executable when
 * run from a checkout (./policygen), else the installed data folder. */
static char *find_data_dir(const char *argv0)
{
    const char *env = getenv("POLICYGEN_DATADIR");
    if (env && *env)
        return xstrdup(env);
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *dir = fs_dirname(exe);
        /* The checkout's binary is ./policygen; the test build is build/san/policygen. */
        const char *candidates[] = {".", "../..", NULL};
        for (int i = 0; candidates[i]; i++) {
            char *base = fs_join(dir, candidates[i]);
            char *themes = fs_join(base, "themes");
            bool found = fs_is_dir(themes);
            free(themes);
            if (found) {
                free(dir);
                return base;
            }
            free(base);
        }
        free(dir);
    }
    (void)argv0;
    return xstrdup(POLICYGEN_DATADIR);
}

static int cmd_build(int argc, char **argv, const char *data_dir, diag_sink *diags)
{
    bool no_cache = false;
    build_options opts = {.content_dir = "content", .output_dir = "output", .data_dir = data_dir};
    enum { OPT_TODAY = 256, OPT_STRICT, OPT_NO_PDF, OPT_EDITION, OPT_NO_CACHE };
    static const struct option long_opts[] = {
        {"today", required_argument, NULL, OPT_TODAY},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"no-pdf", no_argument, NULL, OPT_NO_PDF},
        {"no-cache", no_argument, NULL, OPT_NO_CACHE},
        {"edition", required_argument, NULL, OPT_EDITION},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "C:o:j:h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'C': opts.content_dir = optarg; break;
        case 'o': opts.output_dir = optarg; break;
        case OPT_TODAY:
            if (!option_today(optarg, &opts.today, &opts.today_set))
                return EXIT_USAGE;
            break;
        case OPT_STRICT: opts.strict = true; break;
        case OPT_NO_PDF: opts.no_pdf = true; break;
        case OPT_NO_CACHE: no_cache = true; break;
        case OPT_EDITION: opts.edition = optarg; break;
        case 'j':
            if (!option_jobs(optarg, &opts.jobs))
                return EXIT_USAGE;
            break;
        case 'h': fputs(USAGE, stdout); return EXIT_OK;
        default: return usage_error("%s", "unknown option");
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (!build_output_allowed(&opts, diags))
        return EXIT_USAGE;
    opts.exiting = true;
    char *cache_dir = no_cache ? NULL : cache_dir_for(opts.output_dir);
    opts.cache_dir = cache_dir;
    build_result r = build_site(&opts, diags);
    free(cache_dir);
    switch (r) {
    case BUILD_OK: return EXIT_OK;
    case BUILD_CHECKS_FAILED: return EXIT_CHECKS;
    case BUILD_CONTENT_ERROR: return EXIT_CONTENT;
    case BUILD_USAGE_ERROR: return EXIT_USAGE;
    }
    return EXIT_CONTENT;
}

static int cmd_check(int argc, char **argv, const char *data_dir, bool listing, diag_sink *diags)
{
    build_options opts = {.content_dir = "content", .data_dir = data_dir};
    enum { OPT_TODAY = 256, OPT_FORMAT };
    static const struct option long_opts[] = {
        {"today", required_argument, NULL, OPT_TODAY},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    bool json = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "C:h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'C': opts.content_dir = optarg; break;
        case OPT_TODAY:
            if (!option_today(optarg, &opts.today, &opts.today_set))
                return EXIT_USAGE;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "json") == 0)
                json = true;
            else if (strcmp(optarg, "text") != 0)
                return usage_error("--format is text or json, not '%s'", optarg);
            break;
        case 'h': fputs(USAGE, stdout); return EXIT_OK;
        default: return usage_error("%s", "unknown option");
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    check_output output = listing ? (json ? CHECK_RULES_JSON : CHECK_RULES_TEXT)
                                  : (json ? CHECK_FLAGS_JSON : CHECK_DIAGNOSTICS);
    switch (check_site(&opts, output, diags)) {
    case CHECK_OK: return EXIT_OK;
    case CHECK_FAILED: return EXIT_CHECKS;
    case CHECK_CONTENT_ERROR: return EXIT_CONTENT;
    }
    return EXIT_CONTENT;
}

static int cmd_release(int argc, char **argv, const char *data_dir, diag_sink *diags)
{
    static const char usage[] =
        "usage: policygen release [-C DIR] [--force] [--today YYYY-MM-DD] [-j N]\n"
        "\n"
        "Freezes the current version (the last row of registers/revisions.yaml, which must be\n"
        "approved, with an approver and a date) into DIR/releases/<version>.zip: the content\n"
        "folder under content/, the rendered site under site/, and manifest.json.\n"
        "\n"
        "  --force    release even when the checks find error-level flags\n"
        "\n"
        "exit codes: 0 released, 1 the checks found errors (no --force), 2 usage,\n"
        "3 not releasable (a draft, no approver or date, already released) or not buildable\n";
    release_options opts = {.content_dir = "content", .data_dir = data_dir};
    enum { OPT_TODAY = 256, OPT_FORCE };
    static const struct option long_opts[] = {
        {"today", required_argument, NULL, OPT_TODAY},
        {"force", no_argument, NULL, OPT_FORCE},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "C:j:h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'C': opts.content_dir = optarg; break;
        case OPT_TODAY:
            if (!option_today(optarg, &opts.today, &opts.today_set))
                return EXIT_USAGE;
            break;
        case OPT_FORCE: opts.force = true; break;
        case 'j':
            if (!option_jobs(optarg, &opts.jobs))
                return EXIT_USAGE;
            break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        default: return usage_error("%s", "unknown option");
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    release_summary sum;
    switch (release_create(&opts, &sum, diags)) {
    case RELEASE_OK:
        printf("release: %s (%zu files, %zu bytes, sha256 %s)\n", sum.path, sum.files, sum.bytes,
               sum.sha256);
        release_summary_free(&sum);
        return EXIT_OK;
    case RELEASE_CHECKS_FAILED: return EXIT_CHECKS;
    case RELEASE_REFUSED:
    case RELEASE_CONTENT_ERROR: return EXIT_CONTENT;
    }
    return EXIT_CONTENT;
}

static int cmd_bundle(int argc, char **argv, const char *data_dir, diag_sink *diags)
{
    static const char usage[] =
        "usage: policygen bundle [-C DIR] [-o OUT] [--edition E] [--today YYYY-MM-DD] [-j N]\n"
        "                        [--strict] [--no-build]\n"
        "\n"
        "Builds the site into OUT, then zips each edition's folder OUT/<E>/ into\n"
        "OUT/dist/<document-id>-<version>-<E>.zip with a MANIFEST.sha256 inside.\n"
        "\n"
        "  --edition E   only this edition (default: every edition of site.yaml)\n"
        "  --strict      error-level flags fail the build; no bundle is written\n"
        "  --no-build    zip the edition folders already in OUT as they are\n"
        "\n"
        "exit codes: 0 success, 1 checks found errors (--strict), 2 usage or unknown edition,\n"
        "3 the content could not be built or a bundle not written\n";
    bundle_options opts = {.content_dir = "content", .output_dir = "output", .data_dir = data_dir};
    enum { OPT_TODAY = 256, OPT_EDITION, OPT_STRICT, OPT_NO_BUILD };
    static const struct option long_opts[] = {
        {"today", required_argument, NULL, OPT_TODAY},
        {"edition", required_argument, NULL, OPT_EDITION},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"no-build", no_argument, NULL, OPT_NO_BUILD},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "C:o:j:h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'C': opts.content_dir = optarg; break;
        case 'o': opts.output_dir = optarg; break;
        case OPT_TODAY:
            if (!option_today(optarg, &opts.today, &opts.today_set))
                return EXIT_USAGE;
            break;
        case OPT_EDITION: opts.edition = optarg; break;
        case OPT_STRICT: opts.strict = true; break;
        case OPT_NO_BUILD: opts.no_build = true; break;
        case 'j':
            if (!option_jobs(optarg, &opts.jobs))
                return EXIT_USAGE;
            break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        default: return usage_error("%s", "unknown option");
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    build_options out = {.content_dir = opts.content_dir,
                         .output_dir = opts.output_dir,
                         .data_dir = data_dir};
    if (!opts.no_build && !build_output_allowed(&out, diags))
        return EXIT_USAGE;
    switch (bundle_create(&opts, diags)) {
    case BUNDLE_OK: return EXIT_OK;
    case BUNDLE_CHECKS_FAILED: return EXIT_CHECKS;
    case BUNDLE_BAD_EDITION: return EXIT_USAGE;
    case BUNDLE_CONTENT_ERROR: return EXIT_CONTENT;
    }
    return EXIT_CONTENT;
}

static int cmd_verify(int argc, char **argv, diag_sink *diags)
{
    static const char usage[] =
        "usage: policygen verify BUNDLE.zip\n"
        "\n"
        "Checks every file of the bundle against its MANIFEST.sha256 and reports each\n"
        "mismatched, missing or extra file.\n"
        "\n"
        "exit codes: 0 every file matches, 1 anything wrong (or an unreadable or unsafe zip), 2 usage\n";
    static const struct option long_opts[] = {
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage, stdout); return EXIT_OK;
        default: return usage_error("%s", "unknown option");
        }
    }
    if (optind >= argc)
        return usage_error("%s", "verify takes the bundle's zip file");
    if (optind + 1 < argc)
        return usage_error("unexpected argument '%s'", argv[optind + 1]);
    size_t files = 0;
    if (bundle_verify(argv[optind], &files, diags) != VERIFY_OK)
        return EXIT_CHECKS;
    printf("verify: %zu files OK\n", files);
    return EXIT_OK;
}

/* glibc hands the top of its heap back to the system whenever 128 KiB of
 * it are free, and faults the pages in again when they are wanted: a build
 * frees and allocates all the time (pages, bodies), which shrank and grew
 * the heap some 400 times for the bench corpus. The memory is kept instead,
 * and buffers up to 32 MiB (a font's table of 20 MB, read again for every
 * PDF) come from the heap, where they are used again, not from fresh
 * mappings. */
static void tune_malloc(void)
{
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_TOP_PAD, 16 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
}

static int cmd_serve(int argc, char **argv, const char *data_dir, diag_sink *diags)
{
    static const char usage[] =
        "usage: policygen serve [-C DIR] [--port N] [--bind ADDR] [--edition E]\n"
        "                       [--today YYYY-MM-DD] [--pdf]\n"
        "\n"
        "Builds the content folder into a temporary folder of its own (never output/), serves\n"
        "it over HTTP, and builds again whenever the content, the theme or the rules change;\n"
        "open pages reload. A failed build shows its diagnostics on every page, above the\n"
        "last good build. Ctrl-C stops it and removes its folder.\n"
        "\n"
        "  --port N      the port (default 8000; 0: any free port, printed)\n"
        "  --bind ADDR   the IPv4 or IPv6 address to listen on (default 127.0.0.1: this machine\n"
        "                only; any other is warned about: the internal edition is not for the\n"
        "                network)\n"
        "  --edition E   build only edition E of site.yaml's\n"
        "  --pdf         typeset the PDFs too (each build takes seconds longer)\n"
        "\n"
        "exit codes: 0 stopped by Ctrl-C (SIGINT) or SIGTERM, 2 usage (an address that cannot\n"
        "be listened on, an unknown edition), 3 no content folder or no way to watch it\n";
    serve_options opts = {.content_dir = "content", .data_dir = data_dir, .bind_text = "127.0.0.1"};
    unsigned port = 8000;
    enum { OPT_TODAY = 256, OPT_PORT, OPT_BIND, OPT_EDITION, OPT_PDF };
    static const struct option long_opts[] = {
        {"today", required_argument, NULL, OPT_TODAY},
        {"port", required_argument, NULL, OPT_PORT},
        {"bind", required_argument, NULL, OPT_BIND},
        {"edition", required_argument, NULL, OPT_EDITION},
        {"pdf", no_argument, NULL, OPT_PDF},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "C:h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'C': opts.content_dir = optarg; break;
        case OPT_TODAY:
            if (!option_today(optarg, &opts.today, &opts.today_set))
                return EXIT_USAGE;
            break;
        case OPT_PORT: {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (!*optarg || *end || n < 0 || n > 65535)
                return usage_error("--port takes a port number from 0 to 65535, not '%s'", optarg);
            port = (unsigned)n;
            break;
        }
        case OPT_BIND: opts.bind_text = optarg; break;
        case OPT_EDITION: opts.edition = optarg; break;
        case OPT_PDF: opts.pdf = true; break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        default: return usage_error("%s", "unknown option");
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (!serve_address_parse(opts.bind_text, port, &opts.address))
        return usage_error("--bind takes an IPv4 or IPv6 address such as 127.0.0.1 or ::1, not '%s'",
                           opts.bind_text);
    switch (serve_run(&opts, diags)) {
    case SERVE_STOPPED: return EXIT_OK;
    case SERVE_USAGE_ERROR: return EXIT_USAGE;
    case SERVE_FAILED: return EXIT_CONTENT;
    }
    return EXIT_CONTENT;
}

static int cmd_new(int argc, char **argv, const char *data_dir, diag_sink *diags)
{
    static const char usage[] =
        "usage: policygen new DIR --org NAME [--short-name S] [--parent AUTHORITY] [--level D]\n"
        "                     [--today YYYY-MM-DD]\n"
        "\n"
        "Writes a content folder for a new school into DIR (which must be new or empty): the\n"
        "national template's 17 chapters, 18 annex forms and staff digest, with fill-ins\n"
        "〔待填：…〕 where the school's own words go (the rule fill-ins flags each one\n"
        "left), site.yaml, an empty register of every standard type and a draft V1.0.\n"
        "\n"
        "  --org NAME          the organisation's full name (基隆市○○國民小學)\n"
        "  --short-name S      its short name (default: from the full name, ○○國小)\n"
        "  --parent AUTHORITY  the supervising authority (default: left to fill in)\n"
        "  --level D           資通安全責任等級; only D, whose duties the template states\n"
        "  --today DATE        the date of the draft V1.0 (default: SOURCE_DATE_EPOCH or today)\n"
        "\n"
        "exit codes: 0 written, 2 usage (or DIR not new or empty: nothing is touched),\n"
        "3 the folder could not be written (nothing is left of it)\n";
    starter_options opts = {.data_dir = data_dir};
    enum { OPT_TODAY = 256, OPT_ORG, OPT_SHORT, OPT_PARENT, OPT_LEVEL };
    static const struct option long_opts[] = {
        {"org", required_argument, NULL, OPT_ORG},
        {"short-name", required_argument, NULL, OPT_SHORT},
        {"parent", required_argument, NULL, OPT_PARENT},
        {"level", required_argument, NULL, OPT_LEVEL},
        {"today", required_argument, NULL, OPT_TODAY},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    bool today_set = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        switch (c) {
        case OPT_ORG: opts.org = optarg; break;
        case OPT_SHORT: opts.short_name = optarg; break;
        case OPT_PARENT: opts.parent = optarg; break;
        case OPT_LEVEL: opts.level = optarg; break;
        case OPT_TODAY:
            if (!option_today(optarg, &opts.today, &today_set))
                return EXIT_USAGE;
            break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        default: return usage_error("%s", "unknown option");
        }
    }
    if (optind >= argc)
        return usage_error("%s", "new takes the folder to write (policygen new DIR --org NAME)");
    if (optind + 1 < argc)
        return usage_error("unexpected argument '%s'", argv[optind + 1]);
    opts.dir = argv[optind];
    if (!today_set)
        opts.today = date_today();
    char *why = starter_options_problem(&opts);
    if (why) {
        usage_error("%s", why);
        free(why);
        return EXIT_USAGE;
    }
    switch (starter_create(&opts, diags)) {
    case STARTER_OK: return EXIT_OK;
    case STARTER_REFUSED: return EXIT_USAGE;
    case STARTER_FAILED: return EXIT_CONTENT;
    }
    return EXIT_CONTENT;
}

static int cmd_hosting(int argc, char **argv, diag_sink *diags)
{
    static const char usage[] =
        "usage: policygen hosting nginx|apache|iis [-C DIR] [--edition E] [--root PATH]\n"
        "                         [--listen ADDR:PORT] [--allow-open]\n"
        "\n"
        "Prints a complete configuration for serving one edition (default: the first of\n"
        "site.yaml's editions) with that server: security headers, types, caching, no\n"
        "listings, the hosting files refused, and the edition's access control from\n"
        "site.yaml (hosting: EDITION: allow, auth). The URL's host and path come from\n"
        "site.yaml hosting: EDITION: url.\n"
        "\n"
        "  --root PATH         the edition's folder on the server (default /var/www/<id>/<E>,\n"
        "                      for IIS C:\\inetpub\\<id>\\<E>)\n"
        "  --listen ADDR:PORT  the address and port (default: port 80 on every address)\n"
        "  --allow-open        serve a staff or internal edition that has no access control\n"
        "                      to anyone who reaches a non-loopback listener\n"
        "\n"
        "exit codes: 0 printed, 2 usage or refused (an open staff or internal edition),\n"
        "3 the content could not be loaded\n";
    enum { OPT_EDITION = 256, OPT_ROOT, OPT_LISTEN, OPT_ALLOW_OPEN };
    static const struct option long_opts[] = {
        {"edition", required_argument, NULL, OPT_EDITION},
        {"root", required_argument, NULL, OPT_ROOT},
        {"listen", required_argument, NULL, OPT_LISTEN},
        {"allow-open", no_argument, NULL, OPT_ALLOW_OPEN},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    const char *content_dir = "content", *edition = NULL;
    hosting_options o = {0};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "C:h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'C': content_dir = optarg; break;
        case OPT_EDITION: edition = optarg; break;
        case OPT_ROOT: o.root = optarg; break;
        case OPT_LISTEN: o.listen = optarg; break;
        case OPT_ALLOW_OPEN: o.allow_open = true; break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        default: return usage_error("%s", "unknown option");
        }
    }
    if (optind >= argc)
        return usage_error("%s", "hosting takes the server: nginx, apache or iis");
    if (!hosting_server_parse(argv[optind], &o.server))
        return usage_error("unknown server '%s' (nginx, apache or iis)", argv[optind]);
    if (optind + 1 < argc)
        return usage_error("unexpected argument '%s'", argv[optind + 1]);
    diag_sink load = diag_child(diags); /* the content must load without an error */
    site *s = site_load(content_dir, &load);
    if (!s || diag_has_errors(&load)) {
        site_free(s);
        return EXIT_CONTENT;
    }
    int rc = EXIT_OK;
    if (!edition)
        edition = s->config.editions.items[0];
    bool listed = false;
    for (size_t i = 0; i < s->config.editions.len; i++)
        listed = listed || strcmp(s->config.editions.items[i], edition) == 0;
    if (!listed || !audience_parse(edition, &o.edition)) {
        diag_error(diags, srcpos_file(s->config_path), "edition",
                   "no edition '%s': site.yaml lists the editions to build", edition);
        rc = EXIT_USAGE;
    } else {
        char *conf = hosting_server_config(s, &o, diags);
        if (conf)
            fputs(conf, stdout);
        else
            rc = EXIT_USAGE;
        free(conf);
    }
    site_free(s);
    return rc;
}

static int cmd_announce(int argc, char **argv, const char *data_dir, diag_sink *diags)
{
    static const char usage[] =
        "usage: policygen announce [-C DIR] [--edition E] [--base-url URL] [--today YYYY-MM-DD]\n"
        "                          -o FILE.eml\n"
        "\n"
        "Writes the e-mail (RFC 5322, MIME, UTF-8; a plain-text and an HTML part) that tells\n"
        "staff about the current, approved version: what changed, what they must do, links\n"
        "into the edition. The sender and recipients come from site.yaml announce: from, to.\n"
        "\n"
        "  --edition E     the edition the links lead to (default: staff)\n"
        "  --base-url URL  the edition's URL (default: site.yaml hosting: E: url)\n"
        "  --today DATE    the message's date (default: SOURCE_DATE_EPOCH or today)\n"
        "  -o FILE.eml     where to write it (- for standard output); an existing file is\n"
        "                  replaced only when it is an earlier announcement\n"
        "\n"
        "exit codes: 0 written, 2 usage (no URL, an output file policygen did not write),\n"
        "3 the content could not be loaded, no sender, or the version is a draft\n";
    announce_options opts = {.content_dir = "content", .data_dir = data_dir};
    enum { OPT_TODAY = 256, OPT_EDITION, OPT_BASE_URL };
    static const struct option long_opts[] = {
        {"today", required_argument, NULL, OPT_TODAY},
        {"edition", required_argument, NULL, OPT_EDITION},
        {"base-url", required_argument, NULL, OPT_BASE_URL},
        {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0},
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "C:o:h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'C': opts.content_dir = optarg; break;
        case 'o': opts.output = optarg; break;
        case OPT_TODAY:
            if (!option_today(optarg, &opts.today, &opts.today_set))
                return EXIT_USAGE;
            break;
        case OPT_EDITION: opts.edition = optarg; break;
        case OPT_BASE_URL: opts.base_url = optarg; break;
        case 'h': fputs(usage, stdout); return EXIT_OK;
        default: return usage_error("%s", "unknown option");
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (!opts.output)
        return usage_error("%s", "announce needs -o FILE.eml (or -o - for standard output)");
    switch (announce_write(&opts, diags)) {
    case ANNOUNCE_OK: return EXIT_OK;
    case ANNOUNCE_USAGE: return EXIT_USAGE;
    case ANNOUNCE_CONTENT: return EXIT_CONTENT;
    }
    return EXIT_CONTENT;
}

int main(int argc, char **argv)
{
    tune_malloc();
    if (argc < 2)
        return usage_error("%s", "missing command");
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(USAGE, stdout);
        return EXIT_OK;
    }
    char *data_dir = find_data_dir(argv[0]);
    /* The command's diagnostics: every stage tells them to this sink or to
     * one of its own that passes them on. */
    diag_sink sink = diag_to_stderr(), *diags = &sink;
    int rc;
    if (strcmp(cmd, "build") == 0)
        rc = cmd_build(argc - 1, argv + 1, data_dir, diags);
    else if (strcmp(cmd, "check") == 0)
        rc = cmd_check(argc - 1, argv + 1, data_dir, false, diags);
    else if (strcmp(cmd, "rules") == 0)
        rc = cmd_check(argc - 1, argv + 1, data_dir, true, diags);
    else if (strcmp(cmd, "release") == 0)
        rc = cmd_release(argc - 1, argv + 1, data_dir, diags);
    else if (strcmp(cmd, "bundle") == 0)
        rc = cmd_bundle(argc - 1, argv + 1, data_dir, diags);
    else if (strcmp(cmd, "verify") == 0)
        rc = cmd_verify(argc - 1, argv + 1, diags);
    else if (strcmp(cmd, "serve") == 0)
        rc = cmd_serve(argc - 1, argv + 1, data_dir, diags);
    else if (strcmp(cmd, "new") == 0)
        rc = cmd_new(argc - 1, argv + 1, data_dir, diags);
    else if (strcmp(cmd, "hosting") == 0)
        rc = cmd_hosting(argc - 1, argv + 1, diags);
    else if (strcmp(cmd, "announce") == 0)
        rc = cmd_announce(argc - 1, argv + 1, data_dir, diags);
    else
        rc = usage_error("unknown command '%s'", cmd);
    free(data_dir);
    return rc;
}
