/* fuzz_record.c: libFuzzer target for the record arena and the NDJSON, CSV and table sinks: the input
 * is a list of (op, length, bytes) triples turned into fields, emitted to sinks writing to /dev/null. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "model/record.h"
#include "sink/sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct record g_rec;
static const char *const g_names[] = {"ip", "port", "verdict", "detail", "os", "ports_open", "smb2_dialects", "x"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const cols[] = {"ip", "verdict", "detail", "os", "ports_open"};
    FILE *null = fopen("/dev/null", "w");
    if (!null)
        return 0;
    struct sink *chain = sink_ndjson_open("/dev/null");
    struct sink *csv = sink_csv_open("/dev/null");
    struct sink *table = sink_table_open(null, cols, 5, NULL, NULL);
    if (!chain || !csv || !table) {
        sink_close_all(chain);
        sink_close_all(csv);
        sink_close_all(table);
        fclose(null);
        return 0;
    }
    chain->next = csv;
    csv->next = table;

    record_reset(&g_rec, "scan");
    size_t i = 0;
    while (i + 2 <= size) {
        uint8_t op = data[i], len = data[i + 1];
        i += 2;
        size_t n = len < size - i ? len : size - i;
        char s[256];
        memcpy(s, data + i, n);
        s[n] = '\0';
        i += n;
        const char *name = g_names[(op >> 4) & 7];
        switch (op & 15) {
        case 0: record_str(&g_rec, name, s); break;
        case 1: record_int(&g_rec, name, (int64_t)n * (op & 0x80 ? -1 : 1) * 1000003); break;
        case 2: record_bool(&g_rec, name, (int)n & 1); break;
        case 3: record_null(&g_rec, name); break;
        case 4: record_tri(&g_rec, name, (int)n % 3 - 1); break;
        case 5: {
            const char *arr[20];
            for (unsigned k = 0; k < 20; k++)
                arr[k] = k % 3 ? s + (k < n ? k : n) : NULL;
            record_str_array(&g_rec, name, arr, (unsigned)n % 20);
            break;
        }
        case 6: {
            int64_t arr[20];
            for (unsigned k = 0; k < 20; k++)
                arr[k] = (int64_t)k * (int64_t)n - 7;
            record_int_array(&g_rec, name, arr, (unsigned)n % 20);
            break;
        }
        case 7: sink_emit(chain, &g_rec); record_reset(&g_rec, "scan"); break;
        default: for (unsigned k = 0; k < 40; k++) record_str(&g_rec, name, s); break;
        }
    }
    sink_emit(chain, &g_rec);
    sink_close_all(chain);
    fclose(null);
    return 0;
}
