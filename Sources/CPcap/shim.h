// libpcap for PacketIO's live capture; only PacketIO imports this module.
#include <pcap/pcap.h>
