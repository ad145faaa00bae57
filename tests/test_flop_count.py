"""The benchmark's FLOP count (benchmarks/throughput.py): TensorFlow's per-op statistics over
the ops a step runs, checked against counts worked by hand."""

import tensorflow as tf

from benchmarks.throughput import live_flops

N, H, K, C_IN, C_OUT = 2, 6, 3, 4, 5
CONV = 2 * N * H * H * K * K * C_IN * C_OUT  # one 'same' convolution, stride 1


def traced(fn, *specs):
    return tf.function(fn).get_concrete_function(*specs).graph


def test_a_forward_convolution_counts_its_multiply_adds():
    w = tf.Variable(tf.ones((K, K, C_IN, C_OUT)))

    def forward(x):
        return tf.nn.conv2d(x, w, 1, "SAME")

    graph = traced(forward, tf.TensorSpec((N, H, H, C_IN)))
    assert live_flops(graph) == CONV


def test_a_gradient_nobody_uses_is_not_counted():
    """Training through a frozen layer: the gradient function emits the filter's gradient
    too, and execution prunes it; only the input's gradient is counted."""
    w = tf.Variable(tf.ones((K, K, C_IN, C_OUT)))

    def input_gradient(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(tf.nn.conv2d(x, w, 1, "SAME"))
        return y, tape.gradient(y, x)

    graph = traced(input_gradient, tf.TensorSpec((N, H, H, C_IN)))
    kinds = {op.type for op in graph.get_operations()}
    assert "Conv2DBackpropFilter" in kinds  # in the graph, but dead
    # the forward convolution, its input gradient, and the sum's few element-wise ops
    assert 2 * CONV <= live_flops(graph) < 2 * CONV + 2 * N * H * H * C_OUT


def test_a_variable_update_keeps_its_gradient_alive():
    w = tf.Variable(tf.ones((K, K, C_IN, C_OUT)))

    def step(x):
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(tf.nn.conv2d(x, w, 1, "SAME"))
        w.assign_sub(tape.gradient(y, w))  # a stateful op, no output of the function

    graph = traced(step, tf.TensorSpec((N, H, H, C_IN)))
    # the filter's gradient (and the update's element-wise ops); the forward convolution
    # is dead too, as nothing reads the loss
    assert CONV <= live_flops(graph) < CONV + 2 * K * K * C_IN * C_OUT + 2 * N * H * H * C_OUT


def test_a_dead_forward_pass_is_not_counted_either():
    w = tf.Variable(tf.ones((K, K, C_IN, C_OUT)))

    def unused(x):
        tf.nn.conv2d(x, w, 1, "SAME")
        return x

    assert live_flops(traced(unused, tf.TensorSpec((N, H, H, C_IN)))) == 0


def test_random_draws_count_the_numbers_a_step_draws_and_skip_dead_ones():
    """benchmarks/headroom.py's count of one step's random numbers, by kind."""
    from benchmarks.headroom import random_draws

    seed = tf.constant([1, 2], tf.int32)
    w = tf.Variable(tf.zeros((3, 4)))

    def train_step():
        w.assign_add(tf.random.stateless_normal((3, 4), seed))
        tf.random.stateless_normal((100, 100), seed)  # drawn for nothing: pruned
        return tf.reduce_sum(tf.random.stateless_uniform((5,), seed))

    assert random_draws(traced(train_step)) == {"normal": 12, "uniform": 5}
