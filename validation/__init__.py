"""Validation against real NEURON: run the same model in NEURON and in bridge and compare.

Subcommands (`python -m validation NAME ...`) are listed in `validation/__main__.py`.
"""
