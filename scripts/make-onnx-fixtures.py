#!/usr/bin/env python3
"""Interop fixtures made by the reference tools: ONNX files written by the
`onnx` package's helpers and by PyTorch's `torch.onnx.export`, a PyTorch
state dict as safetensors, and what each must compute, so glassnet's own
protobuf reader, ONNX importer and state-dict mapping are checked against
code they share nothing with.

  /usr/bin/python3 scripts/make-onnx-fixtures.py
      Writes test/fixtures/onnx/ (Debian's python3-torch 1.13, python3-onnx 1.12).

  /usr/bin/python3 scripts/make-onnx-fixtures.py --reordered
      Writes only torch-activations-reordered.onnx, from the committed
      torch-activations.onnx (also written by the full run).

  /usr/bin/python3 scripts/make-onnx-fixtures.py --check FILE.onnx
      Loads FILE with `onnx` and runs its full checker (types and shapes
      inferred); prints the IR version, the opsets and one line per node.
      The tests run it on files glassnet writes.

  /usr/bin/python3 scripts/make-onnx-fixtures.py --torch-run FILE.safetensors X.json
      Builds the torch.nn.Sequential that FILE's metadata describes
      ("glassnet.torch.modules"), loads FILE with load_state_dict(strict=True)
      (the file read with struct, as scripts/check-safetensors.py does), runs
      the rows of X.json in float64 and prints the outputs as JSON. The tests
      run it on state dicts glassnet writes.
"""
import ast
import copy
import json
import os
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "onnx")


def write(name, data):
    path = os.path.join(OUT, name)
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode) as f:
        f.write(data)
    print(f"wrote test/fixtures/onnx/{name}")


def write_json(name, value):
    write(name, json.dumps(value, indent=1, sort_keys=True, allow_nan=False) + "\n")


def check(path):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    print(f"ir_version {model.ir_version}")
    for opset in model.opset_import:
        print(f"opset {opset.domain or 'ai.onnx'} {opset.version}")
    for node in model.graph.node:
        print(f"node {node.name} {node.op_type} {list(node.input)} -> {list(node.output)}")


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size])
    body = data[8 + size:]
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        code, width = {"F32": ("f", 4), "F64": ("d", 8)}[entry["dtype"]]
        begin, end = entry["data_offsets"]
        values = struct.unpack(f"<{(end - begin) // width}{code}", body[begin:end])
        tensors[name] = (entry["shape"], values)
    return tensors, meta


def torch_run(path, inputs):
    import torch
    from torch import nn

    tensors, meta = read_safetensors(path)
    modules = []
    for m in json.loads(meta["glassnet.torch.modules"]):
        if m["module"] == "Linear":
            modules.append(nn.Linear(m["in"], m["out"], bias=m["bias"]))
        elif m["module"] == "Dropout":
            modules.append(nn.Dropout(m["p"]))
        else:
            # Arguments as Python literals: negative_slope=0.01, dim=-1, approximate='tanh'.
            kwargs = dict(kv.split("=", 1) for kv in m["args"].split(", ") if kv)
            modules.append(getattr(nn, m["module"])(**{k: ast.literal_eval(v) for k, v in kwargs.items()}))
    model = nn.Sequential(*modules).double().eval()
    state = {name: torch.tensor(values, dtype=torch.float64).reshape(shape) for name, (shape, values) in tensors.items()}
    model.load_state_dict(state, strict=True)
    with open(inputs) as f:
        x = torch.tensor(json.load(f), dtype=torch.float64)
    with torch.no_grad():
        print(json.dumps({"y": model(x).tolist(), "source": repr(model)}))


