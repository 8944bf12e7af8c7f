// zlib for gzip-compressing rotated output files; only FlowtelSubscriber imports this module.
#include <zlib.h>
