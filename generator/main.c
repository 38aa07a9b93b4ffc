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

#include "build/build.h"
#include "core/fs.h"
#include "core/xalloc.h"
#include "diag/diag.h"
#include "release/bundle.h"
#include "release/release.h"

enum exit_code {
    EXIT_OK = 0,
    EXIT_CHECKS = 1,
    EXIT_USAGE = 2,
    EXIT_CONTENT = 3,
};

static const char USAGE[] =
    "usage: policygen build [-C DIR] [-o OUT] [--edition E] [-j N] [--today YYYY-MM-DD] [--strict] [--no-pdf]\n"
    "       policygen check [-C DIR] [--today YYYY-MM-DD] [--format text|json]\n"
    "       policygen release [-C DIR] [--force] [--today YYYY-MM-DD]\n"
    "       policygen bundle [-C DIR] [-o OUT] [--edition E] [--today YYYY-MM-DD] [--no-build]\n"
    "       policygen verify BUNDLE.zip\n"
    "\n"
    "  build    render the content folder into the output folder\n"
    "  check    run the rules and reference checks only; exit 1 on error-level flags\n"
    "  release  freeze the current approved version into DIR/releases/<version>.zip\n"
    "  bundle   build, then zip each edition into OUT/dist/<id>-<version>-<edition>.zip\n"
    "  verify   check a bundle's files against its MANIFEST.sha256; exit 1 on any difference\n"
    "\n"
    "options:\n"
    "  -C DIR             the content folder (default: content)\n"
    "  -o OUT             the output folder (default: output)\n"
    "  --edition E        build only edition E (public, staff or internal) of site.yaml's\n"
    "  -j N               render on N threads (default: one per processor)\n"
    "  --today DATE       the date rules measure against (default: SOURCE_DATE_EPOCH or today)\n"
    "  --strict           error-level flags fail the build\n"
    "  --no-pdf           build: HTML only, no PDFs (the plan, annex forms, register printouts)\n"
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

/* The shipped themes and rules: beside the executable when run from a
 * checkout (./policygen), else the installed data folder. */
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

static int cmd_build(int argc, char **argv, const char *data_dir)
{
    build_options opts = {.content_dir = "content", .output_dir = "output", .data_dir = data_dir};
    enum { OPT_TODAY = 256, OPT_STRICT, OPT_NO_PDF, OPT_EDITION };
    static const struct option long_opts[] = {
        {"today", required_argument, NULL, OPT_TODAY},
        {"strict", no_argument, NULL, OPT_STRICT},
        {"no-pdf", no_argument, NULL, OPT_NO_PDF},
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
    if (!build_output_allowed(&opts))
        return EXIT_USAGE;
    opts.exiting = true;
    build_result r = build_site(&opts);
    switch (r) {
    case BUILD_OK: return EXIT_OK;
    case BUILD_CHECKS_FAILED: return EXIT_CHECKS;
    case BUILD_CONTENT_ERROR: return EXIT_CONTENT;
    case BUILD_USAGE_ERROR: return EXIT_USAGE;
    }
    return EXIT_CONTENT;
}

static int cmd_check(int argc, char **argv, const char *data_dir)
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
    switch (check_site(&opts, json)) {
    case CHECK_OK: return EXIT_OK;
    case CHECK_FAILED: return EXIT_CHECKS;
    case CHECK_CONTENT_ERROR: return EXIT_CONTENT;
    }
    return EXIT_CONTENT;
}

static int cmd_release(int argc, char **argv, const char *data_dir)
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
    switch (release_create(&opts, &sum)) {
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

static int cmd_bundle(int argc, char **argv, const char *data_dir)
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
    if (!opts.no_build && !build_output_allowed(&out))
        return EXIT_USAGE;
    switch (bundle_create(&opts)) {
    case BUNDLE_OK: return EXIT_OK;
    case BUNDLE_CHECKS_FAILED: return EXIT_CHECKS;
    case BUNDLE_BAD_EDITION: return EXIT_USAGE;
    case BUNDLE_CONTENT_ERROR: return EXIT_CONTENT;
    }
    return EXIT_CONTENT;
}

static int cmd_verify(int argc, char **argv)
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
    if (bundle_verify(argv[optind], &files) != VERIFY_OK)
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
    int rc;
    if (strcmp(cmd, "build") == 0)
        rc = cmd_build(argc - 1, argv + 1, data_dir);
    else if (strcmp(cmd, "check") == 0)
        rc = cmd_check(argc - 1, argv + 1, data_dir);
    else if (strcmp(cmd, "release") == 0)
        rc = cmd_release(argc - 1, argv + 1, data_dir);
    else if (strcmp(cmd, "bundle") == 0)
        rc = cmd_bundle(argc - 1, argv + 1, data_dir);
    else if (strcmp(cmd, "verify") == 0)
        rc = cmd_verify(argc - 1, argv + 1);
    else
        rc = usage_error("unknown command '%s'", cmd);
    free(data_dir);
    return rc;
}