def reference_model():
    """Every field kind glassnet's reader handles: float_data, raw_data and
    double_data initializers, negative and large int64 values, float and int
    attributes, a symbolic dimension, metadata, and a field (doc strings on
    nodes) glassnet does not know and must skip."""
    w = np.array([[0.5, -1.25, 2.0], [3.0, 0.125, -0.75]], dtype=np.float32)
    b = np.array([0.1, -0.2], dtype=np.float32)
    scale = np.array([1.5, -2.5], dtype=np.float64)
    w_init = helper.make_tensor("w", TensorProto.FLOAT, w.shape, w.flatten().tolist())  # float_data
    b_init = numpy_helper.from_array(b, "b")  # raw_data
    s_init = helper.make_tensor("s", TensorProto.DOUBLE, scale.shape, scale.tolist())  # double_data
    nodes = [
        helper.make_node("Gemm", ["x", "w", "b"], ["net"], name="gemm", transB=1, alpha=1.0, doc_string="a doc string"),
        helper.make_node("LeakyRelu", ["net"], ["leaky"], name="leaky", alpha=0.01),
        helper.make_node("Softmax", ["leaky"], ["y"], name="softmax", axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "reference",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 2])],
        [w_init, b_init, s_init],
    )
    model = helper.make_model(graph, producer_name="onnx-helper", opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    model.model_version = 9007199254740991  # 2**53 - 1: the largest integer a reader must keep exact
    helper.set_model_props(model, {"a": "1", "b": "two"})
    expected = {
        "irVersion": 8, "producerName": "onnx-helper", "opsetImport": [{"domain": "", "version": 17}],
        "metadataProps": [{"key": "a", "value": "1"}, {"key": "b", "value": "two"}],
        "graph": {
            "name": "reference",
            "nodes": [
                {"name": "gemm", "opType": "Gemm", "input": ["x", "w", "b"], "output": ["net"], "attributes": {"transB": 1, "alpha": 1.0}},
                {"name": "leaky", "opType": "LeakyRelu", "input": ["net"], "output": ["leaky"], "attributes": {"alpha": float(np.float32(0.01))}},
                {"name": "softmax", "opType": "Softmax", "input": ["leaky"], "output": ["y"], "attributes": {"axis": -1}},
            ],
            "initializers": {
                "w": {"dims": [2, 3], "dataType": 1, "values": w.astype(np.float64).flatten().tolist(), "stored": "floatData"},
                "b": {"dims": [2], "dataType": 1, "values": b.astype(np.float64).tolist(), "stored": "rawData"},
                "s": {"dims": [2], "dataType": 11, "values": scale.tolist(), "stored": "doubleData"},
            },
            "input": {"name": "x", "dims": ["batch", 3]},
            "output": {"name": "y", "dims": ["batch", 2]},
        },
    }
    return model, expected


def torch_models():
    import torch
    from torch import nn

    torch.manual_seed(13)
    models = {
        # Every activation glassnet has, a Flatten in front, dropout (removed
        # by export in eval mode), and a softmax output.
        "torch-mlp": nn.Sequential(
            nn.Flatten(), nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 6), nn.Tanh(),
            nn.Linear(6, 5), nn.Sigmoid(), nn.Linear(5, 4), nn.LeakyReLU(0.01), nn.Linear(4, 3), nn.Softmax(dim=-1),
        ),
        # Small enough for `glassnet explain`, trained a few steps in PyTorch first.
        "torch-small": nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 2), nn.Sigmoid()),
    }
    small = models["torch-small"]
    optimizer = torch.optim.SGD(small.parameters(), lr=0.5)
    xs = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    ts = torch.tensor([[0.0, 1.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    for _ in range(50):
        optimizer.zero_grad()
        loss = 0.5 * ((small(xs) - ts) ** 2).sum()
        loss.backward()
        optimizer.step()
    # The activations ONNX's opset 17 has no operator for, which PyTorch
    # writes as several nodes with Constant scalars (GELU as Div, Erf, Add,
    # Mul, Mul; its tanh approximation as nine nodes; SiLU as Sigmoid, Mul),
    # and options other than the default (ELU's alpha).
    torch.manual_seed(17)
    models["torch-activations"] = nn.Sequential(
        nn.Linear(4, 6), nn.GELU(), nn.Linear(6, 6), nn.GELU(approximate="tanh"), nn.Linear(6, 5), nn.SiLU(),
        nn.Linear(5, 5), nn.Softplus(), nn.Linear(5, 4), nn.ELU(alpha=0.5), nn.Linear(4, 3),
    )
    opsets = {"torch-activations": 17}
    for name, model in models.items():
        model.eval()
        width = model[1].in_features if isinstance(model[0], nn.Flatten) else model[0].in_features
        x = torch.linspace(-1.5, 2.0, 5 * width).reshape(5, width)
        if name == "torch-activations":
            # Wide enough that every activation sees negative and positive inputs.
            x = torch.linspace(-4.0, 4.0, 8 * width).reshape(8, width)
        path = os.path.join(OUT, f"{name}.onnx")
        torch.onnx.export(model, x[:1], path, input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, opset_version=opsets.get(name, 13))
        print(f"wrote test/fixtures/onnx/{name}.onnx")
        with torch.no_grad():
            y = model(x)
        write_json(f"{name}.expected.json", {"x": x.double().tolist(), "y": y.double().tolist(), "torch": torch.__version__})
    # The same activations exported in float64: PyTorch's Constant scalars are
    # then DOUBLE tensors, which must equal the forms' constants exactly.
    model = copy.deepcopy(models["torch-activations"]).double().eval()
    x = torch.linspace(-4.0, 4.0, 32, dtype=torch.float64).reshape(8, 4)
    torch.onnx.export(model, x[:1], os.path.join(OUT, "torch-activations-f64.onnx"), input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}}, opset_version=17)
    print("wrote test/fixtures/onnx/torch-activations-f64.onnx")
    with torch.no_grad():
        write_json("torch-activations-f64.expected.json", {"x": x.tolist(), "y": model(x).tolist(), "torch": torch.__version__})
    # One explained step of torch-small in float64, for the explain test:
    # E = sum of 1/2 (t - o)^2, the gradients of the first layer's weights.
    model64 = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 2), nn.Sigmoid()).double()
    model64.load_state_dict({k: v.double() for k, v in small.state_dict().items()})
    x = torch.tensor([[0.25, -0.5]], dtype=torch.float64)
    t = torch.tensor([[0.1, 0.9]], dtype=torch.float64)
    out = model64(x)
    loss = 0.5 * ((t - out) ** 2).sum()
    loss.backward()
    write_json("torch-small.step.json", {
        "x": x.tolist(), "t": t.tolist(), "out": out.tolist(), "loss": loss.item(),
        "grad": {"layer1.weight": model64[0].weight.grad.flatten().tolist(), "layer2.weight": model64[2].weight.grad.flatten().tolist()},
    })


