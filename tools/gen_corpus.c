/* gen_corpus: writes a synthetic content folder for `make bench`.
 *
 *   gen_corpus [--hugo] OUTDIR [CHAPTERS]   (CHAPTERS defaults to 1000)
 *
 * The folder follows the content format (site.yaml, plan/, annexes/): each
 * chapter has front matter and about 11 KB of Traditional Chinese prose on
 * information security, with ## ### #### headings (never typed numbers),
 * paragraphs, nested ordered lists, bullet lists, a GFM table every few
 * sections, footnotes, bold text, external links and cross-references
 * (annex: and sec:). The text is nonsense assembled from a fixed vocabulary.
 *
 * With --hugo, OUTDIR is the same corpus as a Hugo site, for `make bench` to
 * time Hugo beside policygen: the same chapter and annex Markdown under
 * content/plan/ and content/annexes/ (front matter adds slug and weight, so
 * the pages are plan/chapter-N.html in file order), a config that turns off
 * what policygen does not make (RSS, sitemap, taxonomies), and layouts like
 * the default theme's: a page per chapter with breadcrumb, title and
 * previous/next links, the plan's table of contents (every chapter with its
 * level-2 and level-3 headings) and a home page listing the chapters.
 *
 * Deterministic: every chapter is drawn from its own xorshift64* stream
 * seeded by the chapter number, so chapter N is the same whatever CHAPTERS
 * is, and the same build of this program always writes the same bytes.
 * OUTDIR should be new or empty: files it already holds are left alone.
 *
 * C11 and POSIX only; no other dependency. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* Mean size of a chapter file in bytes; the body is filled to a per-chapter
 * target drawn around it, the footnote definitions come on top. */
#define CHAPTER_TARGET_BYTES 8400
#define CHAPTER_TARGET_SPREAD 3000
#define MAX_CHAPTERS 1000000L

/* ---- vocabulary (Traditional Chinese, information security) ---- */

static const char *const SUBJECTS[] = {
    "本機關", "本校", "資通安全長", "資通安全推動小組", "資通安全兼辦人員", "資訊人員",
    "系統管理者", "網路管理者", "各單位主管", "業務承辦人", "委外廠商", "使用者",
    "教職員工", "人事單位", "總務處", "教務處", "學務處", "輔導室", "資訊組",
    "內部稽核小組", "資料保管人", "資產擁有者", "機房管理者", "應變小組",
    "個人資料保護聯絡窗口", "採購承辦人", "系統開發人員", "資料庫管理者",
    "特權帳號使用者", "新進人員", "離職人員", "稽核人員",
};

static const char *const VERBS[] = {
    "應定期檢視", "應確實執行", "應建立", "應落實", "應妥善保管", "宜評估", "應每年辦理",
    "應適時更新", "應留存", "應審查", "應持續監控", "應即時通報", "應詳實記錄", "應規劃",
    "應協助", "應配合辦理", "應督導", "應陳報核定", "應定期盤點", "應識別", "應分析",
    "應測試", "應修補", "應定期備份", "應加密保護", "應嚴格控管", "應限制", "應停用",
    "應移除", "應簽署", "應清查", "應檢討", "應更新", "應彙整", "應追蹤", "應確認",
    "宜導入", "得視需要調整", "不得任意變更", "不得私自複製",
};

static const char *const OBJECTS[] = {
    "資訊資產清冊", "資通系統", "核心業務", "防火牆政策", "存取權限", "特權帳號",
    "通行碼", "備份資料", "日誌紀錄", "弱點掃描結果", "資通安全事件", "營運持續計畫",
    "風險評估報告", "委外契約", "保密同意書", "教育訓練紀錄", "稽核報告", "矯正措施",
    "防毒軟體", "病毒碼", "作業系統更新", "網路架構圖", "機房門禁紀錄", "可攜式儲存媒體",
    "個人資料檔案", "電子郵件帳號", "無線網路設定", "網域名稱系統設定", "端點偵測及應變機制",
    "入侵偵測系統", "安全性修補程式", "系統組態基準", "變更申請單", "資料分級標準",
    "實體安全設施", "不斷電系統", "異地備援機制", "加密金鑰", "數位憑證", "遠端連線權限",
    "雲端服務帳號", "行動裝置", "公務電腦", "校務行政系統", "學籍資料", "網站內容",
    "資通安全維護計畫", "實施情形報告", "管理審查紀錄", "緊急應變程序", "供應商清單",
    "軟體授權清單", "資訊設備報廢紀錄", "存取紀錄", "帳號清查結果", "滲透測試報告",
    "資安健診結果", "社交工程演練結果", "威脅情資", "系統上線檢核表",
};

