/* Calendar dates (no times, no time zones) and their Taiwanese forms. */
#ifndef POLICYGEN_DATE_H
#define POLICYGEN_DATE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct date {
    int year;  /* Gregorian */
    int month; /* 1..12 */
    int day;   /* 1..31 */
} date;

/* Strict YYYY-MM-DD with a real day of a real month. */
bool date_parse(const char *s, date *out);
bool date_valid(date d);
int date_compare(date a, date b);
/* Days from a to b (negative when b comes first). */
long date_days_between(date a, date b);
/* The build date: SOURCE_DATE_EPOCH when set (reproducible builds), else today (UTC+8). */
date date_today(void);
/* "2026-03-02" */
void date_format_iso(date d, char *buf, size_t size);
/* 中華民國 115 年 3 月 2 日 (roc) or 2026 年 3 月 2 日 (gregorian), for prose. */
void date_format_long(date d, bool roc, char *buf, size_t size);
/* 115/03/02 (roc) or 2026/03/02, for tables. */
void date_format_short(date d, bool roc, char *buf, size_t size);

#endif
