"""Augmentation: filled in below (placeholder returns None when the config asks for none)."""


def make_augmenter(job, world):
    return None
