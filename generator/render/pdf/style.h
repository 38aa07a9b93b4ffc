/* The PDF style sheet: themes/NAME/pdf.yaml. Every key is optional; what a
 * theme leaves out keeps the built-in default (pdf_style_defaults), so a
 * school restyles page size, margins, fonts and sizes without touching C.
 *
 * Lengths are numbers with a unit: 25mm, 2.5cm, 12pt, 1in (a bare number is
 * points); keys documented as "em" take a number of ems of the text size.
 * Problems are warnings at their place and keep the default. */
#ifndef POLICYGEN_RENDER_PDF_STYLE_H
#define POLICYGEN_RENDER_PDF_STYLE_H

#include <stdbool.h>

#include "diag/diag.h"

#define PDF_HEADING_LEVELS 6

typedef struct pdf_rgb {
    double r, g, b;
} pdf_rgb;

typedef struct pdf_heading_style {
    double size;         /* pt */
    bool sans;           /* the heading font (else the body font) */
    bool bold;
    bool center;
    double space_before; /* pt */
    double space_after;  /* pt */
} pdf_heading_style;

typedef struct pdf_style {
    /* page (portrait; landscape swaps width and height) */
    double page_width, page_height;
    double margin_top, margin_bottom, margin_left, margin_right;
    double header_offset; /* page top to the header's baseline */
    double footer_offset; /* page bottom to the footer's baseline */
    /* fonts: fontconfig family names */
    char *body_font, *heading_font, *mono_font;
    /* running text */
    double size;              /* pt */
    double line_height;       /* times the size */
    double paragraph_space;   /* pt, before a paragraph */
    double first_line_indent; /* em */
    bool justify;
    double max_gap;           /* em: most extra space justification puts between two characters */
    bool compress_punctuation;
    int widows, orphans;
    /* headings and the indentation of what follows them */
    pdf_heading_style heading[PDF_HEADING_LEVELS]; /* levels 1..6 at [0..5] */
    double indent[PDF_HEADING_LEVELS + 1]; /* em: content under a heading of level L at [L] */
    bool chapter_new_page;
    /* lists */
    double list_marker_gap;   /* em between the marker and the text */
    double list_space;        /* pt between items */
    /* tables */
    double table_size, table_line_height, table_padding, table_rule;
    pdf_rgb table_header_fill;
    bool table_full_width;
    /* footnotes */
    double footnote_size, footnote_line_height, footnote_rule, footnote_gap;
    /* running header and footer */
    double header_size, header_rule;
    /* table of contents */
    int toc_depth;
    char *toc_title;
    /* cover */
    double cover_org_size, cover_title_size, cover_box_width, cover_box_height;
    /* annex forms: a blank row's height, and each signature box (label, room
     * to sign and a seal) of a `signatures` directive */
    double form_row_height, form_sign_width, form_sign_height;
    /* colours */
    pdf_rgb text_color, link_color, rule_color;
} pdf_style;

void pdf_style_defaults(pdf_style *st);
/* Reads path over the defaults; a missing file keeps the defaults. False
 * when the file exists but cannot be parsed (a diagnostic was emitted; st
 * still holds usable values). */
bool pdf_style_load(pdf_style *st, const char *path, diag_sink *diags);
void pdf_style_free(pdf_style *st);

#endif