def reordered_fixture():
    """torch-activations.onnx with its nodes in another topological order:
    every Constant node first, the last one written first. Each node of an
    activation's form reads the previous node's output, so moving the
    Constants is the freedom a valid order has; the importer must follow
    the data, not the file's order. Checked (topological order included)
    by onnx's checker; it computes what torch-activations.expected.json says."""
    model = onnx.load(os.path.join(OUT, "torch-activations.onnx"))
    nodes = list(model.graph.node)
    constants = [n for n in nodes if n.op_type == "Constant"]
    others = [n for n in nodes if n.op_type != "Constant"]
    del model.graph.node[:]
    model.graph.node.extend(list(reversed(constants)) + others)
    onnx.checker.check_model(model, full_check=True)
    write("torch-activations-reordered.onnx", model.SerializeToString())


def keras_style_model():
    """The MatMul + Add form TensorFlow/Keras converters write (weights
    stored [inputs, units]), with Identity and Dropout nodes left in."""
    rng = np.random.default_rng(7)
    w1 = rng.normal(size=(3, 4)).astype(np.float32)
    b1 = rng.normal(size=(4,)).astype(np.float32)
    w2 = rng.normal(size=(4, 2)).astype(np.float32)
    b2 = rng.normal(size=(2,)).astype(np.float32)
    inits = [numpy_helper.from_array(a, n) for a, n in [(w1, "dense/kernel"), (b1, "dense/bias"), (w2, "dense_1/kernel"), (b2, "dense_1/bias")]]
    nodes = [
        helper.make_node("Identity", ["input_1"], ["id"], name="input_identity"),
        helper.make_node("MatMul", ["id", "dense/kernel"], ["mm1"], name="dense/MatMul"),
        helper.make_node("Add", ["mm1", "dense/bias"], ["add1"], name="dense/BiasAdd"),
        helper.make_node("Tanh", ["add1"], ["h1"], name="dense/Tanh"),
        helper.make_node("Dropout", ["h1"], ["d1"], name="dropout"),
        helper.make_node("MatMul", ["d1", "dense_1/kernel"], ["mm2"], name="dense_1/MatMul"),
        helper.make_node("Add", ["mm2", "dense_1/bias"], ["add2"], name="dense_1/BiasAdd"),
        helper.make_node("Softmax", ["add2"], ["probs"], name="dense_1/Softmax", axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "keras",
        [helper.make_tensor_value_info("input_1", TensorProto.FLOAT, ["unk__6", 3])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["unk__7", 2])],
        inits,
    )
    model = helper.make_model(graph, producer_name="tf2onnx-style", opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model, full_check=True)
    x = np.linspace(-2.0, 2.0, 15).reshape(5, 3)
    h = np.tanh(x @ w1.astype(np.float64) + b1)
    z = h @ w2.astype(np.float64) + b2
    y = np.exp(z - z.max(axis=1, keepdims=True))
    y /= y.sum(axis=1, keepdims=True)
    return model, {"x": x.tolist(), "y": y.tolist()}


