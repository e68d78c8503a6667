/* eve.c: EVE NDJSON writer of `smbguard watch` (decisions.md 10): alert and flow records, one JSON object
 * per line, written by hand (the watch layer does not link cJSON). */
#include "watch/eve.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

void eve_timestamp(char out[40], int64_t ts_us)
{
    int64_t sec = ts_us / 1000000, us = ts_us % 1000000;
    if (us < 0) {
        us += 1000000;
        sec--;
    }
    time_t t = (time_t)sec;
    struct tm tm;
    gmtime_r(&t, &tm);
    char d[24];
    strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, 40, "%s.%06d+0000", d, (int)us);
}

static void addr_str(const struct wflow *f, const uint8_t *a, char out[INET6_ADDRSTRLEN])
{
    if (!inet_ntop(f->ipver == 6 ? AF_INET6 : AF_INET, a, out, INET6_ADDRSTRLEN))
        strcpy(out, "?");
}

static void put_json_str(FILE *o, const char *s)
{
    fputc('"', o);
    for (; s && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(o, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(o, "\\u%04x", ch);
        else
            fputc(ch, o);
    }
    fputc('"', o);
}

/* The members every record shares: timestamp, flow_id, addresses, proto, app_proto, source. */
static void common(struct eve *e, const struct wflow *f, int dir, int64_t ts_us, const char *type,
                   const char *app_proto)
{
    char ts[40], a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
    eve_timestamp(ts, ts_us);
    int to_client = dir == WDIR_TO_CLIENT;
    addr_str(f, to_client ? f->srv : f->cli, a);
    addr_str(f, to_client ? f->cli : f->srv, b);
    fprintf(e->f, "{\"timestamp\":\"%s\",\"flow_id\":%" PRIu64 ",\"event_type\":\"%s\",", ts, f->id, type);
    fprintf(e->f, "\"src_ip\":\"%s\",\"src_port\":%u,\"dest_ip\":\"%s\",\"dest_port\":%u,", a,
            (unsigned)(to_client ? f->sport : f->cport), b, (unsigned)(to_client ? f->cport : f->sport));
    fprintf(e->f, "\"proto\":\"%s\",\"app_proto\":\"%s\",", f->l4proto == 17 ? "UDP" : "TCP",
            app_proto ? app_proto : "smb");
    if (e->pcap_filename) {
        fprintf(e->f, "\"pcap_filename\":");
        put_json_str(e->f, e->pcap_filename);
        fputc(',', e->f);
    }
    if (e->iface) {
        fprintf(e->f, "\"in_iface\":");
        put_json_str(e->f, e->iface);
        fputc(',', e->f);
    }
}

void eve_alert(struct eve *e, const struct wflow *f, int dir, int det, const char *attrs, int64_t ts_us,
               uint64_t pkt_index)
{
    if (!e->f || det < 0 || det >= SD_NDET)
        return;
    const struct sd_info *d = &sd_table[det];
    common(e, f, dir, ts_us, "alert", d->app_proto);
    fprintf(e->f, "\"pcap_cnt\":%" PRIu64 ",\"direction\":\"%s\",", pkt_index,
            dir == WDIR_TO_CLIENT ? "to_client" : "to_server");
    fprintf(e->f,
            "\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":%u,\"rev\":1,\"signature\":\"%s\","
            "\"category\":\"%s\",\"severity\":%d},",
            (unsigned)d->sid, d->name, d->category, d->severity);
    fprintf(e->f, "\"smbguard\":{\"detection\":\"%s\",\"exit3\":%s%s%s}}\n", d->name, d->exit3 ? "true" : "false",
            attrs && *attrs ? "," : "", attrs ? attrs : "");
    e->records++;
}

void eve_flow(struct eve *e, const struct wflow *f, const uint32_t counts[SD_NDET])
{
    if (!e->f)
        return;
    char first[40], last[40];
    eve_timestamp(first, f->first_ts);
    eve_timestamp(last, f->last_ts);
    common(e, f, WDIR_TO_SERVER, f->last_ts, "flow", NULL);
    fprintf(e->f,
            "\"flow\":{\"pkts_toserver\":%" PRIu64 ",\"pkts_toclient\":%" PRIu64 ",\"bytes_toserver\":%" PRIu64
            ",\"bytes_toclient\":%" PRIu64 ",\"first_seen\":\"%s\",\"last_seen\":\"%s\",\"detections\":{",
            f->pkts[WDIR_TO_SERVER], f->pkts[WDIR_TO_CLIENT], f->bytes[WDIR_TO_SERVER], f->bytes[WDIR_TO_CLIENT],
            first, last);
    int n = 0;
    for (int i = 0; i < SD_NDET; i++)
        if (counts[i])
            fprintf(e->f, "%s\"%s\":%u", n++ ? "," : "", sd_table[i].name, (unsigned)counts[i]);
    fprintf(e->f, "}}}\n");
    e->records++;
}
