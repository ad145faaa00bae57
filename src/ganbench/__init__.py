"""ganbench: a reproducible, experiment-tracked benchmark of GAN families.

Importing the package first asks TensorFlow for oneDNN's CPU kernels on every machine kind
(ganbench.kernels), before anything loads TensorFlow.
"""

from ganbench import kernels

kernels.prefer_onednn()
