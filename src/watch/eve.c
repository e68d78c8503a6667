/* eve.c: EVE NDJSON writer of `smbguard watch` (see eve.h, docs/eve.md): alert, flow and dns records,
 * one JSON object per line, written by hand (the watch layer does not link cJSON). */
#include "watch/eve.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "proto/communityid.h"

void eve_timestamp(char out[40], int64_t ts_us)
{
    int64_t sec = ts_us / 1000000, us = ts_us % 1000000;
    if (us < 0) {
        us += 1000000;
        sec--;
    }
    time_t t = (time_t)sec;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        memset(&tm, 0, sizeof tm);
    char d[24];
    if (!strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm))
        strcpy(d, "1970-01-01T00:00:00");
    snprintf(out, 40, "%s.%06d+0000", d, (int)us);
}

static void addr_str(const struct wflow *f, const uint8_t *a, char out[INET6_ADDRSTRLEN])
{
    if (!inet_ntop(f->ipver == 6 ? AF_INET6 : AF_INET, a, out, INET6_ADDRSTRLEN))
        strcpy(out, "?");
}

/* Length of the valid UTF-8 multi-byte sequence at s (lead byte >= 0x80), or 0. */
static size_t utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;  /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;   /* no UTF-16 surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return n;
}

void eve_json_str(FILE *o, const char *s)
{
    fputc('"', o);
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned char ch = *p;
        if (ch == '"' || ch == '\\') {
            fputc('\\', o);
            fputc(ch, o);
            p++;
        } else if (ch == '\n') {
            fputs("\\n", o);
            p++;
        } else if (ch == '\r') {
            fputs("\\r", o);
            p++;
        } else if (ch == '\t') {
            fputs("\\t", o);
            p++;
        } else if (ch < 0x20 || ch == 0x7F) {
            fprintf(o, "\\u%04x", ch);
            p++;
        } else if (ch < 0x80) {
            fputc(ch, o);
            p++;
        } else {
            size_t n = utf8_len(p);  /* stops at the NUL: a NUL is never a continuation byte */
            if (n) {
                fwrite(p, 1, n, o);
                p += n;
            } else {
                fprintf(o, "\\u%04x", ch);
                p++;
            }
        }
    }
    fputc('"', o);
}

void eve_community_id(const struct wflow *f, char out[31])
{
    uint8_t proto = f->l4proto ? f->l4proto : 6;
    if (communityid_v1(0, f->ipver, proto, f->cli, f->srv, f->cport, f->sport, out) < 0)
        out[0] = '\0';
}

/* The members every record shares: timestamp, flow_id, event_type, addresses in direction dir, proto,
 * app_proto, community_id, pcap_filename or in_iface; packet records (alert, dns: pkt != 0) also
 * pcap_cnt and direction. Leaves the object open after a ','. */
static void common(struct eve *e, const struct wflow *f, int dir, int pkt, int64_t ts_us, uint64_t pkt_index,
                   const char *type, const char *app_proto)
{
    char ts[40], a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], cid[COMMUNITYID_V1_SIZE];
    eve_timestamp(ts, ts_us);
    int to_client = dir == WDIR_TO_CLIENT;
    addr_str(f, to_client ? f->srv : f->cli, a);
    addr_str(f, to_client ? f->cli : f->srv, b);
    eve_community_id(f, cid);
    FILE *o = e->f;
    fprintf(o, "{\"timestamp\":\"%s\",\"flow_id\":%" PRIu64 ",", ts, f->id);
    if (pkt)
        fprintf(o, "\"pcap_cnt\":%" PRIu64 ",", pkt_index);
    fprintf(o, "\"event_type\":");
    eve_json_str(o, type);
    fprintf(o, ",\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"%s\",\"dest_port\":%u,", a,
            (unsigned)(to_client ? f->sport : f->cport), b, (unsigned)(to_client ? f->cport : f->sport));
    fprintf(o, "\"proto\":\"%s\",\"app_proto\":", f->l4proto == 17 ? "UDP" : "TCP");
    eve_json_str(o, app_proto ? app_proto : "smb");
    fprintf(o, ",\"community_id\":\"%s\",", cid);
    if (pkt)
        fprintf(o, "\"direction\":\"%s\",", to_client ? "to_client" : "to_server");
    const char *file = e->file_ref ? *e->file_ref : e->pcap_filename;
    if (file) {
        fprintf(o, "\"pcap_filename\":");
        eve_json_str(o, file);
        fputc(',', o);
    }
    if (e->iface) {
        fprintf(o, "\"in_iface\":");
        eve_json_str(o, e->iface);
        fputc(',', o);
    }
}