static const char *const MODIFIERS[] = {
    "依相關法令規定", "於每學期開始前", "每季", "每半年", "每年至少一次", "於發現異常時",
    "在授權範圍內", "經資通安全長核定後", "依風險等級", "於系統上線前", "於人員離職時",
    "於職務異動時", "於契約簽訂前", "於重大變更後", "依本計畫規定", "於上班時間內",
    "於事件發生後一小時內", "依主管機關之要求", "視業務需要", "依資產價值",
    "於年度結束前", "配合上級機關期程", "於每月第一週", "於演練結束後",
    "於設備報廢前", "於服務中斷時", "依作業程序", "在不影響業務之前提下",
};

static const char *const PURPOSES[] = {
    "以確保資訊之機密性、完整性及可用性", "以降低資通安全風險", "以維持業務持續運作",
    "以符合資通安全管理法之要求", "以防止未經授權之存取", "以避免個人資料外洩",
    "以利事後追查", "以縮短系統復原時間", "以強化整體防護能力", "以提升同仁之資安意識",
    "以確認控制措施之有效性", "以掌握資產之最新狀態", "以減少系統弱點",
    "以落實權責分工", "以作為持續改善之依據", "以降低惡意程式感染之機會",
    "以確保備份資料可正確還原", "以防範社交工程攻擊", "以符合契約之資安要求",
    "以確保服務品質",
};

static const char *const CONNECTORS[] = {
    "此外", "另", "必要時", "如有疑義", "前述作業完成後", "為落實上述要求", "如遇重大資安事件",
    "原則上", "除另有規定外", "於執行過程中", "為提升作業效率", "為確保一致性",
    "如涉及個人資料", "如發現缺失", "為因應新興威脅",
};

static const char *const TOPICS[] = {
    "資產盤點", "風險評估", "存取控制", "通行碼", "實體安全", "網路安全", "系統開發",
    "委外", "事件通報", "應變處理", "營運持續", "教育訓練", "內部稽核", "管理審查",
    "持續改善", "日誌", "備份", "弱點", "組態", "變更", "供應鏈", "個人資料保護",
    "電子郵件安全", "行動裝置", "雲端服務", "端點防護", "惡意程式防護", "資料分級",
    "儲存媒體", "人員安全", "特權帳號", "遠端存取", "無線網路", "機房環境", "加密",
    "憑證", "網站安全", "軟體授權", "威脅情資", "資安健診",
};

static const char *const TOPIC_SUFFIXES[] = {
    "之管理", "作業程序", "實施方式", "責任分工", "執行要點", "檢核機制", "控制措施",
    "注意事項", "規劃", "原則", "紀錄保存", "監督與考核", "範圍", "評估方法", "相關規定",
};

static const char *const FREQUENCIES[] = {
    "每日", "每週", "每月", "每季", "每半年", "每年", "不定期", "異動時", "事件發生時", "上線前",
};

static const char *const DOCUMENTS[] = {
    "檢核表", "紀錄表", "申請單", "清冊", "報告", "會議紀錄", "簽到表", "通報單", "核定公文",
    "系統日誌",
};

static const char *const STATUSES[] = {"已完成", "執行中", "規劃中", "持續辦理", "待改善", "不適用"};

static const char *const FOOTNOTE_LEADS[] = {
    "依資通安全管理法施行細則之規定", "參照資通安全責任等級分級辦法", "依教育體系資通安全管理規範",
    "本項係參考主管機關函頒之範本訂定", "相關作業得視機關規模簡化辦理", "本項之紀錄應依檔案保存年限保存",
    "參照國家資通安全研究院之技術指引", "本項得併入年度內部稽核辦理",
};

