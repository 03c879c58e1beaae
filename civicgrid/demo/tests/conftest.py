import pytest

from civicgrid.demo.generator import generate

SEED = 7


@pytest.fixture
def demo(db):
    """The reduced "tiny" demo county: 1 street, 2 communities, 4 grids, ~160 residents."""
    return generate(scale="tiny", seed=SEED, progress=False)
