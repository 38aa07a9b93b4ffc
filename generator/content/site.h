/* The site model: what `content/` holds, loaded and then enriched by the
 * later passes (numbers, anchors, cross-references). Stages add to the model;
 * none of them goes back to the files. A site owns everything below it. */
#ifndef POLICYGEN_SITE_H
#define POLICYGEN_SITE_H

#include <stdbool.h>

#include "core/map.h"
#include "core/strbuf.h"
#include "core/vec.h"
#include "diag/diag.h"
#include "yaml/yaml.h"

typedef struct cmark_node cmark_node;
typedef struct cmark_parser cmark_parser;

/* public < staff < internal: an edition shows what its audience may see. */
typedef enum audience {
    AUDIENCE_PUBLIC = 0,
    AUDIENCE_STAFF = 1,
    AUDIENCE_INTERNAL = 2,
} audience;

typedef enum numbering {
    NUMBERING_ZH_TW_OFFICIAL,
    NUMBERING_DECIMAL,
    NUMBERING_NONE,
} numbering;

typedef enum calendar {
    CALENDAR_ROC,
    CALENDAR_GREGORIAN,
} calendar;

typedef enum document_kind {
    DOCUMENT_CHAPTER,
    DOCUMENT_ANNEX,
    DOCUMENT_DIGEST, /* digest.md: the staff digest's own text, unnumbered */
} document_kind;

struct document;

/* A numbered heading: the chapter itself (level 1) or a heading inside it. */
typedef struct section {
    struct document *doc;
    int index;        /* in doc->sections */
    int level;        /* 1 = the chapter title; 2..6 = ## .. ###### */
    char *id;         /* anchor, unique within the document */
    char *label;      /* as shown before the title: "壹、" "一、" "(一)" "1." or "" */
    char *full_label; /* the chain for references: "玖、二、(一)" */
    char *title;      /* plain text, without the number */
    srcpos pos;
} section;

/* A link of a document, in document order (footnotes last, as cmark-gfm
 * puts them), as the load read it: xref resolves it from here, and a tree
 * parsed again (markdown/tree.h) gets what xref found. */
typedef struct doc_link {
    char *url;
    char *title;             /* its title ("" when none) */
    int line, col;           /* in the file */
    bool empty;              /* no text of its own: xref writes one */
    const section *section;  /* where it is; in a footnote, where that is first referred to */
    char *text;              /* its plain text, as written */
    size_t text_len;
    const void *xref;        /* the xref_link it resolved to (xref/xref.h), or NULL */
    char *fill;              /* the text xref wrote for an empty link, or NULL */
} doc_link;

struct md_text; /* markdown/scan.h: the blocks' text, for the rules */

typedef struct document {
    document_kind kind;
    char *path;     /* as given on the command line: content/plan/01-basis.md */
    char *slug;     /* file name without NN- and .md */
    char *id;
    char *title;
    int number;     /* chapter position from 1, or the annex number */
    audience audience;
    char *register_name; /* annexes: the register holding filled-in rows, or NULL */
    ydoc *front;         /* front matter, or NULL */
    char *source;        /* the file's text */
    const char *source_body; /* the Markdown after the front matter, inside source */
    size_t body_len;
    int body_line;       /* the line of the file where the Markdown body starts */
    /* No Markdown tree: the load reads what the later stages need of it
     * (sections, directives, links, text) and drops it, so memory does not
     * grow with the plan's trees; markdown/tree.h parses it again. */
    int footnote_base;   /* footnotes before this document, for global numbers */
    int footnote_count;
    vec sections;        /* of section*, owned; sections[0] is the chapter title */
    vec directives;      /* of directive* (markdown/directive.h), owned */
    vec links;           /* of doc_link*, owned */
    struct md_text *text; /* owned */
    /* What a visitor of the load made of the tree (site_load_visiting), and
     * how it goes; NULL when nothing. */
    void *made;
    void (*made_free)(void *made);
} document;