void eve_alert(struct eve *e, const struct wflow *f, int dir, int det, const char *attrs, int64_t ts_us,
               uint64_t pkt_index)
{
    if (!e->f || det < 0 || det >= SD_NDET)
        return;
    const struct sd_info *d = &sd_table[det];
    FILE *o = e->f;
    common(e, f, dir, 1, ts_us, pkt_index, "alert", d->app_proto);
    fprintf(o, "\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":%u,\"rev\":1,\"signature\":",
            (unsigned)d->sid);
    eve_json_str(o, d->name);
    fprintf(o, ",\"category\":");
    eve_json_str(o, d->category);
    fprintf(o, ",\"severity\":%d},\"smbguard\":{\"detection\":", d->severity);
    eve_json_str(o, d->name);
    fprintf(o, ",\"exit3\":%s%s%s}}\n", d->exit3 ? "true" : "false", attrs && *attrs ? "," : "",
            attrs ? attrs : "");
    e->records++;
}

/* Suricata's flow.reason / flow.state for our end reason. */
static const char *end_reason(uint8_t r)
{
    switch (r) {
    case FLOW_END_CLOSED: return "closed";
    case FLOW_END_RESET: return "reset";
    case FLOW_END_TIMEOUT: return "timeout";
    case FLOW_END_EVICTED: return "evicted";
    case FLOW_END_SHUTDOWN: return "shutdown";
    case FLOW_END_REUSED: return "reused";
    default: return "unknown";
    }
}

void eve_flow(struct eve *e, const struct wflow *f, const uint32_t counts[SD_NDET])
{
    if (!e->f)
        return;
    char first[40], last[40];
    eve_timestamp(first, f->first_ts);
    eve_timestamp(last, f->last_ts);
    FILE *o = e->f;
    common(e, f, WDIR_TO_SERVER, 0, f->last_ts, 0, "flow", NULL);
    const char *reason = f->end_reason == FLOW_END_SHUTDOWN ? "shutdown"
                         : (f->end_reason == FLOW_END_EVICTED || f->end_reason == FLOW_END_REUSED) ? "forced"
                                                                                                    : "timeout";
    const char *state = (f->end_reason == FLOW_END_CLOSED || f->end_reason == FLOW_END_RESET) ? "closed"
                        : f->saw_data ? "established"
                                      : "new";
    fprintf(o,
            "\"flow\":{\"pkts_toserver\":%" PRIu64 ",\"pkts_toclient\":%" PRIu64 ",\"bytes_toserver\":%" PRIu64
            ",\"bytes_toclient\":%" PRIu64 ",\"start\":\"%s\",\"end\":\"%s\",\"first_seen\":\"%s\",\"last_seen\":\"%s\","
            "\"alerted\":true,\"state\":\"%s\",\"reason\":\"%s\",\"end_reason\":\"%s\",\"detections\":{",
            f->pkts[WDIR_TO_SERVER], f->pkts[WDIR_TO_CLIENT], f->bytes[WDIR_TO_SERVER], f->bytes[WDIR_TO_CLIENT],
            first, last, first, last, state, reason, end_reason(f->end_reason));
    int n = 0;
    for (int i = 0; i < SD_NDET; i++)
        if (counts[i]) {
            fputs(n++ ? "," : "", o);
            eve_json_str(o, sd_table[i].name);
            fprintf(o, ":%u", (unsigned)counts[i]);
        }
    fprintf(o, "}}}\n");
    e->records++;
}

void eve_dns_answer(void *arg, const struct wflow *pseudo, const char *dns_json, const char *sg_json,
                    int64_t ts_us, uint64_t pkt_index)
{
    struct eve *e = arg;
    if (!e || !e->f || !pseudo || !dns_json || !*dns_json)
        return;
    FILE *o = e->f;
    common(e, pseudo, WDIR_TO_CLIENT, 1, ts_us, pkt_index, "dns", "dns");
    fprintf(o, "\"dns\":%s", dns_json);
    if (sg_json && *sg_json)
        fprintf(o, ",\"smbguard\":{%s}", sg_json);
    fputs("}\n", o);
    e->records++;
}