def unsupported_model():
    """A graph with an operator glassnet does not import (Conv)."""
    nodes = [helper.make_node("Conv", ["x", "k"], ["y"], name="conv0")]
    k = numpy_helper.from_array(np.ones((1, 1, 1, 1), dtype=np.float32), "k")
    graph = helper.make_graph(
        nodes, "conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 2, 2])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1, 2, 2])],
        [k],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


def state_dict_fixture():
    """A torch.nn.Sequential(Linear, Tanh, Linear, ReLU, Linear) state dict
    in float64, written as safetensors with struct (the layout
    scripts/check-safetensors.py documents), and its outputs."""
    import torch
    from torch import nn

    torch.manual_seed(4)
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 2)).double()
    header, blobs, offset = {}, [], 0
    for name, tensor in model.state_dict().items():
        data = struct.pack(f"<{tensor.numel()}d", *tensor.flatten().tolist())
        header[name] = {"dtype": "F64", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    write("torch-state.safetensors", struct.pack("<Q", len(text)) + text + b"".join(blobs))
    x = torch.linspace(-1.0, 1.0, 12, dtype=torch.float64).reshape(4, 3)
    with torch.no_grad():
        y = model(x)
    write_json("torch-state.expected.json", {
        "architecture": "3,5,4,2 tanh,relu,linear", "x": x.tolist(), "y": y.tolist(), "torch": torch.__version__,
    })


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
        return
    if len(sys.argv) == 2 and sys.argv[1] == "--reordered":
        reordered_fixture()
        return
    if len(sys.argv) == 4 and sys.argv[1] == "--torch-run":
        torch_run(sys.argv[2], sys.argv[3])
        return
    os.makedirs(OUT, exist_ok=True)
    model, expected = reference_model()
    onnx.checker.check_model(model, full_check=True)
    write("helper-reference.onnx", model.SerializeToString())
    write_json("helper-reference.expected.json", expected)
    model, expected = keras_style_model()
    write("keras-style.onnx", model.SerializeToString())
    write_json("keras-style.expected.json", expected)
    write("unsupported-conv.onnx", unsupported_model().SerializeToString())
    torch_models()
    reordered_fixture()
    state_dict_fixture()


if __name__ == "__main__":
    main()