/* site.yaml `hosting: EDITION:`: where an edition is published and who may
 * read it there (hosting/, the feed, the announcement, the handout). */
typedef struct site_hosting {
    char *url;            /* the edition's base URL, ending in '/', or NULL */
    vec allow;            /* char*, owned: address ranges that may read it ("10.0.0.0/8") */
    char *auth_realm;     /* HTTP basic authentication: the realm, or NULL for none */
    char *auth_user_file; /* basic authentication: the server's password file, or NULL */
} site_hosting;

typedef struct site_config {
    char *org_name;
    char *org_short_name;
    char *org_parent;
    char *org_level;
    char *doc_id;
    char *doc_title;
    vec signatures;  /* of char*, owned */
    char *language;
    calendar calendar;
    numbering numbering;
    char *theme;
    vec editions;    /* of char*, owned: public, staff, internal */
    char *edition_labels[3]; /* by audience: 公開版, 同仁版, 內部版 (site.yaml edition_labels) */
    const ynode *rules; /* borrowed from the site.yaml document, may be NULL */
    site_hosting hosting[3]; /* by audience */
    /* site.yaml `announce`: the announcement e-mail's sender and recipients
     * ("Name <address>" or an address), and what staff do to acknowledge. */
    char *announce_from, *announce_to, *announce_acknowledge;
    const ynode *announce_node; /* where `announce` is, for diagnostics, or NULL */
    const ynode *coverage; /* `coverage:` template chapter key -> chapter id, or NULL */
    bool unchecked_error;  /* `unchecked: error`: a rule that cannot check is an error */
    /* `modes`: each edition's file and folder modes (by audience); 0 for
     * the modes new files get (the umask's) */
    unsigned file_modes[3], folder_modes[3];
} site_config;

struct register_set; /* registers/registers.h */

typedef struct site {
    char *dir;        /* the content folder */
    char *config_path;
    ydoc *config_doc;
    site_config config;
    vec chapters;     /* of document*, owned, in file-name order */
    vec annexes;      /* of document*, owned, in number order */
    struct register_set *registers; /* owned; loaded by registers_load */
    document *digest; /* digest.md, or NULL: what every staff member must do */
    /* version -> 修訂內容 written from the comparison with the release before,
     * for released revisions rows that give none (filled by the build) */
    map revision_notes;
    /* evidence path -> the title of a Markdown evidence file (its first
     * heading): what links to it read, and its page's title */
    map evidence_titles;
} site;

/* Loads site.yaml, plan/ and annexes/ from dir and parses the Markdown.
 * Problems are told to diags (in file order, however many threads load);
 * returns NULL when the site cannot be built at all, otherwise a site (a
 * caller that must know of errors passes a child sink and reads its counts). */
site *site_load(const char *dir, diag_sink *diags);
/* The same, parsing the documents on `jobs` threads (0: one per processor). */
site *site_load_jobs(const char *dir, int jobs, diag_sink *diags);

struct docstore_in; /* content/docstore.h */

/* Something to do with each document's tree while the load has it, before
 * the tree goes (the build renders each body once there: render/html/body.h).
 * It runs on the load's threads, after the document's sections, directives,
 * links and text are read and before xref; it may set d->made.
 *
 * With a store (site_doc_store), what it made is kept with the rest of the
 * document's tree-derived parts: save appends d->made (not NULL) to out,
 * load makes it again from what save wrote (content/docstore.h reads it) and
 * sets d->made, or returns false for bytes it does not accept. name tells
 * what visit makes and how save lays it out: a visitor that makes or lays
 * out something else has another name. A visitor without save and load is
 * never stored (nor are the documents it visits). */
typedef struct site_visitor {
    void (*visit)(void *ctx, document *d, cmark_node *root);
    void *ctx;
    const char *name;
    void (*save)(void *ctx, const document *d, strbuf *out);
    bool (*load)(void *ctx, document *d, struct docstore_in *in);
} site_visitor;

