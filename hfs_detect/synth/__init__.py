"""The synthetic session generator: known answers drawn on real faces.

- :mod:`~hfs_detect.synth.plan`: what happens when (spasms, blinks, distractors);
- :mod:`~hfs_detect.synth.patterns`: named spasm patterns and distractors;
- :mod:`~hfs_detect.synth.grading`: sessions made for a clinical grade;
- :mod:`~hfs_detect.synth.render`: drawing a plan on a still or moving real face;
- :mod:`~hfs_detect.synth.warp`: the image warps (closing lids, raising cheeks);
- :mod:`~hfs_detect.synth.make`: :func:`~hfs_detect.synth.make.synthesize`, all of it at once.
"""
