/* fuzz_dns.c: the DNS codec (proto/dns.c) over UDP and TCP framing, the answer section reader, and
 * every name it can read, fed to the kill-switch matcher. */
#include <stddef.h>
#include <stdint.h>

#include "proto/dns.h"
#include "proto/killswitch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dns_msg m;
    char name[DNS_MAX_NAME];
    if (dns_parse(data, size, &m, name, sizeof name) == 0) {
        if (m.has_question)
            (void)killswitch_match(name);
        static struct dns_rr rr[8];
        int k = dns_parse_answers(data, size, &m, rr, 8);
        for (int i = 0; i < k; i++)  /* rdata must lie inside the message */
            if (rr[i].rdlen && (rr[i].rdata < data || rr[i].rdata + rr[i].rdlen > data + size))
                __builtin_trap();
        (void)dns_parse_answers(data, size, &m, NULL, 0);
    }
    (void)dns_parse_tcp(data, size, &m, name, sizeof name);
    char small[8];
    (void)dns_parse(data, size, &m, small, sizeof small);
    /* names at every offset, as answer records would be read */
    for (size_t off = 12; off < size && off < 512; off++) {
        size_t o = off;
        if (dns_read_name(data, size, &o, name, sizeof name) == 0)
            (void)killswitch_match(name);
    }
    return 0;
}
