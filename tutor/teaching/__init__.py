"""Teaching material: passages, lessons, exercises, and how answers to them are judged.

Everything here is independent of the graph that runs the conversation (``agents/``):
the nodes call in with passages and concepts, and get text, exercises and grades back.
"""
