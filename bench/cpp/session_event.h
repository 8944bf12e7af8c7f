// Fills one realistic RT_FLOW_SESSION_CLOSE event for the C++ baseline server.
//
// The values are a pure function of the event's index so that the C++ and Python baselines
// put the same bytes on the wire (bench/python/server.py has the same formulas).
#pragma once

#include <cstdint>
#include <string>

#include "flowtel/v1/events.pb.h"

namespace bench {

inline void set_ipv4(std::string* dst, uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
  char raw[4] = {static_cast<char>(a), static_cast<char>(b), static_cast<char>(c),
                 static_cast<char>(d)};
  dst->assign(raw, 4);
}

// seq is 1-based; base_ns is the time of event 1.
inline void fill_session_close(flowtel::v1::Event* e, uint64_t boot_id, uint64_t seq,
                               uint64_t base_ns) {
  const uint64_t i = seq;
  const uint64_t t = base_ns + i * 1000;  // one event per microsecond
  const uint32_t elapsed = static_cast<uint32_t>(1 + i % 600);

  e->set_boot_id(boot_id);
  e->set_seq(seq);
  e->set_time_unix_nano(t);
  e->set_node("srx-lab-1");

  flowtel::v1::SessionClose* c = e->mutable_session_close();
  flowtel::v1::SessionInfo* s = c->mutable_session();
  set_ipv4(s->mutable_source_address(), 10, 0, static_cast<uint8_t>((i >> 8) & 0xff),
           static_cast<uint8_t>(i & 0xff));
  s->set_source_port(static_cast<uint32_t>(1024 + i % 64000));
  set_ipv4(s->mutable_destination_address(), 203, 0, 113, static_cast<uint8_t>(10 + i % 16));
  s->set_destination_port(443);
  s->set_service_name("junos-https");
  set_ipv4(s->mutable_nat_source_address(), 198, 51, 100, 1);
  s->set_nat_source_port(static_cast<uint32_t>(1024 + (i * 13) % 64000));
  set_ipv4(s->mutable_nat_destination_address(), 203, 0, 113, static_cast<uint8_t>(10 + i % 16));
  s->set_nat_destination_port(443);
  s->set_src_nat_rule_type(flowtel::v1::NAT_RULE_TYPE_SOURCE);
  s->set_src_nat_rule_name("trust-to-untrust/snat-all");
  s->set_protocol_id(6);
  s->set_policy_name("allow-web");
  s->set_policy_index(4);
  s->set_source_zone_name("trust");
  s->set_destination_zone_name("untrust");
  s->set_session_id(static_cast<uint32_t>(i));
  s->set_packet_incoming_interface("ge-0/0/1.0");
  s->set_egress_interface("ge-0/0/0.0");
  s->set_timeout_seconds(1800);

  c->set_reason(flowtel::v1::CLOSE_REASON_TCP_FIN);
  c->set_packets_from_client(10 + i % 50);
  c->set_bytes_from_client(1000 + (i * 37) % 100000);
  c->set_packets_from_server(8 + i % 40);
  c->set_bytes_from_server(4000 + (i * 101) % 1000000);
  c->set_elapsed_time(elapsed);
  c->set_start_time_unix_nano(t - static_cast<uint64_t>(elapsed) * 1000000000ull);
}

// The smallest SessionClose the benchmark sends (flowtel's SampleEvents.smallClose): session id,
// protocol, reason and the client's counters, with the four addresses present as 0.0.0.0 as
// flowtel always writes them. About 70 bytes framed: the per-event floor of the stream.
inline void fill_small_session_close(flowtel::v1::Event* e, uint64_t boot_id, uint64_t seq,
                                     uint64_t base_ns) {
  const uint64_t i = seq;
  e->set_boot_id(boot_id);
  e->set_seq(seq);
  e->set_time_unix_nano(base_ns + i * 1000);
  e->set_node("srx-lab-1");
  flowtel::v1::SessionClose* c = e->mutable_session_close();
  flowtel::v1::SessionInfo* s = c->mutable_session();
  set_ipv4(s->mutable_source_address(), 0, 0, 0, 0);
  set_ipv4(s->mutable_destination_address(), 0, 0, 0, 0);
  set_ipv4(s->mutable_nat_source_address(), 0, 0, 0, 0);
  set_ipv4(s->mutable_nat_destination_address(), 0, 0, 0, 0);
  s->set_protocol_id(6);
  s->set_session_id(static_cast<uint32_t>(i));
  c->set_reason(flowtel::v1::CLOSE_REASON_TCP_FIN);
  c->set_packets_from_client(10 + i % 7);
  c->set_bytes_from_client(1200 + i % 900);
}

}  // namespace bench
