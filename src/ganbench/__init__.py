"""ganbench: a reproducible, experiment-tracked benchmark of GAN families."""
