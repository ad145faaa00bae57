"""The GAN families: one module each, registered in `registry`."""
