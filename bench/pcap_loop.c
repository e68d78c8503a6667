/* bench/pcap_loop.c: the throughput limit of the watch benchmark (issue 4): a bare libpcap read loop,
 * pcap_open_offline + pcap_next_ex, counting packets and captured bytes. Nothing else: no look at
 * the packet bytes, no decoding, no flow table (the strictest limit: libpcap's own file reading).
 * Built by bench/watch_bench.sh: cc -O2 -o build/release/bench/pcap_loop bench/pcap_loop.c -lpcap
 * Usage: pcap_loop FILE ('-' = stdin)   Output: "packets N bytes N" on stdout. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: pcap_loop FILE\n");
        return 2;
    }
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(argv[1], err);
    if (!p) {
        fprintf(stderr, "pcap_loop: %s\n", err);
        return 1;
    }
    struct pcap_pkthdr *h;
    const u_char *d;
    uint64_t packets = 0, bytes = 0;
    int rc;
    while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
        packets++;
        bytes += h->caplen;
    }
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "pcap_loop: %s\n", pcap_geterr(p));
        pcap_close(p);
        return 1;
    }
    pcap_close(p);
    printf("packets %llu bytes %llu\n", (unsigned long long)packets, (unsigned long long)bytes);
    return 0;
}
