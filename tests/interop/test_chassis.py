"""The chassis RPCs from a grpcio client: ListFpcs, GetFpcErrors, ListAlarms, ClearAlarms,
RequestFpc, GetWedgeDetect, and fault injection (InjectError, InjectWedge), with their status
codes: INVALID_ARGUMENT for a bad field, FAILED_PRECONDITION for a request the FPC's state
refuses, PERMISSION_DENIED for injection without `system diagnostics fault-injection`."""

import grpc
import pytest

from conftest import RPC_TIMEOUT, status_of, wait_for
from test_sessions import CONFIG, FRAMES, write_pcap


@pytest.fixture
def chassis_daemon(pb, start_daemon, tmp_path):
    """flowteld running the flow engine on one SPU, fault injection allowed."""
    config = tmp_path / "chassis.set"
    config.write_text(CONFIG + "set system diagnostics fault-injection\n")
    capture = tmp_path / "chassis.pcap"
    write_pcap(capture, FRAMES)
    return start_daemon(publisher=None, extra=["--config", str(config), "--replay", str(capture), "--spus", "1"])


def test_list_fpcs(pb, start_daemon):
    daemon = start_daemon(extra=["--spus", "5"])
    fpcs = daemon.stub().ListFpcs(pb.flowtel.ListFpcsRequest(), timeout=RPC_TIMEOUT).fpcs
    # The I/O card and one services card per four SPUs.
    assert [(f.slot, f.fpc_type, f.pics) for f in fpcs] == [
        (0, pb.events.FPC_TYPE_IOC3, 1), (1, pb.events.FPC_TYPE_SPC2, 4), (2, pb.events.FPC_TYPE_SPC2, 1)]
    assert all(f.state == pb.events.FPC_STATE_ONLINE for f in fpcs)


def test_injection_needs_diagnostics(pb, daemon):
    stub = daemon.stub()
    error = status_of(stub.InjectError, pb.flowtel.InjectErrorRequest(slot=1, error_id="spc-session-table-full"),
                      timeout=RPC_TIMEOUT)
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED, error
    assert "system diagnostics fault-injection" in error.details()
    error = status_of(stub.InjectWedge, pb.flowtel.InjectWedgeRequest(
        slot=1, stage=pb.events.WEDGE_STAGE_LU, duration_seconds=1), timeout=RPC_TIMEOUT)
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED, error


def test_injected_error_counts_alarms_and_clears(pb, chassis_daemon):
    stub = chassis_daemon.stub()
    reply = stub.InjectError(pb.flowtel.InjectErrorRequest(slot=1, error_id="spc-session-table-full", count=3),
                             timeout=RPC_TIMEOUT)
    assert "spc-session-table-full" in reply.message
    errors = stub.GetFpcErrors(pb.flowtel.FpcErrorsRequest(has_slot=True, slot=1), timeout=RPC_TIMEOUT).fpcs
    assert [f.slot for f in errors] == [1]
    counters = {e.error_id: e for e in errors[0].errors}
    assert counters["spc-session-table-full"].occurred == 3
    major = [s for s in errors[0].severities if s.severity == pb.events.SEVERITY_MAJOR][0]
    assert (major.occurred, major.threshold, list(major.actions)) == (3, 1, [pb.events.FPC_ACTION_ALARM])
    alarms = stub.ListAlarms(pb.flowtel.ListAlarmsRequest(), timeout=RPC_TIMEOUT).alarms
    assert [(a.slot, a.alarm_class, a.description) for a in alarms] == [
        (1, pb.events.ALARM_CLASS_MAJOR, "FPC 1 Major Errors - session table full; first packet failed")]
    assert stub.ClearAlarms(pb.flowtel.ClearAlarmsRequest(), timeout=RPC_TIMEOUT).cleared == 1
    assert list(stub.ListAlarms(pb.flowtel.ListAlarmsRequest(), timeout=RPC_TIMEOUT).alarms) == []


