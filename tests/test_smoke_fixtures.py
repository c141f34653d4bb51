def test_the_tree_fixture_builds_real_paths(tree):
    assert tree.building.path == f"{tree.compound.path}{tree.building.pk}/"
    assert tree.building.depth == 6
