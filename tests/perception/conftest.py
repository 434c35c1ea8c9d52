from tests.demo.conftest import _demo_module, loaded_demo  # noqa: F401 (fixtures)