typedef struct external_link {
    const char *text;
    const char *url;
} external_link;

static const external_link EXTERNAL_LINKS[] = {
    {"國家資通安全研究院", "https://www.nics.nat.gov.tw/"},
    {"數位發展部資通安全署", "https://moda.gov.tw/ACS/"},
    {"全國法規資料庫", "https://law.moj.gov.tw/"},
    {"教育部資訊及科技教育司", "https://depart.moe.edu.tw/ED2700/"},
    {"臺灣電腦網路危機處理暨協調中心", "https://www.twcert.org.tw/"},
    {"教育機構資安通報平臺", "https://info.cert.tanet.edu.tw/"},
};

typedef struct annex_form {
    const char *id;
    const char *title;
    const char *const *columns; /* NULL-terminated */
    const char *purpose;
} annex_form;

static const char *const ANNEX1_COLS[] = {"資產編號", "資產類別", "資產名稱", "保管人", "存放位置", "盤點結果", NULL};
static const char *const ANNEX2_COLS[] = {"申請日期", "申請人", "系統名稱", "權限內容", "申請事由", "核准人", NULL};
static const char *const ANNEX3_COLS[] = {"發生時間", "事件類別", "影響範圍", "處理情形", "通報時間", "通報人", NULL};
static const char *const ANNEX4_COLS[] = {"序號", "單位", "職稱", "姓名", "簽到時間", "時數", NULL};
static const char *const ANNEX5_COLS[] = {"查核項目", "查核依據", "查核結果", "缺失說明", "改善期限", NULL};

static const annex_form ANNEXES[] = {
    {"asset-inventory", "資訊資產盤點紀錄表", ANNEX1_COLS, "資訊資產之年度盤點"},
    {"access-request", "資通系統存取權限申請單", ANNEX2_COLS, "資通系統帳號及權限之申請與異動"},
    {"incident-report", "資通安全事件通報單", ANNEX3_COLS, "資通安全事件之通報及處理"},
    {"training-signin", "資通安全教育訓練簽到表", ANNEX4_COLS, "資通安全教育訓練之出席紀錄"},
    {"vendor-audit", "委外廠商資通安全查核表", ANNEX5_COLS, "委外廠商之資通安全查核"},
};

/* ---- a growable byte buffer; out of memory ends the program ---- */

typedef struct buf {
    char *data;
    size_t len, cap;
} buf;

_Noreturn static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("gen_corpus: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void buf_reserve(buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p)
        die("out of memory");
    b->data = p;
    b->cap = cap;
}

static void put(buf *b, const char *s)
{
    size_t n = strlen(s);
    buf_reserve(b, n);
    memcpy(b->data + b->len, s, n + 1);
    b->len += n;
}

static void putf(buf *b, const char *fmt, ...)
{
    buf_reserve(b, 256);
    for (;;) {
        size_t room = b->cap - b->len;
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->data + b->len, room, fmt, ap);
        va_end(ap);
        if (n < 0)
            die("formatting failed");
        if ((size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        buf_reserve(b, (size_t)n);
    }
}

static void put_indent(buf *b, int n)
{
    for (int i = 0; i < n; i++)
        put(b, " ");
}

/* ---- xorshift64* ---- */

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * UINT64_C(0x2545F4914F6CDD1D);
}

static rng rng_for(uint64_t stream)
{
    rng r = {UINT64_C(0x9E3779B97F4A7C15) ^ (stream * UINT64_C(0xD1B54A32D192ED03))};
    if (r.s == 0)
        r.s = 1;
    for (int i = 0; i < 8; i++)
        rng_next(&r);
    return r;
}

/* A number in [0, n). */
static unsigned below(rng *r, unsigned n)
{
    return (unsigned)((rng_next(r) >> 33) % n);
}

static int range(rng *r, int lo, int hi)
{
    return lo + (int)below(r, (unsigned)(hi - lo + 1));
}

static bool chance(rng *r, unsigned one_in)
{
    return below(r, one_in) == 0;
}

#define PICK(r, a) ((a)[below((r), (unsigned)COUNT(a))])

/* ---- chapter text ---- */

