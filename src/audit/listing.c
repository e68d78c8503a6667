/* listing.c: initial values of a listing (every unknown is -1, INT64_MIN or empty). */
#include "audit/listing.h"
#include <stdint.h>
#include <string.h>

void listing_init(struct listing *l)
{
    memset(l, 0, sizeof *l);
    l->ubr = -1;
    l->service_pack = -1;
    l->product_type = -1;
    l->boot_time = INT64_MIN;
    l->listing_time = INT64_MIN;
    l->uptime_s = -1;
    l->declared_count = -1;
    l->reboot_pending = -1;
    l->smb1_server = -1;
    l->smb1_feature_removed = -1;
    l->server_service_running = -1;
    l->listening_445 = -1;
    l->listening_139 = -1;
}
