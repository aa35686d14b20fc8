"""Recipes are validated on load: unknown, missing, mistyped keys are errors that say so."""

from __future__ import annotations

import pytest

from zoo.errors import RecipeError
from zoo.training.recipe import load_recipe, parse_recipe
from zoo.training.run import check_family_sections, family_training

SINE = load_recipe("sine").text


def test_shipped_recipe_is_valid():
    r = load_recipe("sine")
    assert r.model_name == "sine" and r.train["steps"] > r.raw["ci"]["steps"]
    check_family_sections(r, family_training(r))
    assert len(r.sha256) == 64


def test_unknown_key_names_allowed_keys_and_close_match():
    with pytest.raises(RecipeError) as err:
        parse_recipe(SINE.replace("batch_size = 64", "batchsize = 64"))
    msg = str(err.value)
    assert "unknown key [train] batchsize" in msg and "did you mean 'batch_size'" in msg
    assert "missing key [train] batch_size" in msg
    assert "checkpoint_every" in msg  # the allowed keys are listed


def test_mistyped_value_and_bad_choice():
    with pytest.raises(RecipeError, match=r"\[optimizer\] lr = 'fast' must be float"):
        parse_recipe(SINE.replace("lr = 0.01", 'lr = "fast"'))
    with pytest.raises(RecipeError, match=r"name = 'adamm' is not one of"):
        parse_recipe(SINE.replace('name = "adam"', 'name = "adamm"'))


def test_unknown_section_and_bad_toml():
    with pytest.raises(RecipeError, match=r"unknown section \[trian\].*did you mean 'train'"):
        parse_recipe(SINE + "\n[trian]\nx = 1\n")
    with pytest.raises(RecipeError, match="not valid TOML"):
        parse_recipe("[recipe\nname=")


def test_family_sections_are_checked():
    bad_data = parse_recipe(SINE.replace("window = 5", "windw = 5"))
    with pytest.raises(RecipeError, match=r"unknown key \[data\] windw.*did you mean 'window'"):
        check_family_sections(bad_data, family_training(bad_data))
    bad_model = parse_recipe(SINE.replace('cell = "lstm"', 'cell = "lstn"'))
    with pytest.raises(RecipeError, match=r"\[model\].*'lstn' is not one of.*'lstm'"):
        check_family_sections(bad_model, family_training(bad_model))


def test_unknown_recipe_name_lists_shipped_ones():
    with pytest.raises(RecipeError, match=r"no recipe named 'sien'.*did you mean 'sine'"):
        load_recipe("sien")