typedef struct chapter {
    rng r;
    buf out;
    long number;      /* 1-based */
    int footnotes;    /* references written so far; each gets one definition */
    int sections;     /* ## sections so far */
    char *titles[256]; /* headings used in this chapter, to keep them distinct */
    int ntitles;
} chapter;

static void put_external_link(chapter *c)
{
    const external_link *l = &PICK(&c->r, EXTERNAL_LINKS);
    putf(&c->out, "最新資訊可參考[%s](%s)公布之資料。", l->text, l->url);
}

/* A sentence with a cross-reference or an external link. */
static void put_link_sentence(chapter *c)
{
    rng *r = &c->r;
    switch (below(r, 4)) {
    case 0: {
        const annex_form *a = &PICK(r, ANNEXES);
        putf(&c->out, "相關紀錄應填具[](annex:%s)，並送%s備查。", a->id, PICK(r, SUBJECTS));
        break;
    }
    case 1: {
        const annex_form *a = &PICK(r, ANNEXES);
        putf(&c->out, "格式可參[%s](annex:%s)。", a->title, a->id);
        break;
    }
    case 2:
        /* Every chapter's first section carries the anchor cN-s1. */
        if (c->number > 1) {
            long k = 1 + (long)(rng_next(r) % (uint64_t)(c->number - 1));
            putf(&c->out, "其程序準用[](sec:chapter-%ld/c%ld-s1)之規定。", k, k);
            break;
        }
        put_external_link(c);
        break;
    default:
        put_external_link(c);
        break;
    }
}

static void put_sentence(chapter *c, bool allow_extras)
{
    rng *r = &c->r;
    buf *b = &c->out;
    if (allow_extras && chance(r, 14)) {
        put_link_sentence(c);
        return;
    }
    if (chance(r, 4))
        putf(b, "%s，", PICK(r, CONNECTORS));
    if (chance(r, 3))
        putf(b, "%s，", PICK(r, MODIFIERS));
    put(b, PICK(r, SUBJECTS));
    put(b, PICK(r, VERBS));
    const char *object = PICK(r, OBJECTS);
    if (chance(r, 10))
        putf(b, "**%s**", object);
    else
        put(b, object);
    if (chance(r, 3))
        putf(b, "及%s", PICK(r, OBJECTS));
    if (allow_extras && chance(r, 16))
        putf(b, "[^%d]", ++c->footnotes);
    if (chance(r, 2))
        putf(b, "，%s", PICK(r, PURPOSES));
    put(b, "。");
}

static void put_paragraph(chapter *c, int min, int max)
{
    int n = range(&c->r, min, max);
    for (int i = 0; i < n; i++)
        put_sentence(c, true);
    put(&c->out, "\n\n");
}

/* Ordered lists nest 1. -> (1) -> A. in the output; in Markdown each level
 * is indented to the content column of its parent item. */
static void put_ordered_list(chapter *c, int indent, int depth)
{
    rng *r = &c->r;
    int n = range(r, 2, depth == 0 ? 7 : 4);
    for (int i = 1; i <= n; i++) {
        char marker[16];
        snprintf(marker, sizeof marker, "%d. ", i);
        put_indent(&c->out, indent);
        put(&c->out, marker);
        put_sentence(c, depth == 0);
        if (chance(r, 3))
            put_sentence(c, false);
        put(&c->out, "\n");
        if (depth < 2 && chance(r, depth == 0 ? 3 : 6))
            put_ordered_list(c, indent + (int)strlen(marker), depth + 1);
    }
    if (depth == 0)
        put(&c->out, "\n");
}

static void put_bullet_list(chapter *c)
{
    int n = range(&c->r, 3, 6);
    for (int i = 0; i < n; i++) {
        put(&c->out, "- ");
        put_sentence(c, false);
        put(&c->out, "\n");
    }
    put(&c->out, "\n");
}

