"""gRPC server reflection on flowteld: v1 and v1alpha with stubs generated from our own protos,
and grpcio-reflection's stock client (ProtoReflectionDescriptorDatabase)."""

import json
import subprocess
import sys

import pytest
from google.protobuf import descriptor_pb2, descriptor_pool

from conftest import RPC_TIMEOUT

SERVICES = {
    "flowtel.v1.Flowtel",
    "grpc.health.v1.Health",
    "grpc.reflection.v1.ServerReflection",
    "grpc.reflection.v1alpha.ServerReflection",
}


def reflect(pb, daemon, version, requests):
    """Sends ``requests`` (ServerReflectionRequest field dicts) on one bidi stream and returns the
    responses, one per request."""
    module = getattr(pb, f"reflection_{version}")
    stub = getattr(pb, f"reflection_{version}_grpc").ServerReflectionStub(daemon.channel())
    messages = [module.ServerReflectionRequest(host="", **fields) for fields in requests]
    responses = list(stub.ServerReflectionInfo(iter(messages), timeout=RPC_TIMEOUT))
    assert len(responses) == len(messages)
    for message, response in zip(messages, responses):
        assert response.original_request == message
    return responses


def file_protos(response) -> dict:
    """name -> FileDescriptorProto of a file_descriptor_response."""
    assert response.WhichOneof("message_response") == "file_descriptor_response", response
    files = {}
    for data in response.file_descriptor_response.file_descriptor_proto:
        proto = descriptor_pb2.FileDescriptorProto.FromString(data)
        files[proto.name] = proto
    return files


def pool_from(files: dict) -> descriptor_pool.DescriptorPool:
    """A fresh pool holding ``files``, added dependencies first."""
    pool = descriptor_pool.DescriptorPool()
    added = set()

    def add(name):
        if name in added:
            return
        for dependency in files[name].dependency:
            add(dependency)
        pool.Add(files[name])
        added.add(name)

    for name in files:
        add(name)
    return pool


@pytest.mark.parametrize("version", ["v1", "v1alpha"])
def test_reflection(pb, daemon, version):
    list_services, by_symbol, by_file, unknown, by_method = reflect(pb, daemon, version, [
        {"list_services": ""},
        {"file_containing_symbol": "flowtel.v1.Flowtel"},
        {"file_by_filename": "flowtel/v1/events.proto"},
        {"file_containing_symbol": "flowtel.v1.NoSuchThing"},
        {"file_containing_symbol": "flowtel.v1.Flowtel.Subscribe"},
    ])

    names = {service.name for service in list_services.list_services_response.service}
    assert SERVICES <= names, names

    files = file_protos(by_symbol)
    assert {"flowtel/v1/flowtel.proto", "flowtel/v1/events.proto"} <= set(files)
    assert list(files["flowtel/v1/flowtel.proto"].dependency) == ["flowtel/v1/events.proto"]
    pool = pool_from(files)
    method = pool.FindMethodByName("flowtel.v1.Flowtel.Subscribe")
    assert method.input_type.full_name == "flowtel.v1.SubscribeRequest"
    assert method.output_type.full_name == "flowtel.v1.EventBatch"
    assert method.server_streaming and not method.client_streaming
    # What reflection describes is the contract the stubs were generated from.
    service = pool.FindServiceByName("flowtel.v1.Flowtel")
    assert [m.name for m in service.methods] == [m.name for m in pb.flowtel.DESCRIPTOR.services_by_name["Flowtel"].methods]
    batch = pool.FindMessageTypeByName("flowtel.v1.Event")
    assert {f.name: f.number for f in batch.fields} == {f.name: f.number for f in pb.events.Event.DESCRIPTOR.fields}

    events = file_protos(by_file)
    assert "flowtel/v1/events.proto" in events
    assert events["flowtel/v1/events.proto"].package == "flowtel.v1"
    assert "flowtel/v1/flowtel.proto" not in events
    assert pool_from(events).FindMessageTypeByName("flowtel.v1.SessionInfo").fields_by_name["session_id"].number == 21

    assert unknown.WhichOneof("message_response") == "error_response"
    assert unknown.error_response.error_code == 5  # NOT_FOUND

    assert "flowtel/v1/flowtel.proto" in file_protos(by_method)


STOCK_CLIENT = r"""
import json, sys
import grpc
from google.protobuf.descriptor_pool import DescriptorPool
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import ProtoReflectionDescriptorDatabase

channel = grpc.insecure_channel(sys.argv[1])
database = ProtoReflectionDescriptorDatabase(channel)
services = list(database.get_services())
pool = DescriptorPool(database)
service = pool.FindServiceByName("flowtel.v1.Flowtel")
subscribe = service.methods_by_name["Subscribe"]
print(json.dumps({
    "services": services,
    "methods": [method.name for method in service.methods],
    "subscribe": [subscribe.input_type.full_name, subscribe.output_type.full_name],
    "file": service.file.name,
}))
channel.close()
"""


def test_grpcio_reflection_stock_client(pb, daemon):
    # In a subprocess: grpcio-reflection's reflection_pb2 defines the same symbols as the stubs
    # this process generated, and one process's default descriptor pool holds only one of them.
    result = subprocess.run(
        [sys.executable, "-c", STOCK_CLIENT, daemon.target], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert SERVICES <= set(report["services"]), report["services"]
    assert "Subscribe" in report["methods"] and "ListSubscribers" in report["methods"]
    assert report["subscribe"] == ["flowtel.v1.SubscribeRequest", "flowtel.v1.EventBatch"]
    assert report["file"] == "flowtel/v1/flowtel.proto"
