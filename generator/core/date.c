#include "core/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int days_in_month(int year, int month)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

bool date_valid(date d)
{
    return d.year >= 1 && d.year <= 9999 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
           d.day <= days_in_month(d.year, d.month);
}

bool date_parse(const char *s, date *out)
{
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    date d = {atoi(s), atoi(s + 5), atoi(s + 8)};
    if (!date_valid(d))
        return false;
    *out = d;
    return true;
}

int date_compare(date a, date b)
{
    if (a.year != b.year)
        return a.year < b.year ? -1 : 1;
    if (a.month != b.month)
        return a.month < b.month ? -1 : 1;
    if (a.day != b.day)
        return a.day < b.day ? -1 : 1;
    return 0;
}

/* Days since 0000-03-01 of the proleptic Gregorian calendar (a year that
 * starts in March puts the leap day last). */
static long day_number(date d)
{
    long y = d.year - (d.month <= 2), m = d.month <= 2 ? d.month + 9 : d.month - 3;
    return 365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + d.day - 1;
}

long date_days_between(date a, date b)
{
    return day_number(b) - day_number(a);
}

date date_today(void)
{
    time_t now = time(NULL);
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    if (epoch && *epoch)
        now = (time_t)strtoll(epoch, NULL, 10);
    now += 8 * 3600; /* Taiwan has no daylight saving time */
    struct tm tm;
    gmtime_r(&now, &tm);
    return (date){tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

void date_format_iso(date d, char *buf, size_t size)
{
    snprintf(buf, size, "%04d-%02d-%02d", d.year, d.month, d.day);
}

void date_format_long(date d, bool roc, char *buf, size_t size)
{
    if (roc)
        snprintf(buf, size, "中華民國 %d 年 %d 月 %d 日", d.year - 1911, d.month, d.day);
    else
        snprintf(buf, size, "%d 年 %d 月 %d 日", d.year, d.month, d.day);
}

void date_format_short(date d, bool roc, char *buf, size_t size)
{
    snprintf(buf, size, "%d/%02d/%02d", roc ? d.year - 1911 : d.year, d.month, d.day);
}
