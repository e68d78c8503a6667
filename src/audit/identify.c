/* identify.c: which Windows a listing describes (decisions.md 8 "Editions", patches.md 3.1): the OS
 * family of the knowledge table, service pack, architecture, product type and edition, from the
 * version/build, the OS Name, the OS Configuration (ProductType) and the System Type. KB numbers
 * never guess the OS: without a version the OS is unknown. */
#include "audit/decide.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Normalised lower-case copy of an OS name: code-page damage of the registered and trade marks
 * ("Microsoftr", "VistaT", "Serverr", "(R)", "(TM)", U+00AE, U+2122) removed, no-break spaces and
 * runs of white space turned into one space. Non-ASCII bytes are kept (localized edition words). */
static void norm_name(const char *in, char *out, size_t cap)
{
    static const char *const marks[] = { "(r)", "(tm)", "\xc2\xae", "\xe2\x84\xa2" };
    size_t o = 0;
    int space = 1;

    if (cap == 0)
        return;
    for (size_t i = 0; in[i] && o + 1 < cap;) {
        unsigned char c = (unsigned char)in[i];
        int skipped = 0;
        for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++) {
            size_t ml = strlen(marks[m]);
            if (strncasecmp(in + i, marks[m], ml) == 0) {
                i += ml;
                skipped = 1;
                break;
            }
        }
        if (skipped)
            continue;
        if (c == 0xc2 && (unsigned char)in[i + 1] == 0xa0) {        /* U+00A0 */
            c = ' ';
            i++;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',') {
            if (!space)
                out[o++] = ' ';
            space = 1;
            i++;
            continue;
        }
        out[o++] = (char)(c < 0x80 ? (c >= 'A' && c <= 'Z' ? c + 32 : c) : c);
        space = 0;
        i++;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    /* "microsoftr windows vistat" / "serverr": the damaged mark glued to a word. */
    static const struct { const char *bad, *good; } glued[] = {
        { "microsoftr", "microsoft" }, { "microsoftt", "microsoft" }, { "windowsr", "windows" },
        { "vistat", "vista" }, { "serverr", "server" },
    };
    char tmp[LISTING_STR];
    size_t t = 0;
    for (char *tok = out; *tok && t + 1 < sizeof tmp;) {
        size_t tl = strcspn(tok, " ");
        const char *w = tok;
        size_t wl = tl;
        for (size_t g = 0; g < sizeof glued / sizeof glued[0]; g++)
            if (tl == strlen(glued[g].bad) && strncmp(tok, glued[g].bad, tl) == 0) {
                w = glued[g].good;
                wl = strlen(w);
            }
        if (t && t + 1 < sizeof tmp)
            tmp[t++] = ' ';
        for (size_t k = 0; k < wl && t + 1 < sizeof tmp; k++)
            tmp[t++] = w[k];
        tok += tl;
        while (*tok == ' ')
            tok++;
    }
    tmp[t] = '\0';
    snprintf(out, cap, "%s", tmp);
}

static int has(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}

/* Has the word (bounded by non-letters, ASCII) */
static int has_word(const char *hay, const char *w)
{
    size_t wl = strlen(w);
    for (const char *p = hay; (p = strstr(p, w)) != NULL; p++) {
        int before = p == hay || !((p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= '0' && p[-1] <= '9'));
        char a = p[wl];
        int after = !((a >= 'a' && a <= 'z') || (a >= '0' && a <= '9'));
        if (before && after)
            return 1;
    }
    return 0;
}

/* Edition words, localized ones included (fr, de, es, it, pt, ru, zh, ja forms seen in systeminfo).
 * Longer and more specific entries first. */