/* Documents' tree-derived parts kept from an earlier load (the build cache:
 * cache/docs.h): a document whose parts are there is not parsed again. An
 * entry is named by `what`, the bytes of everything it is made from (the
 * program excepted: the store's side adds it): get returns what put kept
 * under the same bytes (malloc'd, *len set) or NULL. Both are called from
 * the load's threads at once. content/docstore.h lays the entries out. */
typedef struct site_doc_store {
    char *(*get)(void *ctx, const void *what, size_t what_len, size_t *len);
    void (*put)(void *ctx, const void *what, size_t what_len, const void *data, size_t len);
    void *ctx;
} site_doc_store;

/* site_load_jobs with a visitor (NULL: none). */
site *site_load_visiting(const char *dir, int jobs, const site_visitor *visitor, diag_sink *diags);
/* The same, each document's tree-derived parts taken from store when it has
 * them and kept there when it has not (store NULL: none). Only documents
 * whose Markdown told no diagnostic are kept: one taken tells none. */
site *site_load_stored(const char *dir, int jobs, const site_visitor *visitor,
                       const site_doc_store *store, diag_sink *diags);
void site_free(site *s);

/* A section of the plan's chapters by "CHAPTER/ID", "ID" (the first
 * heading with that id) or "CHAPTER" (the chapter itself); NULL if none. */
const section *site_find_section(const site *s, const char *ref);

/* The note written for a revisions row's empty `changes` (see
 * site.revision_notes), or NULL. */
const char *site_revision_note(const site *s, const char *version);

/* Whether an address range ("163.19.0.0/16", "10.1.2.3", "2001:db8::/32")
 * is valid: an IPv4 or IPv6 address with an optional prefix length. */
bool site_address_range_valid(const char *range);
/* url as the base of an edition, ending in '/' ("https://host/isms" is the
 * folder isms/), or NULL unless it is http:// or https:// with a host
 * (name, IPv4 or [IPv6], optional port) and a path without spaces, query,
 * fragment or quotes. Caller frees. */
char *site_base_url(const char *url);
/* Whether a mailbox is "address" or "Display Name <address>" with one '@'
 * and no spaces or angle brackets in the address. */
bool site_mailbox_valid(const char *mailbox);
/* Whether s may name a file or folder: letters, digits, '-', '_', '.' (not
 * first) and any non-ASCII character, 1 to 100 bytes; so no '/' and no "..".
 * Ids, the theme and the document id are such names. */
bool site_plain_name(const char *s);

/* The title of a Markdown evidence file named by a register (its first
 * `#` heading), or NULL (not Markdown, or no heading). */
const char *site_evidence_title(const site *s, const char *path);

const char *audience_name(audience a);
/* The mark an edition carries on every page, printed or not: "內部版", or
 * what site.yaml's edition_labels says. It is the edition's own
 * (audience_own). */
const char *site_edition_label(const site *s, audience a);
bool audience_parse(const char *s, audience *out);

/* Whether an edition for aud may see what needs `needed`. The PDF renderers
 * and the HTML body renderer ask every such question through here (and
 * through register_visible and register_field_visible, which do): while a
 * range is tracked on this thread, it narrows to the audiences that would
 * get every answer alike, so a PDF or a page's body made for one edition is
 * known to be another's too (render/pdf/site_pdf.c; the search index's
 * parts, render/html/site_html.c). */
bool audience_sees(audience aud, audience needed);
/* An answer that is aud's alone (its edition's mark, its plan's file name):
 * a tracked range narrows to aud. */
void audience_own(audience aud);

typedef struct audience_range {
    audience lo, hi;
} audience_range;

/* Tracks the questions asked on this thread in *r (set it to the whole
 * range first); NULL stops. */
void audience_track(audience_range *r);

#endif
