"""Benchmarks: our ftrack client side by side with the reference client,
and the emulator alone. Run ``python -m bench``; see bench/README.md."""
