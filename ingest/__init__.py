"""Ingest: pages → transforms → frames → warehouse, the one path for `nianbao load` and the flows.

files.py reads local inputs safely (regular files only, size cap, any file name); pages.py runs the
transform with no warehouse connection open and hands ready frames to warehouse.load.
"""