static void put_table(chapter *c)
{
    rng *r = &c->r;
    buf *b = &c->out;
    putf(b, "%s之執行方式如下表：\n\n", PICK(r, TOPICS));
    bool wide = chance(r, 2);
    if (wide)
        put(b, "| 編號 | 作業項目 | 負責單位 | 執行頻率 | 紀錄文件 | 辦理情形 |\n|---|---|---|---|---|---|\n");
    else
        put(b, "| 作業項目 | 負責單位 | 執行頻率 | 紀錄文件 |\n|---|---|---|---|\n");
    int rows = range(r, 3, 7);
    for (int i = 1; i <= rows; i++) {
        if (wide)
            putf(b, "| %d ", i);
        const char *object = PICK(r, OBJECTS);
        putf(b, "| %s | %s | %s | %s%s ", object, PICK(r, SUBJECTS), PICK(r, FREQUENCIES),
             PICK(r, TOPICS), PICK(r, DOCUMENTS));
        if (wide)
            putf(b, "| %s ", PICK(r, STATUSES));
        put(b, "|\n");
    }
    put(b, "\n");
}

static bool title_used(const chapter *c, const char *t)
{
    for (int i = 0; i < c->ntitles; i++)
        if (strcmp(c->titles[i], t) == 0)
            return true;
    return false;
}

/* A heading text that this chapter has not used yet (headings repeat in real
 * plans too, but distinct ones keep derived anchors unambiguous). */
static void put_heading(chapter *c, const char *hashes, const char *anchor)
{
    char title[256];
    for (int attempt = 0;; attempt++) {
        snprintf(title, sizeof title, "%s%s", PICK(&c->r, TOPICS), PICK(&c->r, TOPIC_SUFFIXES));
        if (attempt >= 16)
            snprintf(title + strlen(title), sizeof title - strlen(title), "（%d）", c->ntitles + 1);
        if (!title_used(c, title))
            break;
    }
    if (c->ntitles < (int)COUNT(c->titles)) {
        c->titles[c->ntitles] = strdup(title);
        if (!c->titles[c->ntitles])
            die("out of memory");
        c->ntitles++;
    }
    if (anchor)
        putf(&c->out, "%s %s {#%s}\n\n", hashes, title, anchor);
    else
        putf(&c->out, "%s %s\n\n", hashes, title);
}

static void put_block(chapter *c)
{
    switch (below(&c->r, 5)) {
    case 0:
    case 1:
        put_paragraph(c, 1, 2);
        put_ordered_list(c, 0, 0);
        break;
    case 2:
        put_paragraph(c, 1, 2);
        put_bullet_list(c);
        break;
    case 3:
        put_paragraph(c, 2, 5);
        break;
    default:
        put_ordered_list(c, 0, 0);
        break;
    }
}

static void put_section(chapter *c)
{
    rng *r = &c->r;
    c->sections++;
    char anchor[64];
    bool anchored = c->sections == 1 || chance(r, 4);
    snprintf(anchor, sizeof anchor, "c%ld-s%d", c->number, c->sections);
    put_heading(c, "##", anchored ? anchor : NULL);
    put_paragraph(c, 1, 3);
    int subs = range(r, 1, 3);
    for (int i = 0; i < subs; i++) {
        put_heading(c, "###", NULL);
        if (chance(r, 4)) {
            put_paragraph(c, 1, 2);
            int subsubs = range(r, 2, 3);
            for (int j = 0; j < subsubs; j++) {
                put_heading(c, "####", NULL);
                put_block(c);
            }
        } else {
            put_block(c);
        }
    }
    if (c->sections % 3 == 0)
        put_table(c);
}

static void chapter_title(rng *r, char *out, size_t size)
{
    const char *a = PICK(r, TOPICS);
    const char *b = PICK(r, TOPICS);
    if (strcmp(a, b) == 0)
        snprintf(out, size, "%s%s", a, PICK(r, TOPIC_SUFFIXES));
    else
        snprintf(out, size, "%s與%s%s", a, b, PICK(r, TOPIC_SUFFIXES));
}

