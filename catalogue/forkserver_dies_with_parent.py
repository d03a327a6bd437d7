"""Imported by the normaliser pool's forkserver as it starts (catalogue.normalise_pool): from
then on the kernel kills it when the process that started it exits. Nothing else imports
this module."""

from catalogue.normalise_pool import die_with_parent

die_with_parent()
