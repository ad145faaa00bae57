"""ganbench: a reproducible, experiment-tracked benchmark of GAN families.

Importing the package first asks TensorFlow for oneDNN's CPU kernels on every machine kind
(ganbench.training.kernels), before anything loads TensorFlow.
"""

from ganbench.training import kernels

kernels.prefer_onednn()
