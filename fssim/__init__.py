"""FreeSWITCH simulator: an ESL server modelling mod_conference as recorded from a real
FreeSWITCH (see fssim/README.md). A development and test tool, never for production."""
from fssim.simulator import Simulator

__all__ = ["Simulator"]
