"""A generator exported to ONNX (from PyTorch, JAX or Keras), run through onnxruntime behind
the one method the benchmark's Sampler calls, so that its latents are drawn exactly as a
Keras generator's are (the command's seed, the noise spec given) and scored the same way.

The graph's tensors are checked before anything runs: one float latent input of width
`z_dim` (and, for a conditional generator, one class input of width 1 or none), and an
output of N x 28 x 28 or N x 28 x 28 x 1 images; a mismatch is one line naming the tensor,
the expected and the actual shape.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ganbench.plumbing.errors import InputError


def shape_text(shape: list[Any]) -> str:
    return "[" + ", ".join("N" if not isinstance(d, int) else str(d) for d in shape) + "]"


class OnnxGenerator:
    """An ONNX generator with Keras' `predict(inputs, batch_size, verbose)`."""

    def __init__(self, path: Path, z_dim: int, conditional: bool) -> None:
        import onnxruntime

        if not path.is_file():
            raise InputError(f"{path}: no such file")
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # errors only: the command's output is its own
        try:
            self.session = onnxruntime.InferenceSession(
                str(path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as err:  # onnxruntime's errors share no base but Exception
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise InputError(f"{path}: not a loadable ONNX model ({first})") from err
        self.path = path
        self.latent, self.label = self.check_inputs(z_dim, conditional)
        self.output = self.check_output()

    def check_inputs(self, z_dim: int, conditional: bool) -> tuple[str, str | None]:
        inputs = self.session.get_inputs()
        wanted = 2 if conditional else 1
        if len(inputs) != wanted:
            names = ", ".join(f"'{i.name}' {shape_text(i.shape)}" for i in inputs)
            kind = "a latent and a class input" if conditional else "one latent input"
            raise InputError(f"{self.path}: inputs {names}; expected {kind} (--conditional)")
        floats = [i for i in inputs if i.type == "tensor(float)"]
        latent = next((i for i in floats if i.shape[-1:] == [z_dim]), None)
        if latent is None:
            first = floats[0] if floats else inputs[0]
            raise InputError(
                f"{self.path}: input '{first.name}' has shape {shape_text(first.shape)} "
                f"({first.type}); expected a float latent of shape [N, {z_dim}] (--z-dim)"
            )
        if len(latent.shape) != 2:
            raise InputError(
                f"{self.path}: input '{latent.name}' has shape {shape_text(latent.shape)}; "
                f"expected [N, {z_dim}]"
            )
        label = next((i for i in inputs if i.name != latent.name), None)
        if label is not None and len(label.shape) not in (1, 2):
            raise InputError(
                f"{self.path}: class input '{label.name}' has shape {shape_text(label.shape)};"
                " expected [N] or [N, 1]"
            )
        return latent.name, label.name if label else None

    def check_output(self) -> str:
        output = self.session.get_outputs()[0]
        dims = output.shape
        if list(dims[1:]) not in ([28, 28], [28, 28, 1], [1, 28, 28]):
            raise InputError(
                f"{self.path}: output '{output.name}' has shape {shape_text(dims)}; expected "
                "[N, 28, 28] or [N, 28, 28, 1]"
            )
        return output.name

    def feed(self, inputs: Any) -> dict[str, np.ndarray]:
        if self.label is None:
            return {self.latent: np.asarray(inputs, np.float32)}
        z, classes = inputs
        label = next(i for i in self.session.get_inputs() if i.name == self.label)
        dtype = {"tensor(float)": np.float32, "tensor(int32)": np.int32}.get(label.type, np.int64)
        classes = np.asarray(classes).reshape(-1, *([1] if len(label.shape) == 2 else []))
        return {self.latent: np.asarray(z, np.float32), self.label: classes.astype(dtype)}

    def predict(self, inputs: Any, batch_size: int | None = None, verbose: int = 0) -> np.ndarray:
        """The images for these inputs, in batches of `batch_size`."""
        feed = self.feed(inputs)
        count = len(next(iter(feed.values())))
        step = batch_size or count
        parts = []
        for start in range(0, count, step):
            batch = {name: value[start : start + step] for name, value in feed.items()}
            (out,) = self.session.run([self.output], batch)
            parts.append(out)
        images = np.concatenate(parts, axis=0)
        if images.shape[1:] == (1, 28, 28):  # channels first, as PyTorch exports them
            images = images[:, 0, :, :, np.newaxis]
        return images