static void write_chapter(chapter *c, bool hugo)
{
    rng *r = &c->r;
    char title[256];
    chapter_title(r, title, sizeof title);
    putf(&c->out, "---\nid: chapter-%ld\ntitle: %s\n", c->number, title);
    /* Hugo's front matter lines do not count towards the size, so the
     * Markdown is the same in both corpora. */
    size_t hugo_lines = c->out.len;
    if (hugo)
        putf(&c->out, "slug: chapter-%ld\nweight: %ld\n", c->number, c->number);
    hugo_lines = c->out.len - hugo_lines;
    put(&c->out, "---\n");
    put_paragraph(c, 2, 4);
    size_t target = CHAPTER_TARGET_BYTES - CHAPTER_TARGET_SPREAD / 2 + below(r, CHAPTER_TARGET_SPREAD);
    do
        put_section(c);
    while (c->out.len - hugo_lines < target);
    for (int i = 1; i <= c->footnotes; i++) {
        putf(&c->out, "[^%d]: %s，", i, PICK(r, FOOTNOTE_LEADS));
        put_sentence(c, false);
        put(&c->out, "\n\n");
    }
}

/* ---- files ---- */

static void make_dir(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
        die("cannot create %s: %s", path, strerror(errno));
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (!p)
        die("out of memory");
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static void write_file(const char *dir, const char *name, const buf *b)
{
    char *path = join(dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        die("cannot write %s: %s", path, strerror(errno));
    size_t n = fwrite(b->data, 1, b->len, f);
    if (n != b->len || fclose(f) != 0)
        die("cannot write %s: %s", path, strerror(errno));
    free(path);
}

static void write_site_yaml(const char *outdir)
{
    buf b = {0};
    put(&b,
        "# A synthetic plan for `make bench`, written by tools/gen_corpus.c.\n"
        "organization:\n"
        "  name: 效能市測試區示範國民小學\n"
        "  short_name: 示範國小\n"
        "  parent: 效能市政府\n"
        "  level: D\n"
        "document:\n"
        "  id: isms-plan\n"
        "  title: 資通安全維護計畫\n"
        "  signatures: [修訂人核章, 單位主管核章, 資安長核章]\n"
        "language: zh-TW\n"
        "calendar: roc\n"
        "numbering: zh-TW-official\n"
        "theme: default\n"
        "editions: [public, staff, internal]\n");
    write_file(outdir, "site.yaml", &b);
    free(b.data);
}

static void write_annexes(const char *dir, bool hugo)
{
    for (size_t i = 0; i < COUNT(ANNEXES); i++) {
        const annex_form *a = &ANNEXES[i];
        rng r = rng_for(UINT64_C(0xA11E0000) + i);
        buf b = {0};
        putf(&b, "---\nid: %s\nnumber: %zu\ntitle: %s\n", a->id, i + 1, a->title);
        if (hugo)
            putf(&b, "slug: %s\nweight: %zu\n", a->id, i + 1);
        put(&b, "---\n");
        putf(&b, "本表供%s使用，由%s填寫後陳送%s核閱，並依本校檔案保存年限規定保存。\n\n",
             a->purpose, PICK(&r, SUBJECTS), PICK(&r, SUBJECTS));
        put(&b, "填表單位：＿＿＿＿＿＿＿＿　填表日期：中華民國＿＿＿年＿＿月＿＿日\n\n");
        int ncols = 0;
        for (const char *const *col = a->columns; *col; col++, ncols++)
            putf(&b, "| %s ", *col);
        put(&b, "|\n");
        for (int k = 0; k < ncols; k++)
            put(&b, "|---");
        put(&b, "|\n");
        for (int row = 0; row < 8; row++) {
            for (int k = 0; k < ncols; k++)
                put(&b, "| ");
            put(&b, "|\n");
        }
        put(&b, "\n填寫說明：\n\n");
        for (int k = 1; k <= 3; k++)
            putf(&b, "%d. %s%s%s。\n", k, PICK(&r, SUBJECTS), PICK(&r, VERBS), PICK(&r, OBJECTS));
        put(&b, "\n填表人：＿＿＿＿＿＿　單位主管：＿＿＿＿＿＿　資通安全長：＿＿＿＿＿＿\n");
        char name[128];
        snprintf(name, sizeof name, "%02zu-%s.md", i + 1, a->id);
        write_file(dir, name, &b);
        free(b.data);
    }
}

/* ---- the same corpus as a Hugo site (--hugo) ---- */

static const char HUGO_CONFIG[] =
    "# The bench corpus as a Hugo site, written by tools/gen_corpus.c --hugo.\n"
    "baseURL = \"/\"\n"
    "languageCode = \"zh-tw\"\n"
    "title = \"資通安全維護計畫\"\n"
    "uglyURLs = true\n"
    "relativeURLs = true\n"
    "# What policygen does not make either.\n"
    "disableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\", \"robotsTXT\", \"404\"]\n"
    "[params]\n"
    "org = \"效能市測試區示範國民小學\"\n"
    "short_name = \"示範國小\"\n"
    "[markup.tableOfContents]\n"
    "startLevel = 2\n"
    "endLevel = 3\n";

static const char HUGO_BASEOF[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"zh-Hant-TW\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>{{ .Title }}｜{{ .Site.Params.short_name }} {{ .Site.Title }}</title>\n"
    "<link rel=\"stylesheet\" href=\"{{ \"assets/style.css\" | relURL }}\">\n"
    "</head>\n"
    "<body class=\"page\">\n"
    "<a class=\"skip-link\" href=\"#main\">跳到主要內容</a>\n"
    "<header class=\"site-header\">\n"
    "  <div class=\"brand\"><a href=\"{{ \"index.html\" | relURL }}\"><span class=\"org\">"
    "{{ .Site.Params.org }}</span> <span class=\"doc\">{{ .Site.Title }}</span></a></div>\n"
    "  <nav class=\"site-nav\" aria-label=\"主要導覽\">\n"
    "    <ul>\n"
    "      <li><a href=\"{{ \"index.html\" | relURL }}\">首頁</a></li>\n"
    "      <li><a href=\"{{ \"plan.html\" | relURL }}\">計畫目錄</a></li>\n"
    "      <li><a href=\"{{ \"annexes.html\" | relURL }}\">附件表單</a></li>\n"
    "    </ul>\n"
    "  </nav>\n"
    "</header>\n"
    "<main id=\"main\" tabindex=\"-1\">\n"
    "{{ block \"main\" . }}{{ end }}\n"
    "</main>\n"
    "<footer class=\"site-footer\">\n"
    "  <p>{{ .Site.Params.org }}　{{ .Site.Title }}</p>\n"
    "</footer>\n"
    "</body>\n"
    "</html>\n";

static const char HUGO_SINGLE[] =
    "{{ define \"main\" }}\n"
    "<nav class=\"breadcrumb\" aria-label=\"位置\"><a href=\"{{ \"index.html\" | relURL }}\">首頁</a>"
    " › <a href=\"{{ .CurrentSection.RelPermalink }}\">目錄</a> › {{ .Title }}</nav>\n"
    "<article class=\"chapter\" aria-labelledby=\"chapter-title\">\n"
    "  <h1 id=\"chapter-title\">{{ .Title }}</h1>\n"
    "  {{ .Content }}\n"
    "</article>\n"
    "<nav class=\"pager\" aria-label=\"上一章與下一章\">\n"
    "  {{ with .NextInSection }}<a class=\"prev\" rel=\"prev\" href=\"{{ .RelPermalink }}\">‹ "
    "{{ .Title }}</a>{{ end }}\n"
    "  {{ with .PrevInSection }}<a class=\"next\" rel=\"next\" href=\"{{ .RelPermalink }}\">"
    "{{ .Title }} ›</a>{{ end }}\n"
    "</nav>\n"
    "{{ end }}\n";

/* The section's list: every page with its table of contents (levels 2-3). */
static const char HUGO_LIST[] =
    "{{ define \"main\" }}\n"
    "<h2 class=\"toc-title\">目錄</h2>\n"
    "<nav class=\"toc\" aria-label=\"計畫目錄\">\n"
    "  <ol class=\"toc-chapters\">\n"
    "    {{ range .Pages }}\n"
    "    <li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>\n"
    "      {{ .TableOfContents }}\n"
    "    </li>\n"
    "    {{ end }}\n"
    "  </ol>\n"
    "</nav>\n"
    "{{ end }}\n";

static const char HUGO_HOME[] =
    "{{ define \"main\" }}\n"
    "<section class=\"hero\" aria-labelledby=\"doc-title\">\n"
    "  <p class=\"org\">{{ .Site.Params.org }}</p>\n"
    "  <h1 id=\"doc-title\">{{ .Site.Title }}</h1>\n"
    "</section>\n"
    "<section aria-labelledby=\"chapters-title\">\n"
    "  <h2 id=\"chapters-title\">章節</h2>\n"
    "  <ol class=\"chapter-list\">\n"
    "    {{ range where .Site.RegularPages \"Section\" \"plan\" }}\n"
    "    <li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></li>\n"
    "    {{ end }}\n"
    "  </ol>\n"
    "</section>\n"
    "{{ end }}\n";

static void write_text(const char *dir, const char *name, const char *text)
{
    buf b = {0};
    put(&b, text);
    write_file(dir, name, &b);
    free(b.data);
}

/* OUTDIR/config.toml, layouts/ and the sections' own pages; returns the
 * folders for the chapters and annexes (the caller frees them). */
static void write_hugo_site(const char *outdir, char **plan, char **annexes)
{
    write_text(outdir, "config.toml", HUGO_CONFIG);
    char *layouts = join(outdir, "layouts");
    char *defaults = join(layouts, "_default");
    make_dir(layouts);
    make_dir(defaults);
    write_text(defaults, "baseof.html", HUGO_BASEOF);
    write_text(defaults, "single.html", HUGO_SINGLE);
    write_text(defaults, "list.html", HUGO_LIST);
    write_text(layouts, "index.html", HUGO_HOME);
    free(defaults);
    free(layouts);
    char *content = join(outdir, "content");
    make_dir(content);
    *plan = join(content, "plan");
    *annexes = join(content, "annexes");
    make_dir(*plan);
    make_dir(*annexes);
    write_text(*plan, "_index.md", "---\ntitle: 計畫目錄\n---\n");
    write_text(*annexes, "_index.md", "---\ntitle: 附件表單\n---\n");
    free(content);
}

static long parse_chapters(const char *s)
{
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    if (errno || end == s || *end || n < 1 || n > MAX_CHAPTERS)
        die("CHAPTERS must be a whole number from 1 to %ld, not '%s'", MAX_CHAPTERS, s);
    return n;
}

int main(int argc, char **argv)
{
    bool hugo = argc > 1 && strcmp(argv[1], "--hugo") == 0;
    if (hugo) {
        argc--;
        argv++;
    }
    if (argc < 2 || argc > 3 || argv[1][0] == '-') {
        fprintf(stderr, "usage: gen_corpus [--hugo] OUTDIR [CHAPTERS=1000]\n");
        return 2;
    }
    const char *outdir = argv[1];
    long chapters = argc == 3 ? parse_chapters(argv[2]) : 1000;

    make_dir(outdir);
    char *plan, *annexes;
    if (hugo) {
        write_hugo_site(outdir, &plan, &annexes);
    } else {
        plan = join(outdir, "plan");
        annexes = join(outdir, "annexes");
        make_dir(plan);
        make_dir(annexes);
        write_site_yaml(outdir);
    }
    write_annexes(annexes, hugo);

    /* File names sort in chapter order: at least four digits, more if needed. */
    int width = 4; /* at most 7: MAX_CHAPTERS has seven digits */
    for (long n = chapters; n >= 10000 && width < 7; n /= 10)
        width++;
    unsigned long long total = 0;
    chapter c = {0};
    for (long i = 1; i <= chapters; i++) {
        c.r = rng_for((uint64_t)i);
        c.out.len = 0;
        c.number = i;
        c.footnotes = 0;
        c.sections = 0;
        write_chapter(&c, hugo);
        for (int t = 0; t < c.ntitles; t++)
            free(c.titles[t]);
        c.ntitles = 0;
        char name[64];
        snprintf(name, sizeof name, "%0*ld-chapter-%ld.md", width, i, i);
        write_file(plan, name, &c.out);
        total += c.out.len;
    }
    free(c.out.data);
    free(plan);
    free(annexes);
    printf("gen_corpus: %s: %ld chapters, %llu bytes of chapter Markdown\n", outdir, chapters, total);
    return 0;
}