def test_requests_change_fpc_state(pb, chassis_daemon):
    stub = chassis_daemon.stub()

    def states():
        return [f.state for f in stub.ListFpcs(pb.flowtel.ListFpcsRequest(), timeout=RPC_TIMEOUT).fpcs]

    offline = stub.RequestFpc(pb.flowtel.RequestFpcRequest(slot=1, action=pb.flowtel.FPC_REQUEST_ACTION_OFFLINE),
                              timeout=RPC_TIMEOUT)
    assert offline.message == 'Offline initiated, use "show chassis fpc" to verify'
    wait_for(lambda: states() == [pb.events.FPC_STATE_ONLINE, pb.events.FPC_STATE_OFFLINE], timeout=10,
             what="FPC 1 offline, FPC 0 back online")
    error = status_of(stub.RequestFpc, pb.flowtel.RequestFpcRequest(
        slot=1, action=pb.flowtel.FPC_REQUEST_ACTION_OFFLINE), timeout=RPC_TIMEOUT)
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, error
    stub.RequestFpc(pb.flowtel.RequestFpcRequest(slot=1, action=pb.flowtel.FPC_REQUEST_ACTION_ONLINE),
                    timeout=RPC_TIMEOUT)
    wait_for(lambda: states() == [pb.events.FPC_STATE_ONLINE] * 2, timeout=10, what="FPC 1 online")


def test_wedge_detect_view(pb, chassis_daemon):
    view = chassis_daemon.stub().GetWedgeDetect(pb.flowtel.WedgeDetectRequest(slot=1), timeout=RPC_TIMEOUT)
    assert (view.slot, view.fpc_type, view.detect_after_ms, view.irreversible_after_ms) == (
        1, pb.events.FPC_TYPE_SPC2, 1000, 5000)
    # Sampled ten times a second: every stage of the SPU has a watchdog.
    view = wait_for(lambda: (lambda v: v if len(v.watchdogs) == 5 else None)(
        chassis_daemon.stub().GetWedgeDetect(pb.flowtel.WedgeDetectRequest(slot=1), timeout=RPC_TIMEOUT)),
        timeout=10, what="five watchdogs")
    assert sorted(w.stage for w in view.watchdogs) == [
        pb.events.WEDGE_STAGE_XM, pb.events.WEDGE_STAGE_LU, pb.events.WEDGE_STAGE_XL, pb.events.WEDGE_STAGE_TOE,
        pb.events.WEDGE_STAGE_HOST_LOOPBACK]
    assert not any(w.wedged for w in view.watchdogs)


@pytest.mark.parametrize("method, request_type, fields, mentions", [
    ("GetFpcErrors", "FpcErrorsRequest", {"has_slot": True, "slot": 9}, "slot"),
    ("GetWedgeDetect", "WedgeDetectRequest", {"slot": 9}, "slot"),
    ("RequestFpc", "RequestFpcRequest", {"slot": 1}, "action"),
    ("InjectError", "InjectErrorRequest", {"slot": 1}, "error_id"),
    ("InjectError", "InjectErrorRequest", {"slot": 1, "error_id": "no-such-error"}, "no-such-error"),
    ("InjectError", "InjectErrorRequest", {"slot": 0, "error_id": "spc-session-table-full"}, "IOC3"),
    ("InjectWedge", "InjectWedgeRequest", {"slot": 1, "duration_seconds": 1}, "stage"),
    ("InjectWedge", "InjectWedgeRequest", {"slot": 1, "stage": 2, "duration_seconds": 0}, "duration_seconds"),
    ("InjectWedge", "InjectWedgeRequest", {"slot": 0, "stage": 4, "duration_seconds": 1}, "TOE"),
])
def test_chassis_invalid_argument(pb, chassis_daemon, method, request_type, fields, mentions):
    request = getattr(pb.flowtel, request_type)(**fields)
    error = status_of(getattr(chassis_daemon.stub(), method), request, timeout=RPC_TIMEOUT)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error
    assert mentions in error.details()
