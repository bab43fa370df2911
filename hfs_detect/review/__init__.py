"""Review and scoring: clinician annotations (ELAN, BORIS), evaluation against a truth,
and the comparison of two visits.

- :mod:`~hfs_detect.review.annotations`: export to and read back from ELAN and BORIS;
- :mod:`~hfs_detect.review.evaluate`: bursts found against true bursts;
- :mod:`~hfs_detect.review.compare`: two analyses of one patient side by side.
"""