static const struct { const char *word; const char *edition; } editions[] = {
    { "embedded standard 7", "Embedded Standard 7" },
    { "posready 7", "POSReady 7" },
    { "thin pc", "Thin PC" },
    { "posready 2009", "POSReady 2009" },
    { "posready", "POSReady 2009" },
    { "embedded 8.1 industry", "Embedded 8.1 Industry" },
    { "embedded 8 standard", "Embedded 8 Standard" },
    { "embedded 8 industry", "Embedded 8 Industry" },
    { "xp embedded", "XP Embedded" },
    { "embedded", "Embedded" },
    { "small business server", "Small Business Server" },
    { "home server", "Home Server" },
    { "storage server", "Storage Server" },
    { "multipoint", "MultiPoint Server" },
    { "essentials", "Essentials" },
    { "foundation", "Foundation" },
    { "datacenter", "Datacenter" },
    { "ltsb", "Enterprise LTSB" },
    { "ltsc", "Enterprise LTSC" },
    { "home premium", "Home Premium" },
    { "familiale premium", "Home Premium" },
    { "\xe5\xae\xb6\xe5\xba\xad\xe9\xab\x98\xe7\xba\xa7\xe7\x89\x88", "Home Premium" },  /* 家庭高级版 */
    { "home basic", "Home Basic" },
    { "familiale basique", "Home Basic" },
    { "\xe5\xae\xb6\xe5\xba\xad\xe6\x99\xae\xe9\x80\x9a\xe7\x89\x88", "Home Basic" },  /* 家庭普通版 */
    { "enterprise", "Enterprise" },
    { "entreprise", "Enterprise" },
    { "\xe4\xbc\x81\xe4\xb8\x9a\xe7\x89\x88", "Enterprise" },                        /* 企业版 */
    { "\xd0\xba\xd0\xbe\xd1\x80\xd0\xbf\xd0\xbe\xd1\x80\xd0\xb0\xd1\x82\xd0\xb8\xd0\xb2\xd0\xbd", "Enterprise" }, /* корпоративн */
    { "professionnel", "Professional" },
    { "professionale", "Professional" },
    { "profesional", "Professional" },
    { "professional", "Professional" },
    { "\xe4\xb8\x93\xe4\xb8\x9a\xe7\x89\x88", "Professional" },                      /* 专业版 */
    { "\xd0\xbf\xd1\x80\xd0\xbe\xd1\x84\xd0\xb5\xd1\x81\xd1\x81\xd0\xb8\xd0\xbe\xd0\xbd", "Professional" }, /* профессион */
    { "ultimate", "Ultimate" },
    { "int\xc3\xa9grale", "Ultimate" },
    { "integrale", "Ultimate" },
    { "\xe6\x97\x97\xe8\x88\xb0\xe7\x89\x88", "Ultimate" },                          /* 旗舰版 */
    { "\xd0\xbc\xd0\xb0\xd0\xba\xd1\x81\xd0\xb8\xd0\xbc\xd0\xb0\xd0\xbb\xd1\x8c\xd0\xbd", "Ultimate" }, /* максимальн */
    { "education", "Education" },
    { "business", "Business" },
    { "starter", "Starter" },
    { "standard", "Standard" },
    { "web", "Web" },
    { "familiale", "Home" },
    { "famille", "Home" },
    { "home", "Home" },
    { "pro", "Pro" },
    { "rt", "RT" },
};

static const char *edition_of(const char *n)
{
    for (size_t i = 0; i < sizeof editions / sizeof editions[0]; i++) {
        const char *w = editions[i].word;
        /* ASCII words must stand alone ("pro" is not "professional", "web" not "website") */
        if ((unsigned char)w[0] < 0x80 ? has_word(n, w) : has(n, w))
            return editions[i].edition;
    }
    return "";
}

/* 1 server, 0 workstation, -1 unknown: ProductType first, then the name. */
static int is_server(const struct listing *l, const char *n)
{
    if (l->product_type == 2 || l->product_type == 3)
        return 1;
    if (l->product_type == 1)
        return 0;
    if (has(n, "server"))
        return 1;
    if (has(n, "windows xp") || has(n, "vista") || has(n, "windows 7") || has(n, "windows 8") ||
        has(n, "windows 10") || has(n, "windows 11") || has(n, "thin pc") || has(n, "posready") ||
        has(n, "embedded"))
        return 0;
    return -1;
}

static int arch_of(const struct listing *l, const char *n)
{
    char st[64];
    if (l->arch_bits == 32 || l->arch_bits == 64 || l->arch_bits == 65)
        return l->arch_bits;
    norm_name(l->system_type, st, sizeof st);
    if (has(st, "itanium") || has(st, "ia64") || has(n, "itanium"))
        return 65;
    if (has(st, "x64") || has(st, "amd64") || has(n, "x64"))
        return 64;
    if (has(st, "x86") || has(st, "86-based"))
        return 32;
    return 0;
}

static const char *arch_name(int bits)
{
    switch (bits) {
    case 32: return "x86";
    case 64: return "x64";
    case 65: return "Itanium";
    default: return "";
    }
}

