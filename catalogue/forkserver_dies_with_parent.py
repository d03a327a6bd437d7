"""Imported by the normaliser pool's forkserver as it starts (catalogue.normalise_pool): from
then on the kernel kills it when the process that started it exits. Nothing else imports
this module."""

from catalogue.normalise_pool import forkserver_dies_with_parent

forkserver_dies_with_parent()
