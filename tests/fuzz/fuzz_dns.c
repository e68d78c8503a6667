/* fuzz_dns.c: the DNS codec (proto/dns.c) over UDP and TCP framing, and every name it can read,
 * fed to the kill-switch matcher. */
#include <stddef.h>
#include <stdint.h>

#include "proto/dns.h"
#include "proto/killswitch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dns_msg m;
    char name[DNS_MAX_NAME];
    if (dns_parse(data, size, &m, name, sizeof name) == 0 && m.has_question)
        (void)killswitch_match(name);
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