int audit_identify(const struct listing *l, struct os_id *os)
{
    char n[LISTING_STR];
    const char *product = NULL;
    int server;

    memset(os, 0, sizeof *os);
    os->family = OSF_UNKNOWN;
    os->sp = -1;
    os->product_type = l->product_type;
    os->major = l->ver_major;
    os->minor = l->ver_minor;
    os->build = l->ver_build;
    norm_name(l->os_name_en[0] ? l->os_name_en : l->os_name, n, sizeof n);
    os->arch_bits = arch_of(l, n);
    snprintf(os->edition, sizeof os->edition, "%s", edition_of(n));
    server = is_server(l, n);
    if (os->product_type < 0 && server >= 0)
        os->product_type = server ? 3 : 1;

    if (l->ver_major == 0) {
        snprintf(os->name, sizeof os->name, "%s", "unknown Windows (no version in the listing)");
        return -1;
    }
    os->sp = l->service_pack;
    const unsigned ma = l->ver_major, mi = l->ver_minor, b = l->ver_build;
    if (ma == 4) {
        os->family = OSF_NT4;
        product = "NT 4.0";
    } else if (ma == 5 && mi == 0) {
        os->family = OSF_2000;
        product = "2000";
    } else if (ma == 5 && mi == 1) {
        os->family = OSF_XP_X86;
        product = "XP";
        if (os->arch_bits == 0)
            os->arch_bits = 32;
        if (!os->edition[0] && has(n, "professional"))
            snprintf(os->edition, sizeof os->edition, "%s", "Professional");
        if (strcmp(os->edition, "Embedded") == 0)
            snprintf(os->edition, sizeof os->edition, "%s", "XP Embedded");
    } else if (ma == 5 && mi == 2) {
        os->family = OSF_XP_X64_2003;
        /* XP Professional x64 has the 2003 version: the name or ProductType tells them apart */
        if (has(n, "windows xp") || (server == 0 && !has(n, "server"))) {
            product = "XP Professional x64 Edition";
            snprintf(os->edition, sizeof os->edition, "%s", "Professional x64");
            if (os->arch_bits == 0)
                os->arch_bits = 64;
            if (os->product_type < 0)
                os->product_type = 1;
        } else if (server == 1) {
            product = has(n, "2003 r2") ? "Server 2003 R2" : "Server 2003";
        } else {
            product = "XP x64 / Server 2003";
        }
    } else if (ma == 6 && mi == 0) {
        os->family = OSF_VISTA_2008;
        product = server == 1 ? "Server 2008" : server == 0 ? "Vista" : "Vista / Server 2008";
        if (os->sp < 0)
            os->sp = b >= 6002 ? 2 : b == 6001 ? 1 : b == 6000 ? 0 : -1;
    } else if (ma == 6 && mi == 1) {
        os->family = OSF_7_2008R2;
        product = server == 1 ? "Server 2008 R2" : server == 0 ? "7" : "7 / Server 2008 R2";
        if (os->sp < 0)
            os->sp = b >= 7601 ? 1 : b == 7600 ? 0 : -1;
    } else if (ma == 6 && mi == 2) {
        if (has(n, "embedded 8 standard") || has(n, "embedded standard 8")) {
            os->family = OSF_2012;                      /* takes the Server 2012 KBs */
            product = "Embedded 8 Standard";
            os->edition[0] = '\0';
        } else if (server == 1) {
            os->family = OSF_2012;
            product = "Server 2012";
        } else if (server == 0) {
            os->family = OSF_8;
            product = "8";
        } else {
            product = "8 / Server 2012";                /* 8 takes KB4012598 only, 2012 rollups: must know */
        }
        if (os->sp < 0)
            os->sp = 0;
    } else if (ma == 6 && mi == 3) {
        os->family = OSF_81_2012R2;
        product = server == 1 ? "Server 2012 R2" : server == 0 ? "8.1" : "8.1 / Server 2012 R2";
        if (has(n, "embedded 8.1"))
            product = "Embedded 8.1 Industry", os->edition[0] = '\0';
        if (os->sp < 0)
            os->sp = 0;
    } else if (ma == 10 && mi == 0) {
        if (os->sp < 0)
            os->sp = 0;
        if (b >= 15063) {
            os->family = OSF_SHIPPED_FIXED;
            product = b >= 22000 && server != 1 ? "11" : server == 1 ? "Server" : "10";
        } else if (b == 10240) {
            os->family = OSF_10_1507;
            product = "10 1507";
        } else if (b == 10586) {
            os->family = OSF_10_1511;
            product = "10 1511";
        } else if (b == 14393) {
            os->family = OSF_10_1607_2016;
            product = server == 1 ? "Server 2016" : "10 1607";
        } else {
            product = "10 (pre-release build)";
        }
    }

    char sp[16] = "";
    if (os->sp > 0 && os->family != OSF_SHIPPED_FIXED)
        snprintf(sp, sizeof sp, " SP%d", os->sp);
    else if (os->sp == 0 && (ma < 6 || (ma == 6 && mi <= 1)))
        snprintf(sp, sizeof sp, "%s", " RTM");
    char full[160];
    if (product && (strstr(os->edition, "Embedded") || strstr(os->edition, "POSReady") ||
                    strstr(os->edition, "Thin PC"))) {
        product = os->edition;                  /* "Windows Embedded Standard 7", not "Windows 7 Embedded ..." */
    } else if (product && (strstr(os->edition, "Server") || strcmp(os->edition, "MultiPoint Server") == 0)) {
        snprintf(full, sizeof full, "%s (%s)", os->edition, product);   /* "Small Business Server (Server 2008 R2)" */
        product = full;
    }
    char tmp[512];
    if (product == NULL)
        snprintf(tmp, sizeof tmp, "Windows %u.%u.%u", ma, mi, b);
    else if (os->family == OSF_SHIPPED_FIXED)
        snprintf(tmp, sizeof tmp, "Windows %s%s%s (build %u)%s%s", product, os->edition[0] ? " " : "",
                 os->edition, b, os->arch_bits ? " " : "", arch_name(os->arch_bits));
    else
        snprintf(tmp, sizeof tmp, "Windows %s%s%s%s%s%s", product,
                 os->edition[0] && !strstr(product, os->edition) ? " " : "",
                 os->edition[0] && !strstr(product, os->edition) ? os->edition : "", sp,
                 os->arch_bits ? " " : "", arch_name(os->arch_bits));
    size_t tl = strnlen(tmp, sizeof os->name - 1);
    memcpy(os->name, tmp, tl);
    os->name[tl] = '\0';
    return os->family == OSF_UNKNOWN ? -1 : 0;
}
