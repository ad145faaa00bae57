"""A Keras generator rebuilt as an ONNX graph from its own weights, for the tests of ONNX
scoring: tf2onnx pins a protobuf the pinned TensorFlow cannot share, so the graph is written
here with `onnx.helper`, layer by layer, for the layers the SGAN and WGAN generators are
made of (Dense, Reshape, Conv2DTranspose with 'same' padding, BatchNormalization in
inference, LeakyReLU, ReLU, tanh, sigmoid). Keras computes in NHWC, ONNX convolutions in
NCHW: the graph transposes after the reshape and back at the end."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np


def sequential_to_onnx(model: keras.Sequential, path: Path, z_dim: int) -> None:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, weights = [], []
    current = "z"

    def constant(name: str, value: np.ndarray) -> str:
        weights.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def add(op: str, inputs: list[str], **attributes) -> str:
        nonlocal current
        out = f"t{len(nodes)}"
        nodes.append(helper.make_node(op, inputs, [out], **attributes))
        current = out
        return out

    for i, layer in enumerate(model.layers):
        kind = type(layer).__name__
        if kind == "Dense":
            kernel, bias = layer.get_weights()
            add("Gemm", [current, constant(f"w{i}", kernel), constant(f"b{i}", bias)])
        elif kind == "Reshape":
            shape = np.array([-1, *layer.target_shape], np.int64)
            add("Reshape", [current, constant(f"s{i}", shape)])
            add("Transpose", [current], perm=[0, 3, 1, 2])  # NHWC -> NCHW
        elif kind == "Conv2DTranspose":
            kernel, bias = layer.get_weights()  # (kh, kw, out, in)
            k, stride = kernel.shape[0], layer.strides[0]
            total = max(k - stride, 0)  # 'same': output = input x stride
            pads = [total // 2, total // 2, total - total // 2, total - total // 2]
            add(
                "ConvTranspose",
                [current, constant(f"w{i}", kernel.transpose(3, 2, 0, 1)), constant(f"b{i}", bias)],
                strides=[stride, stride],
                pads=pads,
                kernel_shape=[k, k],
            )
        elif kind == "BatchNormalization":
            gamma, beta, mean, variance = layer.get_weights()
            add(
                "BatchNormalization",
                [
                    current,
                    constant(f"g{i}", gamma),
                    constant(f"be{i}", beta),
                    constant(f"m{i}", mean),
                    constant(f"v{i}", variance),
                ],
                epsilon=float(layer.epsilon),
            )
        elif kind == "LeakyReLU":
            add("LeakyRelu", [current], alpha=float(layer.negative_slope))
        elif kind == "Activation":
            names = {"tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "Relu"}
            add(names[layer.activation.__name__], [current])
        else:
            raise NotImplementedError(kind)
    add("Transpose", [current], perm=[0, 2, 3, 1])  # back to NHWC: N x 28 x 28 x 1
    graph = helper.make_graph(
        nodes,
        "generator",
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, ["N", z_dim])],
        [helper.make_tensor_value_info(current, TensorProto.FLOAT, ["N", 28, 28, 1])],
        weights,
    )
    model_proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model_proto.ir_version = 8
    onnx.checker.check_model(model_proto)
    onnx.save(model_proto, str(path))
