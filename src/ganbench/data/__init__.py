"""Data acquisition, IDX parsing, preparation and labelled subsets."""
