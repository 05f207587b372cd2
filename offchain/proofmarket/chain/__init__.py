"""The chain layer: compile, deploy, contract bindings, EIP-712 typed data, decoded errors.

Everything that talks to an Ethereum node lives here and takes a ``web3.Web3`` as an argument;
nothing connects at import time. The mechanism never imports this package.
"""
